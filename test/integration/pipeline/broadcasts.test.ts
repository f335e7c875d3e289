import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CapturingLogger, RecordingTelemetry } from '../../../shared/adapters/local/recorders';
import type { Patient } from '../../../shared/domain/model';
import type { BroadcastRepository, MessageRepository } from '../../../shared/ports/repositories';
import { type FanOutDeps, fanOutDueBroadcasts } from '../../../shared/use-cases/fan-out-broadcasts';
import { makeBroadcast, makeClinic, makePatient, TEST_NOW } from '../../support/factories';
import { type PipelineRig, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();
const CONSENT = { at: TEST_NOW, source: 'written' as const };
const SEND_AT = '2026-12-02T15:00:00.000Z';

class Crash extends Error {}

/** 60 patients: every 10th without the updates consent, every 7th (from 3) opted out of its one channel. */
function audience(): Patient[] {
  return Array.from({ length: 60 }, (_, index) =>
    makePatient({
      patientId: `p-${String(index).padStart(3, '0')}`,
      channels: ['sms'],
      consent: index % 10 === 0 ? {} : { updates: CONSENT },
      ...(index % 7 === 3 && index % 10 !== 0
        ? { optOuts: { sms: { at: TEST_NOW, source: 'patient' } } }
        : {}),
    }),
  );
}
const EXPECTED = { planned: 60 - 6 - 8, noConsent: 6, optedOut: 8 };

async function seedAudience(rig: PipelineRig, patients: Patient[]) {
  await rig.repos.clinics.put(makeClinic(), null);
  await Promise.all(patients.map((patient) => rig.repos.patients.put(patient, null)));
  await rig.repos.broadcasts.put(makeBroadcast({ audience: { topic: 'updates' }, sendAt: SEND_AT }), null);
}

/** The fan-out's use case over the rig's tables, 10 patients a page, with the given wrappers. */
function fanOutDeps(
  rig: PipelineRig,
  wrap: { messages?: MessageRepository; broadcasts?: BroadcastRepository } = {},
): FanOutDeps {
  return {
    clinics: rig.repos.clinics,
    patients: rig.repos.patients,
    appointments: rig.repos.appointments,
    broadcasts: wrap.broadcasts ?? rig.repos.broadcasts,
    messages: wrap.messages ?? rig.repos.messages,
    clock: rig.clock,
    logger: new CapturingLogger(),
    telemetry: new RecordingTelemetry(),
    config: { pageSize: 10, maxPagesPerRun: 100 },
  };
}

async function runUntilPlanned(deps: FanOutDeps): Promise<number> {
  let crashes = 0;
  for (let run = 0; run < 20; run += 1) {
    try {
      const summary = await fanOutDueBroadcasts(deps);
      if (summary.broadcasts === 0) return crashes;
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
      crashes += 1;
    }
  }
  throw new Error('the fan-out never finished');
}

async function broadcastMessages(rig: PipelineRig, patients: Patient[]) {
  const lists = await Promise.all(
    patients.map((patient) => rig.repos.messages.listForPatient('demo-clinic', patient.patientId)),
  );
  return lists.flat().filter((message) => message.kind === 'broadcast');
}

async function expectPlannedExactlyOnce(rig: PipelineRig, patients: Patient[]) {
  const messages = await broadcastMessages(rig, patients);
  const broadcast = await rig.repos.broadcasts.get('demo-clinic', 'b-1');
  expect(messages).toHaveLength(EXPECTED.planned);
  expect(new Set(messages.map((message) => message.patientId)).size).toBe(EXPECTED.planned);
  expect(broadcast).toMatchObject({
    status: 'planned',
    planned: EXPECTED.planned,
    skipped: { 'no-consent': EXPECTED.noConsent, 'opted-out': EXPECTED.optedOut },
    // Six full pages, and the empty one that DynamoDB's last key of a full page leads to.
    fanOut: { pages: 7 },
  });
  expect(await rig.repos.broadcasts.dueForFanOut('2030-01-01T00:00:00.000Z', 10)).toEqual([]);
}

describe('broadcast fan-out, resumed after a crash (DynamoDB Local)', () => {
  it('plans every recipient exactly once after a crash at a page boundary (after page 2 was recorded, before page 3)', async () => {
    // Prepare
    const rig = rigFor();
    const patients = audience();
    await seedAudience(rig, patients);
    rig.clock.set(DateTime.fromISO('2026-12-02T14:45:00Z', { zone: 'utc' }));
    const real = rig.repos.broadcasts;
    let advances = 0;
    const crashing: BroadcastRepository = Object.assign(Object.create(real), {
      async advanceFanOut(...args: Parameters<BroadcastRepository['advanceFanOut']>) {
        const done = await real.advanceFanOut(...args);
        if (++advances === 2) throw new Crash('crash after the second page was recorded');
        return done;
      },
    });

    // Act
    const crashes = await runUntilPlanned(fanOutDeps(rig, { broadcasts: crashing }));

    // Assess
    expect(crashes).toBe(1);
    await expectPlannedExactlyOnce(rig, patients);
  });

  it('plans every recipient exactly once after a crash in the middle of a page, and again before a page was recorded', async () => {
    // Prepare
    const rig = rigFor();
    const patients = audience();
    await seedAudience(rig, patients);
    rig.clock.set(DateTime.fromISO('2026-12-02T14:45:00Z', { zone: 'utc' }));
    const realMessages = rig.repos.messages;
    let creates = 0;
    const midPage: MessageRepository = Object.assign(Object.create(realMessages), {
      async create(...args: Parameters<MessageRepository['create']>) {
        // The 25th create is the 5th recipient of page 3 (pages hold 7–9 recipients).
        if (++creates === 25) throw new Crash('crash in the middle of a page');
        return realMessages.create(...args);
      },
    });
    const realBroadcasts = rig.repos.broadcasts;
    let advances = 0;
    const beforeRecord: BroadcastRepository = Object.assign(Object.create(realBroadcasts), {
      async advanceFanOut(...args: Parameters<BroadcastRepository['advanceFanOut']>) {
        if (++advances === 5) throw new Crash('crash with a page planned but not recorded');
        return realBroadcasts.advanceFanOut(...args);
      },
    });

    // Act
    const crashes = await runUntilPlanned(fanOutDeps(rig, { messages: midPage, broadcasts: beforeRecord }));

    // Assess
    expect(crashes).toBe(2);
    await expectPlannedExactlyOnce(rig, patients);
  });

  it('plans nothing more once cancelled in flight, and a repeated fan-out creates nothing twice', async () => {
    // Prepare: two pages planned, then staff cancel.
    const rig = rigFor();
    const patients = audience();
    await seedAudience(rig, patients);
    rig.clock.set(DateTime.fromISO('2026-12-02T14:45:00Z', { zone: 'utc' }));
    await fanOutDueBroadcasts({ ...fanOutDeps(rig), config: { pageSize: 10, maxPagesPerRun: 2 } });
    const planned = await broadcastMessages(rig, patients);
    await rig.repos.broadcasts.cancel('demo-clinic', 'b-1', '2026-12-02T14:46:00.000Z');

    // Act
    const after = await fanOutDueBroadcasts(fanOutDeps(rig));

    // Assess
    expect(after.pages).toBe(0);
    expect(await broadcastMessages(rig, patients)).toHaveLength(planned.length);
    expect(await rig.repos.broadcasts.get('demo-clinic', 'b-1')).toMatchObject({
      status: 'cancelled',
      planned: planned.length,
      fanOut: { pages: 2 },
    });
  });
});

describe('broadcasts through the shipped handlers', () => {
  it('sends each recipient the text in their language with the opt-out line, holds quiet hours, skips no-consent, and counts the progress', async () => {
    // Prepare
    const rig = rigFor();
    await rig.repos.clinics.put(makeClinic(), null);
    await rig.repos.patients.put(
      makePatient({ patientId: 'p-1', channels: ['sms'], consent: { updates: CONSENT } }),
      null,
    );
    await rig.repos.patients.put(
      makePatient({ patientId: 'p-2', language: 'es', channels: ['email'], consent: { updates: CONSENT } }),
      null,
    );
    await rig.repos.patients.put(
      makePatient({
        patientId: 'p-3',
        phone: '+14155550124',
        channels: ['sms'],
        timeZone: 'Asia/Tokyo',
        consent: { updates: CONSENT },
      }),
      null,
    );
    await rig.repos.patients.put(makePatient({ patientId: 'p-4', channels: ['sms'] }), null);
    await rig.repos.broadcasts.put(
      makeBroadcast({
        text: { en: 'Hi {{firstName}}, flu shots are in.', es: 'Hola {{firstName}}, ya hay vacunas.' },
        audience: { patientIds: ['p-1', 'p-2', 'p-3', 'p-4'] },
        sendAt: SEND_AT,
      }),
      null,
    );

    // Act: the sweep at 14:50 fans out; sends follow at 15:00 (10:00 New York, midnight in Tokyo).
    rig.clock.set(DateTime.fromISO('2026-12-02T14:50:00Z', { zone: 'utc' }));
    await rig.sweep();
    const tokyo = await rig.repos.messages.get({
      clinicId: 'demo-clinic',
      patientId: 'p-3',
      messageId: '~broadcast#b-1',
    });
    await rig.driver.advanceTo(DateTime.fromISO('2026-12-02T15:05:00Z', { zone: 'utc' }));
    const midway = await rig.repos.broadcasts.get('demo-clinic', 'b-1');
    await rig.driver.advanceTo(DateTime.fromISO('2026-12-02T23:05:00Z', { zone: 'utc' }));

    // Assess
    expect(rig.sweepErrors).toEqual([]);
    expect(tokyo).toMatchObject({
      status: 'pending',
      dueAt: '2026-12-02T23:00:00.000Z',
      reason: 'quiet-hours',
      priority: 'medium',
    });
    expect(rig.snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input.Message)).toEqual([
      'Hi Ana, flu shots are in.\nReply STOP to opt out.',
      'Hi Ana, flu shots are in.\nReply STOP to opt out.',
    ]);
    expect(rig.calls.map((call) => [call.to, call.at.slice(11, 16)])).toEqual([
      ['+14155552671', '15:00'],
      ['ana.rivera@example.com', '15:00'],
      ['+14155550124', '23:00'],
    ]);
    const email = rig.sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(email?.Content?.Simple?.Body?.Text?.Data).toBe(
      'Hola Ana, ya hay vacunas.\nSi no desea recibir más correos, llámenos al (202) 555-0143.',
    );
    expect(midway).toMatchObject({ planned: 3, sent: 2, skipped: { 'no-consent': 1 } });
    expect(await rig.repos.broadcasts.get('demo-clinic', 'b-1')).toMatchObject({
      status: 'planned',
      planned: 3,
      sent: 3,
      failed: 0,
      skipped: { 'no-consent': 1 },
    });
  });

  it('skips every message not sent yet broadcast-cancelled once cancelled, and counts them', async () => {
    // Prepare: planned, then cancelled before its send time.
    const rig = rigFor();
    await rig.repos.clinics.put(makeClinic(), null);
    for (const patientId of ['p-1', 'p-2']) {
      await rig.repos.patients.put(
        makePatient({ patientId, channels: ['sms'], consent: { updates: CONSENT } }),
        null,
      );
    }
    await rig.repos.broadcasts.put(
      makeBroadcast({ audience: { patientIds: ['p-1', 'p-2'] }, sendAt: SEND_AT }),
      null,
    );
    rig.clock.set(DateTime.fromISO('2026-12-02T14:50:00Z', { zone: 'utc' }));
    await rig.sweep();
    await rig.repos.broadcasts.cancel('demo-clinic', 'b-1', '2026-12-02T14:55:00.000Z');

    // Act
    await rig.driver.advanceTo(DateTime.fromISO('2026-12-02T15:05:00Z', { zone: 'utc' }));

    // Assess
    expect(rig.calls).toEqual([]);
    const message = await rig.repos.messages.get({
      clinicId: 'demo-clinic',
      patientId: 'p-1',
      messageId: '~broadcast#b-1',
    });
    expect(message).toMatchObject({ status: 'skipped', reason: 'broadcast-cancelled' });
    expect(await rig.repos.broadcasts.get('demo-clinic', 'b-1')).toMatchObject({
      status: 'cancelled',
      planned: 2,
      sent: 0,
      skipped: { 'broadcast-cancelled': 2 },
    });
  });
});
