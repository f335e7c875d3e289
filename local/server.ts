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
 *
 * The local routes refuse a request they cannot read as the staff API does (shared/http/errors.ts): a
 * 400 naming the field, 405 with Allow, 409, 413, all in the API's `{"error": {code, message, issues}}`
 * shape. A text `POST /local/inbound` can read goes to handle-inbound, which sets aside what it would
 * set aside in AWS (a number that is not E.164, an unknown destination, a body over 1,600 characters):
 * a 200 with `setAside` naming why, not a 400.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DateTime, Duration } from 'luxon';
import * as z from 'zod';
import {
  AppError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '../shared/domain/errors';
import { ClinicIdSchema } from '../shared/domain/model';
import { ROLES } from '../shared/domain/roles';
import { isUtcIso, toUtcIso } from '../shared/domain/time';
import { parseOrThrow } from '../shared/domain/validation';
import { errorResponse, MethodNotAllowedError } from '../shared/http/errors';
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

/** Refuses a method a local route does not take, in the API's error shape (with Allow). */
function allowOnly(request: IncomingMessage, allowed: readonly string[]) {
  if (!allowed.includes(request.method ?? 'GET')) {
    throw new MethodNotAllowedError(`use ${allowed.join(' or ')}`, allowed);
  }
}

/**
 * A local route's JSON body; anything that is not JSON is refused at `body`
 * with an example of what the route reads.
 *
 * @param empty - what an empty body means
 */
async function readJson(request: IncomingMessage, example: string, empty = 'null'): Promise<unknown> {
  try {
    return JSON.parse((await readBody(request)).toString('utf8') || empty);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw ValidationError.field('body', `must be JSON such as ${example}`);
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
    if (size > MAX_REQUEST_BYTES)
      throw new PayloadTooLargeError('request body larger than 6 MB', MAX_REQUEST_BYTES);
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
  allowOnly(request, ['GET', 'POST']);
  const body = await readJson(request, '{"advance":"PT2H"}', '{}');
  const { advance, to } = (body ?? {}) as { advance?: unknown; to?: unknown };
  let target: DateTime;
  if (typeof advance === 'string' && to === undefined) {
    const duration = parseAdvance(advance);
    if (!duration)
      throw ValidationError.field('advance', 'must be a positive duration such as PT2H, 90m or 1d');
    target = runtime.clock.now().plus(duration);
  } else if (typeof to === 'string' && advance === undefined) {
    if (!isUtcIso(to)) throw ValidationError.field('to', 'must be a UTC instant ending in Z');
    target = DateTime.fromISO(to, { zone: 'utc' });
    if (target < runtime.clock.now())
      throw new ConflictError(`to: the clock is already at ${toUtcIso(runtime.clock.now())}`);
  } else {
    throw ValidationError.field('body', 'give exactly one of "advance" or "to"');
  }
  if (target.diff(runtime.clock.now(), 'days').days > MAX_ADVANCE_DAYS) {
    throw ValidationError.field('advance', `at most ${MAX_ADVANCE_DAYS} days at a time`);
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
  allowOnly(request, ['POST']);
  const body = await readJson(request, '{"clinicId":"demo-clinic","role":"staff"}');
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
  allowOnly(request, ['POST']);
  const body = await readJson(request, '{"messageId":"a-1#reminder#1d#v1","event":"TEXT_CARRIER_BLOCKED"}');
  return runtime.deliverReceipt(parseOrThrow(LocalReceiptSchema, body ?? {}));
}

async function inboundRoute(runtime: LocalRuntime, request: IncomingMessage) {
  allowOnly(request, ['POST']);
  const body = await readJson(request, '{"from":"+14155552671","body":"C"}');
  return runtime.receiveText(parseOrThrow(LocalInboundSchema, body ?? {}));
}

function outboxRoute(runtime: LocalRuntime, url: URL) {
  const sinceText = url.searchParams.get('since') ?? '0';
  if (!/^\d{1,15}$/.test(sinceText)) {
    throw ValidationError.field('since', 'must be an outbox sequence number (a whole number, 0 or more)');
  }
  const since = Number(sinceText);
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
        allowOnly(request, ['GET']);
        return send(response, 200, outboxRoute(runtime, url));
      }
      if (await serveConsole(request, response, url)) return;
      return staffApiRoute(runtime, request, response, logger);
    };
    handle().catch((error: unknown) => {
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
