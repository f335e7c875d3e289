import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local';
import { commandOf, descendants, isAlive, spawnScript, waitFor } from './support/processes';

let blocker: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

describe('DynamoDB Local is never left behind', () => {
  it('dies within seconds when the process that started it is killed with SIGKILL', async () => {
    const holder = spawnScript('test/e2e/support/hold-dynamodb.ts', []);
    await holder.waitForOutput(/ready http/, 60_000);
    const java = descendants(holder.child.pid as number).filter((pid) => /^java /.test(commandOf(pid)));
    expect(java).toHaveLength(1);

    holder.child.kill('SIGKILL');
    await holder.exited;

    expect(await waitFor(() => java.every((pid) => !isAlive(pid)), 5_000)).toBe(true);
  });
});

describe('local mode refuses to start, with a clear message', () => {
  it('when the port is taken', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve));

    const local = spawnScript('local/start.ts', ['--in-memory'], { PORT: String(port) });
    const { code } = await local.exited;

    expect(code).toBe(1);
    expect(local.output()).toContain(`port ${port} is already in use`);
    expect(local.output()).toContain('PORT=3001 npm start');
  });

  it('when Java is missing', async () => {
    const port = await freePort();
    const local = spawnScript('local/start.ts', ['--in-memory'], {
      PORT: String(port),
      PATH: '/nonexistent',
    });
    const { code } = await local.exited;

    expect(code).toBe(1);
    expect(local.output()).toMatch(/Java 17 or newer is required/);
  });
});
