/**
 * The custom resource that puts the configured clinics into the clinics
 * table at deploy time (CloudFormation invokes it directly; no provider
 * framework). It always answers CloudFormation, even when it fails, so a
 * deploy never hangs for the custom resource timeout.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { systemClock } from '../../shared/adapters/clock';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { DynamoClinicRepository } from '../../shared/adapters/dynamodb/record-repositories';
import { parseEnv } from '../../shared/config/env';
import { ConfigError, ValidationError } from '../../shared/domain/errors';
import { SeedClinicsEnv } from './env';
import { type SeedDeps, seedClinics } from './seed-clinics';

/** One physical resource for the whole set: a Delete never removes clinic data. */
export const SEED_PHYSICAL_ID = 'configured-clinics';

export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

export interface HandlerDeps extends SeedDeps {
  /** Sends the response to CloudFormation's pre-signed URL. */
  respond: (url: string, response: CfnResponse) => Promise<void>;
  log: (level: 'INFO' | 'ERROR', message: string, fields?: Record<string, unknown>) => void;
}

function reasonFor(error: unknown): string {
  if (error instanceof ValidationError || error instanceof ConfigError) return error.message.slice(0, 1000);
  return `${(error as Error).name ?? 'Error'}: see the function's log group`;
}

function baseOf(event: CloudFormationCustomResourceEvent) {
  return {
    PhysicalResourceId: SEED_PHYSICAL_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
}

/** Handles Create, Update and Delete; answers CloudFormation in every case. */
export function makeHandler(deps: HandlerDeps) {
  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'logStreamName'>) => {
    const base = baseOf(event);
    let response: CfnResponse;
    try {
      if (event.RequestType === 'Delete') {
        deps.log('INFO', 'delete: clinic records are kept');
        response = { ...base, Status: 'SUCCESS', Reason: 'clinic records are kept' };
      } else {
        const raw = event.ResourceProperties.Clinics;
        const outcome = await seedClinics(deps, typeof raw === 'string' ? JSON.parse(raw) : raw);
        deps.log('INFO', 'clinics seeded', { ...outcome });
        response = {
          ...base,
          Status: 'SUCCESS',
          Reason: `created ${outcome.created.length}, updated ${outcome.updated.length}, kept ${outcome.kept.length}`,
          Data: {
            Created: outcome.created.join(','),
            Updated: outcome.updated.join(','),
            Kept: outcome.kept.join(','),
          },
        };
      }
    } catch (error) {
      deps.log('ERROR', 'seeding failed', { error: (error as Error).name, logStream: context.logStreamName });
      response = { ...base, Status: 'FAILED', Reason: reasonFor(error) };
    }
    await deps.respond(event.ResponseURL, response);
  };
}

/** PUT to the pre-signed S3 URL; CloudFormation requires an empty content type. */
export async function respondToCloudFormation(url: string, response: CfnResponse): Promise<void> {
  const result = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify(response),
  });
  if (!result.ok) throw new Error(`CloudFormation response refused: HTTP ${result.status}`);
}

const log: HandlerDeps['log'] = (level, message, fields) =>
  console.log(JSON.stringify({ level, message, ...fields }));

let built: ReturnType<typeof makeHandler> | undefined;

export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  try {
    built ??= makeHandler({
      clinics: (() => {
        const env = parseEnv(SeedClinicsEnv, process.env);
        return new DynamoClinicRepository(
          makeDynamoClients({ region: env.AWS_REGION }).doc,
          env.CLINICS_TABLE,
        );
      })(),
      clock: systemClock,
      respond: respondToCloudFormation,
      log,
    });
  } catch (error) {
    // Even a broken environment must answer, or the deploy waits for the timeout.
    log('ERROR', 'seed function misconfigured', { error: (error as Error).name });
    await respondToCloudFormation(event.ResponseURL, {
      ...baseOf(event),
      Status: 'FAILED',
      Reason: reasonFor(error),
    });
    return;
  }
  await built(event, context);
}
