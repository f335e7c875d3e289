/**
 * A number's SMS opt-out as patients change it by text (issue 12, items 4
 * and 6), and which messages an opt-out stops (the FCC "revoke all" rule).
 *
 * End User Messaging does not deliver replies in order, so the order that
 * counts is when the patient sent them: the SNS envelope `Timestamp`. The
 * record keeps the latest reply applied, even after START has lifted the
 * opt-out, so a STOP sent earlier but delivered later loses: STOP at 10:00
 * and START at 10:01 leave the patient opted in whichever arrives first.
 * That makes the rule last-writer-wins over (Timestamp, kind, inbound id):
 * applying any set of replies in any order, with duplicates, ends in the
 * state of the latest one.
 */
import type { MessageKind, OptOut } from '../model';
import { parseUtc } from '../time';

export type OptReplyKind = 'opt-out' | 'opt-in';

/** A STOP or START (or a phrase meaning one) from the patient. */
export interface OptReply {
  kind: OptReplyKind;
  /** When the patient sent it: the SNS envelope `Timestamp` (UTC ISO). */
  at: string;
  /** End User Messaging's `inboundMessageId`. */
  inboundMessageId: string;
}

/** Opt-out sources that are the patient's own, which only the patient's START lifts. */
export const PATIENT_OPT_OUT_SOURCES: ReadonlySet<OptOut['source']> = new Set(['patient', 'patient-keyword']);

/** The source recorded for an opt-out a patient texted. */
export const PATIENT_OPT_OUT_SOURCE: OptOut['source'] = 'patient';

/** What the record of one number's SMS consent holds (the patient's, or an unknown number's). */
export interface SmsOptState {
  /** The opt-out in force, if any: staff, carrier, import or the patient's. */
  optOut?: (OptOut & { inboundMessageId?: string | undefined }) | undefined;
  /** The latest patient reply applied; kept after START so that an older STOP delivered late loses. */
  lastReply?: OptReply | undefined;
}

export type OptReplyOutcome = {
  /** The record to store (conditionally on the one read). */
  state: SmsOptState;
  /** What changed: the number was opted out, opted back in, or nothing. */
  effect: 'opted-out' | 'opted-in' | 'none';
  /**
   * Why nothing changed:
   * - `duplicate`: this very reply was applied before;
   * - `older-than-last-reply`: a later reply is already applied;
   * - `already-opted-out` / `not-opted-out`: the state was already what it asks;
   * - `opted-out-by-other-source`: START does not lift an opt-out that staff,
   *   a carrier or an import recorded; only the patient's own.
   */
  why?:
    | 'duplicate'
    | 'older-than-last-reply'
    | 'already-opted-out'
    | 'not-opted-out'
    | 'opted-out-by-other-source';
  /**
   * Send the one opt-out confirmation: true for the reply that opted the
   * number out, also when it is applied again after a crash, so a retry
   * queues the confirmation it may have missed (under an id made from the
   * inbound id, so it goes once).
   */
  confirmOptOut: boolean;
};

const KIND_RANK: Record<OptReplyKind, number> = { 'opt-in': 0, 'opt-out': 1 };

/**
 * Orders two replies: by the time the patient sent them, then an opt-out
 * after an opt-in sent in the same millisecond (when in doubt, do not text),
 * then by inbound id so the order is total.
 *
 * @returns negative when `a` came first, positive when `b` did, 0 for the same reply
 */
export function compareOptReplies(a: OptReply, b: OptReply): number {
  const byTime = parseUtc(a.at).toMillis() - parseUtc(b.at).toMillis();
  if (byTime !== 0) return byTime;
  const byKind = KIND_RANK[a.kind] - KIND_RANK[b.kind];
  if (byKind !== 0) return byKind;
  return a.inboundMessageId < b.inboundMessageId ? -1 : a.inboundMessageId > b.inboundMessageId ? 1 : 0;
}

/**
 * Applies a patient's STOP or START to a number's SMS opt-out record.
 *
 * @param state - the record as read
 * @param reply - the reply, with the envelope Timestamp and inbound id
 */
export function applyOptReply(state: SmsOptState, reply: OptReply): OptReplyOutcome {
  const { optOut, lastReply } = state;
  // A reply applied before, seen again (a duplicate delivery, or a retry
  // after a crash): if it is the one that opted the number out and the number
  // still is, its confirmation may not have been queued yet.
  const optedOutByThis = reply.kind === 'opt-out' && optOut?.inboundMessageId === reply.inboundMessageId;
  if (lastReply && lastReply.inboundMessageId === reply.inboundMessageId) {
    return { state, effect: 'none', why: 'duplicate', confirmOptOut: optedOutByThis };
  }
  if (lastReply && compareOptReplies(reply, lastReply) < 0) {
    return { state, effect: 'none', why: 'older-than-last-reply', confirmOptOut: optedOutByThis };
  }
  if (reply.kind === 'opt-out') {
    if (optOut)
      return {
        state: { optOut, lastReply: reply },
        effect: 'none',
        why: 'already-opted-out',
        confirmOptOut: false,
      };
    return {
      state: {
        optOut: { at: reply.at, source: PATIENT_OPT_OUT_SOURCE, inboundMessageId: reply.inboundMessageId },
        lastReply: reply,
      },
      effect: 'opted-out',
      confirmOptOut: true,
    };
  }
  if (!optOut)
    return { state: { lastReply: reply }, effect: 'none', why: 'not-opted-out', confirmOptOut: false };
  if (!PATIENT_OPT_OUT_SOURCES.has(optOut.source)) {
    return {
      state: { optOut, lastReply: reply },
      effect: 'none',
      why: 'opted-out-by-other-source',
      confirmOptOut: false,
    };
  }
  return { state: { lastReply: reply }, effect: 'opted-in', confirmOptOut: false };
}

// ---------------------------------------------------------------------------
// What an opt-out stops
// ---------------------------------------------------------------------------

/**
 * The date from which one opt-out revokes consent for every topic a sender
 * texts about (47 CFR 64.1200(a)(10), in force 31 January 2027), read as a
 * local date in the clinic's zone.
 */
export const REVOKE_ALL_FROM = '2027-01-31';

/** What a message is about, for an opt-out that predates the revoke-all rule. */
export type MessageTopic = 'appointments' | 'updates' | 'replies';

/** Topics by kind: everything about a visit is one topic; broadcasts are another. */
export const MESSAGE_TOPICS: Record<MessageKind, MessageTopic> = {
  confirmation: 'appointments',
  reminder: 'appointments',
  reschedule: 'appointments',
  cancellation: 'appointments',
  survey: 'appointments',
  broadcast: 'updates',
  'keyword-reply': 'replies',
  // A person answering about the patient's visits: stopped by an opt-out from them.
  'staff-reply': 'appointments',
  // The patient's own care, like their visits: not the updates topic (docs/deploy.md).
  'care-reminder': 'appointments',
};

/**
 * Whether the revoke-all rule is in force at an instant in a zone.
 *
 * @param at - the instant (UTC ISO)
 * @param zone - the clinic's IANA zone
 */
export function revokeAllInForce(at: string, zone: string): boolean {
  const localDate = parseUtc(at).setZone(zone).toISODate();
  return localDate !== null && localDate >= REVOKE_ALL_FROM;
}

export interface OptOutCoverInput {
  /** The kind of message about to be sent. */
  kind: MessageKind;
  /**
   * The topic of the message the opt-out answered; undefined when it
   * answered none (an unknown number, a text out of the blue) or said
   * STOPALL, which stops every topic.
   */
  optOutTopic?: MessageTopic | undefined;
  /** The send instant (UTC ISO). */
  at: string;
  /** The clinic's IANA zone. */
  zone: string;
}

/**
 * Whether an SMS opt-out stops a message. From the revoke-all date every
 * kind is stopped; before it, the topic the opt-out answered (an opt-out
 * with no topic stops every topic). Keyword replies are always stopped: the
 * one exception, the opt-out confirmation, is decided by mayAutoReply().
 * decide() today stops every kind on any SMS opt-out, which already keeps
 * the revoke-all rule; this helper says what the law requires at least.
 *
 * @param input - the kind about to be sent, the opt-out's topic, the instant and the clinic's zone
 */
export function optOutCovers(input: OptOutCoverInput): boolean {
  const { kind, optOutTopic } = input;
  if (kind === 'keyword-reply') return true;
  if (optOutTopic === undefined || revokeAllInForce(input.at, input.zone)) return true;
  return MESSAGE_TOPICS[kind] === optOutTopic;
}
