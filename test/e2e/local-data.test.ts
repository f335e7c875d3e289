import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local';
import { type Spawned, spawnScript } from './support/processes';

const dataDir = mkdtempSync(join(tmpdir(), 'clinic-reminders-local-'));

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ local: Spawned; url: string; token: string }> {
  const port = await freePort();
  // A relative data folder, as `npm start` uses `.local-data`.
  const local = spawnScript(
    'local/start.ts',
    ['--data-dir', relative(process.cwd(), dataDir), '--no-follow', '--start', '2026-12-01T14:00:00Z'],
    {
      PORT: String(port),
    },
  );
  const [, url] = (await local.waitForOutput(/Staff API:\s+(http:\/\/\S+)/, 60_000)) as [string, string];
  const [, token] = (await local.waitForOutput(/Staff token \(demo-clinic\): (\S+)/, 10_000)) as [
    string,
    string,
  ];
  return { local, url, token };
}

async function stop(local: Spawned) {
  local.child.kill('SIGINT');
  expect((await local.exited).code).toBe(0);
}

describe('local mode with kept data', () => {
  it('keeps patients, the outbox and the clock across a restart', async () => {
    // Prepare: a first run creates a patient and an appointment and moves the clock.
    const first = await start();
    const headers = { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' };
    const created = await fetch(`${first.url}/v1/clinics/demo-clinic/patients/p-kept`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ firstName: 'Kai', phone: '+14155552671', channels: ['sms'] }),
    });
    expect(created.status).toBe(201);
    const booked = await fetch(`${first.url}/v1/clinics/demo-clinic/appointments/a-kept`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ patientId: 'p-kept', startAt: '2026-12-03T15:00:00Z', durationMinutes: 20 }),
    });
    expect(booked.status).toBe(201);
    await fetch(`${first.url}/local/clock`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ advance: '2h' }),
    });
    await stop(first.local);

    // Act: a second run on the same folder (its --start is earlier than the kept clock).
    const second = await start();
    const patient = await fetch(`${second.url}/v1/clinics/demo-clinic/patients/p-kept`, {
      headers: { authorization: `Bearer ${second.token}` },
    });
    const clock = (await (await fetch(`${second.url}/local/clock`)).json()) as { now: string };
    const outbox = (await (await fetch(`${second.url}/local/outbox`)).json()) as {
      entries: { messageId: string }[];
    };
    await stop(second.local);

    // Assess
    expect(patient.status).toBe(200);
    expect(clock.now).toBe('2026-12-01T16:00:00.000Z');
    expect(outbox.entries.map((e) => e.messageId)).toEqual(['a-kept#confirmation#-#v1']);
    expect(readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
