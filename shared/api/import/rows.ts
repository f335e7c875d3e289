/**
 * What an import file becomes once read: rows of patients and appointments
 * in the system's own terms, each with the problems found while reading it
 * (by the file's own field names, so staff can find them). Both formats,
 * CSV and FHIR, produce these; the import use case applies them.
 *
 * Optional fields use three states: `undefined` keeps what is stored (the
 * file does not carry the field), `null` clears it (the file carries it,
 * empty), a value sets it.
 */

import type { CountryCode } from 'libphonenumber-js/max';
import parsePhoneNumber from 'libphonenumber-js/max';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import type { FieldIssue } from '../../domain/errors';
import {
  AppointmentFieldsSchema,
  type AppointmentStatus,
  AppointmentTypeSchema,
  type Channel,
  EmailSchema,
  EntityIdSchema,
  LanguageSchema,
  PatientFieldsSchema,
  TimeZoneSchema,
} from '../../domain/model';
import { describeForbiddenCharacter, findForbiddenCharacter } from '../../domain/text';
import { toUtcIso } from '../../domain/time';
import { safeParseInput } from '../../domain/validation';

export type Clearable<T> = T | null | undefined;

export interface ImportedPatient {
  patientId: string;
  firstName: string;
  lastName: Clearable<string>;
  /** E.164. */
  phone: Clearable<string>;
  email: Clearable<string>;
  /** Undefined: keep the stored order if it still fits the addresses, else SMS first when there is a phone. */
  channels: Channel[] | undefined;
  /** Null: the clinic's default language. */
  language: Clearable<string>;
  timeZone: Clearable<string>;
  /** Opt-outs the file records (source `import`); an import never lifts one. */
  optOuts: { sms?: true; email?: true };
  /** The file records consent to the `updates` topic (source `import`); an import never withdraws one. */
  consentUpdates?: true;
}

export interface ImportedAppointment {
  appointmentId: string;
  patientId: string;
  /** UTC storage format. */
  startAt: string;
  durationMinutes: number;
  /** Null: `default`. */
  type: Clearable<string>;
  location: Clearable<string>;
  videoLink: Clearable<string>;
  status: AppointmentStatus;
  cancelledBy?: 'clinic' | 'patient';
}

/** Record fields the use case may report a problem about. */
export type PatientField = keyof ImportedPatient | 'channels';
export type AppointmentField = keyof ImportedAppointment;

export interface ImportRow {
  /** 1-based position in the report. */
  row: number;
  /** CSV: the line where the record starts. */
  line?: number;
  /** FHIR: the index in Bundle.entry. */
  entry?: number;
  resourceType?: 'Patient' | 'Appointment';
  /** The ids, when they could be read, even from a rejected row. */
  patientId?: string;
  appointmentId?: string;
  /** A patient the row defines (CSV rows and FHIR Patient entries). */
  patient?: ImportedPatient;
  /** An appointment the row defines (CSV rows and FHIR Appointment entries). */
  appointment?: ImportedAppointment;
  /** Problems found while reading; a row with any is rejected and changes nothing. */
  issues: FieldIssue[];
  /** What was read differently than the file might suggest (a link not taken), for staff to check. */
  notes?: string[];
  /**
   * Where in the file a record field comes from (`startAt` → `start` in
   * CSV); a name that is no record field is returned in the file's terms as is.
   */
  pathOf(field: PatientField | AppointmentField | (string & {})): string;
}

export interface ParsedImport {
  format: 'csv' | 'fhir';
  rows: ImportRow[];
  /** FHIR entries of other resource types. */
  ignored: { entry: number; resourceType: string }[];
}

/** What a reader needs from the clinic. */
export interface ImportContext {
  timeZone: string;
  /** ISO 3166 alpha-2, for national phone numbers. */
  country: string;
}

export interface ImportLimits {
  maxRows: number;
}

/**
 * A zod check of one value; on failure pushes its first message under `path`.
 * Returns the parsed value, or undefined.
 */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: string,
  issues: FieldIssue[],
): z.output<S> | undefined {
  const result = safeParseInput(schema, value);
  if (result.success) return result.data;
  issues.push({ path, message: result.error.issues[0]?.message ?? 'is invalid' });
  return undefined;
}

export const FieldSchemas = {
  id: EntityIdSchema,
  firstName: PatientFieldsSchema.shape.firstName,
  lastName: PatientFieldsSchema.shape.lastName.unwrap(),
  email: EmailSchema,
  language: LanguageSchema,
  timeZone: TimeZoneSchema,
  durationMinutes: AppointmentFieldsSchema.shape.durationMinutes,
  type: AppointmentTypeSchema,
  location: AppointmentFieldsSchema.shape.location.unwrap(),
  videoLink: AppointmentFieldsSchema.shape.videoLink.unwrap(),
} as const;

/**
 * A phone number as staff write it: E.164, or national in the clinic's
 * country (`(202) 555-0143` in the US). Returns E.164, or pushes an issue.
 *
 * @param text - the number as written
 * @param country - the clinic's country
 * @param path - where to report a problem
 * @param issues - where problems go
 */
export function parseImportPhone(
  text: string,
  country: string,
  path: string,
  issues: FieldIssue[],
): string | undefined {
  const cleaned = text.trim();
  const parsed = /^[+\d\s().\-/]{4,32}$/.test(cleaned)
    ? parsePhoneNumber(cleaned, { defaultCountry: country as CountryCode })
    : undefined;
  if (!parsed?.isValid()) {
    issues.push({
      path,
      message: `is not a valid phone number (write it in E.164 such as +12025550143, or as a national number in ${country})`,
    });
    return undefined;
  }
  return parsed.number;
}

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)$/;
/** An ISO instant with `Z` or an offset of at most 14 hours. */
export const INSTANT =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/;

/**
 * A start time: a wall-clock time in the clinic's zone (`2026-12-08 10:30`)
 * or an instant with an offset or `Z`. A local time that does not exist
 * (skipped by a spring-forward change) is refused; one that exists twice
 * (fall-back) is the first of the two.
 *
 * @param text - the time as written
 * @param zone - the clinic's zone
 * @param path - where to report a problem
 * @param issues - where problems go
 */
export function parseImportStart(
  text: string,
  zone: string,
  path: string,
  issues: FieldIssue[],
): string | undefined {
  const cleaned = text.trim();
  const local = LOCAL_DATE_TIME.exec(cleaned);
  if (local) {
    const [, date, time] = local;
    const at = DateTime.fromISO(`${date}T${time}`, { zone });
    if (!at.isValid) {
      issues.push({ path, message: 'is not a real date and time' });
      return undefined;
    }
    const wall = at.toFormat(time && time.length > 5 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm");
    if (wall !== `${date}T${time}`) {
      issues.push({ path, message: `does not exist in ${zone}: the clocks skip it that night` });
      return undefined;
    }
    // A time that happens twice (the clocks go back) is the first of the two.
    const first = DateTime.min(at, ...at.getPossibleOffsets());
    return toUtcIso(first);
  }
  if (INSTANT.test(cleaned)) {
    const at = DateTime.fromISO(cleaned, { setZone: true });
    if (at.isValid) return toUtcIso(at);
  }
  issues.push({
    path,
    message: `must be a local time in ${zone} such as 2026-12-08 10:30, or an instant with an offset`,
  });
  return undefined;
}

/**
 * Refuses a cell that holds a character no text of the system may hold
 * (controls, bidirectional overrides, unpaired surrogates), wherever it is:
 * ids, phone numbers and codes as much as names. Line breaks (a quoted cell
 * may span lines) are left to each field's own rule: an address may hold
 * them, a name may not.
 *
 * @param value - the cell as read from the file
 * @param path - where to report a problem
 * @param issues - where problems go
 * @returns true when the cell is clean
 */
export function cleanCell(value: string, path: string, issues: FieldIssue[]): boolean {
  const found = findForbiddenCharacter(value, { lineBreaks: true });
  if (found) issues.push({ path, message: describeForbiddenCharacter(found) });
  return found === undefined;
}

/** A required text cell or element; pushes "is required" when empty. */
export function required(value: string | undefined, path: string, issues: FieldIssue[]): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    issues.push({ path, message: 'is required' });
    return undefined;
  }
  return trimmed;
}

/** A required text checked with a schema: one issue at most, whichever applies. */
export function requiredChecked<S extends z.ZodType>(
  schema: S,
  value: string | undefined,
  path: string,
  issues: FieldIssue[],
): z.output<S> | undefined {
  const present = required(value, path, issues);
  return present === undefined ? undefined : check(schema, present, path, issues);
}
