/**
 * The fan-out of broadcasts (issue 14, item 2): in the pipeline, not in the
 * request. Each sweep of dispatch-due, after it has claimed what is due,
 * plans the recipients of the broadcasts whose fan-out is due, a page at a
 * time, within a page budget; the next sweep goes on where it stopped.
 *
 * Resumable after a crash at any point: a page's messages have
 * deterministic ids (`~broadcast#<broadcastId>` in each patient's
 * partition) and are created with conditional puts, and the page's counts
 * are added in the same conditional update that moves the broadcast's
 * cursor past the page. A page interrupted halfway is planned again from
 * its start: what it created already is found (not created twice) and, as
 * its `planVersion` is this page's number, counted once with the page.
 */
import type { DateTime } from 'luxon';
import {
  type Broadcast,
  broadcastLanguageFor,
  broadcastMessageId,
  recipientVerdict,
} from '../domain/broadcasts';
import type { Clinic, Message, Patient } from '../domain/model';
import { earliestAllowedAtOrAfter } from '../domain/planning/quiet-hours';
import { zoneFor } from '../domain/planning/rules';
import { type Clock, parseUtc, toUtcIso } from '../domain/time';
import type { AppLogger, Telemetry } from '../ports/outbound';
import type { BroadcastRepository, MessageRepository } from '../ports/repositories';
import { type AudienceDeps, audiencePage } from './broadcast-audience';
import { mapWithConcurrency } from './staff/common';

/** How long after its send time a broadcast message is still worth sending (quiet hours and the rate may hold it back). */
export const BROADCAST_VALIDITY_HOURS = 24;

export interface FanOutConfig {
  /** Patients read and planned per page (each page is one conditional advance). */
  pageSize: number;
  /** Pages one sweep plans at most, over every due broadcast, so the sweep stays well inside its minute. */
  maxPagesPerRun: number;
}

/** 100 patients a page, 60 pages a sweep: 6,000 recipients a minute, far ahead of any number's send rate. */
export const DEFAULT_FAN_OUT_CONFIG: FanOutConfig = { pageSize: 100, maxPagesPerRun: 60 };

export interface FanOutDeps extends AudienceDeps {
  clinics: { get(clinicId: string): Promise<Clinic | undefined> };
  broadcasts: BroadcastRepository;
  messages: MessageRepository;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  config: FanOutConfig;
}

export interface FanOutSummary {
  /** Broadcasts worked on by this run. */
  broadcasts: number;
  pages: number;
  /** Recipients given a message by this run's pages. */
  planned: number;
  /** Broadcasts whose last page this run planned. */
  completed: number;
}

/** `more`: pages remain; `done`: it was the last; `stopped`: nothing to do (cancelled, planned, raced). */
export interface PageOutcome {
  outcome: 'more' | 'done' | 'stopped';
  planned: number;
}

const STOPPED: PageOutcome = { outcome: 'stopped', planned: 0 };

/** The message of one recipient, or why the patient gets none. */
function recipientMessage(
  broadcast: Broadcast,
  clinic: Clinic,
  patient: Patient,
  page: number,
  now: DateTime,
): Message | { skip: string } {
  const verdict = recipientVerdict(patient, broadcast.audience);
  if ('skip' in verdict) return verdict;
  const sendAt = parseUtc(broadcast.sendAt);
  const notAfter = sendAt.plus({ hours: BROADCAST_VALIDITY_HOURS });
  const wanted = sendAt < now ? now : sendAt;
  // Quiet hours always apply: moved to their end now, rather than claimed and deferred at send time.
  const due = clinic.policy.quietHours.enabled
    ? earliestAllowedAtOrAfter(wanted, clinic.policy.quietHours, zoneFor(patient, clinic), notAfter)
    : wanted;
  if (!due) return { skip: 'quiet-hours' };
  const at = toUtcIso(now);
  return {
    clinicId: clinic.clinicId,
    patientId: patient.patientId,
    messageId: broadcastMessageId(broadcast.broadcastId),
    kind: 'broadcast',
    priority: broadcast.priority,
    channel: verdict.channel,
    ...(clinic.originationIdentity ? { ownNumber: true } : {}),
    language: broadcastLanguageFor(broadcast.text, patient, clinic.policy),
    dueAt: toUtcIso(due),
    plannedAt: broadcast.sendAt,
    notAfter: toUtcIso(notAfter),
    status: 'pending',
    ...(due > wanted ? { reason: 'quiet-hours' } : {}),
    attempts: 0,
    // For a broadcast message: the fan-out page that planned it (1-based), so
    // a page planned again after a crash knows its own messages.
    planVersion: page,
    rev: 1,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * Plans the next page of one broadcast.
 *
 * Primary course:
 * 1. Read the broadcast; a cancelled or planned one needs nothing. A
 *    scheduled one is moved to planning (conditional on its version, so a
 *    staff change that raced it wins or loses as a whole).
 * 2. Read the next page of its audience from the stored cursor.
 * 3. Decide each patient; create each recipient's message (conditional put).
 * 4. Advance the cursor with the page's counts (conditional on the page
 *    count read), planned when it was the last page.
 *
 * @param deps - repositories, clock, config
 * @param key - the broadcast
 */
export async function planBroadcastPage(
  deps: FanOutDeps,
  key: { clinicId: string; broadcastId: string },
): Promise<PageOutcome> {
  const now = deps.clock.now();
  const at = toUtcIso(now);
  let broadcast = await deps.broadcasts.get(key.clinicId, key.broadcastId);
  if (!broadcast || broadcast.status === 'cancelled' || broadcast.status === 'planned') return STOPPED;
  if (broadcast.status === 'scheduled') {
    if (!(await deps.broadcasts.startFanOut(key.clinicId, key.broadcastId, broadcast.version, at))) {
      return STOPPED;
    }
    broadcast = { ...broadcast, status: 'planning', version: broadcast.version + 1 };
  }
  const clinic = await deps.clinics.get(key.clinicId);
  if (!clinic) {
    deps.logger.error('broadcast of a clinic that does not exist; not planned', key);
    return STOPPED;
  }
  const pageNumber = broadcast.fanOut.pages + 1;
  const page = await audiencePage(
    deps,
    clinic,
    broadcast.audience,
    broadcast.fanOut.cursor,
    deps.config.pageSize,
  );
  const skipped: Record<string, number> = page.unknown > 0 ? { 'unknown-patient': page.unknown } : {};
  const current = broadcast;
  const outcomes = await mapWithConcurrency(page.patients, 16, async (patient) => {
    const planned = recipientMessage(current, clinic, patient, pageNumber, now);
    if ('skip' in planned) return planned.skip;
    if (await deps.messages.create(planned)) return 'planned';
    // Made already: by this page before a crash (count it with the page),
    // or by an earlier page (a patient with two visits in a closure's dates).
    const existing = await deps.messages.get({
      clinicId: planned.clinicId,
      patientId: planned.patientId,
      messageId: planned.messageId,
    });
    return existing?.planVersion === pageNumber ? 'planned' : 'duplicate';
  });
  let planned = 0;
  for (const outcome of outcomes) {
    if (outcome === 'planned') planned += 1;
    else if (outcome !== 'duplicate') skipped[outcome] = (skipped[outcome] ?? 0) + 1;
  }
  const advanced = await deps.broadcasts.advanceFanOut(key.clinicId, key.broadcastId, {
    fromPages: broadcast.fanOut.pages,
    cursor: page.cursor,
    planned,
    skipped,
    at,
  });
  if (!advanced) {
    // Cancelled meanwhile, or another sweep planned this page first.
    deps.logger.info('broadcast page not recorded: it moved on meanwhile', { ...key, page: pageNumber });
    return STOPPED;
  }
  deps.telemetry.count('BroadcastPlanned', planned);
  deps.logger.info('broadcast page planned', { ...key, page: pageNumber, planned, last: !page.cursor });
  return { outcome: page.cursor ? 'more' : 'done', planned };
}

/**
 * Plans the broadcasts whose fan-out is due, page by page, within this
 * run's page budget (the rest waits for the next sweep).
 *
 * @param deps - repositories, clock, config
 */
export async function fanOutDueBroadcasts(deps: FanOutDeps): Promise<FanOutSummary> {
  const summary: FanOutSummary = { broadcasts: 0, pages: 0, planned: 0, completed: 0 };
  const due = await deps.broadcasts.dueForFanOut(toUtcIso(deps.clock.now()), deps.config.maxPagesPerRun);
  let budget = deps.config.maxPagesPerRun;
  for (const key of due) {
    if (budget <= 0) break;
    summary.broadcasts += 1;
    for (;;) {
      const { outcome, planned } = await planBroadcastPage(deps, key);
      if (outcome === 'stopped') break;
      budget -= 1;
      summary.pages += 1;
      summary.planned += planned;
      if (outcome === 'done') {
        summary.completed += 1;
        break;
      }
      if (budget <= 0) break;
    }
  }
  return summary;
}
