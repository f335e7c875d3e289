import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local';
import type { OutboxEntry } from '../../shared/adapters/local/local-outbox';
import { commandOf, descendants, isAlive, type Spawned, spawnScript, waitFor } from './support/processes';

const NY = 'America/New_York';
let local: Spawned;
let url: string;
let token: string;
let javaPids: number[] = [];

function localTime(entry: OutboxEntry): string {
  return DateTime.fromISO(entry.at, { zone: 'utc' }).setZone(NY).toFormat('yyyy-MM-dd HH:mm');
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function advanceTo(to: string): Promise<OutboxEntry[]> {
  const { status, body } = await call('POST', '/local/clock', { to });
  expect(status).toBe(200);
  return body.sent as OutboxEntry[];
}

beforeAll(async () => {
  const port = await freePort();
  // The clock starts at 09:00 New York on Tuesday 1 December 2026 and moves only when told.
  local = spawnScript('local/start.ts', ['--in-memory', '--no-follow', '--start', '2026-12-01T14:00:00Z'], {
    PORT: String(port),
  });
  [, url] = (await local.waitForOutput(/Staff API:\s+(http:\/\/\S+)/, 60_000)) as [string, string];
  [, token] = (await local.waitForOutput(/Staff token \(demo-clinic\): (\S+)/, 10_000)) as [string, string];
  javaPids = descendants(local.child.pid as number).filter((pid) =>
    /^java .*DynamoDBLocal/.test(commandOf(pid)),
  );
});

afterAll(async () => {
  if (local.child.exitCode === null) local.child.kill('SIGKILL');
  await local.exited;
});

describe('local mode, started as `npm start` would', () => {
  it('prints the URL and a working staff token, and runs DynamoDB Local for it', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(javaPids).toHaveLength(1);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
  });

  it('sends the confirmation and each reminder at the right local times, nothing stale after a move, nothing after a cancellation', async () => {
    // Prepare: a patient and an appointment on Tuesday 8 December at 10:00 New York.
    expect(
      (
        await call('PUT', '/v1/clinics/demo-clinic/patients/p-e2e', {
          firstName: 'Ana',
          phone: '+14155552671',
          email: 'ana@example.com',
          channels: ['sms', 'email'],
          language: 'en',
        })
      ).status,
    ).toBe(201);
    const booked = await call('PUT', '/v1/clinics/demo-clinic/appointments/a-e2e', {
      patientId: 'p-e2e',
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
      location: '12 River Road',
    });
    expect(booked.status).toBe(201);

    // Act 1: run the clock to the evening before the visit.
    const week = await advanceTo('2026-12-07T23:00:00Z');

    // Assess 1: confirmation at once, then 3 d and 1 d before, at 10:00 local.
    expect(week.map((e) => [localTime(e), e.messageId, e.channel])).toEqual([
      ['2026-12-01 09:00', 'a-e2e#confirmation#-#v1', 'sms'],
      ['2026-12-05 10:00', 'a-e2e#reminder#3d#v1', 'sms'],
      ['2026-12-07 10:00', 'a-e2e#reminder#1d#v1', 'sms'],
    ]);
    expect(week[0]?.text).toContain('Demo Family Clinic');

    // Act 2: at 18:00 on Monday the clinic moves the visit to Tuesday 15 December 14:00.
    const moved = await call(
      'PUT',
      '/v1/clinics/demo-clinic/appointments/a-e2e',
      {
        patientId: 'p-e2e',
        startAt: '2026-12-15T19:00:00Z',
        durationMinutes: 30,
        location: '12 River Road',
      },
      { 'if-match': '"1"' },
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const afterMove = await advanceTo('2026-12-15T16:00:00Z');

    // Assess 2: one reschedule notice, the new reminders, and no 2 h reminder for the old time.
    expect(afterMove.map((e) => [localTime(e), e.messageId])).toEqual([
      ['2026-12-07 18:00', 'a-e2e#reschedule#-#v2'],
      ['2026-12-12 14:00', 'a-e2e#reminder#3d#v2'],
      ['2026-12-14 14:00', 'a-e2e#reminder#1d#v2'],
    ]);
    expect(afterMove.some((e) => e.messageId.endsWith('#v1'))).toBe(false);

    // Act 3: at 11:00 on the day, an hour before the 2 h reminder, the clinic cancels.
    const cancelled = await call('POST', '/v1/clinics/demo-clinic/appointments/a-e2e/cancel', {
      cancelledBy: 'clinic',
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const afterCancel = await advanceTo('2026-12-18T00:00:00Z');

    // Assess 3: the cancellation notice, and nothing after it.
    expect(afterCancel.map((e) => [localTime(e), e.messageId])).toEqual([
      ['2026-12-15 11:00', 'a-e2e#cancellation#-#v3'],
    ]);
    const { body: outbox } = await call('GET', '/local/outbox');
    expect((outbox.entries as OutboxEntry[]).at(-1)?.messageId).toBe('a-e2e#cancellation#-#v3');
    const { body: timeline } = await call('GET', '/v1/clinics/demo-clinic/appointments/a-e2e/messages');
    const statuses = (timeline.messages as { messageId: string; status: string; reason?: string }[]).map(
      (m) => [m.messageId, m.status, m.reason ?? ''],
    );
    expect(statuses).toContainEqual(['a-e2e#reminder#2h#v1', 'skipped', 'appointment-moved']);
    expect(statuses).toContainEqual(['a-e2e#reminder#2h#v2', 'skipped', 'appointment-cancelled']);
  });

  it('stops cleanly on Ctrl-C and leaves no java process behind', async () => {
    local.child.kill('SIGINT');
    const { code } = await local.exited;

    expect(code).toBe(0);
    expect(await waitFor(() => javaPids.every((pid) => !isAlive(pid)), 5_000)).toBe(true);
    expect(local.output()).toMatch(/stopped/);
  });
});
