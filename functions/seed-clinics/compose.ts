/**
 * The seed-clinics composition root: the custom resource's clinic
 * repository, clock, logger and the call that answers CloudFormation.
 */
import { DynamoClinicRepository } from '../../shared/adapters/dynamodb/record-repositories';
import { parseEnv, SeedClinicsEnv } from '../../shared/config/env';
import { type CommonPorts, commonParts, type Environment } from '../../shared/lambda/compose';
import type { SeedDeps } from '../../shared/use-cases/seed-clinics';

/** What CloudFormation is told at the end of every request. */
export interface CfnResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

export interface SeedHandlerDeps extends SeedDeps {
  /** Sends the response to CloudFormation's pre-signed URL. */
  respond: (url: string, response: CfnResponse) => Promise<void>;
  logger: NonNullable<CommonPorts['logger']>;
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

/**
 * The custom resource's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeSeedClinics(environment: Environment, ports: CommonPorts = {}) {
  const env = parseEnv(SeedClinicsEnv, environment);
  const common = commonParts('seed-clinics', env.AWS_REGION, ports);
  const deps: SeedHandlerDeps = {
    clinics: new DynamoClinicRepository(common.dynamo, env.CLINICS_TABLE),
    clock: common.clock,
    respond: respondToCloudFormation,
    logger: common.logger,
  };
  return { deps, ...(common.observability ? { observability: common.observability } : {}) };
}
