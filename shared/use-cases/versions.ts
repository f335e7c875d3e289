/**
 * Optimistic concurrency for every use case that changes a versioned record
 * (clinics, patients, appointments): the If-Match rule and what a save did.
 */
import { ConflictError, ValidationError } from '../domain/errors';

/** What a PUT did. */
export type SaveOutcome = 'created' | 'updated' | 'unchanged';

/**
 * A change to an existing record must name the version it was made
 * against (If-Match); creating one must not name any.
 *
 * @param what - how to name the record (`patient p-1`)
 * @param current - the stored record, if any
 * @param expectedVersion - the If-Match version, if sent
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
  if (expectedVersion === undefined) {
    throw ValidationError.field(
      'If-Match',
      `is required to change an existing record (${what} is at version ${current.version})`,
    );
  }
  if (expectedVersion !== current.version) {
    throw new ConflictError(
      `${what} is at version ${current.version}, not ${expectedVersion}`,
      current.version,
    );
  }
}
