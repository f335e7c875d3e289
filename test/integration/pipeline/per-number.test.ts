import { SendTextMessageCommand, ThrottlingException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { SHARED_LANE } from '../../../shared/config/settings';
import type { Message, OriginationIdentity } from '../../../shared/domain/model';
import { makeMessage } from '../../support/factories';
import { type PipelineRig, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();
const SWEEP_AT = '2026-12-02T09:00:00Z';

function identity(n: number): OriginationIdentity {
  return {
    id: `phone-${String(n).padStart(32, '0')}`,
    number: `+1888555${String(n).padStart(4, '0')}`,
    numberType: 'toll-free',
  };
}

/** What the sweeps handed the queue: message id, clinic and delay of each entry. */
function enqueued(rig: PipelineRig): { messageId: string; clinicId: string; delay: number }[] {
  return rig.sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) =>
    (call.args[0].input.Entries ?? []).map((entry) => {
      const body = JSON.parse(String(entry.MessageBody)) as { messageId: string; clinicId: string };
      return { messageId: body.messageId, clinicId: body.clinicId, delay: entry.DelaySeconds ?? 0 };
    }),
  );
}

/** Entries per second of delay, for one clinic. */
function perSecond(entries: { clinicId: string; delay: number }[], clinicId: string): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of entries.filter((e) => e.clinicId === clinicId))
    seconds.set(entry.delay, (seconds.get(entry.delay) ?? 0) + 1);
  return seconds;
}

async function due(rig: PipelineRig, count: number, overrides: Partial<Message>): Promise<void> {
  const prefix = `${overrides.clinicId}-${overrides.kind ?? 'reminder'}-${overrides.dueAt}`;
  await Promise.all(
    Array.from({ length: count }, (_, index) =>
      rig.repos.messages.create(
        makeMessage({
          patientId: `p-${index}`,
          messageId: `a-${prefix.replace(/[^a-z0-9-]/g, '')}-${index}#${overrides.kind ?? 'reminder'}#1d#v1`,
          notAfter: '2026-12-31T00:00:00.000Z',
          dueAt: '2026-12-02T09:00:00.000Z',
          ...overrides,
        }),
      ),
    ),
  );
}

describe('a budget per number', () => {
  it('sends clinic B’s one reminder at its due second while clinic A’s burst, due with it, is paced on A’s own number', async () => {
    const rig = rigFor({
      settings: {
        smsPerSecond: 1,
        ownNumbers: new Map([
          ['clinic-a', 3],
          ['clinic-b', 3],
        ]),
      },
    });
    rig.clock.set(DateTime.fromISO(SWEEP_AT, { zone: 'utc' }));
    await rig.seedClinic({ clinicId: 'clinic-a', originationIdentity: identity(1) });
    await rig.seedClinic({ clinicId: 'clinic-b', originationIdentity: identity(2) });
    // A's 300 are older by a second than B's one: a single queue would send B last.
    await due(rig, 300, { clinicId: 'clinic-a', ownNumber: true, dueAt: '2026-12-02T08:59:59.000Z' });
    await due(rig, 1, { clinicId: 'clinic-b', ownNumber: true });

    await rig.sweep();

    const entries = enqueued(rig);
    expect(entries.filter((e) => e.clinicId === 'clinic-b')).toEqual([expect.objectContaining({ delay: 0 })]);
    const a = perSecond(entries, 'clinic-a');
    // One minute of A's number (3 a second) less the tenth kept for immediate sends, every second of it, never more.
    expect([...a.values()].reduce((sum, n) => sum + n, 0)).toBe(162);
    expect(Math.max(...a.values())).toBe(3);
    expect([...a.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, s) => s));
  });

  it('counts parts: a three-part survey fills a second of a number that sends three parts a second', async () => {
    const rig = rigFor({ settings: { smsPerSecond: 1, ownNumbers: new Map([['clinic-a', 3]]) } });
    rig.clock.set(DateTime.fromISO(SWEEP_AT, { zone: 'utc' }));
    await rig.seedClinic({ clinicId: 'clinic-a', originationIdentity: identity(1) });
    await due(rig, 2, { clinicId: 'clinic-a', ownNumber: true, kind: 'survey', priority: 'high' });
    await due(rig, 4, { clinicId: 'clinic-a', ownNumber: true, dueAt: '2026-12-02T09:00:01.000Z' });

    await rig.sweep();

    // Surveys take the clinic's segment budget for them (3 by default), reminders 1. Seconds 0
    // and 3 keep a part for immediate sends: the first survey takes second 0's two and one of
    // second 1's, the second survey all of second 2.
    const delays = enqueued(rig).map((e) => `${e.messageId.split('#')[1]}@${e.delay}`);
    expect(delays).toEqual(['survey@0', 'survey@2', 'reminder@1', 'reminder@1', 'reminder@3', 'reminder@3']);
  });

  it('makes clinics on the shared number share its budget, and keeps a clinic with its own number out of it', async () => {
    const rig = rigFor({ settings: { smsPerSecond: 1, ownNumbers: new Map([['clinic-a', 3]]) } });
    rig.clock.set(DateTime.fromISO(SWEEP_AT, { zone: 'utc' }));
    await rig.seedClinic({ clinicId: 'clinic-a', originationIdentity: identity(1) });
    await due(rig, 40, { clinicId: 'east', dueAt: '2026-12-02T08:59:00.000Z' });
    await due(rig, 40, { clinicId: 'west' });
    await due(rig, 3, { clinicId: 'clinic-a', ownNumber: true });

    await rig.sweep();

    const entries = enqueued(rig);
    const shared = entries.filter((e) => e.clinicId !== 'clinic-a');
    // 60 a minute on the shared number, less the 6 kept for immediate sends (seconds 0, 10 … 50):
    // east's older 40 first, then 14 of west's.
    expect(shared.filter((e) => e.clinicId === 'east')).toHaveLength(40);
    expect(shared.filter((e) => e.clinicId === 'west')).toHaveLength(14);
    expect(shared.map((e) => e.delay)).toEqual(
      Array.from({ length: 60 }, (_, s) => s).filter((s) => s % 10 !== 0),
    );
    expect(entries.filter((e) => e.clinicId === 'clinic-a').map((e) => e.delay)).toEqual([0, 0, 1]);
  });

  it('charges a text planned before its clinic had a number of its own to that number, wherever the index holds it', async () => {
    const rig = rigFor({ settings: { smsPerSecond: 20, ownNumbers: new Map([['clinic-a', 1]]) } });
    rig.clock.set(DateTime.fromISO(SWEEP_AT, { zone: 'utc' }));
    await rig.seedClinic({ clinicId: 'clinic-a', originationIdentity: identity(1) });
    // Planned under the earlier layout: in the shared number's partitions.
    await due(rig, 5, { clinicId: 'clinic-a', dueAt: '2026-12-02T08:30:00.000Z' });

    await rig.sweep();

    // Paced at clinic-a's own 1 a second; second 0 is kept for immediate sends.
    expect(enqueued(rig).map((e) => e.delay)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('a provider throttle on one number', () => {
  it('halves that number’s next minute only, counts it per number, and recovers the minute after', async () => {
    // Prepare: north and south each have their own number at 3 parts a second.
    const rig = rigFor({
      settings: {
        smsPerSecond: 1,
        ownNumbers: new Map([
          ['north', 3],
          ['south', 3],
        ]),
      },
    });
    const north = await rig.seedClinic({ clinicId: 'north', originationIdentity: identity(1) });
    await rig.seedClinic({ clinicId: 'south', originationIdentity: identity(2) });
    const patient = await rig.seedPatient({ clinicId: north.clinicId });
    rig.clock.set(DateTime.fromISO('2026-12-01T15:00:10Z', { zone: 'utc' }));
    // A clinic with its own number texts through End User Messaging.
    rig.eumFails(
      new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
      1,
    );
    // North’s booking confirmation goes out at once (no sweep) and the provider throttles it.
    await rig.book(
      'a-throttled',
      { patientId: patient.patientId, startAt: '2026-12-08T15:00:00Z', durationMinutes: 30 },
      'north',
    );
    await rig.driver.settle();
    expect(rig.eumMock.commandCalls(SendTextMessageCommand)).toHaveLength(1);
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(rig.telemetry.totalWhere('ProviderThrottled', { lane: 'north' })).toBe(1);
    expect(rig.telemetry.totalWhere('ProviderThrottled', { lane: 'south' })).toBe(0);

    const minute = rig.clock.now().startOf('minute').plus({ minutes: 1 });
    const dueAt = minute.toUTC().toISO() as string;
    await due(rig, 200, { clinicId: 'north', ownNumber: true, dueAt });
    await due(rig, 200, { clinicId: 'south', ownNumber: true, dueAt });
    const before = enqueued(rig).length;

    // Act: the minute after the throttle, and the minute after that.
    rig.clock.set(minute);
    await rig.sweep();
    const halved = enqueued(rig).slice(before);
    rig.clock.set(minute.plus({ minutes: 1 }));
    await rig.sweep();
    const recovered = enqueued(rig).slice(before + halved.length);

    // Assess: north sends 1.5 a second for a minute (90, less the 18 parts its full rate keeps
    // for immediate sends), south its full minute (180 less 18); then north is whole again and
    // takes the reminders left.
    const of = (entries: typeof halved, clinicId: string) => entries.filter((e) => e.clinicId === clinicId);
    const reminders = (entries: typeof halved) => entries.filter((e) => e.messageId.includes('#reminder#'));
    expect(of(halved, 'north')).toHaveLength(72);
    expect(Math.max(...perSecond(halved, 'north').values())).toBe(2);
    expect(of(halved, 'south')).toHaveLength(162);
    expect(reminders(of(recovered, 'north'))).toHaveLength(200 - reminders(of(halved, 'north')).length);
    expect(of(recovered, 'south')).toHaveLength(38);
    expect(rig.telemetry.totalWhere('LaneBudgetHalved', { lane: 'north' })).toBe(1);
    expect(rig.telemetry.totalWhere('LaneBudgetHalved', { lane: 'south' })).toBe(0);
    expect(rig.telemetry.totalWhere('LaneBudgetHalved', { lane: SHARED_LANE })).toBe(0);
  });
});
