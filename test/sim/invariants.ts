/**
 * The guarantees of docs/architecture.md, checked against what a run left
 * behind (the tables) and what it logged (provider calls, staff commits,
 * opt states, in one sequence). Each returns violations, never throws, so a
 * run reports every broken guarantee at once.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DateTime } from 'luxon';
import { ACCEPTED_STATUSES, TERMINAL_STATUSES } from '../../shared/domain/constants';
import {
  addCounts,
  appointmentChangeEvents,
  type Counts,
  recountFromRaw,
} from '../../shared/domain/counters';
import type { Appointment, Message, Patient } from '../../shared/domain/model';
import { CHANGE_NOTICE_EXEMPT_HOURS, CHANGE_NOTICE_KINDS } from '../../shared/domain/planning/rules';
import { readAppointment } from '../../shared/domain/stored';
import type { CommitRecord, ProviderCallRecord, SimWorld } from './world';

export interface Violation {
  invariant: string;
  detail: string;
}

/** Calls after which the message may have reached the patient (the provider took it, or never answered). */
function mayHaveReached(call: ProviderCallRecord): boolean {
  return (
    call.outcome === 'accepted' || call.outcome === 'timeout-delivered' || call.outcome === 'timeout-lost'
  );
}

/**
 * From the log alone, so cheap enough after every step: no message id
 * reaches a provider twice (a refused call, throttled or 5xx, reached no one).
 */
export function checkNoDuplicates(calls: readonly ProviderCallRecord[]): Violation[] {
  const reached = new Map<string, number>();
  for (const call of calls)
    if (mayHaveReached(call)) reached.set(call.messageId, (reached.get(call.messageId) ?? 0) + 1);
  return [...reached]
    .filter(([, times]) => times > 1)
    .map(([messageId, times]) => ({
      invariant: 'no-duplicates',
      detail: `${messageId} reached a provider ${times} times`,
    }));
}

function latestBefore<T extends { seq: number }>(
  records: readonly T[],
  seq: number,
  match: (record: T) => boolean,
) {
  let found: T | undefined;
  for (const record of records) if (record.seq < seq && match(record)) found = record;
  return found;
}

function minutesOf(hhmm: string): number {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Whether a local wall time falls in the window [start, end), which may wrap past midnight. */
function isQuiet(at: string, zone: string, window: { start: string; end: string }): boolean {
  const local = DateTime.fromISO(at, { zone: 'utc' }).setZone(zone);
  const now = local.hour * 60 + local.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The schedule version a message was planned for (`a-1#reminder#1d#v2` → 2). */
function plannedVersion(messageId: string): number | undefined {
  const match = /#v(\d+)(?:#|$)/.exec(messageId);
  return match ? Number(match[1]) : undefined;
}

/** Every message of every patient of the run, by id. */
export async function storedMessages(world: SimWorld): Promise<Map<string, Message>> {
  const all = new Map<string, Message>();
  for (const patient of world.schedule.patients) {
    for (const message of await world.rig.repos.messages.listForPatient(patient.clinicId, patient.patientId))
      all.set(message.messageId, message);
  }
  return all;
}

/**
 * Every invariant, after a run has finished.
 *
 * @param world - the finished run
 * @param messages - its stored messages (storedMessages)
 */
export async function checkInvariants(world: SimWorld, messages: Map<string, Message>): Promise<Violation[]> {
  const { log, schedule, rig } = world;
  const violations: Violation[] = [
    ...log.problems.map((detail) => ({ invariant: 'no-unexplained-errors', detail })),
  ];
  const now = rig.clock.now();
  violations.push(...checkNoDuplicates(log.calls));

  // Every message terminal (sent ones with the provider's id, the rest with a reason), or still waiting.
  for (const message of messages.values()) {
    const waiting = message.status === 'pending' && DateTime.fromISO(message.dueAt, { zone: 'utc' }) > now;
    if (waiting) continue;
    if (!TERMINAL_STATUSES.has(message.status)) {
      violations.push({ invariant: 'none-lost', detail: `${message.messageId} ended ${message.status}` });
    } else if (ACCEPTED_STATUSES.has(message.status) ? !message.providerMessageId : !message.reason) {
      violations.push({
        invariant: 'none-lost',
        detail: `${message.messageId} is ${message.status} without why`,
      });
    }
  }

  // What the provider took is what the table says went out; an unknown outcome is recorded and counted.
  const byMessage = new Map<string, ProviderCallRecord[]>();
  for (const call of log.calls)
    byMessage.set(call.messageId, [...(byMessage.get(call.messageId) ?? []), call]);
  for (const [messageId, calls] of byMessage) {
    const message = messages.get(messageId);
    const accepted = calls.some((call) => call.outcome === 'accepted');
    const timedOut = calls.some((call) => call.outcome.startsWith('timeout'));
    if (!message) {
      violations.push({
        invariant: 'none-lost',
        detail: `${messageId} reached a provider but is not stored`,
      });
      continue;
    }
    if (accepted && !(ACCEPTED_STATUSES.has(message.status) || message.status === 'unknown'))
      violations.push({
        invariant: 'none-lost',
        detail: `${messageId} was taken by the provider but is ${message.status}`,
      });
    if (!accepted && ACCEPTED_STATUSES.has(message.status))
      violations.push({
        invariant: 'none-lost',
        detail: `${messageId} is ${message.status} but no provider took it`,
      });
    if (timedOut && !accepted && message.status !== 'unknown')
      violations.push({
        invariant: 'unknown-recorded',
        detail: `${messageId} timed out at the provider but is ${message.status}`,
      });
  }
  for (const message of messages.values()) {
    if (
      message.status === 'unknown' &&
      !byMessage.has(message.messageId) &&
      message.reason !== 'interrupted-attempt' &&
      !log.unreached.includes(message.messageId)
    )
      violations.push({
        invariant: 'unknown-recorded',
        detail: `${message.messageId} unknown (${message.reason}) with no call`,
      });
  }
  const unknown = [...messages.values()].filter((message) => message.status === 'unknown').length;
  const counted = rig.telemetry.total('UnknownOutcome');
  if (counted < unknown)
    violations.push({
      invariant: 'unknown-recorded',
      detail: `${unknown} unknown outcomes, ${counted} counted`,
    });

  for (const call of log.calls) {
    if (!mayHaveReached(call)) continue;
    const message = messages.get(call.messageId);
    if (!message) continue;
    const patient = schedule.patients.find(
      (p) => p.patientId === call.patientId && p.clinicId === call.clinicId,
    );
    const clinic = schedule.clinics.find((c) => c.clinicId === call.clinicId);
    const commit = message.appointmentId
      ? latestBefore<CommitRecord>(log.commits, call.seq, (c) => c.appointmentId === message.appointmentId)
      : undefined;
    const replies = message.kind === 'keyword-reply' || message.kind === 'staff-reply';

    // No SMS to a patient whose opt-out was stored before the send decision.
    if (call.channel === 'sms' && !replies) {
      const opt = latestBefore(log.opts, call.seq, (o) => o.patientId === call.patientId);
      if (opt?.smsOptedOut)
        violations.push({
          invariant: 'no-sms-after-opt-out',
          detail: `${call.messageId} texted at ${call.at} after an opt-out`,
        });
    }

    // No SMS inside quiet hours (replies and change notices for a visit within 12 h are exempt).
    if (call.channel === 'sms' && !replies && clinic && patient) {
      const exemptNotice =
        CHANGE_NOTICE_KINDS.has(message.kind) &&
        commit !== undefined &&
        DateTime.fromISO(commit.startAt, { zone: 'utc' }).diff(
          DateTime.fromISO(call.at, { zone: 'utc' }),
          'hours',
        ).hours <= CHANGE_NOTICE_EXEMPT_HOURS;
      if (!exemptNotice && isQuiet(call.at, patient.timeZone ?? clinic.timeZone, clinic.quietHours))
        violations.push({
          invariant: 'no-sms-in-quiet-hours',
          detail: `${call.messageId} texted at ${call.at}`,
        });
    }

    // No reminder for a time that a committed reschedule (or a cancel) replaced before the send decision.
    if (message.kind === 'reminder' && commit) {
      const version = plannedVersion(message.messageId);
      if (commit.status !== 'booked' || (version !== undefined && version !== commit.scheduleVersion))
        violations.push({
          invariant: 'no-stale-reminder',
          detail: `${call.messageId} sent at ${call.at} after the visit became ${commit.status} v${commit.scheduleVersion}`,
        });
    }
  }

  violations.push(...(await checkStaffView(world, messages)));
  violations.push(...(await checkCounters(world, messages)));
  return violations;
}

/**
 * Each clinic's daily counters equal a recount from its raw items
 * (shared/domain/counters.ts recountFromRaw): its messages as stored, every
 * opt-out any checkpoint saw (a later START drops it from the record, not
 * from the day it was counted), and the appointments' changes as the
 * stream recorded them (a move after a confirmation drops it from the
 * record, not from the count).
 */
async function checkCounters(world: SimWorld, messages: Map<string, Message>): Promise<Violation[]> {
  const violations: Violation[] = [];
  const changes: { before: Appointment | undefined; after: Appointment }[] = [];
  await world.rig.newStreamPoller().drain(async (event) => {
    for (const record of event.Records) {
      const image = (which: 'NewImage' | 'OldImage') => {
        const raw = record.dynamodb?.[which];
        return raw ? readAppointment(unmarshall(raw as Record<string, AttributeValue>), which) : undefined;
      };
      const after = image('NewImage');
      if (after)
        changes.push({ before: record.eventName === 'MODIFY' ? image('OldImage') : undefined, after });
    }
    return { batchItemFailures: [] };
  });
  for (const clinic of world.schedule.clinics) {
    const patients = world.log.opts
      .filter((o) =>
        world.schedule.patients.some((p) => p.patientId === o.patientId && p.clinicId === clinic.clinicId),
      )
      .map((o) => ({ clinicId: clinic.clinicId, patientId: o.patientId, optOuts: o.optOuts }) as Patient);
    const recount = recountFromRaw(
      {
        messages: [...messages.values()].filter((m) => m.clinicId === clinic.clinicId),
        appointments: [],
        patients,
      },
      clinic.timeZone,
    );
    const seen = new Set<string>();
    for (const { before, after } of changes.filter((c) => c.after.clinicId === clinic.clinicId))
      for (const event of appointmentChangeEvents(before, after, clinic.timeZone)) {
        if (seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        addCounts(recount.get(event.day) ?? recount.set(event.day, {}).get(event.day) ?? {}, event.counts);
      }
    const stored = await world.rig.repos.counters.readDays(clinic.clinicId, '2000-01-01', '2100-12-31');
    const show = (days: Iterable<[string, Counts]>) =>
      JSON.stringify(
        [...days]
          .map(
            ([day, counts]) =>
              [
                day,
                Object.entries(counts)
                  .filter(([, n]) => n !== 0)
                  .sort(),
              ] as const,
          )
          .filter(([, counts]) => counts.length > 0)
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    const counted = show(stored.map((d) => [d.day, d.counts] as [string, Counts]));
    const recounted = show(recount);
    if (counted !== recounted)
      violations.push({
        invariant: 'counters-match-recount',
        detail: `${clinic.clinicId}: counted ${counted} vs recount ${recounted}`,
      });
  }
  return violations;
}

/** The staff API's view of each appointment (and its messages) agrees with the tables. */
async function checkStaffView(world: SimWorld, messages: Map<string, Message>): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const visit of world.schedule.visits) {
    const stored = await world.rig.repos.appointments.get(visit.clinicId, visit.appointmentId);
    const view = await world.api(visit.clinicId, 'GET', `/appointments/${visit.appointmentId}`);
    if (!stored) {
      if (view.status !== 404)
        violations.push({
          invariant: 'staff-view',
          detail: `${visit.appointmentId}: ${view.status} for none stored`,
        });
      continue;
    }
    const fields = ['status', 'startAt', 'version', 'scheduleVersion'] as const;
    for (const field of fields) {
      if (view.body?.[field] !== stored[field])
        violations.push({
          invariant: 'staff-view',
          detail: `${visit.appointmentId}.${field}: API ${String(view.body?.[field])}, table ${String(stored[field])}`,
        });
    }
    const timeline = await world.api(visit.clinicId, 'GET', `/appointments/${visit.appointmentId}/messages`);
    const shown = ((timeline.body?.messages ?? []) as { messageId: string; status: string }[])
      .map((m) => `${m.messageId}=${m.status}`)
      .sort();
    const table = [...messages.values()]
      .filter((m) => m.appointmentId === visit.appointmentId && m.clinicId === visit.clinicId)
      .map((m) => `${m.messageId}=${m.status}`)
      .sort();
    if (shown.join() !== table.join())
      violations.push({
        invariant: 'staff-view',
        detail: `${visit.appointmentId} timeline ${shown.join()} vs ${table.join()}`,
      });
  }
  return violations;
}

const VOLATILE = new Set(['claimToken', 'attemptId', 'providerMessageId']);

/** JSON with sorted keys and without the fields that are random by design (claim tokens, delivery ids). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => !VOLATILE.has(key))
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}

/**
 * A digest of the run: the provider calls (in a canonical order: racing
 * dispatchers may hand the queue the same messages in another order) and
 * the final state of every message, appointment and patient.
 */
export async function digestOf(world: SimWorld, messages: Map<string, Message>): Promise<string> {
  const hash = createHash('sha256');
  const calls = world.log.calls
    .map((c) => `${c.at}|${c.channel}|${c.messageId}|${c.outcome}|${c.to}|${c.text}`)
    .sort();
  hash.update(JSON.stringify(calls));
  hash.update(JSON.stringify([...messages.values()].map((m) => JSON.stringify(canonical(m))).sort()));
  for (const visit of world.schedule.visits)
    hash.update(
      JSON.stringify(
        canonical(await world.rig.repos.appointments.get(visit.clinicId, visit.appointmentId)) ?? null,
      ),
    );
  for (const patient of world.schedule.patients)
    hash.update(
      JSON.stringify(
        canonical(await world.rig.repos.patients.get(patient.clinicId, patient.patientId)) ?? null,
      ),
    );
  return hash.digest('hex');
}
