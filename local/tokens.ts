/**
 * Local mode's staff tokens: who signs them and for how long.
 *
 * The signing secret is kept with the data (`token-secret` in the data
 * folder, readable by its owner only), so a restart of kept data keeps
 * every token it issued valid and `npm run token` can sign one for a
 * running or stopped local mode; an `--in-memory` run has a new one.
 *
 * Tokens are stamped and checked against real time, never the simulated
 * clock: `POST /local/clock {"advance":"31d"}` moves the reminders, not the
 * token's life. They live {@link LOCAL_TOKEN_TTL_DAYS} real days.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../shared/adapters/clock';
import type { Role } from '../shared/domain/roles';
import type { Clock } from '../shared/domain/time';
import { type JwtClaims, signLocalToken, verifyLocalToken } from '../shared/http/local-tokens';

/** The file in the data folder that holds the signing secret. */
export const TOKEN_SECRET_FILE = 'token-secret';

/** How long a local token lives, in real days. */
export const LOCAL_TOKEN_TTL_DAYS = 30;

/** The clock local tokens are stamped and checked with: real time (see above). */
export const TOKEN_CLOCK: Clock = systemClock;

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43,}$/;

/** A new random signing secret (32 bytes, base64url). */
export function newTokenSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The kept signing secret of a data folder, or undefined when the folder
 * has none (local mode never ran on it).
 *
 * @param dataDir - local mode's data folder (`.local-data`)
 * @throws Error when the file is there but holds no secret
 */
export function keptTokenSecret(dataDir: string): string | undefined {
  const file = join(dataDir, TOKEN_SECRET_FILE);
  if (!existsSync(file)) return undefined;
  const kept = readFileSync(file, 'utf8').trim();
  if (!SECRET_PATTERN.test(kept)) {
    throw new Error(
      `${file} does not hold a token secret; delete it to start over (tokens issued so far stop working)`,
    );
  }
  return kept;
}

/**
 * The data folder's signing secret: the kept one, or a new one kept there
 * (mode 0600; a kept file readable by others is narrowed to its owner).
 *
 * @param dataDir - local mode's data folder
 */
export function dataFolderTokenSecret(dataDir: string): string {
  const kept = keptTokenSecret(dataDir);
  const file = join(dataDir, TOKEN_SECRET_FILE);
  if (kept) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return kept;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = newTokenSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * A staff token for one clinic and role, signed with `secret`, valid
 * {@link LOCAL_TOKEN_TTL_DAYS} days of real time.
 *
 * @param secret - the signing secret of the run or data folder
 * @param clinics - the clinic ids it names
 * @param role - `staff` or `clinic-admin`
 */
export function issueLocalToken(secret: string, clinics: readonly string[], role: Role): Promise<string> {
  return signLocalToken(
    { subject: `local-${role}`, clinics, roles: [role], ttlSeconds: LOCAL_TOKEN_TTL_DAYS * 24 * 3600 },
    secret,
    TOKEN_CLOCK,
  );
}

/**
 * Checks a local token against `secret` and real time.
 *
 * @param token - the compact JWT
 * @param secret - the signing secret of the run or data folder
 * @throws UnauthorizedError with the reason (expired, bad-signature, malformed, …)
 */
export function checkLocalToken(token: string, secret: string): Promise<JwtClaims> {
  return verifyLocalToken(token, secret, TOKEN_CLOCK);
}
