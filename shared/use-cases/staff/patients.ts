import { PatientBodySchema } from '../../api/schemas';
import { CHANNELS } from '../../domain/constants';
import { optOutChangeEvents } from '../../domain/counters';
import { type FieldIssue, NotFoundError, ValidationError } from '../../domain/errors';
import type { Channel, Consent, OptOut, Patient } from '../../domain/model';
import { PatientSchema } from '../../domain/model';
import { keptUndeliverable } from '../../domain/receipts';
import { type Clock, toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type { DailyCounters } from '../../ports/counters';
import type { ClinicRepository, InboundRepository, PatientRepository } from '../../ports/repositories';
import { recordEvents } from '../count-events';
import { withNumberOptOut } from '../number-opt-out';
import { checkExpectedVersion, loadClinic, type Saved, sameContent } from './common';

export interface PatientDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  /** A number's STOP from before any patient had it, which a patient given the number inherits. */
  inbound: Pick<InboundRepository, 'getNumberOptState'>;
  /** Daily counters: an opt-out staff record, or one the patient inherits with a number (after the write). */
  counters: DailyCounters;
  clock: Clock;
}

/**
 * Opt-outs staff may lift: their own, an import's, and an email bounce
 * (fixing the address is what a bounce asks for). A patient's STOP, a
 * carrier's block and an email unsubscribe are the patient's word and stay
 * until the patient opts back in.
 */
const STAFF_LIFTABLE: ReadonlySet<OptOut['source']> = new Set(['staff', 'import', 'email-bounce']);

/** The opt-out of one channel after the staff's request (true, false or not named). */
function nextOptOut(
  channel: Channel,
  wanted: boolean | undefined,
  current: OptOut | undefined,
  at: string,
  issues: FieldIssue[],
): OptOut | undefined {
  if (wanted === undefined) return current;
  if (wanted) return current ?? { at, source: 'staff' };
  if (!current || STAFF_LIFTABLE.has(current.source)) return undefined;
  issues.push({
    path: `optOuts.${channel}`,
    message: `was recorded from ${current.source} at ${current.at}; only the patient can opt back in (for SMS, by texting START)`,
  });
  return current;
}

/** Consent of one channel: recorded now by the caller, unless the same source is on record. */
function nextConsent(
  wanted: { source: Consent['source'] } | undefined,
  current: Consent | undefined,
  at: string,
  recordedBy: string,
): Consent | undefined {
  if (!wanted) return current;
  if (current?.source === wanted.source) return current;
  return { at, source: wanted.source, recordedBy: recordedBy.slice(0, 128) };
}

/**
 * A patient of a clinic.
 *
 * @param deps - repositories
 * @param ids - clinic and patient id
 * @throws NotFoundError when the clinic or the patient does not exist
 */
export async function getPatient(
  deps: Pick<PatientDeps, 'clinics' | 'patients'>,
  ids: { clinicId: string; patientId: string },
): Promise<Patient> {
  await loadClinic(deps.clinics, ids.clinicId);
  const patient = await deps.patients.get(ids.clinicId, ids.patientId);
  if (!patient) throw new NotFoundError(`patient ${ids.patientId} does not exist in clinic ${ids.clinicId}`);
  return patient;
}

/**
 * Creates a patient or replaces their contact details and preferences;
 * records staff opt-outs and consent with the time and the caller.
 *
 * Primary course:
 * 1. Parse the body; check the clinic exists.
 * 2. Read the stored patient; an update must name its version (If-Match).
 * 3. Carry opt-outs and consent over, applying what staff named, and an
 *    undeliverable mark while the email address stays the same.
 * 4. Check the whole record (every listed channel needs its address).
 * 5. A phone new to the patient inherits the number's STOP from before any
 *    patient had it (number-opt-out.ts).
 * 6. Write it conditionally, unless nothing changed.
 * 7. Count each opt-out new on the record (staff's, or the number's inherited).
 *
 * @param deps - repositories and clock
 * @param ids - clinic and patient id
 * @param body - the request body
 * @param expectedVersion - the If-Match version
 * @param actor - the caller's subject, recorded on consents
 */
export async function savePatient(
  deps: PatientDeps,
  ids: { clinicId: string; patientId: string },
  body: unknown,
  expectedVersion: number | undefined,
  actor: { subject: string },
): Promise<Saved<Patient>> {
  const input = parseOrThrow(PatientBodySchema, body);
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  const current = await deps.patients.get(ids.clinicId, ids.patientId);
  checkExpectedVersion(`patient ${ids.patientId}`, current, expectedVersion);

  const at = toUtcIso(deps.clock.now());
  const issues: FieldIssue[] = [];
  const optOuts: Patient['optOuts'] = {};
  const consent: Patient['consent'] = {};
  for (const channel of CHANNELS) {
    const optOut = nextOptOut(channel, input.optOuts?.[channel], current?.optOuts[channel], at, issues);
    if (optOut) optOuts[channel] = optOut;
    const given = nextConsent(input.consent?.[channel], current?.consent[channel], at, actor.subject);
    if (given) consent[channel] = given;
  }
  // Consent by topic (broadcasts with a topic audience need `updates`).
  const updates = nextConsent(input.consent?.updates, current?.consent.updates, at, actor.subject);
  if (updates) consent.updates = updates;
  if (issues.length > 0) throw new ValidationError(issues);

  const { optOuts: _optOuts, consent: _consent, ...fields } = input;
  // A bounce mark stays with the address that bounced: a new address lifts it.
  const undeliverable = keptUndeliverable(current, fields.email);
  const parsed = parseOrThrow(PatientSchema, {
    ...fields,
    clinicId: ids.clinicId,
    patientId: ids.patientId,
    optOuts,
    consent,
    ...(undeliverable ? { undeliverable } : {}),
    // The patient's texted STOP/START, which orders later replies: the system's, never the caller's.
    ...(current?.smsReply ? { smsReply: current.smsReply } : {}),
    version: current ? current.version + 1 : 1,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
  });
  const next = await withNumberOptOut(deps.inbound, parsed, current);
  if (current && sameContent(next, current)) return { record: current, outcome: 'unchanged' };
  await deps.patients.put(next, current?.version ?? null);
  // Opt-outs new on this record count on their day, as a texted STOP does
  // (an HTTP request has no redelivery: see docs/architecture.md, "Limits").
  await recordEvents(deps.counters, optOutChangeEvents(current, next, clinic.timeZone));
  return { record: next, outcome: current ? 'updated' : 'created' };
}
