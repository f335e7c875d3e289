import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../shared/adapters/aws/eventbridge-publisher';
import type { DomainEvent } from '../../../shared/ports/outbound';

const events = mockClient(EventBridgeClient);

afterEach(() => {
  events.reset();
});

const event = (messageId: string): DomainEvent => ({
  detailType: 'MessageSent',
  detail: { clinicId: 'demo-clinic', messageId },
});

describe('EventBridge publisher', () => {
  it('sends again only the entries the bus refused', async () => {
    events
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e-1' }, { ErrorCode: 'ThrottlingException' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });

    await new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'bus').publish([
      event('m-1'),
      event('m-2'),
    ]);

    const calls = events
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries?.map((e) => e.Detail));
    expect(calls).toEqual([
      [JSON.stringify(event('m-1').detail), JSON.stringify(event('m-2').detail)],
      [JSON.stringify(event('m-2').detail)],
    ]);
  });

  it('gives up with an error after three refusals, naming the codes', async () => {
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });

    await expect(
      new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'bus').publish([event('m-1')]),
    ).rejects.toThrow(/refused 1 of 1 events: InternalFailure/);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  it('puts at most ten entries in one request, on the named bus with the project source', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });

    await new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'bus').publish(
      Array.from({ length: 12 }, (_, i) => event(`m-${i}`)),
    );

    const inputs = events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
    expect(inputs.map((entries) => entries.length)).toEqual([10, 2]);
    expect(inputs[0]?.[0]).toEqual({
      EventBusName: 'bus',
      Source: 'clinic-reminders',
      DetailType: 'MessageSent',
      Detail: JSON.stringify(event('m-0').detail),
    });
  });
});
