/**
 * Bulk import of appointments and patients (CSV or FHIR R4 Bundle).
 *
 * Rules:
 * - Every row is checked before anything is written; a rejected row changes
 *   nothing, and the report says why, by field of the file.
 * - The file is the source of truth: an existing appointment or patient is
 *   changed at its stored version without If-Match.
 * - A row that would change nothing writes nothing, so importing the same
 *   file twice changes nothing the second time.
 * - A patient's opt-outs and consent are kept; an import may add an opt-out
 *   (source `import`) but never lifts one.
 * - A row whose status is not booked only changes the status of a stored
 *   appointment (a cancelled visit is not also rescheduled); a new
 *   appointment is only imported as booked.
 */
import type { DateTime } from 'luxon';
import { parseCsvImport } from '../../api/import/csv';
import { parseFhirImport } from '../../api/import/fhir';
import type { ImportedAppointment, ImportedPatient, ImportRow, ParsedImport } from '../../api/import/rows';
import type { ImportOutcome, ImportReport, ImportRowReport, WriteOutcome } from '../../api/schemas';
import { applyBooking, applyStatusChange, type StatusChange } from '../../domain/appointment-changes';
import { CHANNELS } from '../../domain/constants';
import { AppError, ConflictError, type FieldIssue, ValidationError } from '../../domain/errors';
import { type Appointment, type Channel, type Clinic, type Patient, PatientSchema } from '../../domain/model';
import { keptUndeliverable } from '../../domain/receipts';
import { type Clock, toUtcIso } from '../../domain/time';
import { safeParseInput, toFieldIssues } from '../../domain/validation';
import type {
  AppointmentRepository,
  ClinicRepository,
  InboundRepository,
  PatientRepository,
} from '../../ports/repositories';
import { withNumberOptOut } from '../number-opt-out';
import { loadClinic, mapWithConcurrency, repeatedRows, sameContent, sameValue } from './common';

export interface ImportDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  /** A number's STOP from before any patient had it, which a patient given the number inherits. */
  inbound: Pick<InboundRepository, 'getNumberOptState'>;
  clock: Clock;
}

export type ImportFormat = 'csv' | 'fhir';

export interface ImportLimitsConfig {
  maxRows: number;
}

/** DynamoDB calls in flight at once during an import. */
const IN_FLIGHT = 8;

interface RowState {
  source: ImportRow;
  issues: FieldIssue[];
  patientOutcome?: WriteOutcome;
  appointmentOutcome?: WriteOutcome;
  nextAppointment?: Appointment;
  storedAppointment?: Appointment;
}

interface PatientPlan {
  patientId: string;
  /** The row whose patient data is used; others that define it must agree. */
  definedBy: RowState;
  imported: ImportedPatient;
  stored?: Patient;
  next?: Patient;
  /** Why the merged patient is not valid (reported on every row that needs it). */
  failure?: unknown;
  written?: WriteOutcome;
}

function reject(state: RowState, issues: readonly FieldIssue[]): void {
  state.issues.push(...issues);
}

const alive = (state: RowState) => state.issues.length === 0;

/**
 * Problems of a domain error in the file's own terms: each record path is
 * reported at the file field it came from (`startAt` → `start` in CSV).
 */
function issuesOf(error: unknown, row: ImportRow, part: 'patient' | 'appointment'): FieldIssue[] {
  if (error instanceof ValidationError) {
    return error.issues.map((issue) => ({
      path: row.pathOf(issue.path.split('.')[0] ?? ''),
      message: issue.message,
    }));
  }
  if (error instanceof ConflictError) {
    return [{ path: row.pathOf(part === 'patient' ? 'patientId' : 'status'), message: error.message }];
  }
  if (error instanceof AppError && error.expose) {
    return [{ path: row.pathOf(part === 'patient' ? 'patientId' : 'appointmentId'), message: error.message }];
  }
  throw error;
}

// ---------------------------------------------------------------------------
// Pure: what each record becomes
// ---------------------------------------------------------------------------

function keep<T>(value: T | null | undefined, stored: T | undefined): T | undefined {
  return value === undefined ? stored : (value ?? undefined);
}

function channelsFor(
  imported: ImportedPatient,
  stored: Patient | undefined,
  phone?: string,
  email?: string,
): Channel[] {
  if (imported.channels) return imported.channels;
  const reachable = (channel: Channel) => (channel === 'sms' ? Boolean(phone) : Boolean(email));
  if (stored?.channels.every(reachable)) return stored.channels;
  return CHANNELS.filter(reachable);
}

/**
 * The patient after the import: contact details and preferences from the
 * file, opt-outs and consent kept (plus any opt-out the file records), and
 * an undeliverable mark while the email address stays the same.
 *
 * @throws ValidationError with record paths when the result is not a valid patient
 */
export function mergeImportedPatient(
  clinic: Clinic,
  stored: Patient | undefined,
  imported: ImportedPatient,
  now: DateTime,
): Patient {
  const at = toUtcIso(now);
  const phone = keep(imported.phone, stored?.phone);
  const email = keep(imported.email, stored?.email);
  const optOuts = { ...(stored?.optOuts ?? {}) };
  for (const channel of CHANNELS) {
    if (imported.optOuts[channel] && !optOuts[channel]) optOuts[channel] = { at, source: 'import' };
  }
  const candidate = {
    clinicId: clinic.clinicId,
    patientId: imported.patientId,
    firstName: imported.firstName,
    lastName: keep(imported.lastName, stored?.lastName),
    phone,
    email,
    channels: channelsFor(imported, stored, phone, email),
    language:
      imported.language === undefined
        ? (stored?.language ?? clinic.policy.defaultLanguage)
        : (imported.language ?? clinic.policy.defaultLanguage),
    timeZone: keep(imported.timeZone, stored?.timeZone),
    optOuts,
    consent:
      imported.consentUpdates && !stored?.consent.updates
        ? { ...(stored?.consent ?? {}), updates: { at, source: 'import' as const } }
        : (stored?.consent ?? {}),
    undeliverable: keptUndeliverable(stored, email),
    smsReply: stored?.smsReply,
    version: stored ? stored.version + 1 : 1,
    createdAt: stored?.createdAt ?? at,
    updatedAt: at,
  };
  if (candidate.channels.length === 0) throw ValidationError.field('channels', 'needs a phone or an email');
  const result = safeParseInput(
    PatientSchema,
    Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined)),
  );
  if (!result.success) throw new ValidationError(toFieldIssues(result.error.issues));
  return result.data;
}

function statusChangeOf(imported: ImportedAppointment): StatusChange | undefined {
  switch (imported.status) {
    case 'cancelled':
      return { to: 'cancelled', by: imported.cancelledBy ?? 'clinic' };
    case 'completed':
      return { to: 'completed' };
    case 'no-show':
      return { to: 'no-show' };
    default:
      return undefined;
  }
}

/**
 * The appointment after the import, or the stored one when nothing changes.
 *
 * @throws ValidationError or ConflictError (domain rules) with record paths
 */
export function nextImportedAppointment(
  clinicId: string,
  stored: Appointment | undefined,
  imported: ImportedAppointment,
  now: DateTime,
): Appointment {
  const change = statusChangeOf(imported);
  if (change) {
    if (!stored) {
      throw ValidationError.field(
        'status',
        `is ${imported.status}, but the appointment does not exist: a new appointment is only imported as booked`,
      );
    }
    if (stored.patientId !== imported.patientId) {
      throw ValidationError.field('patientId', `is ${stored.patientId} on the stored appointment`);
    }
    return applyStatusChange(stored, change, now);
  }
  const fields = {
    patientId: imported.patientId,
    startAt: imported.startAt,
    durationMinutes: imported.durationMinutes,
    type: keep(imported.type, stored?.type) ?? 'default',
    location: keep(imported.location, stored?.location),
    videoLink: keep(imported.videoLink, stored?.videoLink),
  };
  return applyBooking(
    { clinicId, appointmentId: imported.appointmentId },
    stored,
    Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    now,
  );
}

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------

/** Rows that repeat an appointment, or give one patient differently, are rejected. */
function checkAcrossRows(states: RowState[]): Map<string, PatientPlan> {
  const repeats = repeatedRows(states.filter(alive), ({ source }) =>
    source.appointment
      ? {
          key: source.appointment.appointmentId,
          label: `appointment ${source.appointment.appointmentId}`,
          row: source.row,
          path: source.pathOf('appointmentId'),
        }
      : undefined,
  );
  for (const [state, issue] of repeats) reject(state, [issue]);
  const patients = new Map<string, PatientPlan>();
  for (const state of states.filter(alive)) {
    const { patient } = state.source;
    if (patient) {
      const plan = patients.get(patient.patientId);
      if (!plan)
        patients.set(patient.patientId, {
          patientId: patient.patientId,
          definedBy: state,
          imported: patient,
        });
      else if (!sameValue(plan.imported, patient)) {
        reject(state, [
          {
            path: state.source.pathOf('patientId'),
            message: `gives patient ${patient.patientId} differently from row ${plan.definedBy.source.row}`,
          },
        ]);
      }
    }
  }
  return patients;
}

function rowsUsing(states: RowState[], patientId: string): RowState[] {
  return states.filter(
    (state) =>
      state.source.patient?.patientId === patientId || state.source.appointment?.patientId === patientId,
  );
}

/**
 * Imports a CSV or FHIR file into a clinic.
 *
 * Primary course:
 * 1. Read the file into rows (file-level problems: 400; too many rows: 413).
 * 2. Reject rows that repeat an appointment or disagree about a patient.
 * 3. Read the stored patients and appointments the rows name.
 * 4. Work out each record's next version; a rule broken rejects its rows.
 * 5. Write changed patients, then changed appointments, at their stored versions.
 * 6. Report every row.
 *
 * @param deps - repositories and clock
 * @param clinicId - the clinic in the path
 * @param file - format and text of the file
 * @param limits - the most rows accepted
 */
export async function importAppointments(
  deps: ImportDeps,
  clinicId: string,
  file: { format: ImportFormat; text: string },
  limits: ImportLimitsConfig,
): Promise<ImportReport> {
  const clinic = await loadClinic(deps.clinics, clinicId);
  const now = deps.clock.now();
  const context = { timeZone: clinic.timeZone, country: clinic.country };
  const parsed: ParsedImport =
    file.format === 'csv'
      ? parseCsvImport(file.text, context, limits)
      : parseFhirImport(file.text, { ...context, now: toUtcIso(now) }, limits);

  const states: RowState[] = parsed.rows.map((source) => ({ source, issues: [...source.issues] }));
  const patients = checkAcrossRows(states);

  // 3. Read what the rows name.
  const referenced = new Set<string>(patients.keys());
  for (const state of states.filter(alive)) {
    if (state.source.appointment) referenced.add(state.source.appointment.patientId);
  }
  const storedPatients = new Map<string, Patient | undefined>();
  await mapWithConcurrency([...referenced], IN_FLIGHT, async (patientId) => {
    storedPatients.set(patientId, await deps.patients.get(clinicId, patientId));
  });
  await mapWithConcurrency(
    states.filter((state) => alive(state) && state.source.appointment),
    IN_FLIGHT,
    async (state) => {
      const id = state.source.appointment?.appointmentId ?? '';
      state.storedAppointment = await deps.appointments.get(clinicId, id);
    },
  );

  // 4. Next versions, pure.
  for (const plan of patients.values()) {
    plan.stored = storedPatients.get(plan.patientId);
    try {
      plan.next = mergeImportedPatient(clinic, plan.stored, plan.imported, now);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      plan.failure = error;
    }
  }
  for (const state of states) {
    const patientId = state.source.patient?.patientId ?? state.source.appointment?.patientId;
    const plan = patientId === undefined ? undefined : patients.get(patientId);
    if (!alive(state) || !patientId) continue;
    if (plan?.failure) {
      reject(
        state,
        state.source.patient
          ? issuesOf(plan.failure, state.source, 'patient')
          : [
              {
                path: state.source.pathOf('patientId'),
                message: `patient ${patientId} (row ${plan.definedBy.source.row}) was rejected`,
              },
            ],
      );
      continue;
    }
    const imported = state.source.appointment;
    if (!imported) continue;
    if (!plan && !storedPatients.get(patientId)) {
      const given = states.find(
        (other) => other.source.resourceType === 'Patient' && other.source.patientId === patientId,
      );
      reject(state, [
        {
          path: state.source.pathOf('patientId'),
          message: given
            ? `patient ${patientId} (row ${given.source.row}) was rejected and is not in this clinic`
            : `no patient ${patientId} in this file or in this clinic`,
        },
      ]);
      continue;
    }
    try {
      state.nextAppointment = nextImportedAppointment(clinicId, state.storedAppointment, imported, now);
    } catch (error) {
      reject(state, issuesOf(error, state.source, 'appointment'));
    }
  }
  // A patient given only by rejected rows is not written.
  for (const plan of patients.values()) {
    if (!rowsUsing(states, plan.patientId).some((state) => alive(state) && state.source.patient))
      plan.next = undefined;
  }

  // 5. Write: patients first (appointments need them), then appointments.
  await mapWithConcurrency([...patients.values()], IN_FLIGHT, async (plan) => {
    if (!plan.next) return;
    plan.next = await withNumberOptOut(deps.inbound, plan.next, plan.stored);
    if (plan.stored && sameContent(plan.next, plan.stored)) {
      plan.written = 'unchanged';
      return;
    }
    try {
      await deps.patients.put(plan.next, plan.stored?.version ?? null);
      plan.written = plan.stored ? 'updated' : 'created';
    } catch (error) {
      const issues = issuesOf(error, plan.definedBy.source, 'patient');
      for (const state of rowsUsing(states, plan.patientId).filter(alive)) reject(state, issues);
    }
  });
  await mapWithConcurrency(
    states.filter((state) => alive(state) && state.nextAppointment),
    IN_FLIGHT,
    async (state) => {
      const next = state.nextAppointment as Appointment;
      const stored = state.storedAppointment;
      if (next === stored) {
        state.appointmentOutcome = 'unchanged';
        return;
      }
      try {
        await deps.appointments.put(next, stored?.version ?? null);
        state.appointmentOutcome = stored ? 'updated' : 'created';
      } catch (error) {
        reject(state, issuesOf(error, state.source, 'appointment'));
      }
    },
  );

  // 6. Report: a patient's write is reported on the first accepted row that gives it.
  const reported = new Set<string>();
  for (const state of states.filter(alive)) {
    const patient = state.source.patient;
    if (!patient) continue;
    const plan = patients.get(patient.patientId);
    state.patientOutcome = reported.has(patient.patientId) ? 'unchanged' : (plan?.written ?? 'unchanged');
    reported.add(patient.patientId);
  }
  return toReport(parsed, states, patients);
}

function overall(state: RowState): ImportOutcome {
  if (!alive(state)) return 'rejected';
  const parts = [state.patientOutcome, state.appointmentOutcome];
  if (parts.includes('created')) return 'created';
  if (parts.includes('updated')) return 'updated';
  return 'unchanged';
}

/**
 * The parts of a rejected row: each part it gives is `rejected`, except that
 * a patient this import wrote from another row is reported as written, so a
 * FHIR Appointment rejected beside its valid Patient reads
 * `patient: created, appointment: rejected`.
 */
function rejectedParts(
  state: RowState,
  patientId: string | undefined,
  patients: ReadonlyMap<string, PatientPlan>,
): Pick<ImportRowReport, 'patient' | 'appointment'> {
  const { source } = state;
  const written = patientId === undefined ? undefined : patients.get(patientId)?.written;
  const givesPatient = source.resourceType !== 'Appointment';
  const givesAppointment = source.resourceType !== 'Patient';
  return {
    ...(written ? { patient: written } : givesPatient ? { patient: 'rejected' as const } : {}),
    ...(givesAppointment ? { appointment: 'rejected' as const } : {}),
  };
}

function toReport(
  parsed: ParsedImport,
  states: RowState[],
  patients: ReadonlyMap<string, PatientPlan>,
): ImportReport {
  const rows = states.map((state): ImportRowReport => {
    const { source } = state;
    const outcome = overall(state);
    const ids = {
      appointmentId: source.appointment?.appointmentId ?? source.appointmentId,
      patientId: source.patient?.patientId ?? source.appointment?.patientId ?? source.patientId,
    };
    return {
      row: source.row,
      ...(source.line === undefined ? {} : { line: source.line }),
      ...(source.entry === undefined ? {} : { entry: source.entry }),
      ...(source.resourceType ? { resourceType: source.resourceType } : {}),
      ...Object.fromEntries(Object.entries(ids).filter(([, value]) => value !== undefined)),
      outcome,
      ...(outcome !== 'rejected' && state.patientOutcome ? { patient: state.patientOutcome } : {}),
      ...(outcome !== 'rejected' && state.appointmentOutcome
        ? { appointment: state.appointmentOutcome }
        : {}),
      ...(outcome === 'rejected' ? rejectedParts(state, ids.patientId, patients) : {}),
      ...(outcome === 'rejected' ? { issues: state.issues } : {}),
      ...(source.notes?.length ? { notes: source.notes } : {}),
    };
  });
  const count = (outcome: ImportOutcome) => rows.filter((row) => row.outcome === outcome).length;
  return {
    format: parsed.format,
    summary: {
      rows: rows.length,
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      rejected: count('rejected'),
    },
    rows,
    ...(parsed.ignored.length > 0 ? { ignored: parsed.ignored } : {}),
  };
}
