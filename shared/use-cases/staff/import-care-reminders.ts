/**
 * The care reminder import (issue 14 item 3): the second column set of the
 * CSV import route. Each row is checked and saved as a PUT of that care
 * reminder would be (the file is the source of truth, so no If-Match: the
 * stored version is the one changed), and reported as created, updated,
 * unchanged or rejected with the column and why, as appointment rows are.
 */

import { careColumnOf, parseCareReminderCsv } from '../../api/import/care-csv';
import type { ImportReport, ImportRowReport } from '../../api/schemas';
import { AppError, ValidationError } from '../../domain/errors';
import { type CareReminderDeps, saveCareReminder } from './care-reminders';
import { loadClinic } from './common';

/**
 * Imports a care reminder CSV.
 *
 * Primary course:
 * 1. Read the file: the header and each record's fields (a record that does
 *    not read is rejected with its columns).
 * 2. Save each readable record, one after the other, as a PUT would (a
 *    patient the clinic does not have, a due date over, an action too long:
 *    rejected, nothing written for that row).
 * 3. Report every row.
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
  const reports: ImportRowReport[] = [];
  for (const row of rows) {
    const ids = {
      ...(row.reminderId ? { reminderId: row.reminderId } : {}),
      ...(row.patientId ? { patientId: row.patientId } : {}),
    };
    const base = { row: row.row, line: row.line, ...ids };
    if (!row.fields || !row.reminderId || !row.patientId) {
      reports.push({ ...base, outcome: 'rejected', issues: row.issues });
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
