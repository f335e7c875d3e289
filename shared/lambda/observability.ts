import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AppLogger, Telemetry } from '../ports/outbound';

export const METRICS_NAMESPACE = 'ClinicReminders';

/** Counters as CloudWatch metrics (EMF); a dimensioned one is flushed on its own. */
export class PowertoolsTelemetry implements Telemetry {
  constructor(private readonly metrics: Metrics) {}

  count(metric: string, value = 1, dimensions?: Record<string, string>): void {
    this.add(metric, MetricUnit.Count, value, dimensions);
  }

  seconds(metric: string, value: number, dimensions?: Record<string, string>): void {
    this.add(metric, MetricUnit.Seconds, value, dimensions);
  }

  private add(
    metric: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions?: Record<string, string>,
  ) {
    if (!dimensions) {
      this.metrics.addMetric(metric, unit, value);
      return;
    }
    const single = this.metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(metric, unit, value);
  }
}

/** The port's shape over a Powertools logger. */
export function appLoggerOf(logger: Logger): AppLogger {
  const bind =
    (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) =>
      fields ? logger[level](message, fields) : logger[level](message);
  return { debug: bind('debug'), info: bind('info'), warn: bind('warn'), error: bind('error') };
}

/**
 * Logger and metrics for one function. Log lines carry ids and codes only;
 * the event itself is never logged (it can hold contact details).
 */
export function makeObservability(serviceName: string): {
  logger: Logger;
  metrics: Metrics;
  appLogger: AppLogger;
  telemetry: Telemetry;
} {
  const logger = new Logger({ serviceName, logLevel: 'INFO' });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  return { logger, metrics, appLogger: appLoggerOf(logger), telemetry: new PowertoolsTelemetry(metrics) };
}
