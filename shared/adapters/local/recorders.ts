/**
 * In-memory stand-ins for the outbound AWS services, used by local mode and
 * by tests that need no exact command input (those use aws-sdk-client-mock).
 */
import type { AppLogger, DeadLetters, DomainEvent, EventPublisher, Telemetry } from '../../ports/outbound';

export class RecordingEventPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

export class RecordingDeadLetters implements DeadLetters {
  readonly entries: { source: string; reason: string; ids: Record<string, string | undefined> }[] = [];

  async setAside(entry: {
    source: string;
    reason: string;
    ids: Record<string, string | undefined>;
  }): Promise<void> {
    this.entries.push(entry);
  }
}

export class RecordingTelemetry implements Telemetry {
  readonly counts = new Map<string, number>();
  /** Every count with its dimensions, in order. */
  readonly counted: { metric: string; value: number; dimensions?: Record<string, string> }[] = [];
  readonly observations: { metric: string; value: number; dimensions?: Record<string, string> }[] = [];

  count(metric: string, value = 1, dimensions?: Record<string, string>): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + value);
    this.counted.push({ metric, value, ...(dimensions ? { dimensions } : {}) });
  }

  /** The sum of one metric's counts whose dimensions include `dimensions`. */
  totalWhere(metric: string, dimensions: Record<string, string>): number {
    return this.counted
      .filter(
        (entry) =>
          entry.metric === metric &&
          Object.entries(dimensions).every(([name, value]) => entry.dimensions?.[name] === value),
      )
      .reduce((sum, entry) => sum + entry.value, 0);
  }

  seconds(metric: string, value: number, dimensions?: Record<string, string>): void {
    this.observations.push({ metric, value, ...(dimensions ? { dimensions } : {}) });
  }

  total(metric: string): number {
    return this.counts.get(metric) ?? 0;
  }
}

/** Keeps log lines as JSON strings, to check that none carries PHI. */
export class CapturingLogger implements AppLogger {
  readonly lines: string[] = [];

  private write(level: string, message: string, fields?: Record<string, unknown>) {
    this.lines.push(JSON.stringify({ level, message, ...fields }));
  }

  debug(message: string, fields?: Record<string, unknown>) {
    this.write('DEBUG', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>) {
    this.write('INFO', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.write('WARN', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.write('ERROR', message, fields);
  }
}
