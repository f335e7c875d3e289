import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyOptReply,
  compareOptReplies,
  type OptReply,
  optOutCovers,
  revokeAllInForce,
  type SmsOptState,
} from '../../../../shared/domain/replies';

const stop = (at: string, id = `in-stop-${at}`): OptReply => ({ kind: 'opt-out', at, inboundMessageId: id });
const start = (at: string, id = `in-start-${at}`): OptReply => ({ kind: 'opt-in', at, inboundMessageId: id });

function applyAll(replies: readonly OptReply[], initial: SmsOptState = {}) {
  let state = initial;
  const outcomes = replies.map((reply) => {
    const outcome = applyOptReply(state, reply);
    state = outcome.state;
    return outcome;
  });
  return { state, outcomes };
}

describe('applyOptReply', () => {
  it('opts the number out on STOP, recording the patient, the time sent and the inbound id, and asks for one confirmation', () => {
    const outcome = applyOptReply({}, stop('2026-12-05T10:00:00.000Z', 'in-1'));
    expect(outcome).toEqual({
      state: {
        optOut: { at: '2026-12-05T10:00:00.000Z', source: 'patient', inboundMessageId: 'in-1' },
        lastReply: stop('2026-12-05T10:00:00.000Z', 'in-1'),
      },
      effect: 'opted-out',
      confirmOptOut: true,
    });
  });

  it('leaves the patient opted in after STOP at 10:00 and START at 10:01, whichever arrives first', () => {
    const replies = [stop('2026-12-05T10:00:00.000Z'), start('2026-12-05T10:01:00.000Z')];
    const inOrder = applyAll(replies);
    const reversed = applyAll([...replies].reverse());
    expect(inOrder.state.optOut).toBeUndefined();
    expect(reversed.state.optOut).toBeUndefined();
    expect(inOrder.outcomes.map((o) => o.effect)).toEqual(['opted-out', 'opted-in']);
    expect(reversed.outcomes.map((o) => [o.effect, o.why, o.confirmOptOut])).toEqual([
      ['none', 'not-opted-out', false],
      ['none', 'older-than-last-reply', false],
    ]);
  });

  it('leaves the patient opted out after START at 10:00 and STOP at 10:01, whichever arrives first', () => {
    const replies = [start('2026-12-05T10:00:00.000Z'), stop('2026-12-05T10:01:00.000Z')];
    expect(applyAll(replies).state.optOut).toBeDefined();
    expect(applyAll([...replies].reverse()).state.optOut).toBeDefined();
  });

  it('changes nothing on a duplicate delivery, and asks again for the confirmation a crash may have lost', () => {
    const first = applyOptReply({}, stop('2026-12-05T10:00:00.000Z', 'in-1'));
    const again = applyOptReply(first.state, stop('2026-12-05T10:00:00.000Z', 'in-1'));
    expect(again).toEqual({ state: first.state, effect: 'none', why: 'duplicate', confirmOptOut: true });
  });

  it('asks for that confirmation on a retry even after a later STOP was applied, but not once START has lifted the opt-out', () => {
    const first = applyOptReply({}, stop('2026-12-05T10:00:00.000Z', 'in-1'));
    const second = applyOptReply(first.state, stop('2026-12-05T10:05:00.000Z', 'in-2'));
    expect(second).toMatchObject({ effect: 'none', why: 'already-opted-out', confirmOptOut: false });
    expect(applyOptReply(second.state, stop('2026-12-05T10:00:00.000Z', 'in-1'))).toMatchObject({
      why: 'older-than-last-reply',
      confirmOptOut: true,
    });
    const lifted = applyOptReply(first.state, start('2026-12-05T10:10:00.000Z'));
    expect(applyOptReply(lifted.state, stop('2026-12-05T10:00:00.000Z', 'in-1'))).toMatchObject({
      effect: 'none',
      confirmOptOut: false,
    });
  });

  it('lifts only the patient’s own opt-out: START leaves one that staff, a carrier or an import recorded', () => {
    for (const source of ['staff', 'carrier', 'import'] as const) {
      const state: SmsOptState = { optOut: { at: '2026-12-01T10:00:00.000Z', source } };
      const outcome = applyOptReply(state, start('2026-12-05T10:00:00.000Z'));
      expect(outcome).toEqual({
        state: { optOut: state.optOut, lastReply: start('2026-12-05T10:00:00.000Z') },
        effect: 'none',
        why: 'opted-out-by-other-source',
        confirmOptOut: false,
      });
    }
  });

  it('keeps a staff opt-out as it is when the patient also texts STOP', () => {
    const state: SmsOptState = { optOut: { at: '2026-12-01T10:00:00.000Z', source: 'staff' } };
    expect(applyOptReply(state, stop('2026-12-05T10:00:00.000Z'))).toMatchObject({
      state: { optOut: state.optOut },
      effect: 'none',
      why: 'already-opted-out',
      confirmOptOut: false,
    });
  });

  it('orders replies sent in the same millisecond with the opt-out last, so when in doubt nothing is sent', () => {
    const at = '2026-12-05T10:00:00.000Z';
    expect(compareOptReplies(start(at), stop(at))).toBeLessThan(0);
    expect(applyAll([stop(at), start(at)]).state.optOut).toBeDefined();
    expect(applyAll([start(at), stop(at)]).state.optOut).toBeDefined();
  });

  it('ends opted out or in as the latest reply says, for any replies applied in any order with duplicates (300 runs)', () => {
    const reply = fc.record({
      kind: fc.constantFrom('opt-out' as const, 'opt-in' as const),
      at: fc
        .integer({ min: 0, max: 120 })
        .map((minute) => new Date(Date.UTC(2026, 11, 5, 10, minute)).toISOString()),
      inboundMessageId: fc.uuid(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(reply, { minLength: 1, maxLength: 8, selector: (r) => r.inboundMessageId }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.nat(),
        (replies, duplicates, seed) => {
          const delivered = [
            ...replies,
            ...duplicates.map((index) => replies[index % replies.length] as OptReply),
          ];
          // A deterministic shuffle from the seed: delivery order is arbitrary.
          const order = delivered
            .map((item, index) => ({ item, key: (index * 7919 + seed) % 104_729 }))
            .sort((a, b) => a.key - b.key)
            .map(({ item }) => item);
          const latest = [...replies].sort(compareOptReplies).at(-1) as OptReply;
          const { state } = applyAll(order);
          expect(state.lastReply).toEqual(latest);
          expect(state.optOut !== undefined).toBe(latest.kind === 'opt-out');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the revoke-all rule', () => {
  it('is in force from 31 January 2027 in the clinic’s own zone', () => {
    expect(revokeAllInForce('2027-01-31T04:59:59.999Z', 'America/New_York')).toBe(false);
    expect(revokeAllInForce('2027-01-31T05:00:00.000Z', 'America/New_York')).toBe(true);
    expect(revokeAllInForce('2027-01-30T13:59:59.999Z', 'Pacific/Guam')).toBe(false);
    expect(revokeAllInForce('2027-01-30T14:00:00.000Z', 'Pacific/Guam')).toBe(true);
    expect(revokeAllInForce('2026-12-05T10:00:00.000Z', 'UTC')).toBe(false);
  });

  it('before that date stops the topic the opt-out answered; from it, every kind', () => {
    const before = { at: '2026-12-05T15:00:00.000Z', zone: 'America/New_York' };
    const after = { at: '2027-02-01T15:00:00.000Z', zone: 'America/New_York' };
    expect(optOutCovers({ kind: 'reminder', optOutTopic: 'appointments', ...before })).toBe(true);
    expect(optOutCovers({ kind: 'survey', optOutTopic: 'appointments', ...before })).toBe(true);
    expect(optOutCovers({ kind: 'broadcast', optOutTopic: 'appointments', ...before })).toBe(false);
    expect(optOutCovers({ kind: 'reminder', optOutTopic: 'updates', ...before })).toBe(false);
    expect(optOutCovers({ kind: 'broadcast', optOutTopic: 'appointments', ...after })).toBe(true);
    expect(optOutCovers({ kind: 'reminder', optOutTopic: 'updates', ...after })).toBe(true);
  });

  it('stops every topic when the opt-out answered none, and always stops keyword replies', () => {
    const before = { at: '2026-12-05T15:00:00.000Z', zone: 'America/New_York' };
    expect(optOutCovers({ kind: 'broadcast', ...before })).toBe(true);
    expect(optOutCovers({ kind: 'keyword-reply', optOutTopic: 'updates', ...before })).toBe(true);
  });
});
