import { ClinicBodySchema } from '../../api/schemas';
import { ValidationError } from '../../domain/errors';
import type { Clinic } from '../../domain/model';
import { validateClinicTemplates } from '../../domain/templates';
import { type Clock, toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type { ClinicRepository } from '../../ports/repositories';
import { checkExpectedVersion, loadClinic, type Saved, sameContent } from './common';

export interface ClinicDeps {
  clinics: ClinicRepository;
  clock: Clock;
}

/**
 * A clinic's settings.
 *
 * @param deps - clinic repository
 * @param clinicId - the clinic in the path
 * @throws NotFoundError when it does not exist
 */
export function getClinic(deps: Pick<ClinicDeps, 'clinics'>, clinicId: string): Promise<Clinic> {
  return loadClinic(deps.clinics, clinicId);
}

/**
 * Creates a clinic or replaces its settings.
 *
 * Primary course:
 * 1. Parse the body (every bad field reported at once).
 * 2. Read the stored clinic; an update must name its version (If-Match).
 *    Its origination identity is the deployment's and is kept as stored.
 * 3. Check every template the clinic would send against its segment budget.
 * 4. Write it conditionally, unless nothing changed.
 *
 * @param deps - clinic repository and clock
 * @param clinicId - the clinic in the path
 * @param body - the request body
 * @param expectedVersion - the If-Match version
 */
export async function saveClinic(
  deps: ClinicDeps,
  clinicId: string,
  body: unknown,
  expectedVersion: number | undefined,
): Promise<Saved<Clinic>> {
  const settings = parseOrThrow(ClinicBodySchema, body);
  const current = await deps.clinics.get(clinicId);
  checkExpectedVersion(`clinic ${clinicId}`, current, expectedVersion);
  const at = toUtcIso(deps.clock.now());
  const next: Clinic = {
    clinicId,
    ...settings,
    // The deployment owns the number (the seed writes it); staff edits keep it.
    ...(current?.originationIdentity ? { originationIdentity: current.originationIdentity } : {}),
    version: current ? current.version + 1 : 1,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
  };
  const templateIssues = validateClinicTemplates(next);
  if (templateIssues.length > 0) throw new ValidationError(templateIssues);
  if (current && sameContent(next, current)) return { record: current, outcome: 'unchanged' };
  await deps.clinics.put(next, current?.version ?? null);
  return { record: next, outcome: current ? 'updated' : 'created' };
}
