/**
 * What every function's composition root shares: the ports a caller may
 * bring (local mode, the benchmark, the tests) and, when it brings none,
 * the real ones Lambda runs with.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../adapters/clock';
import { makeDynamoClients } from '../adapters/dynamodb/client';
import type { Clock } from '../domain/time';
import type { AppLogger, Telemetry } from '../ports/outbound';
import type { Observability } from './handler-kit';
import { makeObservability } from './observability';

/** The environment a function reads: `process.env` in Lambda, a plain record elsewhere. */
export type Environment = Record<string, string | undefined>;

/** Ports every composition root accepts; each one left out is built as in Lambda. */
export interface CommonPorts {
  /** DynamoDB document client. Default: one for the function's region (`AWS_ENDPOINT_URL_DYNAMODB` may point it elsewhere). */
  dynamo?: DynamoDBDocumentClient;
  clock?: Clock;
  /** Logger and telemetry. Default: Powertools, and the handler gets its middlewares. */
  logger?: AppLogger;
  telemetry?: Telemetry;
}

/** A composed function: its use case's dependencies and, in Lambda, the Powertools middlewares' parts. */
export interface Composed<D> {
  deps: D;
  observability?: Observability;
}

/**
 * The clock, logger, telemetry and DynamoDB client of a function.
 *
 * @param service - the Powertools service name (the function's folder name)
 * @param region - the function's region
 * @param ports - what the caller brings
 */
export function commonParts(service: string, region: string, ports: CommonPorts) {
  const powertools = ports.logger && ports.telemetry ? undefined : makeObservability(service);
  return {
    clock: ports.clock ?? systemClock,
    logger: ports.logger ?? (powertools?.appLogger as AppLogger),
    telemetry: ports.telemetry ?? (powertools?.telemetry as Telemetry),
    dynamo: ports.dynamo ?? makeDynamoClients({ region }).doc,
    observability: powertools ? { logger: powertools.logger, metrics: powertools.metrics } : undefined,
  };
}

/**
 * Applies a caller's replacements to the adapters built from the environment.
 *
 * @param built - the adapters as Lambda runs them
 * @param replace - local mode's stand-ins, or a test's wrappers around the built ones
 */
export function withReplacements<A extends object>(built: A, replace?: (built: A) => Partial<A>): A {
  return replace ? { ...built, ...replace(built) } : built;
}
