/**
 * The care reminder import (issue 14 item 3): the second column set of the
 * CSV import route. Each row is checked and saved as a PUT of that care
 * reminder would be (the file is the source of truth, so no If-Match: the
 * stored version is the one changed), and reported as created, updated,
 * unchanged or rejected with the column and why, as appointment rows are.
 */

import { type CareImportRow, careColumnOf, parseCareReminderCsv } from '../../api/import/care-csv';
import type { ImportReport, ImportRowReport } from '../../api/schemas';
import { AppError, ValidationError } from '../../domain/errors';
import { type CareReminderDeps, saveCareReminder } from './care-reminders';
import { loadClinic, repeatedRows } from './common';

/** A record that read: its ids and fields. */
type ReadableRow = CareImportRow & Required<Pick<CareImportRow, 'reminderId' | 'patientId' | 'fields'>>;

function readable(row: CareImportRow): row is ReadableRow {
  return Boolean(row.fields && row.reminderId && row.patientId);
}

/**
 * Imports a care reminder CSV.
 *
 * Primary course:
 * 1. Read the file: the header and each record's fields (a record that does
 *    not read is rejected with its columns).
 * 2. Reject a record that repeats an earlier record's care reminder (same
 *    patient and id), naming that row: the first stands, as for appointments.
 * 3. Save each other readable record, one after the other, as a PUT would (a
 *    patient the clinic does not have, a due date over, an action too long:
 *    rejected, nothing written for that row).
 * 4. Report every row.
 *
 * @param deps - repositories and clock
 * @param clinicId - the clinic
 * @param text - the file
 * @param limits - the most rows
 * @param subject - the staff user importing (an id)
 */
export async function importCareReminders(
  deps: CareReminderDeps,
  clinicId: string,
  text: string,
  limits: { maxRows: number },
  subject: string,
): Promise<ImportReport> {
  await loadClinic(deps.clinics, clinicId);
  const rows = parseCareReminderCsv(text, limits);
  // A care reminder is one patient's: the same id under another patient is another reminder.
  const repeats = repeatedRows(rows.filter(readable), (row) => ({
    key: `${row.patientId}#${row.reminderId}`,
    label: `care reminder ${row.reminderId}`,
    row: row.row,
    path: 'reminderId',
  }));
  const reports: ImportRowReport[] = [];
  for (const row of rows) {
    const ids = {
      ...(row.reminderId ? { reminderId: row.reminderId } : {}),
      ...(row.patientId ? { patientId: row.patientId } : {}),
    };
    const base = { row: row.row, line: row.line, ...ids };
    if (!readable(row)) {
      reports.push({ ...base, outcome: 'rejected', issues: row.issues });
      continue;
    }
    const repeat = repeats.get(row);
    if (repeat) {
      reports.push({ ...base, outcome: 'rejected', issues: [repeat] });
      continue;
    }
    const key = { clinicId, patientId: row.patientId, reminderId: row.reminderId };
    try {
      const current = await deps.careReminders.get(key);
      const saved = await saveCareReminder(deps, key, row.fields, current?.version, subject);
      reports.push({ ...base, outcome: saved.outcome });
    } catch (error) {
      if (error instanceof ValidationError) {
        const issues = error.issues.map((issue) => ({
          path: careColumnOf(issue.path),
          message: issue.message,
        }));
        reports.push({ ...base, outcome: 'rejected', issues });
      } else if (error instanceof AppError && error.expose) {
        reports.push({
          ...base,
          outcome: 'rejected',
          issues: [{ path: 'patientId', message: error.message }],
        });
      } else throw error;
    }
  }
  const count = (outcome: string) => reports.filter((report) => report.outcome === outcome).length;
  return {
    format: 'csv',
    summary: {
      rows: reports.length,
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      rejected: count('rejected'),
    },
    rows: reports,
  };
}
