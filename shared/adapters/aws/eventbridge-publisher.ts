import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DomainEvent, EVENT_SOURCE, type EventPublisher } from '../../ports/outbound';

const BATCH = 10;
const MAX_ATTEMPTS = 3;

/** Publishes to the project's bus; entries it refuses are sent again, and an error is thrown if some are still refused. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += BATCH) {
      await this.publishBatch(events.slice(start, start + BATCH));
    }
  }

  /** PutEvents can refuse some entries of a batch; those are sent again, a few times. */
  private async publishBatch(batch: readonly DomainEvent[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const { FailedEntryCount = 0, Entries = [] } = await this.events.send(
        new PutEventsCommand({
          Entries: pending.map((event) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if (FailedEntryCount === 0) return;
      const refused = pending.filter((_, index) => Entries[index]?.ErrorCode);
      if (attempt >= MAX_ATTEMPTS) {
        const codes = Entries.filter((entry) => entry.ErrorCode).map((entry) => entry.ErrorCode);
        throw new Error(
          `EventBridge refused ${refused.length} of ${batch.length} events: ${codes.join(', ')}`,
        );
      }
      pending = refused;
    }
  }
}
