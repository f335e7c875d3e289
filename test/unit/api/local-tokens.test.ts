import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../../shared/domain/errors';
import { fixedClock } from '../../../shared/domain/time';
import { CLINICS_CLAIM, GROUPS_CLAIM, principalOf } from '../../../shared/http/auth';
import { toApiEvent } from '../../../shared/http/events';
import {
  asAuthorizerClaims,
  bearerTokenOf,
  signLocalToken,
  verifyLocalToken,
} from '../../../shared/http/local-tokens';

const SECRET = 'a-local-secret-of-at-least-32-bytes!!';
const NOW = fixedClock('2026-12-01T15:00:00.000Z');
/** Past the 12-hour expiry by more than the clock tolerance. */
const LATER = fixedClock('2026-12-02T03:00:31.000Z');
/** Past the expiry, but within the tolerance. */
const JUST_AFTER = fixedClock('2026-12-02T03:00:10.000Z');

const sign = (overrides: { ttlSeconds?: number } = {}) =>
  signLocalToken(
    { subject: 'staff-1', clinics: ['demo-clinic', 'north-clinic'], roles: ['staff'], ...overrides },
    SECRET,
    NOW,
  );

/** A token with the same header and signature scheme but a payload of our choosing. */
function forge(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
  secret = SECRET,
) {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('local staff tokens', () => {
  it('verifies its own token and carries the clinics and groups in the same claims as Cognito', async () => {
    // Act
    const claims = await verifyLocalToken(await sign(), SECRET, NOW);

    // Assess
    expect(claims).toMatchObject({
      sub: 'staff-1',
      [CLINICS_CLAIM]: 'demo-clinic,north-clinic',
      [GROUPS_CLAIM]: ['staff'],
      token_use: 'id',
    });
  });

  it('gives the staff API the same principal as an API Gateway JWT authorizer would', async () => {
    // Prepare
    const claims = await verifyLocalToken(await sign(), SECRET, NOW);

    // Act
    const passed = asAuthorizerClaims(claims);
    const principal = principalOf(
      toApiEvent({ method: 'GET', url: '/v1/clinics/demo-clinic', claims: passed }),
      CLINICS_CLAIM,
    );

    // Assess: API Gateway hands an array claim on as "[a b]"
    expect(passed[GROUPS_CLAIM]).toBe('[staff]');
    expect(principal.subject).toBe('staff-1');
    expect([...principal.clinics]).toEqual(['demo-clinic', 'north-clinic']);
    expect([...principal.roles]).toEqual(['staff']);
  });

  it('refuses an expired token, a changed payload, another secret and another issuer', async () => {
    // Prepare
    const token = await sign();
    const [header, , signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ sub: 'staff-1', [CLINICS_CLAIM]: 'every-clinic' })).toString(
      'base64url',
    );

    // Act and Assess
    await expect(verifyLocalToken(token, SECRET, LATER)).rejects.toThrow(/expired/);
    await expect(verifyLocalToken(`${header}.${widened}.${signature}`, SECRET, NOW)).rejects.toThrow(
      /signature/,
    );
    await expect(verifyLocalToken(token, `${SECRET}-other`, NOW)).rejects.toThrow(UnauthorizedError);
    await expect(
      verifyLocalToken(forge({ iss: 'someone-else', sub: 'x', exp: 2e9 }), SECRET, NOW),
    ).rejects.toThrow(/issued/);
  });

  it('accepts only HS256, whatever the header asks for', async () => {
    const none = forge({ iss: 'clinic-reminders-local', sub: 'x', exp: 2e9 }, { alg: 'none' });

    await expect(verifyLocalToken(none, SECRET, NOW)).rejects.toThrow(/only HS256/);
  });

  it('refuses text that is not a JWT, a token not valid yet, and one without a subject', async () => {
    await expect(verifyLocalToken('not-a-token', SECRET, NOW)).rejects.toThrow(/not a JWT/);
    await expect(verifyLocalToken('a.b.c', SECRET, NOW)).rejects.toThrow(UnauthorizedError);
    await expect(
      verifyLocalToken(
        forge({ iss: 'clinic-reminders-local', sub: 'x', exp: 2e9, nbf: 2e9 - 1 }),
        SECRET,
        NOW,
      ),
    ).rejects.toThrow(/not valid yet/);
    await expect(
      verifyLocalToken(forge({ iss: 'clinic-reminders-local', exp: 2e9 }), SECRET, NOW),
    ).rejects.toThrow(/subject/);
  });

  it('says why it refused a token in a reason code: expired, bad-signature, malformed, not-yet-valid, wrong-issuer', async () => {
    // Prepare
    const token = await sign();
    const reasonOf = (work: Promise<unknown>) =>
      work.then(
        () => 'accepted',
        (error: unknown) => (error instanceof UnauthorizedError ? error.reason : 'other error'),
      );

    // Act and Assess
    expect(await reasonOf(verifyLocalToken(token, SECRET, LATER))).toBe('expired');
    expect(await reasonOf(verifyLocalToken(token, `${SECRET}-other`, NOW))).toBe('bad-signature');
    // A forged token that is also expired hears about the signature, nothing about its claims.
    expect(await reasonOf(verifyLocalToken(token, `${SECRET}-other`, LATER))).toBe('bad-signature');
    expect(
      await reasonOf(
        verifyLocalToken(
          forge({ iss: 'clinic-reminders-local', sub: 'x', exp: 2e9 }, { alg: 'none' }),
          SECRET,
          NOW,
        ),
      ),
    ).toBe('bad-signature');
    expect(await reasonOf(verifyLocalToken('not-a-token', SECRET, NOW))).toBe('malformed');
    expect(
      await reasonOf(verifyLocalToken(forge({ iss: 'clinic-reminders-local', exp: 2e9 }), SECRET, NOW)),
    ).toBe('malformed');
    expect(
      await reasonOf(
        verifyLocalToken(
          forge({ iss: 'clinic-reminders-local', sub: 'x', exp: 2e9, nbf: 2e9 - 1 }),
          SECRET,
          NOW,
        ),
      ),
    ).toBe('not-yet-valid');
    expect(
      await reasonOf(verifyLocalToken(forge({ iss: 'someone-else', sub: 'x', exp: 2e9 }), SECRET, NOW)),
    ).toBe('wrong-issuer');
  });

  it('accepts a token a few seconds past its expiry, within the clock tolerance', async () => {
    await expect(verifyLocalToken(await sign(), SECRET, JUST_AFTER)).resolves.toMatchObject({
      sub: 'staff-1',
    });
  });

  it('refuses a secret shorter than 32 bytes', async () => {
    await expect(signLocalToken({ subject: 's', clinics: [], roles: [] }, 'short', NOW)).rejects.toThrow(
      RangeError,
    );
  });

  it('reads the token of a bearer Authorization header', () => {
    expect(bearerTokenOf('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenOf('bearer   abc.def.ghi ')).toBe('abc.def.ghi');
    expect(bearerTokenOf('Basic dXNlcjpwdw==')).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
  });
});
