/**
 * Small helpers the staff use cases share: "did anything change"
 * comparison, an import's repeated rows, bounded parallelism and local times (the expected-version
 * check and the save result live in ../versions, shared with the
 * appointment use cases).
 */
import { DateTime } from 'luxon';
import { type FieldIssue, RecordNotFoundError } from '../../domain/errors';
import type { Clinic } from '../../domain/model';
import type { ClinicRepository } from '../../ports/repositories';

export { checkExpectedVersion, type Saved, type SaveOutcome } from '../versions';

const SERVER_FIELDS = new Set(['version', 'createdAt', 'updatedAt']);

/** JSON with sorted keys and no undefined values, for comparing records. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  }
  return value;
}

/**
 * True when two records hold the same content, ignoring version and
 * timestamps: a PUT or import that would change nothing writes nothing.
 *
 * @param a - one record
 * @param b - the other, or undefined
 */
export function sameContent(a: object, b: object | undefined): boolean {
  if (!b) return false;
  const strip = (record: object) =>
    Object.fromEntries(Object.entries(record).filter(([key]) => !SERVER_FIELDS.has(key)));
  return JSON.stringify(canonical(strip(a))) === JSON.stringify(canonical(strip(b)));
}

/** Same as {@link sameContent} for any two values (no server fields removed). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The record an import row names: how records are told apart, and how the report names it. */
export interface RowRecord {
  /** Equal for two rows of one record. */
  key: string;
  /** The record in words (`appointment a-1`). */
  label: string;
  /** The row's number in the report. */
  row: number;
  /** The field of the file that names the record (`appointmentId`). */
  path: string;
}

/**
 * The rows of an import that name a record an earlier row named, each with
 * the issue to reject it with (`repeats appointment a-1 of row 1`, at the
 * field that names it). A file gives each record once: otherwise the last
 * row would silently undo the ones before, and importing the same file
 * again would change the record back and forth.
 *
 * @param rows - the rows that read, in file order
 * @param recordOf - the record a row names, or undefined when it names none
 */
export function repeatedRows<T>(
  rows: readonly T[],
  recordOf: (row: T) => RowRecord | undefined,
): Map<T, FieldIssue> {
  const firstRows = new Map<string, number>();
  const repeats = new Map<T, FieldIssue>();
  for (const row of rows) {
    const record = recordOf(row);
    if (!record) continue;
    const first = firstRows.get(record.key);
    if (first === undefined) firstRows.set(record.key, record.row);
    else repeats.set(row, { path: record.path, message: `repeats ${record.label} of row ${first}` });
  }
  return repeats;
}

/**
 * The clinic, or a RecordNotFoundError (the API tells the caller how to create it).
 *
 * @param clinics - the clinic repository
 * @param clinicId - the clinic in the path
 */
export async function loadClinic(clinics: ClinicRepository, clinicId: string): Promise<Clinic> {
  const clinic = await clinics.get(clinicId);
  if (!clinic) {
    throw new RecordNotFoundError(`clinic ${clinicId} does not exist`, 'clinic', clinicId);
  }
  return clinic;
}

/**
 * Runs `fn` over `items`, at most `limit` at a time, keeping the order of
 * results. DynamoDB calls of an import or a metrics request go through here
 * so a large request does not open hundreds of connections at once.
 *
 * @param items - the inputs
 * @param limit - the most calls in flight
 * @param fn - the call
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A stored UTC instant on a zone's wall clock, with the offset
 * (`2026-12-08T10:00:00.000-05:00`).
 *
 * @param utc - the stored instant
 * @param zone - the IANA zone
 */
export function localIso(utc: string, zone: string): string {
  return DateTime.fromISO(utc, { zone: 'utc' }).setZone(zone).toISO() ?? utc;
}
