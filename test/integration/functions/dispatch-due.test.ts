import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { handler } from '../../../functions/dispatch-due/handler';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { toUtcIso } from '../../../shared/domain/time';
import { makeMessage } from '../../support/factories';
import { LAMBDA_CONTEXT, SEND_QUEUE_URL, useShippedHandlerEnvironment } from '../../support/shipped';

const tables = useShippedHandlerEnvironment('dispatch-due');
const sqs = mockClient(SQSClient);
afterAll(() => sqs.restore());

const SCHEDULED_EVENT = {
  version: '0',
  id: 'event-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '123456789012',
  time: '2026-12-01T15:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {},
} as ScheduledEvent;

describe('the shipped dispatch-due handler', () => {
  it('claims what is due within the minute and queues it on SQS with its delay, leaving later items due', async () => {
    // Prepare: one message due in 20 s, one in 10 min (the handler runs on the real clock).
    const now = DateTime.utc();
    const repos = makeRepositories(tables.clients.doc, tables.names);
    const soon = makeMessage({
      patientId: 'p-soon',
      messageId: 'a-soon#reminder#1d#v1',
      dueAt: toUtcIso(now.plus({ seconds: 20 })),
      plannedAt: toUtcIso(now.plus({ seconds: 20 })),
      notAfter: toUtcIso(now.plus({ days: 1 })),
    });
    const later = makeMessage({
      patientId: 'p-later',
      messageId: 'a-later#reminder#1d#v1',
      dueAt: toUtcIso(now.plus({ minutes: 10 })),
      plannedAt: toUtcIso(now.plus({ minutes: 10 })),
      notAfter: toUtcIso(now.plus({ days: 1 })),
    });
    await repos.messages.create(soon);
    await repos.messages.create(later);
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: entry.Id, MD5OfMessageBody: '' })),
      Failed: [],
    }));

    // Act
    const summary = await handler(SCHEDULED_EVENT, LAMBDA_CONTEXT);

    // Assess: the exact queue message, ids and the claim token only.
    expect(summary).toMatchObject({ enqueued: { sms: 1, email: 0 }, expired: 0, lostRaces: 0, requeued: 0 });
    const stored = await repos.messages.get({
      clinicId: soon.clinicId,
      patientId: soon.patientId,
      messageId: soon.messageId,
    });
    expect(stored?.status).toBe('queued');
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toEqual({
      QueueUrl: SEND_QUEUE_URL,
      Entries: [
        {
          Id: expect.any(String),
          MessageBody: JSON.stringify({
            clinicId: soon.clinicId,
            patientId: soon.patientId,
            messageId: soon.messageId,
            token: stored?.claimToken,
          }),
          DelaySeconds: expect.any(Number),
        },
      ],
    });
    const delay = input?.Entries?.[0]?.DelaySeconds ?? -1;
    expect(delay).toBeGreaterThanOrEqual(18);
    expect(delay).toBeLessThanOrEqual(20);
    const untouched = await repos.messages.get({
      clinicId: later.clinicId,
      patientId: later.patientId,
      messageId: later.messageId,
    });
    expect(untouched?.status).toBe('pending');
  });
});
