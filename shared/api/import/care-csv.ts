/**
 * The second column set of the CSV import (issue 14 item 3): care
 * reminders, one per record, recognised by their header (a `reminderId`
 * column). Columns in any order; names match ignoring case, spaces, `_`
 * and `-`, as for appointments.
 */
import type { CareReminderFields } from '../../domain/care/reminder';
import { CareReminderFieldsSchema } from '../../domain/care/reminder';
import type { FieldIssue } from '../../domain/errors';
import { safeParseInput } from '../../domain/validation';
import { readCsvTable, squash } from './csv-table';
import type { ImportLimits } from './rows';

/** Every column of a care reminder file, with whether a header must have it and what it holds. */
export const CARE_CSV_COLUMNS = {
  reminderId: { required: true, about: 'the clinic’s care reminder id (letters, digits, . _ -)' },
  patientId: { required: true, about: 'an existing patient of the clinic' },
  kind: { required: true, about: '`refill`, `recall`, `vaccine` or `custom`' },
  dueOn: { required: true, about: 'the due date, `2027-01-31`, in the patient’s zone' },
  repeat: { required: false, about: '`P30D`, `P1M`, `P1Y` (whole days, months or years); empty: once' },
  actionPhone: { required: false, about: 'a number to call instead of the clinic’s (E.164)' },
  actionUrl: { required: false, about: 'an https link shown instead of the number (at most 40 characters)' },
} as const;
export type CareCsvColumn = keyof typeof CARE_CSV_COLUMNS;
const COLUMN_NAMES = Object.keys(CARE_CSV_COLUMNS) as CareCsvColumn[];

/** The file column a field of the record comes from, for the report. */
const COLUMN_OF: Record<string, CareCsvColumn> = {
  kind: 'kind',
  dueOn: 'dueOn',
  repeat: 'repeat',
  'repeat.every': 'repeat',
  action: 'actionPhone',
  'action.phone': 'actionPhone',
  'action.url': 'actionUrl',
  patientId: 'patientId',
  reminderId: 'reminderId',
};

/** A file column's path in the report (`dueOn`), for any path the checks name. */
export function careColumnOf(path: string): string {
  return COLUMN_OF[path] ?? COLUMN_OF[path.split('.')[0] ?? ''] ?? 'row';
}

/** One record of the file: its ids, the fields to save when it reads, or why it does not. */
export interface CareImportRow {
  row: number;
  line: number;
  reminderId?: string;
  patientId?: string;
  fields?: CareReminderFields;
  issues: FieldIssue[];
}

/**
 * True when a CSV file is a care reminder file: its header names `reminderId`.
 *
 * @param text - the file
 */
export function isCareReminderCsv(text: string): boolean {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0] ?? '';
  return firstLine.split(',').some((cell) => squash(cell.replace(/"/g, '').trim()) === squash('reminderId'));
}

function readRecord(cells: Partial<Record<CareCsvColumn, string>>, issues: FieldIssue[]) {
  const cell = (column: CareCsvColumn) => cells[column]?.trim() ?? '';
  const body = {
    kind: cell('kind'),
    dueOn: cell('dueOn'),
    ...(cell('repeat') ? { repeat: { every: cell('repeat') } } : {}),
    ...(cell('actionPhone') || cell('actionUrl')
      ? {
          action: {
            ...(cell('actionPhone') ? { phone: cell('actionPhone') } : {}),
            ...(cell('actionUrl') ? { url: cell('actionUrl') } : {}),
          },
        }
      : {}),
  };
  const parsed = safeParseInput(CareReminderFieldsSchema, body);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    issues.push({ path: careColumnOf(issue.path.join('.')), message: issue.message });
  }
  return undefined;
}

/**
 * Reads a care reminder CSV: header first, then one care reminder per record.
 *
 * @param text - the file (UTF-8; a byte-order mark is allowed)
 * @param limits - the most records accepted
 * @throws ValidationError for a file that cannot be read (quotes, header)
 * @throws PayloadTooLargeError for more records than the limit
 */
export function parseCareReminderCsv(text: string, limits: ImportLimits): CareImportRow[] {
  const table = readCsvTable(text, limits, {
    columns: CARE_CSV_COLUMNS,
    unknownColumn: (cell) =>
      `${JSON.stringify(cell)} is not a care reminder column (${COLUMN_NAMES.join(', ')})`,
  });
  const ids = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
  return table.map(({ row, line, cells, issues }) => {
    const reminderId = cells.reminderId?.trim() ?? '';
    const patientId = cells.patientId?.trim() ?? '';
    for (const [column, id] of [
      ['reminderId', reminderId],
      ['patientId', patientId],
    ] as const) {
      if (!ids.test(id))
        issues.push({ path: column, message: 'must be 1–64 letters, digits, dot, underscore or hyphen' });
    }
    const fields = issues.length === 0 ? readRecord(cells, issues) : undefined;
    return {
      row,
      line,
      ...(reminderId ? { reminderId } : {}),
      ...(patientId ? { patientId } : {}),
      ...(fields && issues.length === 0 ? { fields } : {}),
      issues,
    };
  });
}
