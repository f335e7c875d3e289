import * as z from 'zod';
import { ConflictError } from '../domain/errors';
import { type Clinic, ClinicSchema } from '../domain/model';
import { validateClinicTemplates } from '../domain/templates';
import { type Clock, toUtcIso } from '../domain/time';
import { parseOrThrow } from '../domain/validation';
import type { ClinicRepository } from '../ports/repositories';
import { sameValue } from './staff/common';

export interface SeedDeps {
  clinics: ClinicRepository;
  clock: Clock;
}

export interface SeedOutcome {
  /** Clinics written by this run. */
  created: string[];
  /** Clinics that existed and whose origination identity this run set to the configured one. */
  updated: string[];
  /** Clinics that already existed and were left exactly as they are. */
  kept: string[];
}

/**
 * A clinic as configured: the stored record without the server-managed
 * version and timestamps, with its texts checked as the API checks them on
 * save (SMS name, segment budgets, own templates). The deployment config
 * schema (infra/config/schema.ts) and this custom resource both use it.
 */
export const ClinicConfigSchema = ClinicSchema.omit({
  version: true,
  createdAt: true,
  updatedAt: true,
}).superRefine((clinic, ctx) => {
  for (const issue of validateClinicTemplates(clinic)) {
    ctx.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
  }
});

const ConfiguredClinicsSchema = z.array(ClinicConfigSchema).min(1);

/** A staff edit racing the seed is retried this many times before the deploy fails. */
const MAX_RACES = 5;

type Configured = z.output<typeof ClinicConfigSchema>;

/**
 * Makes sure every clinic of the deployment config exists in the clinics
 * table. After the first deploy the clinic belongs to its staff, who edit it
 * through the API (`PUT /v1/clinics/{id}`), so a stored clinic keeps its
 * settings; only its origination identity follows the config, because the
 * deployment owns the number (its two-way channel, its registration).
 *
 * Primary course:
 * 1. Validate the configured clinics with the domain schema.
 * 2. For each clinic not yet stored, create it at version 1 (conditional put).
 * 3. For a stored clinic whose origination identity differs from the
 *    configured one, write the configured one (or remove it) at the next
 *    version; anything else about it is left as it is.
 * 4. A clinic that appears between the read and the put is read again.
 *
 * @param deps - clinic repository and clock
 * @param configured - the `clinics` of the deployment config (parsed JSON)
 */
export async function seedClinics(deps: SeedDeps, configured: unknown): Promise<SeedOutcome> {
  const clinics = parseOrThrow(ConfiguredClinicsSchema, configured, 'clinics');
  const outcome: SeedOutcome = { created: [], updated: [], kept: [] };
  for (const clinic of clinics) {
    outcome[await seedOne(deps, clinic)].push(clinic.clinicId);
  }
  return outcome;
}

async function seedOne(deps: SeedDeps, clinic: Configured): Promise<keyof SeedOutcome> {
  for (let race = 0; ; race++) {
    const stored = await deps.clinics.get(clinic.clinicId);
    if (stored && sameValue(stored.originationIdentity, clinic.originationIdentity)) return 'kept';
    const at = toUtcIso(deps.clock.now());
    let record: Clinic;
    if (stored) {
      const { originationIdentity: _old, ...rest } = stored;
      record = {
        ...rest,
        ...(clinic.originationIdentity ? { originationIdentity: clinic.originationIdentity } : {}),
        version: stored.version + 1,
        updatedAt: at,
      };
    } else {
      record = { ...clinic, version: 1, createdAt: at, updatedAt: at };
    }
    try {
      await deps.clinics.put(record, stored?.version ?? null);
      return stored ? 'updated' : 'created';
    } catch (error) {
      if (!(error instanceof ConflictError) || race + 1 >= MAX_RACES) throw error;
    }
  }
}
