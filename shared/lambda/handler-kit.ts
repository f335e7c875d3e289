import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Wraps a handler body in middy with the Powertools middlewares: Lambda
 * context on every log line (never the event) and metrics flushed per call.
 * Tests pass no observability and get the bare body, same behaviour.
 *
 * @param body - the handler body
 * @param observability - Powertools logger and metrics, in Lambda
 */
export function withMiddleware<E, R>(body: (event: E) => Promise<R>, observability?: Observability) {
  const handler = middy<E, R>((event: E) => body(event));
  if (observability) {
    // logEvent stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says: events hold names and numbers.
    handler.use(injectLambdaContext(observability.logger, { resetKeys: true, logEvent: false }));
    handler.use(logMetrics(observability.metrics, { captureColdStartMetric: true }));
  }
  return handler;
}

/**
 * The Lambda entry point: builds the real dependencies on the first call
 * (once per container), so importing a handler module in a test reads no
 * environment and builds no client.
 *
 * @param build - the composition root
 */
export function lazyHandler<E, R>(build: () => (event: E, context: Context) => Promise<R>) {
  let built: ((event: E, context: Context) => Promise<R>) | undefined;
  return (event: E, context: Context): Promise<R> => {
    built ??= build();
    return built(event, context);
  };
}
