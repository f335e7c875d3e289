import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { systemClock } from '../../shared/adapters/clock';
import { makeDynamoClients } from '../../shared/adapters/dynamodb/client';
import { guardClinicScope } from '../../shared/adapters/dynamodb/clinic-scope';
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
  const names = tableNamesFrom(env);
  const clients = makeDynamoClients({ region: env.AWS_REGION });
  // Every request this function makes must be keyed by the clinic of the staff request that makes it.
  guardClinicScope(clients.raw, names, { required: true });
  const repos = makeRepositories(clients.doc, names, env.MESSAGE_RETENTION_DAYS);
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
