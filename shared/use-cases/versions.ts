/**
 * Optimistic concurrency for every use case that changes a versioned record
 * (clinics, patients, appointments): the expected-version rule and what a
 * save did. Use cases speak of versions; the staff API maps them to If-Match
 * and ETag (shared/http).
 */
import { ConflictError, VersionRequiredError } from '../domain/errors';

/** What a save did. */
export type SaveOutcome = 'created' | 'updated' | 'unchanged';

/** The record after a save (the stored one when nothing changed), and what the save did. */
export interface Saved<T> {
  record: T;
  outcome: SaveOutcome;
}

/**
 * A change to an existing record must name the version it was made
 * against; creating one must not name any.
 *
 * @param what - how to name the record (`patient p-1`)
 * @param current - the stored record, if any
 * @param expectedVersion - the version the caller read, if it named one
 * @throws VersionRequiredError when the record exists and no version was named
 * @throws ConflictError when the named version is not the stored one (or there is none)
 */
export function checkExpectedVersion(
  what: string,
  current: { version: number } | undefined,
  expectedVersion: number | undefined,
): void {
  if (!current) {
    if (expectedVersion !== undefined) {
      throw new ConflictError(`${what} does not exist; it cannot be at version ${expectedVersion}`);
    }
    return;
  }
  if (expectedVersion === undefined) throw new VersionRequiredError(what, current.version);
  if (expectedVersion !== current.version) {
    throw new ConflictError(
      `${what} is at version ${current.version}, not ${expectedVersion}`,
      current.version,
    );
  }
}
