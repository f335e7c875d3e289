import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkLocalToken,
  dataFolderTokenSecret,
  issueLocalToken,
  keptTokenSecret,
  newTokenSecret,
  TOKEN_SECRET_FILE,
} from '../../../local/tokens';
import { UnauthorizedError } from '../../../shared/domain/errors';
import { CLINICS_CLAIM, GROUPS_CLAIM } from '../../../shared/http/auth';

const folders: string[] = [];
function dataFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'clinic-reminders-tokens-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('local token secret', () => {
  it('keeps one secret per data folder, readable by its owner only, so a restart keeps tokens valid', async () => {
    // Prepare
    const folder = dataFolder();
    expect(keptTokenSecret(folder)).toBeUndefined();

    // Act
    const first = dataFolderTokenSecret(folder);
    const token = await issueLocalToken(first, ['north-clinic'], 'staff');
    const second = dataFolderTokenSecret(folder);

    // Assess
    expect(second).toBe(first);
    expect(keptTokenSecret(folder)).toBe(first);
    expect(statSync(join(folder, TOKEN_SECRET_FILE)).mode & 0o777).toBe(0o600);
    await expect(checkLocalToken(token, second)).resolves.toMatchObject({
      [CLINICS_CLAIM]: 'north-clinic',
      [GROUPS_CLAIM]: ['staff'],
    });
  });

  it('narrows a kept secret file that others can read to its owner', () => {
    const folder = dataFolder();
    const secret = newTokenSecret();
    writeFileSync(join(folder, TOKEN_SECRET_FILE), `${secret}\n`, { mode: 0o644 });

    expect(dataFolderTokenSecret(folder)).toBe(secret);
    expect(statSync(join(folder, TOKEN_SECRET_FILE)).mode & 0o777).toBe(0o600);
  });

  it('gives each in-memory run a new secret, whose tokens another run refuses as bad-signature', async () => {
    const [one, other] = [newTokenSecret(), newTokenSecret()];
    const token = await issueLocalToken(one, ['demo-clinic'], 'clinic-admin');

    expect(one).not.toBe(other);
    const refused = await checkLocalToken(token, other).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnauthorizedError);
    expect((refused as UnauthorizedError).reason).toBe('bad-signature');
  });

  it('refuses a secret file that holds no secret, saying how to start over', () => {
    const folder = dataFolder();
    writeFileSync(join(folder, TOKEN_SECRET_FILE), 'short\n');

    expect(() => keptTokenSecret(folder)).toThrow(/does not hold a token secret; delete it/);
    expect(readFileSync(join(folder, TOKEN_SECRET_FILE), 'utf8')).toBe('short\n');
  });

  it('stamps tokens with real time for 30 days', async () => {
    const token = await issueLocalToken(newTokenSecret(), ['demo-clinic'], 'staff');
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      iat: number;
      exp: number;
    };

    expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(60);
    expect(payload.exp - payload.iat).toBe(30 * 24 * 3600);
  });
});
