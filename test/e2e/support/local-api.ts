/**
 * Local mode started as `npm start` would (its own process, DynamoDB Local
 * in memory, the clock where the test puts it), and the calls the end-to-end
 * tests make to it over HTTP with the banner's staff token.
 */
import { expect } from 'vitest';
import { freePort } from '../../../local/dynamodb-local';
import type { OutboxEntry } from '../../../shared/adapters/local/local-outbox';
import { type Spawned, spawnScript } from './processes';

export interface LocalMode {
  local: Spawned;
  /** The staff API's base URL from the banner. */
  url: string;
  /** The banner's clinic-admin token for the demo clinic. */
  token: string;
}

export interface LocalCall {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Starts local mode with the clock at `start` and waits for its banner.
 *
 * @param start - the simulated clock's start (UTC)
 * @param options - `follow`: keep the clock running in real time (default off: it moves only when told)
 */
export async function startLocalMode(start: string, options: { follow?: boolean } = {}): Promise<LocalMode> {
  const port = await freePort();
  const local = spawnScript(
    'local/start.ts',
    ['--in-memory', ...(options.follow ? [] : ['--no-follow']), '--start', start],
    { PORT: String(port) },
  );
  const [, url] = (await local.waitForOutput(/Staff API:\s+(http:\/\/\S+)/, 60_000)) as [string, string];
  const [, token] = (await local.waitForOutput(/Staff token \(demo-clinic\): (\S+)/, 10_000)) as [
    string,
    string,
  ];
  return { local, url, token };
}

/** Stops local mode (and DynamoDB Local with it). */
export async function stopLocalMode(mode: LocalMode | undefined): Promise<void> {
  if (!mode) return;
  if (mode.local.child.exitCode === null) mode.local.child.kill('SIGKILL');
  await mode.local.exited;
}

/**
 * The HTTP calls of a test file against the local mode `mode()` returns
 * (read at each call, so a file may start it in beforeAll).
 *
 * @param mode - the running local mode
 */
export function localApi(mode: () => Pick<LocalMode, 'url' | 'token'>) {
  /** One request with a JSON body (if any), as the banner's token unless `bearer` says another; with its headers. */
  async function callWithHeaders(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    bearer: string = mode().token,
  ): Promise<LocalCall & { headers: Headers }> {
    const response = await fetch(`${mode().url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  }

  /** {@link callWithHeaders} without the headers: status and body, to compare whole. */
  async function call(...args: Parameters<typeof callWithHeaders>): Promise<LocalCall> {
    const { status, body } = await callWithHeaders(...args);
    return { status, body };
  }

  /** Moves the simulated clock (`{"to"}` or `{"advance"}`) and returns what was sent on the way. */
  async function moveClock(move: { to: string } | { advance: string }): Promise<OutboxEntry[]> {
    const { status, body } = await call('POST', '/local/clock', move);
    expect(status).toBe(200);
    return body.sent as OutboxEntry[];
  }

  return {
    call,
    callWithHeaders,
    advanceTo: (to: string) => moveClock({ to }),
    advance: (by: string) => moveClock({ advance: by }),
  };
}
