/**
 * Bugs the simulator found (npm run simulate), each as the smallest test
 * that shows it fixed, named after the seed that found it. The seeds
 * themselves stay in the 50 that npm test runs.
 */
import { PublishCommand, ThrottledException } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { recountFromRaw } from '../../../shared/domain/counters';
import type { MessageRepository } from '../../../shared/ports/repositories';
import { usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();

describe('simulator findings', () => {
  it('sim seed 25: counts and publishes an unknown outcome even when the attempt died right after storing it', async () => {
    // Prepare: SNS never answers the confirmation; the Lambda dies right after storing `unknown`.
    let crashes = 1;
    const rig = rigFor({
      messages: (real: MessageRepository) =>
        new Proxy(real, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver);
            if (property !== 'finish') return typeof value === 'function' ? value.bind(target) : value;
            return async (...args: Parameters<MessageRepository['finish']>) => {
              const finished = await target.finish(...args);
              if (finished.status === 'unknown' && crashes-- > 0)
                throw new Error('injected crash after finish');
              return finished;
            };
          },
        }),
    });
    rig.snsMock
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const appointment = await rig.book('a-unknown', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
    });

    // Act: the queue delivers the failed send again after its visibility timeout.
    await rig.advanceTo('2026-12-01T15:10:00Z');

    // Assess: one provider call, the outcome stored once, counted and published despite the crash.
    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'unknown', reason: 'provider-no-answer' });
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(rig.telemetry.total('UnknownOutcome')).toBe(1);
    expect(
      rig
        .events()
        .filter((e) => e.detailType === 'MessageFailed')
        .map((e) => [e.detail.messageId, e.detail.status, e.detail.reason]),
    ).toEqual([['a-unknown#confirmation#-#v1', 'unknown', 'provider-no-answer']]);
  });

  it('sim seed 121: a message planning withdraws after a throttled attempt is not counted as a send outcome, nor recounted as one', async () => {
    // Prepare: the provider throttles the confirmation's first attempt, so it waits for its retry.
    const rig = rigFor();
    rig.smsFails(new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }), 1);
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const booked = await rig.book('a-withdrawn', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
    });
    await rig.advanceTo('2026-12-01T15:00:10Z');
    const waiting = (await rig.messagesOf(booked)).find((m) => m.kind === 'confirmation');
    expect(waiting?.attempts).toBe(1);
    expect(['pending', 'queued']).toContain(waiting?.status);

    // Act: staff cancel the visit before the retry; planning withdraws the confirmation.
    const cancelled = await rig.changeStatus(booked, { to: 'cancelled', by: 'clinic' });
    await rig.advanceTo('2026-12-01T16:00:00Z');

    // Assess: withdrawn, never sent; the day's counters are what a recount of the stored items says.
    const messages = await rig.messagesOf(cancelled);
    expect(messages.find((m) => m.kind === 'confirmation')).toMatchObject({ status: 'skipped', attempts: 1 });
    expect(messages.find((m) => m.kind === 'confirmation')?.sendingAt).toBeUndefined();
    const appointment = await rig.repos.appointments.get('demo-clinic', 'a-withdrawn');
    const recount = recountFromRaw(
      { messages, appointments: appointment ? [appointment] : [] },
      'America/New_York',
    );
    const days = await rig.repos.counters.readDays('demo-clinic', '2026-11-01', '2027-01-01');
    expect(days.map((d) => [d.day, d.counts])).toEqual([...recount.entries()]);
    expect(JSON.stringify([...recount.entries()])).not.toContain('confirmation');
  });

  it('sim seed 616: a message whose every delivery died while sending is settled by the sweep once its lease lapses, never sent twice', async () => {
    // Prepare: every attempt to store how the confirmation's send ended dies, so all five
    // receives of its queue message fail and SQS moves it to the dead-letter queue.
    let dying = true;
    const rig = rigFor({
      messages: (real: MessageRepository) =>
        new Proxy(real, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver);
            if (typeof value !== 'function') return value;
            if (property !== 'markSent' && property !== 'finish') return value.bind(target);
            return async (...args: unknown[]) => {
              if (dying) throw new Error(`injected crash before ${String(property)}`);
              return value.apply(target, args);
            };
          },
        }),
    });
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const booked = await rig.book('a-stuck', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
    });
    await rig.advanceTo('2026-12-01T15:12:00Z');
    const stuck = (await rig.messagesOf(booked)).find((m) => m.kind === 'confirmation');
    expect(stuck?.status).toBe('sending');
    expect(rig.queue.deadLetters).toHaveLength(1);

    // Act: the cause is gone (a deploy); the sweeps go on.
    dying = false;
    await rig.advanceTo('2026-12-01T15:40:00Z');

    // Assess: once its lease lapsed a sweep took it back and send-message settled it as
    // unknown (the provider may have taken it), counted and published, with no second call.
    const settled = (await rig.messagesOf(booked)).find((m) => m.kind === 'confirmation');
    expect(settled).toMatchObject({ status: 'unknown', reason: 'interrupted-attempt' });
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(rig.telemetry.total('LapsedAttemptRetaken')).toBe(1);
    expect(rig.telemetry.total('UnknownOutcome')).toBe(1);
    expect(
      rig
        .events()
        .filter((e) => e.detailType === 'MessageFailed')
        .map((e) => [e.detail.messageId, e.detail.status]),
    ).toEqual([['a-stuck#confirmation#-#v1', 'unknown']]);
  });
});
