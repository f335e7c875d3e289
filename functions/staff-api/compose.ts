/**
 * The staff-api composition root: reads the environment once and builds
 * the API's repositories, clock, logger and limits. The Lambda handler,
 * local mode's HTTP server and the tests all compose the API here.
 */
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { guardClinicScope } from '../../shared/adapters/dynamodb/clinic-scope';
import { DynamoInboundRepository } from '../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories, type Repositories } from '../../shared/adapters/dynamodb/repositories';
import { parseEnv, tableNamesFrom } from '../../shared/config/env';
import { StaffApiEnv, staffApiConfigFrom } from '../../shared/http/env';
import type { StaffApiDeps } from '../../shared/http/staff-api';
import {
  type CommonPorts,
  type Composed,
  commonParts,
  type Environment,
  withReplacements,
} from '../../shared/lambda/compose';
import type { InboundRepository } from '../../shared/ports/repositories';
import type { TableNames } from '../../shared/tables';

/** The pipeline's repositories and the inbound store. */
export interface StaffApiRepositories extends Repositories {
  inbound: InboundRepository;
}

export interface StaffApiPorts extends Omit<CommonPorts, 'telemetry'> {
  /** A test's wrapper around the built repositories. */
  replace?: (built: StaffApiRepositories) => Partial<StaffApiRepositories>;
}

/**
 * The API's dependencies from its environment.
 *
 * @param environment - as CDK sets it (`process.env` in Lambda)
 * @param ports - what the caller brings instead of the AWS defaults
 */
export function composeStaffApi(environment: Environment, ports: StaffApiPorts = {}): Composed<StaffApiDeps> {
  const env = parseEnv(StaffApiEnv, environment);
  const names = tableNamesFrom(env);
  // The second isolation layer: every request this function makes must be
  // keyed by the clinic of the staff request that makes it. A caller that
  // brings its own client (local mode, tests) guards it itself.
  const dynamo = ports.dynamo ?? clinicScopedClient(env.AWS_REGION, { ...names, inbound: env.INBOUND_TABLE });
  // The API counts nothing itself; its metrics are API Gateway's.
  const common = commonParts('staff-api', env.AWS_REGION, {
    ...ports,
    dynamo,
    ...(ports.logger ? { telemetry: { count() {}, seconds() {} } } : {}),
  });
  const repos = withReplacements(
    {
      ...makeRepositories(common.dynamo, names, env.MESSAGE_RETENTION_DAYS),
      inbound: new DynamoInboundRepository(common.dynamo, env.INBOUND_TABLE, {
        retentionDays: env.MESSAGE_RETENTION_DAYS,
      }),
    },
    ports.replace,
  );
  return {
    deps: { ...repos, clock: common.clock, logger: common.logger, config: staffApiConfigFrom(env) },
    ...(common.observability ? { observability: common.observability } : {}),
  };
}

/** A document client whose every request must stay inside the clinic of the staff request in scope. */
function clinicScopedClient(region: string, names: TableNames) {
  const clients = makeDynamoClients({ region });
  guardClinicScope(clients.raw, names, { required: true });
  return clients.doc;
}
