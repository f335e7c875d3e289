import { type Channel, isExemptKind, segmentBudgetFor } from '../domain/constants';
import type { Message } from '../domain/model';
import { DAY_SECONDS, firstPartAt, keepsParts, secondOfPart } from '../domain/pacing';
import { countSegments } from '../domain/templates/segments';
import { staffReplyWordsOf } from '../domain/templates/staff-reply';
import { type Clock, toUtcIso } from '../domain/time';
import type { AppLogger, QueuedSend, SendQueue, Telemetry } from '../ports/outbound';
import {
  type MessageKey,
  type MessageRepository,
  MessageTransitionError,
  type SendNowBudget,
} from '../ports/repositories';
import type { ClinicCache } from './clinic-cache';

export interface SendNowConfig {
  /** The shared SMS number's parts a second and the email account's messages a second. */
  perSecond: Record<Channel, number>;
  /** Parts a second of each clinic's own number, by clinic id (issue 19). */
  ownNumbers?: ReadonlyMap<string, number>;
  /** One part in this many of each number's day is kept for immediate sends (settings.ts, SEND_NOW_EVERY). */
  every: number;
  /** How far ahead an immediate send may take a kept part (the sweep's lookahead). */
  windowSeconds: number;
  /** How long a claim holds before the sweep may take the item over (the sweep's lease). */
  leaseMinutes: number;
}

/** What an immediate send needs besides the outbox: the send queue, the budget and the claim settings. */
export interface SendNowPorts {
  queue: SendQueue;
  budget: SendNowBudget;
  config: SendNowConfig;
  newToken: () => string;
}

export interface SendNowDeps extends SendNowPorts {
  messages: MessageRepository;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  /**
   * Clinic settings, for the parts a text may take (its kind's segment
   * budget). Absent: a text of an exempt kind counts one part, any other
   * waits for the sweep.
   */
  clinics?: ClinicCache;
}

export interface SendNowSummary {
  /** Per message given, in order: true when stored now, false when it existed already (a replay). */
  created: boolean[];
  /** Stored claimed and handed to the send queue at once. */
  enqueued: number;
  /** Due now, but the minute's immediate budget was spent: stored pending, the next sweep takes them. */
  leftForSweep: number;
  /** Claimed but refused by the queue: put back to pending for the sweep. */
  requeued: number;
}

/**
 * Whose kept parts an immediate send takes: its clinic's own number's
 * (`sms@<clinicId>`), the shared number's (`sms`) or the email account's,
 * with that lane's rate.
 */
function laneOf(message: Message, config: SendNowConfig): [lane: string, ratePerSecond: number] {
  const own = message.channel === 'sms' ? config.ownNumbers?.get(message.clinicId) : undefined;
  if (own !== undefined) return [`sms@${message.clinicId}`, own];
  return [message.channel, config.perSecond[message.channel]];
}

/** A message that should not wait for the next sweep: pending, high priority, due now or earlier. */
function dueNow(message: Message, now: string): boolean {
  return (
    message.status === 'pending' &&
    message.priority === 'high' &&
    message.dueAt <= now &&
    message.notAfter > now
  );
}

/**
 * True when the message takes one part: a kept part is one part of one
 * second, so a text that may be longer waits for the sweep, which paces
 * parts.
 */
async function onePart(deps: SendNowDeps, message: Message): Promise<boolean> {
  if (message.channel === 'email') return true;
  const clinic = deps.clinics ? await deps.clinics.get(message.clinicId) : undefined;
  // A staff reply's words are stored with it: its parts are counted (as sent), not bounded by the budget.
  if (message.staffReply) {
    const words = clinic ? staffReplyWordsOf(message, clinic) : message.staffReply.text;
    return countSegments(words ?? '').segments <= 1;
  }
  if (clinic) return segmentBudgetFor(clinic.policy, message.kind) <= 1;
  return !deps.clinics && isExemptKind(message.kind);
}

/**
 * Stores new messages and hands those due now to the send queue at once,
 * instead of leaving them for the next sweep (up to a minute later). The
 * planner calls it for confirmations and change notices; auto-replies and
 * staff replies use it the same way.
 *
 * Primary course:
 * 1. For each message that is pending, high priority, due now and one part
 *    long, take a kept part of its number (its clinic's own, or the shared
 *    one) or of the email account within the next minute: the sweep leaves
 *    one part in SEND_NOW_EVERY of every number's day free, and only those
 *    are taken here, each at most once (a conditional cursor per number and
 *    day), so the sweep's texts and these never exceed the number's rate
 *    in any second.
 * 2. With one, store the message already claimed: status queued with a
 *    fresh token and the sweep's lease, the very state the sweep's claim
 *    writes. The create is conditional, so a replay stores and sends
 *    nothing, and the sweep, whose claim takes only a pending item or a
 *    lapsed claim, cannot take it too. It stays in the due index while in
 *    flight, so if this process dies before the queue has it, the sweep
 *    takes it once the lease runs out. Without one (no kept part left in
 *    the minute, not due yet, or longer than a part), store it as given:
 *    pending, for the sweep, which takes high priority first.
 * 3. Enqueue the claimed ones with the delay to their part's second; one
 *    the queue refuses goes back to pending at once (reason
 *    `enqueue-failed`), as in the sweep.
 *
 * Budget: a tenth of each number's parts is kept for these sends, and the
 * sweep never takes it, even in a minute with none (docs/architecture.md
 * says what that costs). A bulk import's hundreds of confirmations are no
 * exception: past the kept parts of the minute they wait for the sweep,
 * which paces them at the rate.
 *
 * @param deps - outbox, queue, budget, clock, claim settings
 * @param messages - new messages, as they should be stored
 */
export async function createAndEnqueueDueNow(
  deps: SendNowDeps,
  messages: readonly Message[],
): Promise<SendNowSummary> {
  const now = deps.clock.now();
  const at = toUtcIso(now);
  const leaseUntil = toUtcIso(now.plus({ minutes: deps.config.leaseMinutes }));
  const summary: SendNowSummary = { created: [], enqueued: 0, leftForSweep: 0, requeued: 0 };
  const claimed: { message: Message; key: MessageKey; send: QueuedSend }[] = [];

  // A delay of d seconds lands in calendar second ⌊now⌋ + d, the second the sweep counts too.
  const second = Math.floor(now.toSeconds());
  const ofDay = second % DAY_SECONDS;
  const day = at.slice(0, 10);
  const { every } = deps.config;
  // The window ends with the day: the kept parts are numbered from its start.
  const windowEnd = Math.min(DAY_SECONDS, ofDay + deps.config.windowSeconds);

  // Which messages go at once, by lane, in the order given.
  const due = await Promise.all(
    messages.map(async (message) => dueNow(message, at) && (await onePart(deps, message))),
  );
  const waiting = new Map<string, { rate: number; indexes: number[] }>();
  for (const [index, message] of messages.entries()) {
    if (!due[index]) continue;
    const [lane, rate] = laneOf(message, deps.config);
    const group = waiting.get(lane) ?? { rate, indexes: [] };
    group.indexes.push(index);
    waiting.set(lane, group);
  }
  const delays = new Map<number, number>();
  await Promise.all(
    [...waiting].map(async ([lane, { rate, indexes }]) => {
      if (!keepsParts(rate, every)) {
        summary.leftForSweep += indexes.length;
        return;
      }
      const window = {
        from: Math.ceil(firstPartAt(rate, ofDay) / every),
        until: Math.ceil(firstPartAt(rate, windowEnd) / every),
      };
      // Slots count a rate's parts: a new rate (a deploy) starts a cursor of its own.
      const taken = await deps.budget.take(`${lane}#${rate}`, day, window, indexes.length);
      for (const [n, index] of indexes.entries()) {
        if (n >= taken.count) break;
        delays.set(index, Math.max(0, secondOfPart(rate, (taken.first + n) * every) - ofDay));
      }
      summary.leftForSweep += indexes.length - taken.count;
    }),
  );

  const stored = await Promise.all(
    messages.map(async (message, index) => {
      const delaySeconds = delays.get(index);
      if (delaySeconds === undefined) return deps.messages.create(message);
      const token = deps.newToken();
      const created = await deps.messages.create({
        ...message,
        status: 'queued',
        claimToken: token,
        leaseUntil,
        queuedAt: at,
        updatedAt: at,
      });
      // A replay finds the message stored: the first run sent it, or left it to the sweep.
      if (created) {
        const key = {
          clinicId: message.clinicId,
          patientId: message.patientId,
          messageId: message.messageId,
        };
        claimed.push({ message, key, send: { request: { ...key, token }, delaySeconds } });
      }
      return created;
    }),
  );
  summary.created = stored;

  const { failed } = claimed.length
    ? await deps.queue.enqueue(claimed.map((item) => item.send))
    : { failed: [] };
  const refused = new Set(failed);
  for (const [index, { message, key, send }] of claimed.entries()) {
    if (!refused.has(index)) {
      summary.enqueued += 1;
      deps.telemetry.count('MessagesEnqueuedAtOnce', 1, { channel: message.channel });
      continue;
    }
    await deps.messages
      .reschedule(
        key,
        send.request.token,
        {
          dueAt: message.dueAt,
          channel: message.channel,
          priority: message.priority,
          ownNumber: message.ownNumber,
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
  if (summary.leftForSweep) deps.telemetry.count('SendNowBudgetSpent', summary.leftForSweep);
  if (summary.requeued) deps.telemetry.count('EnqueueFailed', summary.requeued);
  if (claimed.length || summary.leftForSweep) {
    deps.logger.info('due now', {
      at,
      messageIds: claimed.map((item) => item.message.messageId),
      enqueued: summary.enqueued,
      leftForSweep: summary.leftForSweep,
      requeued: summary.requeued,
    });
  }
  return summary;
}
