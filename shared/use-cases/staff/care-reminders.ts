/**
 * Care reminders through the staff API (issue 14 item 3): create or change,
 * read, list a patient's, stop. Nothing here plans a message: the request
 * stores the reminder due for planning now, and the per-minute pipeline
 * plans it (shared/use-cases/plan-care-reminders.ts).
 */
import { DateTime } from 'luxon';
import { type CareReminderListQuery, CareReminderListQuerySchema } from '../../api/care-schemas';
import { type CareReminder, CareReminderFieldsSchema, CareReminderSchema } from '../../domain/care/reminder';
import { checkCareWording } from '../../domain/care/wording';
import { NotFoundError, RecordNotFoundError, ValidationError } from '../../domain/errors';
import type { Clinic, Patient } from '../../domain/model';
import { zoneFor } from '../../domain/planning/rules';
import { type Clock, toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type {
  CareReminderKey,
  CareReminderRepository,
  ClinicRepository,
  Page,
} from '../../ports/repositories';
import { checkExpectedVersion, loadClinic, type Saved, sameValue } from './common';

export interface CareReminderDeps {
  clinics: ClinicRepository;
  patients: { get(clinicId: string, patientId: string): Promise<Patient | undefined> };
  careReminders: CareReminderRepository;
  clock: Clock;
}

async function loadPatient(deps: CareReminderDeps, clinicId: string, patientId: string): Promise<Patient> {
  const patient = await deps.patients.get(clinicId, patientId);
  if (!patient) {
    throw new RecordNotFoundError(
      `patient ${patientId} does not exist in clinic ${clinicId}`,
      'patient',
      patientId,
    );
  }
  return patient;
}

/**
 * Creates or changes a care reminder.
 *
 * Primary course:
 * 1. Parse the body; the clinic and the patient must exist (404).
 * 2. Check that its wording with the action fits one SMS part in every
 *    language of the clinic, and that a due date that does not repeat is
 *    not over in the patient's zone.
 * 3. Read the stored one: a change names its version (If-Match).
 * 4. Write it active and due for planning now (the due date and the day of
 *    the month its repeats keep are those given).
 *
 * @param deps - repositories and clock
 * @param ids - clinic, patient and reminder id
 * @param body - the request body
 * @param expectedVersion - the If-Match version
 * @param subject - the staff user saving it (an id)
 */
export async function saveCareReminder(
  deps: CareReminderDeps,
  ids: CareReminderKey,
  body: unknown,
  expectedVersion: number | undefined,
  subject: string,
): Promise<Saved<CareReminder>> {
  const fields = parseOrThrow(CareReminderFieldsSchema, body);
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  const patient = await loadPatient(deps, ids.clinicId, ids.patientId);
  checkFields(fields, clinic, patient, deps.clock);
  const current = await deps.careReminders.get(ids);
  checkExpectedVersion(`care reminder ${ids.reminderId}`, current, expectedVersion);

  const at = toUtcIso(deps.clock.now());
  // The same body again changes nothing; any change starts again from the due date given.
  const asSaved = current && {
    kind: current.kind,
    dueOn: current.dueOn,
    repeat: current.repeat,
    action: current.action,
  };
  if (current?.status === 'active' && sameValue(asSaved, fields))
    return { record: current, outcome: 'unchanged' };
  const next = parseOrThrow(CareReminderSchema, {
    ...fields,
    ...ids,
    status: 'active',
    anchorDay: DateTime.fromISO(fields.dueOn, { zone: 'utc' }).day,
    occurrence: 1,
    planAt: at,
    updatedBy: subject.slice(0, 128),
    version: current ? current.version + 1 : 1,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
  });
  await deps.careReminders.put(next, current?.version ?? null);
  return { record: next, outcome: current ? 'updated' : 'created' };
}

function checkFields(
  fields: ReturnType<typeof CareReminderFieldsSchema.parse>,
  clinic: Clinic,
  patient: Patient,
  clock: Clock,
) {
  const issues = checkCareWording(fields, clinic);
  const today = clock.now().setZone(zoneFor(patient, clinic)).toISODate() ?? '';
  if (!fields.repeat && fields.dueOn < today) {
    issues.push({
      path: 'dueOn',
      message: `must not be before today (${today} in the patient's zone) unless it repeats`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * One care reminder.
 *
 * @param deps - repositories
 * @param ids - clinic, patient and reminder id
 * @throws NotFoundError when the clinic, the patient or the reminder does not exist
 */
export async function getCareReminder(
  deps: Pick<CareReminderDeps, 'clinics' | 'patients' | 'careReminders'>,
  ids: CareReminderKey,
): Promise<CareReminder> {
  await loadClinic(deps.clinics, ids.clinicId);
  const reminder = await deps.careReminders.get(ids);
  if (!reminder) {
    await loadPatient(deps as CareReminderDeps, ids.clinicId, ids.patientId);
    throw new NotFoundError(
      `care reminder ${ids.reminderId} does not exist for patient ${ids.patientId} in clinic ${ids.clinicId}`,
    );
  }
  return reminder;
}

/**
 * A patient's care reminders, a page at a time (stopped ones included).
 *
 * @param deps - repositories
 * @param ids - clinic and patient
 * @param query - the request's query (limit, cursor)
 */
export async function listCareReminders(
  deps: Pick<CareReminderDeps, 'clinics' | 'patients' | 'careReminders'>,
  ids: { clinicId: string; patientId: string },
  query: unknown,
): Promise<Page<CareReminder>> {
  const { limit, cursor }: CareReminderListQuery = parseOrThrow(CareReminderListQuerySchema, query);
  await loadClinic(deps.clinics, ids.clinicId);
  await loadPatient(deps as CareReminderDeps, ids.clinicId, ids.patientId);
  const page = await deps.careReminders.listForPatient(ids.clinicId, ids.patientId, {
    limit,
    ...(cursor ? { cursor } : {}),
  });
  return { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/**
 * Stops a care reminder: it plans no further due date, and the pipeline
 * withdraws its messages not sent yet (the sender skips any it meets,
 * `care-reminder-stopped`). Idempotent: stopping again returns it as it is.
 *
 * @param deps - repositories and clock
 * @param ids - clinic, patient and reminder id
 * @param subject - the staff user stopping it (an id)
 */
export async function stopCareReminder(
  deps: CareReminderDeps,
  ids: CareReminderKey,
  subject: string,
): Promise<CareReminder> {
  const current = await getCareReminder(deps, ids);
  if (current.status === 'stopped') return current;
  const at = toUtcIso(deps.clock.now());
  const next: CareReminder = {
    ...current,
    status: 'stopped',
    stoppedAt: at,
    planAt: at,
    updatedBy: subject.slice(0, 128),
    version: current.version + 1,
    updatedAt: at,
  };
  await deps.careReminders.put(next, current.version);
  return next;
}
