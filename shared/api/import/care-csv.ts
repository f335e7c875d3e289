/**
 * The second column set of the CSV import (issue 14 item 3): care
 * reminders, one per record, recognised by their header (a `reminderId`
 * column). Columns in any order; names match ignoring case, spaces, `_`
 * and `-`, as for appointments.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { CareReminderFields } from '../../domain/care/reminder';
import { CareReminderFieldsSchema } from '../../domain/care/reminder';
import { type FieldIssue, PayloadTooLargeError, ValidationError } from '../../domain/errors';
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

const squash = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');
const BY_SQUASHED = new Map(COLUMN_NAMES.map((name) => [squash(name), name]));

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

function readHeader(header: readonly string[]): (CareCsvColumn | undefined)[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<CareCsvColumn>();
  const columns = header.map((raw, index) => {
    const column = BY_SQUASHED.get(squash(raw.trim()));
    if (!column) {
      issues.push({
        path: `header.${index}`,
        message: `${JSON.stringify(raw)} is not a care reminder column (${COLUMN_NAMES.join(', ')})`,
      });
      return undefined;
    }
    if (seen.has(column)) issues.push({ path: `header.${index}`, message: `${column} appears twice` });
    seen.add(column);
    return column;
  });
  for (const column of COLUMN_NAMES) {
    if (CARE_CSV_COLUMNS[column].required && !seen.has(column)) {
      issues.push({ path: `header.${column}`, message: 'is a required column' });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return columns;
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
  const parsed = CareReminderFieldsSchema.safeParse(body);
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
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) throw ValidationError.field('body', `is not readable CSV: ${error.code}`);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw ValidationError.field('body', 'is empty: send a header line and at least one row');
  if (data.length === 0) throw ValidationError.field('body', 'has a header but no rows');
  if (data.length > limits.maxRows) {
    throw new PayloadTooLargeError(
      `The import has ${data.length} rows; the limit is ${limits.maxRows} rows. Split the file.`,
      limits.maxRows,
    );
  }
  const columns = readHeader(header.record);
  const ids = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
  return data.map(({ record, info }, index) => {
    const issues: FieldIssue[] = [];
    if (record.length !== columns.length) {
      issues.push({ path: 'row', message: `has ${record.length} cells; the header has ${columns.length}` });
    }
    const cells: Partial<Record<CareCsvColumn, string>> = {};
    columns.forEach((column, at) => {
      if (column) cells[column] = record[at] ?? '';
    });
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
      row: index + 1,
      line: info.lines,
      ...(reminderId ? { reminderId } : {}),
      ...(patientId ? { patientId } : {}),
      ...(fields && issues.length === 0 ? { fields } : {}),
      issues,
    };
  });
}
