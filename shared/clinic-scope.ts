/**
 * The clinic a staff request is for, carried along everything the request
 * does (AsyncLocalStorage), so the DynamoDB guard
 * (shared/adapters/dynamodb/clinic-scope.ts) can check every key against
 * it without each repository call passing it down.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<{ clinicId: string }>();

/**
 * Runs `work` as a request for one clinic: every DynamoDB request it makes
 * through a guarded client must be keyed by that clinic.
 *
 * @param clinicId - the clinic of the request (its path's `{clinicId}`)
 * @param work - the request's handling
 */
export function inClinicScope<T>(clinicId: string, work: () => Promise<T>): Promise<T> {
  return current.run({ clinicId }, work);
}

/** The clinic of the request being handled, if any. */
export function clinicInScope(): string | undefined {
  return current.getStore()?.clinicId;
}
