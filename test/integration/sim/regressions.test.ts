/**
 * Bugs the simulator found (npm run simulate), each as the smallest test
 * that shows it fixed, named after the seed that found it. The seeds
 * themselves stay in the 50 that npm test runs.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
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
});
