import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Appointment, Message } from '../../../shared/domain/model';
import type { MessageRepository } from '../../../shared/ports/repositories';
import { makeAppointment } from '../../support/factories';
import { PLAN_DLQ_URL, SEND_DLQ_URL, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();
const context = {} as Context;

function streamRecord(
  sequence: string,
  image: Record<string, unknown>,
  keys = { clinicId: 'demo-clinic', appointmentId: 'a-stream' },
): DynamoDBRecord {
  return {
    eventID: `event-${sequence}`,
    eventName: 'MODIFY',
    dynamodb: {
      Keys: marshall(keys) as never,
      NewImage: marshall(image, { removeUndefinedValues: true }) as never,
      SequenceNumber: sequence,
    },
  };
}

/** Messages without the fields that change as they move, to compare plans. */
function snapshot(messages: Message[]) {
  return messages.map((m) => ({
    id: m.messageId,
    status: m.status,
    rev: m.rev,
    planVersion: m.planVersion,
    dueAt: m.dueAt,
  }));
}

describe('stream replays and order', () => {
  it('plans nothing new when the whole stream is delivered again', async () => {
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const booked = await rig.book('a-replay', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
    });
    const moved = await rig.update(booked, { startAt: '2026-12-09T15:00:00Z' });
    await rig.driver.settle();
    const before = snapshot(await rig.messagesOf(moved));

    const replayed = await rig.replayStream();

    expect(replayed).toBe(2);
    expect(snapshot(await rig.messagesOf(moved))).toEqual(before);
    expect(rig.telemetry.total('PlanIgnoredOlderVersion')).toBe(1);
  });

  it('ignores an older version that arrives after a newer one', async () => {
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const booked = await rig.book('a-stream', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
    });
    const cancelled = await rig.changeStatus(booked, { to: 'cancelled', by: 'clinic' });
    await rig.driver.settle();
    const before = snapshot(await rig.messagesOf(cancelled));

    const result = await rig.plan({ Records: [streamRecord('900', booked)] }, context);

    expect(result.batchItemFailures).toEqual([]);
    expect(snapshot(await rig.messagesOf(cancelled))).toEqual(before);
  });
});

describe('records that can never be planned', () => {
  it('sets a malformed change aside with its ids and reason, and goes on with the batch', async () => {
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const good = makeAppointment({ appointmentId: 'a-good', patientId: patient.patientId });
    const { startAt: _dropped, ...broken } = makeAppointment({ appointmentId: 'a-stream' });

    const result = await rig.plan(
      {
        Records: [
          streamRecord('100', broken),
          streamRecord('101', good, { clinicId: 'demo-clinic', appointmentId: 'a-good' }),
        ],
      },
      context,
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(rig.sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: PLAN_DLQ_URL,
      MessageBody: JSON.stringify({
        source: 'plan-messages',
        reason: 'malformed-record',
        ids: {
          clinicId: 'demo-clinic',
          appointmentId: 'a-stream',
          sequenceNumber: '100',
          eventId: 'event-100',
        },
      }),
    });
    expect((await rig.messagesOf(good)).length).toBeGreaterThan(0);
  });

  it('sets aside a change for a clinic that does not exist', async () => {
    const rig = rigFor();
    const ghost = makeAppointment({ clinicId: 'ghost-clinic', appointmentId: 'a-ghost' });
    await rig.clients.doc.send(new PutCommand({ TableName: rig.names.appointments, Item: ghost }));

    await rig.driver.settle();

    expect(rig.setAside).toEqual([
      {
        source: 'plan-messages',
        reason: 'unknown-clinic',
        ids: expect.objectContaining({ clinicId: 'ghost-clinic', appointmentId: 'a-ghost' }),
      },
    ]);
    expect(rig.telemetry.total('ChangeSetAside')).toBe(1);
  });

  it('stops the batch at a record that failed for a passing reason, so nothing overtakes it', async () => {
    let failures = 1;
    const rig = rigFor({
      messages: (real: MessageRepository) =>
        new Proxy(real, {
          get(target, property, receiver) {
            const value = Reflect.get(target, property, receiver);
            if (property === 'listForPatient') {
              return async (...args: [string, string]) => {
                if (failures-- > 0) throw new Error('DynamoDB is briefly unavailable');
                return target.listForPatient(...args);
              };
            }
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    });
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const first: Appointment = makeAppointment({ appointmentId: 'a-first', patientId: patient.patientId });
    const second: Appointment = makeAppointment({ appointmentId: 'a-second', patientId: patient.patientId });

    const result = await rig.plan(
      {
        Records: [
          streamRecord('200', first, { clinicId: 'demo-clinic', appointmentId: 'a-first' }),
          streamRecord('201', second, { clinicId: 'demo-clinic', appointmentId: 'a-second' }),
        ],
      },
      context,
    );

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(await rig.messagesOf(second)).toEqual([]);
  });
});

describe('queue messages that are not send requests', () => {
  it('sets them aside instead of retrying them', async () => {
    const rig = rigFor();

    const result = await rig.send(
      { Records: [{ messageId: 'sqs-1', body: '{"hello":"world"}' } as SQSRecord] },
      context,
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(rig.sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: SEND_DLQ_URL,
      MessageBody: JSON.stringify({
        source: 'send-message',
        reason: 'malformed-request',
        ids: { sqsMessageId: 'sqs-1' },
      }),
    });
  });
});
