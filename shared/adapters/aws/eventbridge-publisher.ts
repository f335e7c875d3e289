import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DomainEvent, EVENT_SOURCE, type EventPublisher } from '../../ports/outbound';

const BATCH = 10;

/** Publishes to the project's bus; throws if any entry was refused, so the caller can retry. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += BATCH) {
      const batch = events.slice(start, start + BATCH);
      const { FailedEntryCount = 0, Entries = [] } = await this.events.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if (FailedEntryCount > 0) {
        const codes = Entries.filter((entry) => entry.ErrorCode).map((entry) => entry.ErrorCode);
        throw new Error(
          `EventBridge refused ${FailedEntryCount} of ${batch.length} events: ${codes.join(', ')}`,
        );
      }
    }
  }
}
