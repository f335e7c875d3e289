import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { systemClock } from '../../shared/adapters/clock';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { makeRepositories } from '../../shared/adapters/dynamodb/repositories';
import { parseEnv, tableNamesFrom } from '../../shared/config/env';
import { StaffApiEnv, staffApiConfigFrom } from '../../shared/http/env';
import { type StaffApiDeps, serveStaffApi } from '../../shared/http/staff-api';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { makeObservability } from '../../shared/lambda/observability';

/** Staff API requests (API Gateway HTTP API, JWT authorizer) → routes → use cases. */
export function makeHandler(deps: StaffApiDeps, observability?: Observability) {
  return withMiddleware<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>(
    (event) => serveStaffApi(deps, event),
    observability,
  );
}

export const handler = lazyHandler(() => {
  const env = parseEnv(StaffApiEnv, process.env);
  const observability = makeObservability('staff-api');
  const repos = makeRepositories(
    makeDynamoClients({ region: env.AWS_REGION }).doc,
    tableNamesFrom(env),
    env.MESSAGE_RETENTION_DAYS,
  );
  return makeHandler(
    {
      ...repos,
      clock: systemClock,
      logger: observability.appLogger,
      config: staffApiConfigFrom(env),
    },
    observability,
  );
});
