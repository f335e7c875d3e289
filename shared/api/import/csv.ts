/**
 * CSV import: one appointment and its patient per record. The columns (in
 * any order; names match ignoring case, spaces, `_` and `-`) are listed in
 * CSV_COLUMNS and in docs/api.md.
 *
 * A column missing from the header keeps what is stored; a column present
 * with an empty cell clears the field (or sets its default).
 */
import type { FieldIssue } from '../../domain/errors';
import type { AppointmentStatus, Channel } from '../../domain/model';
import { readCsvTable } from './csv-table';
import {
  type AppointmentField,
  type Clearable,
  check,
  cleanCell,
  FieldSchemas,
  type ImportContext,
  type ImportedAppointment,
  type ImportedPatient,
  type ImportLimits,
  type ImportRow,
  type ParsedImport,
  type PatientField,
  parseImportPhone,
  parseImportStart,
  required,
  requiredChecked,
} from './rows';

/** Every column, with whether a header must have it and what it holds. */
export const CSV_COLUMNS = {
  appointmentId: { required: true, about: 'the clinic’s appointment id (letters, digits, . _ -)' },
  patientId: { required: true, about: 'the clinic’s patient id' },
  start: {
    required: true,
    about: 'local start in the clinic’s zone, `2026-12-08 10:30` (or an instant with an offset)',
  },
  durationMinutes: { required: true, about: 'whole minutes, 1–720' },
  firstName: { required: true, about: 'the patient’s first name, as used in messages' },
  lastName: { required: false, about: 'the patient’s last name' },
  phone: { required: false, about: 'E.164 or national in the clinic’s country' },
  email: { required: false, about: 'email address' },
  channels: {
    required: false,
    about:
      '`sms`, `email`, `sms;email` or `email;sms`, in order of preference; empty: SMS first when there is a phone',
  },
  language: { required: false, about: 'BCP 47 such as `en` or `es`; empty: the clinic’s default' },
  timeZone: { required: false, about: 'the patient’s IANA zone, only when it differs from the clinic’s' },
  type: { required: false, about: 'the clinic’s appointment type key; empty: `default`' },
  location: { required: false, about: 'where the visit is; shown in messages' },
  videoLink: { required: false, about: 'https link for a telehealth visit' },
  status: {
    required: false,
    about:
      '`booked` (default), `cancelled`, `completed` or `no-show` (FHIR names fulfilled and noshow also work)',
  },
  cancelledBy: { required: false, about: '`clinic` (default) or `patient`, for cancelled rows' },
  smsOptOut: { required: false, about: '`yes` records an SMS opt-out; `no` or empty never lifts one' },
  emailOptOut: { required: false, about: '`yes` records an email opt-out; `no` or empty never lifts one' },
  updatesConsent: {
    required: false,
    about:
      '`yes` records the patient’s consent to health updates and education (topic `updates`, source `import`); `no` or empty never withdraws one',
  },
} as const;

export type CsvColumn = keyof typeof CSV_COLUMNS;

/** The record field each CSV column fills, for reporting a problem found later. */
const COLUMN_OF: Record<PatientField | AppointmentField, CsvColumn> = {
  appointmentId: 'appointmentId',
  patientId: 'patientId',
  startAt: 'start',
  durationMinutes: 'durationMinutes',
  type: 'type',
  location: 'location',
  videoLink: 'videoLink',
  status: 'status',
  cancelledBy: 'cancelledBy',
  firstName: 'firstName',
  lastName: 'lastName',
  phone: 'phone',
  email: 'email',
  channels: 'channels',
  language: 'language',
  timeZone: 'timeZone',
  optOuts: 'smsOptOut',
  consentUpdates: 'updatesConsent',
};

const pathOf = (field: string): string => COLUMN_OF[field as PatientField | AppointmentField] ?? field;

type Cells = Partial<Record<CsvColumn, string>>;

/** An optional cell: undefined when the column is absent, null when empty. */
function optional(cells: Cells, column: CsvColumn): string | null | undefined {
  if (!(column in cells)) return undefined;
  const value = cells[column]?.trim() ?? '';
  return value === '' ? null : value;
}

/** An optional cell checked with a schema; a bad value is reported, not kept. */
function optionalChecked<T>(
  cells: Cells,
  column: CsvColumn,
  validate: (value: string) => T | undefined,
): Clearable<T> {
  const value = optional(cells, column);
  if (value === undefined || value === null) return value;
  return validate(value);
}

const STATUS_NAMES: Record<string, AppointmentStatus> = {
  booked: 'booked',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  completed: 'completed',
  fulfilled: 'completed',
  'no-show': 'no-show',
  noshow: 'no-show',
};

const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);

function readFlag(cells: Cells, column: CsvColumn, issues: FieldIssue[]): boolean {
  const value = optional(cells, column)?.toLowerCase();
  if (value === undefined || value === null || NO.has(value)) return false;
  if (YES.has(value)) return true;
  issues.push({ path: column, message: 'must be yes or no' });
  return false;
}

function readChannels(cells: Cells, issues: FieldIssue[]): Channel[] | undefined {
  const value = optional(cells, 'channels');
  if (!value) return undefined;
  const parts = value
    .toLowerCase()
    .split(/[;|\s]+/)
    .filter((part) => part !== '');
  if (parts.some((part) => part !== 'sms' && part !== 'email') || new Set(parts).size !== parts.length) {
    issues.push({ path: 'channels', message: 'must be sms, email, sms;email or email;sms' });
    return undefined;
  }
  return parts as Channel[];
}

function readPatient(
  cells: Cells,
  context: ImportContext,
  issues: FieldIssue[],
): ImportedPatient | undefined {
  const patientId = requiredChecked(FieldSchemas.id, cells.patientId, 'patientId', issues);
  const firstName = requiredChecked(FieldSchemas.firstName, cells.firstName, 'firstName', issues);
  const before = issues.length;
  const patient = {
    lastName: optionalChecked(cells, 'lastName', (v) => check(FieldSchemas.lastName, v, 'lastName', issues)),
    phone: optionalChecked(cells, 'phone', (v) => parseImportPhone(v, context.country, 'phone', issues)),
    email: optionalChecked(cells, 'email', (v) => check(FieldSchemas.email, v, 'email', issues)),
    channels: readChannels(cells, issues),
    language: optionalChecked(cells, 'language', (v) => check(FieldSchemas.language, v, 'language', issues)),
    timeZone: optionalChecked(cells, 'timeZone', (v) => check(FieldSchemas.timeZone, v, 'timeZone', issues)),
    optOuts: {
      ...(readFlag(cells, 'smsOptOut', issues) ? { sms: true as const } : {}),
      ...(readFlag(cells, 'emailOptOut', issues) ? { email: true as const } : {}),
    },
    ...(readFlag(cells, 'updatesConsent', issues) ? { consentUpdates: true as const } : {}),
  };
  if (!patientId || !firstName || issues.length > before) return undefined;
  return { patientId, firstName, ...patient };
}

function readDuration(text: string | undefined, issues: FieldIssue[]): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text)) {
    issues.push({ path: 'durationMinutes', message: 'must be a whole number of minutes' });
    return undefined;
  }
  return check(FieldSchemas.durationMinutes, Number(text), 'durationMinutes', issues);
}

function readAppointment(
  cells: Cells,
  context: ImportContext,
  issues: FieldIssue[],
): ImportedAppointment | undefined {
  const before = issues.length;
  const appointmentId = requiredChecked(FieldSchemas.id, cells.appointmentId, 'appointmentId', issues);
  const patientId = cells.patientId?.trim();
  const startText = required(cells.start, 'start', issues);
  const startAt = startText ? parseImportStart(startText, context.timeZone, 'start', issues) : undefined;
  const durationMinutes = readDuration(required(cells.durationMinutes, 'durationMinutes', issues), issues);
  const type = optionalChecked(cells, 'type', (v) => check(FieldSchemas.type, v, 'type', issues));
  const location = optionalChecked(cells, 'location', (v) =>
    check(FieldSchemas.location, v, 'location', issues),
  );
  const videoLink = optionalChecked(cells, 'videoLink', (v) =>
    check(FieldSchemas.videoLink, v, 'videoLink', issues),
  );
  const statusText = optional(cells, 'status')?.toLowerCase();
  const status = statusText ? STATUS_NAMES[statusText] : 'booked';
  if (!status) issues.push({ path: 'status', message: 'must be booked, cancelled, completed or no-show' });
  const cancelledByText = optional(cells, 'cancelledBy')?.toLowerCase();
  if (cancelledByText && cancelledByText !== 'clinic' && cancelledByText !== 'patient') {
    issues.push({ path: 'cancelledBy', message: 'must be clinic or patient' });
  }
  if (cancelledByText && status !== 'cancelled') {
    issues.push({ path: 'cancelledBy', message: 'is only allowed on a cancelled row' });
  }
  if (issues.length > before || !appointmentId || !patientId || !startAt || !durationMinutes || !status) {
    return undefined;
  }
  return {
    appointmentId,
    patientId,
    startAt,
    durationMinutes,
    type,
    location,
    videoLink,
    status,
    ...(status === 'cancelled' ? { cancelledBy: cancelledByText === 'patient' ? 'patient' : 'clinic' } : {}),
  };
}

/**
 * Reads a CSV import: header first, then one record per appointment.
 *
 * @param text - the file (UTF-8; a byte-order mark is allowed)
 * @param context - the clinic's zone and country
 * @param limits - the most records accepted
 * @throws ValidationError for a file that cannot be read (quotes, header)
 * @throws PayloadTooLargeError for more records than the limit
 */
export function parseCsvImport(text: string, context: ImportContext, limits: ImportLimits): ParsedImport {
  const table = readCsvTable(text, limits, {
    columns: CSV_COLUMNS,
    unknownColumn: (cell) => `${JSON.stringify(cell.trim().slice(0, 40))} is not a known column`,
  });
  const rows = table.map(({ row, line, cells, issues }): ImportRow => {
    // Misaligned cells would be read under the wrong column: report only the count then.
    const aligned = issues.length === 0;
    // A cell with a control character is reported as such, not as whatever else it breaks.
    if (aligned) for (const [column, value] of Object.entries(cells)) cleanCell(value, column, issues);
    const readable = issues.length === 0;
    const patient = readable ? readPatient(cells, context, issues) : undefined;
    const appointment = readable ? readAppointment(cells, context, issues) : undefined;
    const patientId = cells.patientId?.trim();
    const appointmentId = cells.appointmentId?.trim();
    return {
      row,
      line,
      ...(patientId ? { patientId } : {}),
      ...(appointmentId ? { appointmentId } : {}),
      ...(issues.length === 0 && patient && appointment ? { patient, appointment } : {}),
      issues,
      pathOf,
    };
  });
  return { format: 'csv', rows, ignored: [] };
}
