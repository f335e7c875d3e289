import { ConflictError } from '../domain/errors';
import type { Patient } from '../domain/model';
import type { PatientRepository } from '../ports/repositories';

/** Tries of a read-change-write before another writer's change wins for good. */
const TRIES = 3;

/**
 * Applies a change to a patient that the system makes on its own (a carrier
 * opt-out, a bounce, a complaint), with optimistic concurrency: on a lost
 * race it reads the patient again and asks `change` again, so a staff edit
 * in between is kept and the change is not applied twice.
 *
 * @param patients - the patient repository
 * @param current - the patient as last read
 * @param change - the patient after the change (version and updatedAt are
 *   set here), or undefined when there is nothing to do
 * @param at - now, UTC ISO
 * @returns the patient as stored after the change (or as found), and whether this call wrote it
 */
export async function updatePatient(
  patients: PatientRepository,
  current: Patient,
  change: (patient: Patient) => Patient | undefined,
  at: string,
): Promise<{ patient: Patient; changed: boolean }> {
  let patient: Patient | undefined = current;
  for (let tries = 0; tries < TRIES && patient; tries++) {
    const next = change(patient);
    if (!next) return { patient, changed: false };
    const updated: Patient = { ...next, version: patient.version + 1, updatedAt: at };
    try {
      await patients.put(updated, patient.version);
      return { patient: updated, changed: true };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      patient = await patients.get(current.clinicId, current.patientId);
    }
  }
  return { patient: patient ?? current, changed: false };
}
