import { CHANNELS, type Channel, PRIORITIES } from '../domain/constants';
import { type Clock, parseUtc, toUtcIso } from '../domain/time';
import type { AppLogger, QueuedSend, SendQueue, Telemetry } from '../ports/outbound';
import { type DueEntry, type MessageRepository, MessageTransitionError } from '../ports/repositories';

export interface DispatchConfig {
  /** Messages each channel may send per minute (the account's rate × 60). */
  budgetPerMinute: Record<Channel, number>;
  /** How far ahead of now a sweep takes items (they wait in SQS for the rest). */
  lookaheadSeconds: number;
  /** How long a claim holds before another sweep may take the item over. */
  leaseMinutes: number;
}

export interface DispatchDeps {
  messages: MessageRepository;
  queue: SendQueue;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  config: DispatchConfig;
  newToken: () => string;
}

export interface DispatchSummary {
  enqueued: Record<Channel, number>;
  /** Past their point before they could go out: skipped, not sent. */
  expired: number;
  /** Taken by another sweep first, or changed since the index was read. */
  lostRaces: number;
  /** Claimed but refused by the queue; put back to be taken again. */
  requeued: number;
}

/**
 * One sweep of the due index.
 *
 * Primary course:
 * 1. For each channel, take priorities high → low and, within one, the oldest
 *    due first, until the channel's one-minute budget is used or its sends,
 *    paced at the channel's rate, would spill into the next minute; the rest
 *    stay due for the next sweep.
 * 2. Skip items already past their point (`notAfter`), with a reason.
 * 3. Claim each item (conditional: only a pending item at the revision read,
 *    or one whose earlier claim lapsed), so racing sweeps take it once.
 * 4. Enqueue the claimed items with a delay equal to their send second (the
 *    seconds left until due, or later when pacing holds them back); an item
 *    the queue refuses goes back to pending at once.
 *
 * @param deps - outbox, queue, clock, budget
 */
export async function dispatchDue(deps: DispatchDeps): Promise<DispatchSummary> {
  const now = deps.clock.now();
  const at = toUtcIso(now);
  // Exclusive: an item due exactly at the next sweep is that sweep's, so one
  // sweep never reaches for items the previous one is sending at that moment.
  const upTo = toUtcIso(now.plus({ seconds: deps.config.lookaheadSeconds }));
  const summary: DispatchSummary = { enqueued: { sms: 0, email: 0 }, expired: 0, lostRaces: 0, requeued: 0 };
  const claimed: { entry: DueEntry; send: QueuedSend }[] = [];

  for (const channel of CHANNELS) {
    const budget = deps.config.budgetPerMinute[channel];
    const interval = 60 / Math.max(1, budget);
    let slot = Number.NEGATIVE_INFINITY;
    let taken = 0;
    channelSweep: for (const priority of PRIORITIES) {
      for await (const entry of deps.messages.dueOldestFirst(channel, priority, upTo, budget)) {
        if (taken >= budget) break channelSweep;
        if (entry.notAfter < at) {
          if (await expire(deps, entry, at)) summary.expired += 1;
          continue;
        }
        // Its send second: when it is due, but no closer to the channel's
        // previous send than the rate allows. One that would fall into the
        // next sweep's minute waits for that sweep, so two sweeps' sends
        // never overlap and the provider never sees more than the rate.
        const untilDue = Math.max(0, parseUtc(entry.dueAt).diff(now, 'seconds').seconds);
        const sendAt = Math.max(untilDue, slot + interval);
        if (sendAt >= deps.config.lookaheadSeconds) break channelSweep;
        const token = deps.newToken();
        const leaseUntil = toUtcIso(now.plus({ seconds: sendAt, minutes: deps.config.leaseMinutes }));
        try {
          await deps.messages.claim(entry.key, entry.rev, { token, leaseUntil, at });
        } catch (error) {
          if (!(error instanceof MessageTransitionError)) throw error;
          summary.lostRaces += 1;
          continue;
        }
        slot = sendAt;
        taken += 1;
        // Never before its due second; paced ones share a second up to the rate.
        const delaySeconds = Math.min(900, Math.max(Math.ceil(untilDue), Math.floor(sendAt)));
        claimed.push({ entry, send: { request: { ...entry.key, token }, delaySeconds } });
      }
    }
  }

  const { failed } = await deps.queue.enqueue(claimed.map((item) => item.send));
  const refused = new Set(failed);
  for (const [index, item] of claimed.entries()) {
    if (!refused.has(index)) {
      summary.enqueued[item.entry.channel] += 1;
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
  if (summary.expired) deps.telemetry.count('MessagesExpired', summary.expired);
  if (summary.lostRaces) deps.telemetry.count('ClaimLostRace', summary.lostRaces);
  if (summary.requeued) deps.telemetry.count('EnqueueFailed', summary.requeued);
  return summary;
}

/** Skips an item that can no longer be useful; false if someone else moved it first. */
async function expire(deps: DispatchDeps, entry: DueEntry, at: string): Promise<boolean> {
  try {
    await deps.messages.withdraw(entry.key, { reason: 'expired', at });
    return true;
  } catch (error) {
    if (error instanceof MessageTransitionError) return false;
    throw error;
  }
}
