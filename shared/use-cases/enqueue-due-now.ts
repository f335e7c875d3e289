import type { Channel } from '../domain/constants';
import type { Message } from '../domain/model';
import { type Clock, toUtcIso } from '../domain/time';
import type { AppLogger, QueuedSend, SendQueue, Telemetry } from '../ports/outbound';
import {
  type MessageKey,
  type MessageRepository,
  MessageTransitionError,
  type SendNowBudget,
} from '../ports/repositories';

export interface SendNowConfig {
  /**
   * Messages each channel may send at once per calendar minute, outside the
   * sweep (SMS: from the deployment's shared number).
   */
  perMinute: Record<Channel, number>;
  /** Texts a clinic's own number may send at once per calendar minute, by clinic id (issue 19). */
  ownNumbers?: ReadonlyMap<string, number>;
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
 * Whose share an immediate send takes: its clinic's own number's
 * (`sms@<clinicId>`), the shared number's (`sms`) or the email account's.
 */
function laneOf(message: Message, config: SendNowConfig): [lane: string, limit: number] {
  const own = message.channel === 'sms' ? config.ownNumbers?.get(message.clinicId) : undefined;
  if (own !== undefined) return [`sms@${message.clinicId}`, own];
  return [message.channel, config.perMinute[message.channel]];
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
 * Stores new messages and hands those due now to the send queue at once,
 * instead of leaving them for the next sweep (up to a minute later). The
 * planner calls it for confirmations and change notices; auto-replies and
 * staff replies use it the same way.
 *
 * Primary course:
 * 1. For each message that is pending, high priority and due now, take one
 *    immediate send from this minute's share of its number (its clinic's
 *    own, or the shared one) or of the email account.
 * 2. With one, store the message already claimed: status queued with a
 *    fresh token and the sweep's lease, the very state the sweep's claim
 *    writes. The create is conditional, so a replay stores and sends
 *    nothing, and the sweep, whose claim takes only a pending item or a
 *    lapsed claim, cannot take it too. It stays in the due index while in
 *    flight, so if this process dies before the queue has it, the sweep
 *    takes it once the lease runs out. Without one (budget spent, or not due
 *    yet), store it as given: pending, for the sweep.
 * 3. Enqueue the claimed ones with no delay; one the queue refuses goes back
 *    to pending at once (reason `enqueue-failed`), as in the sweep.
 *
 * Budget: the sweep takes up to a full minute of each channel's rate; the
 * immediate sends add at most `perMinute` (a tenth of it, see
 * settings.ts) in a calendar minute. So the provider may see up to 10 %
 * over the rate in a minute that is also full of swept messages. We accept
 * that rather than holding back a tenth of every sweep: the excess is
 * bounded, it is high-priority work (what the sweep would take first), and
 * the sender's concurrency cap and its throttling back-off absorb it
 * without losing or doubling a message. A bulk import's hundreds of
 * confirmations are not an exception: past the budget they wait for the
 * sweep, which paces them at the rate.
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
  const minute = at.slice(0, 16);
  const leaseUntil = toUtcIso(now.plus({ minutes: deps.config.leaseMinutes }));
  const summary: SendNowSummary = { created: [], enqueued: 0, leftForSweep: 0, requeued: 0 };
  const claimed: { message: Message; key: MessageKey; send: QueuedSend }[] = [];

  const stored = await Promise.all(
    messages.map(async (message) => {
      const due = dueNow(message, at);
      const [lane, limit] = laneOf(message, deps.config);
      const immediate = due && (await deps.budget.take(lane, minute, limit));
      if (due && !immediate) summary.leftForSweep += 1;
      if (!immediate) return deps.messages.create(message);
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
        claimed.push({ message, key, send: { request: { ...key, token }, delaySeconds: 0 } });
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
