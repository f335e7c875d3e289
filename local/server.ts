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
 * - `POST /local/tokens` — `{"clinicId": "…", "role": "staff" | "clinic-admin"}` → `{"token": "…"}`
 * - `POST /local/receipts` — `{"messageId": "…", "event": "TEXT_CARRIER_BLOCKED" | "Bounce" | …}`: a
 *   delivery receipt through the shipped handle-receipts handler
 * - `POST /local/inbound` — `{"from": "+14155552671", "body": "C"}` (`to` defaults to the demo clinic's
 *   number): a patient's text, through handle-inbound as AWS delivers it; answers appear in the outbox
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DateTime, Duration } from 'luxon';
import * as z from 'zod';
import { AppError, NotFoundError, UnauthorizedError } from '../shared/domain/errors';
import { ClinicIdSchema } from '../shared/domain/model';
import { ROLES } from '../shared/domain/roles';
import { isUtcIso, toUtcIso } from '../shared/domain/time';
import { parseOrThrow } from '../shared/domain/validation';
import { errorResponse } from '../shared/http/errors';
import { toApiEvent } from '../shared/http/events';
import { asAuthorizerClaims, bearerTokenOf, type JwtClaims } from '../shared/http/local-tokens';
import { serveStaffApi } from '../shared/http/staff-api';
import type { AppLogger } from '../shared/ports/outbound';
import { serveConsole } from './console-files';
import { LocalInboundSchema } from './inbound';
import { LocalReceiptSchema } from './receipts';
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

const TokenRequestSchema = z.strictObject({
  clinicId: ClinicIdSchema,
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
});

/**
 * A token for one clinic and role, signed with this run's secret. A staff
 * token needs a clinic that exists (staff of no clinic can do nothing); a
 * clinic-admin token may name a clinic not created yet, because its admin
 * is who creates it (PUT /v1/clinics/{clinicId}), as in AWS, where an
 * administrator names the clinic on a user before it exists.
 */
async function tokensRoute(runtime: LocalRuntime, request: IncomingMessage) {
  if (request.method !== 'POST') throw new LocalRequestError(405, 'use POST');
  let body: unknown;
  try {
    body = JSON.parse((await readBody(request)).toString('utf8') || 'null');
  } catch {
    throw new LocalRequestError(400, 'body: must be JSON such as {"clinicId":"demo-clinic","role":"staff"}');
  }
  const { clinicId, role } = parseOrThrow(TokenRequestSchema, body ?? {});
  if (role === 'staff' && !(await runtime.repos.clinics.get(clinicId))) {
    throw new NotFoundError(
      `clinic ${JSON.stringify(clinicId)} does not exist here; a clinic-admin token for it can create it ` +
        `(PUT /v1/clinics/${clinicId}), then ask again for a staff token`,
    );
  }
  return { token: await runtime.staffToken([clinicId], role) };
}

/** A delivery receipt for a message sent here, in the shape the receipts queue gets in AWS. */
async function receiptsRoute(runtime: LocalRuntime, request: IncomingMessage) {
  if (request.method !== 'POST') throw new LocalRequestError(405, 'use POST');
  let body: unknown;
  try {
    body = JSON.parse((await readBody(request)).toString('utf8') || 'null');
  } catch {
    throw new LocalRequestError(
      400,
      'body: must be JSON such as {"messageId":"a-1#reminder#1d#v1","event":"TEXT_CARRIER_BLOCKED"}',
    );
  }
  return runtime.deliverReceipt(parseOrThrow(LocalReceiptSchema, body ?? {}));
}

async function inboundRoute(runtime: LocalRuntime, request: IncomingMessage) {
  if (request.method !== 'POST') throw new LocalRequestError(405, 'use POST');
  let body: unknown;
  try {
    body = JSON.parse((await readBody(request)).toString('utf8') || 'null');
  } catch {
    throw new LocalRequestError(400, 'body: must be JSON such as {"from":"+14155552671","body":"C"}');
  }
  return runtime.receiveText(parseOrThrow(LocalInboundSchema, body ?? {}));
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
  if (headers.authorization !== undefined) {
    // API Gateway's JWT authorizer refuses a bad token before the function
    // runs; local mode refuses it here, in the API's error shape with the reason.
    const token = bearerTokenOf(headers.authorization);
    if (!token) {
      throw new UnauthorizedError('The Authorization header must be "Bearer <token>".', 'malformed');
    }
    claims = asAuthorizerClaims(await runtime.verifyToken(token));
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
      if (url.pathname === '/local/tokens') return send(response, 200, await tokensRoute(runtime, request));
      if (url.pathname === '/local/receipts') {
        const applied = await receiptsRoute(runtime, request);
        return send(response, 'retry' in applied ? 202 : 200, applied);
      }
      if (url.pathname === '/local/inbound') return send(response, 200, await inboundRoute(runtime, request));
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
      if (error instanceof AppError && !response.headersSent) {
        const refused = errorResponse(error);
        send(response, refused.statusCode, refused.body, refused.headers);
        return;
      }
      logger.error('local request failed', { path: url.pathname, error: (error as Error).name });
      if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
      else response.end();
    });
  });
}
