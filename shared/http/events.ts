/**
 * Builds the API Gateway HTTP API (payload 2.0) event that a request would
 * produce, for callers that are not API Gateway: local mode's HTTP server
 * and the tests.
 */

import type { JwtClaims } from './local-tokens';
import type { ApiEvent } from './request';

export interface PlainRequest {
  method: string;
  /** Path and optional query string (`/v1/clinics/x/appointments?from=…`). */
  url: string;
  headers?: Record<string, string | undefined>;
  /** The body as text (JSON, CSV), or bytes. */
  body?: string | Buffer;
  /** Claims of a verified token; absent for an anonymous request. */
  claims?: JwtClaims;
  /** When the request arrived (epoch ms); only echoed in the event. */
  timeEpoch?: number;
}

/**
 * The payload 2.0 event for a plain request. Repeated query parameters are
 * joined with commas, as API Gateway does.
 *
 * @param request - method, url, headers, body and verified claims
 */
export function toApiEvent(request: PlainRequest): ApiEvent {
  const url = new URL(request.url, 'http://localhost');
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const binary = Buffer.isBuffer(request.body);
  const method = request.method.toUpperCase();
  const timeEpoch = request.timeEpoch ?? 0;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(request.body === undefined
      ? {}
      : {
          body: binary ? (request.body as Buffer).toString('base64') : (request.body as string),
        }),
    isBase64Encoded: binary,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${timeEpoch}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date(timeEpoch).toISOString(),
      timeEpoch,
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: request.claims ?? {}, scopes: [] },
      },
    },
  } as ApiEvent;
}
