import { type OwnNumberRate, SHARED_LANE } from '../config/settings';
import { CHANNELS, type Channel, PRIORITIES, segmentBudgetFor } from '../domain/constants';
import type { Message } from '../domain/model';
import { MinuteSchedule } from '../domain/pacing';
import { parseMessageId } from '../domain/planning/ids';
import { type Clock, parseUtc, toUtcIso } from '../domain/time';
import type { AppLogger, QueuedSend, SendQueue, Telemetry } from '../ports/outbound';
import {
  type DueEntry,
  type DueSource,
  type MessageRepository,
  MessageTransitionError,
  type ThrottleLog,
} from '../ports/repositories';
import type { ClinicCache } from './clinic-cache';

export interface DispatchConfig {
  /**
   * Parts a second of the deployment's shared SMS number (clinics without
   * one of their own), and emails a second of the SES account.
   */
  perSecond: Record<Channel, number>;
  /**
   * Each clinic with a number of its own, by clinic id: that number's parts
   * a second, or `~shared` when its number is the shared one (issue 19).
   */
  ownNumbers: ReadonlyMap<string, OwnNumberRate>;
  /** How far ahead of now a sweep takes items (they wait in SQS for the rest). */
  lookaheadSeconds: number;
  /** How long a claim holds before another sweep may take the item over. */
  leaseMinutes: number;
  /**
   * One part in this many of each number's day is left free for immediate
   * sends (settings.ts, SEND_NOW_EVERY); absent, the sweep takes every part.
   */
  sendNowEvery?: number;
}

export interface DispatchDeps {
  messages: MessageRepository;
  queue: SendQueue;
  /** Clinic settings (segment budgets: how many parts a text may take). */
  clinics: ClinicCache;
  throttles: ThrottleLog;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  config: DispatchConfig;
  newToken: () => string;
}

export interface DispatchSummary {
  enqueued: Record<Channel, number>;
  /** SMS parts enqueued, by lane (a clinic id for its own number, `~shared`), and emails as `email`. */
  parts: Record<string, number>;
  /** Lanes whose budget this sweep halved because the provider throttled them in the last minute. */
  halved: string[];
  /**
   * Clinics whose own-number lane is registered but no longer configured
   * (moved off their own number): the sweep reads those lanes as the shared
   * number's, so nothing planned before the change is stranded.
   */
  formerLanes: string[];
  /** Past their point before they could go out: skipped, not sent. */
  expired: number;
  /** Taken by another sweep first, or changed since the index was read. */
  lostRaces: number;
  /** Claimed but refused by the queue; put back to be taken again. */
  requeued: number;
  /**
   * Sending items whose lease lapsed (every delivery of the attempt died):
   * queued again to be settled, as unknown when a provider may have taken them.
   */
  retaken: number;
}

/** Where a lane's texts leave from, with this minute's room. */
interface Lane {
  name: string;
  channel: Channel;
  sources: DueSource[];
  schedule: MinuteSchedule;
  /** Its minute can place no more of the priority being swept. */
  stopped: boolean;
}

/**
 * Entries of other lanes that one lane's source may yield and the sweep
 * passes over in a row before it stops reading that source: only texts
 * planned before the clinic had a number of its own sit in the shared lane's
 * partitions, so this bounds what an upgrade costs a sweep.
 */
const FOREIGN_READ_LIMIT = 50;

function ownSource(clinicId: string): DueSource {
  return { channel: 'sms', lane: 'own', clinicId };
}

/**
 * The shared number's sources (its own partitions, and those of clinics
 * whose own number is the shared one) and the clinics whose own number has
 * a rate of its own.
 */
function smsSources(config: Pick<DispatchConfig, 'ownNumbers'>): [DueSource[], Map<string, number>] {
  const shared: DueSource[] = [{ channel: 'sms', lane: 'shared' }];
  const own = new Map<string, number>();
  for (const [clinicId, rate] of config.ownNumbers) {
    if (rate === SHARED_LANE) shared.push(ownSource(clinicId));
    else own.set(clinicId, rate);
  }
  return [shared, own];
}

/** Everything the sweep reads: email, the shared number, each clinic's own number. */
export function dueSources(config: Pick<DispatchConfig, 'ownNumbers'>): DueSource[] {
  return [
    { channel: 'email' },
    { channel: 'sms', lane: 'shared' },
    ...[...config.ownNumbers.keys()].map(ownSource),
  ];
}

/**
 * One sweep of the due index.
 *
 * Primary course:
 * 1. Read the lanes' state: throttles, and every clinic whose own-number
 *    lane was ever swept (registering the configured ones not yet known);
 *    the lane of a clinic no longer configured with its own number is read
 *    with the shared number's, which pays for its texts.
 * 2. Give each lane (email at the account's rate, the shared SMS number,
 *    each clinic's own number at its rate; half of it for a number the
 *    provider throttled since the previous sweep) one minute of room, less
 *    the parts each second keeps for immediate sends.
 * 3. Priority by priority, high → low, read each lane's due entries oldest
 *    first and place each at the first second, not before its due second,
 *    where its number has room for its parts (a text takes the clinic's
 *    segment budget for its kind: the most it can be); a lane stops at the
 *    first entry its minute cannot hold, the rest stay due for the next
 *    sweep. A text is always charged to its clinic's number, wherever the
 *    index holds it. Each priority starts in a second after the last one the
 *    higher priorities took on that number, so none of its texts goes side by
 *    side with (and may reach the provider before) a higher-priority one.
 * 4. Skip items already past their point (`notAfter`), with a reason.
 * 5. Claim each item (conditional: only a pending item at the revision read,
 *    or one whose earlier claim lapsed), so racing sweeps take it once.
 * 6. Enqueue the claimed items with their second as the delay; an item the
 *    queue refuses goes back to pending at once.
 *
 * @param deps - outbox, queue, clinic settings, throttles, clock, rates
 */
export async function dispatchDue(deps: DispatchDeps): Promise<DispatchSummary> {
  const now = deps.clock.now();
  const at = toUtcIso(now);
  const { lookaheadSeconds } = deps.config;
  // Exclusive: an item due exactly at the next sweep is that sweep's, so one
  // sweep never reaches for items the previous one is sending at that moment.
  const upTo = toUtcIso(now.plus({ seconds: lookaheadSeconds }));
  const summary: DispatchSummary = {
    enqueued: { sms: 0, email: 0 },
    parts: {},
    halved: [],
    formerLanes: [],
    expired: 0,
    lostRaces: 0,
    requeued: 0,
    retaken: 0,
  };
  const claimed: { entry: DueEntry; send: QueuedSend; lane: Lane; parts: number }[] = [];

  const { throttled, ownLanes } = await deps.throttles.readLanes(
    toUtcIso(now.minus({ seconds: lookaheadSeconds })),
  );
  const unregistered = [...deps.config.ownNumbers.keys()].filter((clinicId) => !ownLanes.has(clinicId));
  if (unregistered.length) await deps.throttles.registerOwnLanes(unregistered, at);
  // Clinics moved off their own number: what still waits in their lanes goes from the shared one.
  summary.formerLanes = [...ownLanes].filter((clinicId) => !deps.config.ownNumbers.has(clinicId)).sort();
  const lanes = new Map<string, Lane>();
  // Delay s lands in calendar second ⌊now⌋ + s, where the immediate sends count their kept parts.
  const startEpochSecond = Math.floor(now.toSeconds());
  const every = deps.config.sendNowEvery;
  const laneOf = (name: string, channel: Channel, sources: DueSource[], perSecond: number) => {
    const halved = throttled.has(name);
    if (halved) summary.halved.push(name);
    lanes.set(name, {
      name,
      channel,
      sources,
      schedule: new MinuteSchedule(
        halved ? perSecond / 2 : perSecond,
        lookaheadSeconds,
        every ? { startEpochSecond, ratePerSecond: perSecond, every } : undefined,
      ),
      stopped: false,
    });
  };
  const [shared, own] = smsSources(deps.config);
  shared.push(...summary.formerLanes.map(ownSource));
  laneOf(SHARED_LANE, 'sms', shared, deps.config.perSecond.sms);
  for (const [clinicId, perSecond] of own) laneOf(clinicId, 'sms', [ownSource(clinicId)], perSecond);
  laneOf('email', 'email', [{ channel: 'email' }], deps.config.perSecond.email);

  /** The lane that pays for an entry: its clinic's own number, else the shared one. */
  const payer = (entry: DueEntry): Lane | undefined =>
    entry.channel === 'email'
      ? lanes.get('email')
      : (lanes.get(entry.key.clinicId) ?? lanes.get(SHARED_LANE));

  const retaken: QueuedSend[] = [];
  /**
   * A `sending` item still in the index past its lease: its attempt's every
   * delivery died (the queue message went to the dead-letter queue), so
   * nothing else will end it. Takes it back and queues its request again with
   * the attempt's token; send-message finds the attempt interrupted and settles
   * it (unknown when a provider may have taken it) without sending again.
   */
  const retake = async (current: Message | undefined): Promise<boolean> => {
    if (current?.status !== 'sending' || !current.claimToken || !current.leaseUntil) return false;
    if (current.leaseUntil >= at) return false;
    const key = { clinicId: current.clinicId, patientId: current.patientId, messageId: current.messageId };
    try {
      await deps.messages.retakeLapsedAttempt(key, current.claimToken, {
        leaseUntil: toUtcIso(now.plus({ minutes: deps.config.leaseMinutes })),
        at,
      });
    } catch (error) {
      if (!(error instanceof MessageTransitionError)) throw error;
      return false;
    }
    retaken.push({ request: { ...key, token: current.claimToken }, delaySeconds: 0 });
    summary.retaken += 1;
    return true;
  };

  for (const priority of PRIORITIES) {
    for (const lane of lanes.values()) {
      // A lower priority starts in a second after the higher ones' last, so every
      // higher-priority text of the minute reaches the provider first.
      lane.schedule.closePlaced();
      lane.stopped = lane.schedule.remaining <= 0;
    }
    for (const lane of lanes.values()) {
      if (lane.stopped) continue;
      let foreignInARow = 0;
      const pageSize = Math.max(1, Math.min(1000, lane.schedule.remaining));
      for await (const entry of deps.messages.dueOldestFirst(lane.sources, priority, upTo, pageSize)) {
        if (entry.notAfter < at) {
          const current = await expire(deps, entry, at);
          if (current === 'expired') summary.expired += 1;
          else await retake(current);
          continue;
        }
        const target = payer(entry);
        if (!target) continue;
        const own = target === lane;
        if (!own && target.stopped) {
          if (++foreignInARow > FOREIGN_READ_LIMIT) break;
          continue;
        }
        // A text of more parts than a whole minute of its number allows goes
        // alone in a minute of its own, rather than never.
        const parts = Math.min(await partsOf(deps, entry), Math.max(1, target.schedule.budget));
        const untilDue = Math.max(0, parseUtc(entry.dueAt).diff(now, 'seconds').seconds);
        // Never before its due second.
        const placement = target.schedule.find(parts, Math.ceil(untilDue - 1e-9));
        if (!placement) {
          // Oldest first within a priority: nothing later of this lane fits either.
          target.stopped = true;
          if (own) break;
          if (++foreignInARow > FOREIGN_READ_LIMIT) break;
          continue;
        }
        foreignInARow = 0;
        const token = deps.newToken();
        const leaseUntil = toUtcIso(
          now.plus({ seconds: placement.second, minutes: deps.config.leaseMinutes }),
        );
        try {
          await deps.messages.claim(entry.key, entry.rev, { token, leaseUntil, at });
        } catch (error) {
          if (!(error instanceof MessageTransitionError)) throw error;
          if (!(await retake(error.current))) summary.lostRaces += 1;
          continue;
        }
        target.schedule.commit(placement);
        const delaySeconds = Math.min(900, placement.second);
        claimed.push({
          entry,
          send: { request: { ...entry.key, token }, delaySeconds },
          lane: target,
          parts,
        });
        if (own && target.schedule.remaining <= 0) break;
      }
    }
  }

  // Retaken attempts last: send-message settles them without a provider call.
  const { failed } = await deps.queue.enqueue([...claimed.map((item) => item.send), ...retaken]);
  const refused = new Set(failed);
  // A refused retaken request needs nothing: its lease lapses again and the next sweep retries.
  for (const [index, item] of claimed.entries()) {
    if (!refused.has(index)) {
      summary.enqueued[item.entry.channel] += 1;
      summary.parts[item.lane.name] = (summary.parts[item.lane.name] ?? 0) + item.parts;
      continue;
    }
    // Give the item back now rather than waiting for the lease to lapse.
    await deps.messages
      .reschedule(
        item.entry.key,
        item.send.request.token,
        {
          dueAt: item.entry.dueAt,
          channel: item.entry.channel,
          priority: item.entry.priority,
          ownNumber: item.entry.ownNumber,
          reason: 'enqueue-failed',
          at,
        },
        ['queued'],
      )
      .catch((error: unknown) => {
        if (!(error instanceof MessageTransitionError)) throw error;
      });
    summary.requeued += 1;
  }

  deps.logger.info('sweep finished', { at, ...summary });
  for (const channel of CHANNELS)
    deps.telemetry.count('MessagesEnqueued', summary.enqueued[channel], { channel });
  for (const [lane, parts] of Object.entries(summary.parts))
    if (lane !== 'email') deps.telemetry.count('PartsEnqueued', parts, { lane });
  for (const lane of summary.halved) deps.telemetry.count('LaneBudgetHalved', 1, { lane });
  if (summary.expired) deps.telemetry.count('MessagesExpired', summary.expired);
  if (summary.lostRaces) deps.telemetry.count('ClaimLostRace', summary.lostRaces);
  if (summary.requeued) deps.telemetry.count('EnqueueFailed', summary.requeued);
  if (summary.retaken) deps.telemetry.count('LapsedAttemptRetaken', summary.retaken);
  return summary;
}

/** Skips an item that can no longer be useful; else the item as someone else left it (or none). */
async function expire(
  deps: DispatchDeps,
  entry: DueEntry,
  at: string,
): Promise<'expired' | Message | undefined> {
  try {
    await deps.messages.withdraw(entry.key, { reason: 'expired', at });
    return 'expired';
  } catch (error) {
    if (error instanceof MessageTransitionError) return error.current;
    throw error;
  }
}

/**
 * What a text may cost its number: its clinic's segment budget for its kind
 * (the render-time guard never sends more), the larger of the two for a
 * message whose kind its id does not say. An email is one.
 */
async function partsOf(deps: DispatchDeps, entry: DueEntry): Promise<number> {
  if (entry.channel === 'email') return 1;
  const clinic = await deps.clinics.get(entry.key.clinicId);
  // Without its clinic the sender skips it (clinic-missing) without a provider call.
  if (!clinic) return 1;
  const kind = parseMessageId(entry.key.messageId)?.kind;
  const { exempt, other } = clinic.policy.segmentBudget;
  return kind ? segmentBudgetFor(clinic.policy, kind) : Math.max(exempt, other);
}
