import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local';
import { fixedClock } from '../../shared/domain/time';
import { signLocalToken } from '../../shared/http/local-tokens';
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

function tokenCommand(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'local/token.ts', ...args], { encoding: 'utf8' });
}

describe('local mode with kept data', () => {
  it('keeps patients, the outbox, the clock and its tokens across a restart; npm run token signs for the kept data, an expired token is refused as expired', async () => {
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
    const withFirstToken = await fetch(`${second.url}/v1/clinics/demo-clinic/patients/p-kept`, {
      headers: { authorization: `Bearer ${first.token}` },
    });
    const patient = await fetch(`${second.url}/v1/clinics/demo-clinic/patients/p-kept`, {
      headers: { authorization: `Bearer ${second.token}` },
    });
    const dataArgs = ['--data-dir', relative(process.cwd(), dataDir)];
    const printed = tokenCommand([...dataArgs, '--clinic', 'demo-clinic', '--role', 'staff']);
    const asStaff = await fetch(`${second.url}/v1/clinics/demo-clinic`, {
      headers: { authorization: `Bearer ${printed.stdout.trim()}` },
    });
    const settingsByStaff = await fetch(`${second.url}/v1/clinics/demo-clinic`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${printed.stdout.trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', timeZone: 'America/New_York', contactPhone: '+12025550143' }),
    });
    const secret = readFileSync(join(dataDir, 'token-secret'), 'utf8').trim();
    const expired = await signLocalToken(
      { subject: 'local-staff', clinics: ['demo-clinic'], roles: ['staff'], ttlSeconds: 3600 },
      secret,
      fixedClock('2026-01-01T00:00:00.000Z'),
    );
    const refused = await fetch(`${second.url}/v1/clinics/demo-clinic`, {
      headers: { authorization: `Bearer ${expired}` },
    });
    const refusedBody = (await refused.json()) as {
      error: { code: string; reason: string; message: string };
    };
    const clock = (await (await fetch(`${second.url}/local/clock`)).json()) as { now: string };
    const outbox = (await (await fetch(`${second.url}/local/outbox`)).json()) as {
      entries: { messageId: string }[];
    };
    await stop(second.local);

    // Assess
    expect(withFirstToken.status, 'the first run’s token still works after the restart').toBe(200);
    expect(patient.status).toBe(200);
    expect(clock.now).toBe('2026-12-01T16:00:00.000Z');
    expect(outbox.entries.map((e) => e.messageId)).toEqual(['a-kept#confirmation#-#v1']);
    expect(readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    // npm run token signs for the kept data; a token past its time is refused as expired.
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(asStaff.status).toBe(200);
    expect(settingsByStaff.status).toBe(403);
    expect(statSync(join(dataDir, 'token-secret')).mode & 0o777).toBe(0o600);
    expect(refused.status).toBe(401);
    expect(refusedBody.error).toMatchObject({ code: 'unauthorized', reason: 'expired' });
    expect(refusedBody.error.message).not.toContain(secret);
  });

  it('npm run token says how to get a token when the folder holds no kept data, and names a bad argument', () => {
    const empty = mkdtempSync(join(tmpdir(), 'clinic-reminders-empty-'));
    try {
      const none = tokenCommand(['--data-dir', empty, '--clinic', 'demo-clinic']);
      const badRole = tokenCommand(['--data-dir', empty, '--clinic', 'demo-clinic', '--role', 'doctor']);
      const noClinic = tokenCommand(['--data-dir', empty]);

      expect(none.status).toBe(1);
      expect(none.stdout).toBe('');
      expect(none.stderr).toMatch(/holds no token-secret: run `npm start` once on it/);
      expect(none.stderr).toMatch(/POST .*\/local\/tokens/);
      expect([badRole.status, badRole.stderr]).toEqual([
        1,
        expect.stringMatching(/--role: must be one of staff, clinic-admin/),
      ]);
      expect([noClinic.status, noClinic.stderr]).toEqual([1, expect.stringMatching(/--clinic: is required/)]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
