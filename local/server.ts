/**
 * Local mode's HTTP server: the staff API's own route handling
 * (serveStaffApi, as the Lambda runs it behind API Gateway), with local
 * tokens checked where API Gateway's JWT authorizer would check them, plus
 * the local-only routes:
 *
 * - `GET /local/outbox` — what was "sent", newest last (`?since=<seq>`)
 * - `GET /local/clock` — the simulated time
 * - `POST /local/clock` — `{"advance": "PT2H" | "1d" | "90m"}` or `{"to": "<UTC instant>"}`
 * - `GET /`, `/assets/…`, `/config.json` — the staff console (local/console-files.ts)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DateTime, Duration } from 'luxon';
import { AppError } from '../shared/domain/errors';
import { isUtcIso, toUtcIso } from '../shared/domain/time';
import { toApiEvent } from '../shared/http/events';
import {
  asAuthorizerClaims,
  bearerTokenOf,
  type JwtClaims,
  verifyLocalToken,
} from '../shared/http/local-tokens';
import { serveStaffApi } from '../shared/http/staff-api';
import type { AppLogger } from '../shared/ports/outbound';
import { serveConsole } from './console-files';
import type { LocalRuntime } from './runtime';

/** Lambda's request payload limit; the API's own limits are smaller. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
/** Longest single jump of the clock. */
const MAX_ADVANCE_DAYS = 400;

class LocalRequestError extends AppError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  response.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    ...headers,
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_REQUEST_BYTES) throw new LocalRequestError(413, 'request body larger than 6 MB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

const SHORT_UNITS = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days' } as const;

/** `PT2H`, `P1D`, or the short forms `30s`, `90m`, `2h`, `1d`; undefined for anything else. */
export function parseAdvance(text: string): Duration | undefined {
  const short = /^(\d{1,6})([smhd])$/.exec(text.trim());
  const duration = short
    ? Duration.fromObject({ [SHORT_UNITS[short[2] as keyof typeof SHORT_UNITS]]: Number(short[1]) })
    : Duration.fromISO(text.trim());
  return duration.isValid && duration.toMillis() > 0 ? duration : undefined;
}

async function clockRoute(runtime: LocalRuntime, request: IncomingMessage) {
  if (request.method === 'GET') return { now: toUtcIso(runtime.clock.now()) };
  if (request.method !== 'POST') throw new LocalRequestError(405, 'use GET or POST');
  let body: unknown;
  try {
    body = JSON.parse((await readBody(request)).toString('utf8') || '{}');
  } catch {
    throw new LocalRequestError(400, 'body: must be JSON such as {"advance":"PT2H"}');
  }
  const { advance, to } = (body ?? {}) as { advance?: unknown; to?: unknown };
  let target: DateTime;
  if (typeof advance === 'string' && to === undefined) {
    const duration = parseAdvance(advance);
    if (!duration)
      throw new LocalRequestError(400, 'advance: must be a positive duration such as PT2H, 90m or 1d');
    target = runtime.clock.now().plus(duration);
  } else if (typeof to === 'string' && advance === undefined) {
    if (!isUtcIso(to)) throw new LocalRequestError(400, 'to: must be a UTC instant ending in Z');
    target = DateTime.fromISO(to, { zone: 'utc' });
    if (target < runtime.clock.now())
      throw new LocalRequestError(409, `to: the clock is already at ${toUtcIso(runtime.clock.now())}`);
  } else {
    throw new LocalRequestError(400, 'body: give exactly one of "advance" or "to"');
  }
  if (target.diff(runtime.clock.now(), 'days').days > MAX_ADVANCE_DAYS) {
    throw new LocalRequestError(400, `advance: at most ${MAX_ADVANCE_DAYS} days at a time`);
  }
  const sent = await runtime.advanceTo(target);
  return { now: toUtcIso(runtime.clock.now()), sent };
}

function outboxRoute(runtime: LocalRuntime, url: URL) {
  const since = Number(url.searchParams.get('since') ?? 0);
  const clinicId = url.searchParams.get('clinicId');
  const entries = runtime.outbox.entries.filter(
    (entry) => entry.seq > since && (!clinicId || entry.clinicId === clinicId),
  );
  return { now: toUtcIso(runtime.clock.now()), entries };
}

async function staffApiRoute(
  runtime: LocalRuntime,
  request: IncomingMessage,
  response: ServerResponse,
  logger: AppLogger,
) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  let claims: JwtClaims | undefined;
  const token = bearerTokenOf(headers.authorization);
  if (headers.authorization !== undefined) {
    // API Gateway's JWT authorizer answers 401 itself for a bad token.
    try {
      if (!token) throw new Error('no bearer token');
      claims = asAuthorizerClaims(await verifyLocalToken(token, runtime.tokenSecret, runtime.clock));
    } catch {
      send(response, 401, { message: 'Unauthorized' });
      return;
    }
  }
  const body = await readBody(request);
  const result = await serveStaffApi(
    runtime.staffApiDeps(logger),
    toApiEvent({
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers,
      ...(body.length > 0 ? { body: body.toString('utf8') } : {}),
      ...(claims ? { claims } : {}),
      timeEpoch: Date.now(),
    }),
  );
  const resultHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) resultHeaders[name] = String(value);
  response.writeHead(result.statusCode ?? 200, resultHeaders);
  response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
}

/**
 * Creates (does not start) the local HTTP server.
 *
 * @param runtime - the running local system
 * @param logger - where request errors are logged (ids only)
 */
export function createLocalServer(runtime: LocalRuntime, logger: AppLogger): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const handle = async () => {
      if (url.pathname === '/local/clock') return send(response, 200, await clockRoute(runtime, request));
      if (url.pathname === '/local/outbox') {
        if (request.method !== 'GET') throw new LocalRequestError(405, 'use GET');
        return send(response, 200, outboxRoute(runtime, url));
      }
      if (await serveConsole(request, response, url)) return;
      return staffApiRoute(runtime, request, response, logger);
    };
    handle().catch((error: unknown) => {
      if (error instanceof LocalRequestError) {
        send(response, error.status, { message: error.message });
        return;
      }
      logger.error('local request failed', { path: url.pathname, error: (error as Error).name });
      if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
      else response.end();
    });
  });
}
