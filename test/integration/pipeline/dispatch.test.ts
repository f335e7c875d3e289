import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/domain/model';
import { makeMessage } from '../../support/factories';
import { type PipelineRig, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();

function enqueuedIds(rig: PipelineRig): string[] {
  return rig.sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) =>
      (call.args[0].input.Entries ?? []).map((e) => JSON.parse(String(e.MessageBody)).messageId as string),
    );
}

async function outboxItem(rig: PipelineRig, overrides: Partial<Message>): Promise<Message> {
  const message = makeMessage({ notAfter: '2026-12-31T00:00:00.000Z', ...overrides });
  await rig.repos.messages.create(message);
  return message;
}

describe('the sweep budget', () => {
  it('takes at most one minute of the channel’s budget, high priority first, then the oldest due', async () => {
    const rig = rigFor({ settings: { smsPerSecond: 2 / 60, emailPerSecond: 1 } });
    rig.clock.set(DateTime.fromISO('2026-12-02T09:00:00Z', { zone: 'utc' }));
    // Surveys (medium) have waited longest; three high-priority reminders are due too.
    await outboxItem(rig, {
      patientId: 'p-a',
      messageId: 'a-a#survey#2h#v2',
      kind: 'survey',
      offset: '2h',
      priority: 'medium',
      dueAt: '2026-12-02T08:00:00.000Z',
    });
    await outboxItem(rig, {
      patientId: 'p-b',
      messageId: 'a-b#survey#2h#v2',
      kind: 'survey',
      offset: '2h',
      priority: 'medium',
      dueAt: '2026-12-02T08:01:00.000Z',
    });
    await outboxItem(rig, {
      patientId: 'p-c',
      messageId: 'a-c#reminder#1d#v1',
      dueAt: '2026-12-02T08:58:00.000Z',
    });
    await outboxItem(rig, {
      patientId: 'p-d',
      messageId: 'a-d#reminder#1d#v1',
      dueAt: '2026-12-02T08:59:00.000Z',
    });
    await outboxItem(rig, {
      patientId: 'p-e',
      messageId: 'a-e#reminder#1d#v1',
      dueAt: '2026-12-02T09:00:00.000Z',
    });
    await outboxItem(rig, {
      patientId: 'p-f',
      messageId: 'a-f#reminder#1d#v1',
      channel: 'email',
      dueAt: '2026-12-02T09:00:00.000Z',
    });

    await rig.sweep();
    const first = enqueuedIds(rig);
    rig.clock.advance({ minutes: 1 });
    await rig.sweep();
    const second = enqueuedIds(rig).slice(first.length);
    rig.clock.advance({ minutes: 1 });
    await rig.sweep();
    const third = enqueuedIds(rig).slice(first.length + second.length);

    expect(first).toEqual(['a-c#reminder#1d#v1', 'a-d#reminder#1d#v1', 'a-f#reminder#1d#v1']);
    expect(second).toEqual(['a-e#reminder#1d#v1', 'a-a#survey#2h#v2']);
    expect(third).toEqual(['a-b#survey#2h#v2']);
  });
});

describe('pacing within the minute', () => {
  it('spreads a burst over the minute at the channel’s rate instead of sending it in one second', async () => {
    const rig = rigFor({ settings: { smsPerSecond: 1, emailPerSecond: 1 } });
    rig.clock.set(DateTime.fromISO('2026-12-02T09:00:00Z', { zone: 'utc' }));
    for (const [index, due] of ['09:00:00', '09:00:00', '09:00:00', '09:00:30', '09:00:30'].entries()) {
      await outboxItem(rig, {
        patientId: `p-pace-${index}`,
        messageId: `a-pace-${index}#reminder#1d#v1`,
        dueAt: `2026-12-02T${due}.000Z`,
      });
    }

    await rig.sweep();

    const entries = rig.sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    // One a second, every tenth second (0, 10 …) kept for immediate sends: three due now go at
    // 1, 2, 3 s; the two due at 30 s go at 31 and 32 s.
    expect(entries.map((e) => e.DelaySeconds)).toEqual([1, 2, 3, 31, 32]);
  });
});

describe('priorities within the minute', () => {
  it('starts the medium texts in a second after the last high one, never beside it', async () => {
    // Three a second; of second 0 one part is kept for immediate sends, so it holds two.
    const rig = rigFor({ settings: { smsPerSecond: 3, emailPerSecond: 1 } });
    rig.clock.set(DateTime.fromISO('2026-12-02T09:00:00Z', { zone: 'utc' }));
    // The medium surveys have waited longest; the high reminders are due now.
    for (let index = 0; index < 3; index++)
      await outboxItem(rig, {
        patientId: `p-med-${index}`,
        messageId: `a-med-${index}#survey#2h#v1`,
        kind: 'survey',
        offset: '2h',
        priority: 'medium',
        dueAt: '2026-12-02T08:59:00.000Z',
      });
    for (let index = 0; index < 4; index++)
      await outboxItem(rig, {
        patientId: `p-high-${index}`,
        messageId: `a-high-${index}#reminder#2h#v1`,
        dueAt: '2026-12-02T09:00:00.000Z',
      });

    await rig.sweep();

    const entries = rig.sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    const delays = entries.map((e) => [JSON.parse(String(e.MessageBody)).messageId, e.DelaySeconds]);
    // High: two at 0 s, two at 1 s. Second 1 has room for one more, but the medium ones start at 2 s.
    expect(delays).toEqual([
      ['a-high-0#reminder#2h#v1', 0],
      ['a-high-1#reminder#2h#v1', 0],
      ['a-high-2#reminder#2h#v1', 1],
      ['a-high-3#reminder#2h#v1', 1],
      ['a-med-0#survey#2h#v1', 2],
      ['a-med-1#survey#2h#v1', 2],
      ['a-med-2#survey#2h#v1', 2],
    ]);
  });
});

describe('pacing across sweeps', () => {
  it('leaves for the next sweep what its pace would push into the next minute, so two sweeps never overlap', async () => {
    // 6 a minute (one every 10 s); twelve reminders due half a minute after the sweep.
    const rig = rigFor({ settings: { smsPerSecond: 6 / 60, emailPerSecond: 1 } });
    rig.clock.set(DateTime.fromISO('2026-12-02T09:00:00Z', { zone: 'utc' }));
    for (let index = 0; index < 12; index++) {
      await outboxItem(rig, {
        patientId: `p-over-${index}`,
        messageId: `a-over-${index}#reminder#1d#v1`,
        dueAt: '2026-12-02T09:00:30.000Z',
      });
    }

    await rig.sweep();
    rig.clock.advance({ minutes: 1 });
    await rig.driver.settle(); // the first sweep's three went out at :30, :40 and :50
    await rig.sweep();

    const [first, second] = rig.sqsMock
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries ?? []);
    // Sweep one sends at 09:00:30, :40, :50; sweep two from 09:01:00 on, every 10 s.
    expect(first?.map((e) => e.DelaySeconds)).toEqual([30, 40, 50]);
    expect(second?.map((e) => e.DelaySeconds)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(rig.telemetry.total('ClaimLostRace')).toBe(0);
  });
});

describe('a late or missed sweep', () => {
  it('catches up what is still useful and skips, with a reason, what is past its point', async () => {
    const rig = rigFor();
    // The schedule stopped for three hours; now it runs again.
    rig.clock.set(DateTime.fromISO('2026-12-07T18:00:00Z', { zone: 'utc' }));
    const stillUseful = await outboxItem(rig, {
      patientId: 'p-late-1',
      messageId: 'a-late-1#reminder#1d#v1',
      dueAt: '2026-12-07T15:00:00.000Z',
      notAfter: '2026-12-08T15:00:00.000Z',
    });
    const pointless = await outboxItem(rig, {
      patientId: 'p-late-2',
      messageId: 'a-late-2#reminder#2h#v1',
      dueAt: '2026-12-07T15:00:00.000Z',
      notAfter: '2026-12-07T17:00:00.000Z',
    });

    await rig.sweep();

    expect(enqueuedIds(rig)).toEqual([stillUseful.messageId]);
    const skipped = await rig.repos.messages.get({
      clinicId: 'demo-clinic',
      patientId: 'p-late-2',
      messageId: pointless.messageId,
    });
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'expired' });
    expect(rig.telemetry.total('MessagesExpired')).toBe(1);
  });

  it('delays each queued message by the seconds left until it is due', async () => {
    const rig = rigFor();
    rig.clock.set(DateTime.fromISO('2026-12-07T15:00:00Z', { zone: 'utc' }));
    await outboxItem(rig, {
      patientId: 'p-d1',
      messageId: 'a-d1#reminder#1d#v1',
      dueAt: '2026-12-07T15:00:45.000Z',
    });
    await outboxItem(rig, {
      patientId: 'p-d2',
      messageId: 'a-d2#reminder#1d#v1',
      dueAt: '2026-12-07T14:59:00.000Z',
    });
    await outboxItem(rig, {
      patientId: 'p-d3',
      messageId: 'a-d3#reminder#1d#v1',
      dueAt: '2026-12-07T15:01:01.000Z',
    });

    await rig.sweep();

    const entries = rig.sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries.map((e) => [JSON.parse(String(e.MessageBody)).messageId, e.DelaySeconds])).toEqual([
      ['a-d2#reminder#1d#v1', 0],
      ['a-d1#reminder#1d#v1', 45],
    ]);
  });
});
