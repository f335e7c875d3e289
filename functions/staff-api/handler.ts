import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type StaffApiDeps, serveStaffApi } from '../../shared/http/staff-api';
import { lazyHandler, type Observability, withMiddleware } from '../../shared/lambda/handler-kit';
import { composeStaffApi } from './compose';

/** Staff API requests (API Gateway HTTP API, JWT authorizer) → routes → use cases. */
export function makeHandler(deps: StaffApiDeps, observability?: Observability) {
  return withMiddleware<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>(
    (event) => serveStaffApi(deps, event),
    observability,
  );
}

/** The Lambda entry point: composed from `process.env` on the first call. */
export const handler = lazyHandler(() => {
  const { deps, observability } = composeStaffApi(process.env);
  return makeHandler(deps, observability);
});
