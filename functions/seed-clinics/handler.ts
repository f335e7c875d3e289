/**
 * The custom resource that puts the configured clinics into the clinics
 * table at deploy time (CloudFormation invokes it directly; no provider
 * framework). It always answers CloudFormation, even when it fails, so a
 * deploy never hangs for the custom resource timeout.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ConfigError, ValidationError } from '../../shared/domain/errors';
import { type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { seedClinics } from '../../shared/use-cases/seed-clinics';
import {
  type CfnResponse,
  composeSeedClinics,
  respondToCloudFormation,
  type SeedHandlerDeps,
} from './compose';

/** One physical resource for the whole set: a Delete never removes clinic data. */
export const SEED_PHYSICAL_ID = 'configured-clinics';

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

/** The answer to one request: seed on Create and Update, keep everything on Delete. */
async function answer(deps: SeedHandlerDeps, event: CloudFormationCustomResourceEvent): Promise<CfnResponse> {
  const base = baseOf(event);
  if (event.RequestType === 'Delete') {
    deps.logger.info('delete: clinic records are kept');
    return { ...base, Status: 'SUCCESS', Reason: 'clinic records are kept' };
  }
  const raw = event.ResourceProperties.Clinics;
  const outcome = await seedClinics(deps, typeof raw === 'string' ? JSON.parse(raw) : raw);
  deps.logger.info('clinics seeded', { ...outcome });
  return {
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

/** Handles Create, Update and Delete; answers CloudFormation in every case. */
export function makeHandler(deps: SeedHandlerDeps, observability?: Observability) {
  return withMiddleware<CloudFormationCustomResourceEvent, void>(async (event) => {
    let response: CfnResponse;
    try {
      response = await answer(deps, event);
    } catch (error) {
      deps.logger.error('seeding failed', { error: (error as Error).name });
      response = { ...baseOf(event), Status: 'FAILED', Reason: reasonFor(error) };
    }
    await deps.respond(event.ResponseURL, response);
  }, observability);
}

let built: ReturnType<typeof makeHandler> | undefined;

/** The Lambda entry point: composed from `process.env` on the first call; a broken environment still answers. */
export async function handler(
  event: CloudFormationCustomResourceEvent,
  context: Parameters<ReturnType<typeof makeHandler>>[1],
) {
  try {
    if (!built) {
      const { deps, observability } = composeSeedClinics(process.env);
      built = makeHandler(deps, observability);
    }
  } catch (error) {
    // Even a misconfigured function must answer, or the deploy waits for the timeout.
    await respondToCloudFormation(event.ResponseURL, {
      ...baseOf(event),
      Status: 'FAILED',
      Reason: reasonFor(error),
    });
    return;
  }
  await built(event, context);
}
