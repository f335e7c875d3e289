import { z } from 'zod';
import { ConflictError } from '../../shared/domain/errors';
import type { Clinic } from '../../shared/domain/model';
import { type Clock, toUtcIso } from '../../shared/domain/time';
import { parseOrThrow } from '../../shared/domain/validation';
import type { ClinicRepository } from '../../shared/ports/repositories';
import { ClinicConfigSchema } from '../config/schema';

export interface SeedDeps {
  clinics: ClinicRepository;
  clock: Clock;
}

export interface SeedOutcome {
  /** Clinics written by this run. */
  created: string[];
  /** Clinics that already existed and were left exactly as they are. */
  kept: string[];
}

const ConfiguredClinicsSchema = z.array(ClinicConfigSchema).min(1);

/**
 * Makes sure every clinic of the deployment config exists in the clinics
 * table, and never changes one that does: after the first deploy the clinic
 * belongs to its staff, who edit it through the API (`PUT /v1/clinics/{id}`).
 *
 * Primary course:
 * 1. Validate the configured clinics with the domain schema.
 * 2. For each clinic not yet stored, create it at version 1 (conditional put).
 * 3. A clinic that exists, or that appears between the read and the put, is kept.
 *
 * @param deps - clinic repository and clock
 * @param configured - the `clinics` of the deployment config (parsed JSON)
 */
export async function seedClinics(deps: SeedDeps, configured: unknown): Promise<SeedOutcome> {
  const clinics = parseOrThrow(ConfiguredClinicsSchema, configured, 'clinics');
  const outcome: SeedOutcome = { created: [], kept: [] };
  for (const clinic of clinics) {
    if (await deps.clinics.get(clinic.clinicId)) {
      outcome.kept.push(clinic.clinicId);
      continue;
    }
    const at = toUtcIso(deps.clock.now());
    const record: Clinic = { ...clinic, version: 1, createdAt: at, updatedAt: at };
    try {
      await deps.clinics.put(record, null);
      outcome.created.push(clinic.clinicId);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      outcome.kept.push(clinic.clinicId);
    }
  }
  return outcome;
}
