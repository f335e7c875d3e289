import { describe, expect, it } from 'vitest';
import { signSurveyToken, surveyLinkLine, verifySurveyToken } from '../../../shared/domain/survey-link';

const KEY = Buffer.alloc(32, 1);
const CLAIMS = {
  clinicId: 'north',
  patientId: 'p-1',
  messageId: 'a-1#survey#2h#v2',
  language: 'es',
  expiresAt: '2026-12-10T12:00:00.000Z',
};
const BEFORE = '2026-12-09T12:00:00.000Z';

describe('survey link tokens', () => {
  it('checks out for its clinic before it expires, naming clinic, timeline, message and language', () => {
    const token = signSurveyToken(KEY, CLAIMS);
    expect(verifySurveyToken(KEY, token, { clinicId: 'north', now: BEFORE })).toEqual({
      ok: true,
      claims: CLAIMS,
    });
  });

  it('refuses a forged link as 401: another key, an altered payload, a cut signature, garbage', () => {
    const token = signSurveyToken(KEY, CLAIMS);
    const [payload = '', signature = ''] = token.split('.');
    const altered = Buffer.from(
      JSON.stringify({ c: 'north', p: 'p-2', m: CLAIMS.messageId, l: 'es', e: CLAIMS.expiresAt }),
    ).toString('base64url');
    const forged = [
      signSurveyToken(Buffer.alloc(32, 2), CLAIMS),
      `${altered}.${signature}`,
      `${payload}.${signature.slice(0, -2)}`,
      `${payload}.`,
      'not-a-token',
      `${payload}.${signature}.x`,
      'x'.repeat(2000),
    ];
    for (const candidate of forged) {
      expect(verifySurveyToken(KEY, candidate, { clinicId: 'north', now: BEFORE })).toEqual({
        ok: false,
        reason: 'forged',
        status: 401,
      });
    }
  });

  it('refuses a genuine link on another clinic’s page as 403, before looking at its expiry', () => {
    const token = signSurveyToken(KEY, CLAIMS);
    expect(
      verifySurveyToken(KEY, token, { clinicId: 'south', now: '2027-01-01T00:00:00.000Z' }),
    ).toMatchObject({
      ok: false,
      reason: 'other-clinic',
      status: 403,
    });
  });

  it('refuses an expired link as 410 from the instant it expires', () => {
    const token = signSurveyToken(KEY, CLAIMS);
    expect(verifySurveyToken(KEY, token, { clinicId: 'north', now: CLAIMS.expiresAt })).toMatchObject({
      ok: false,
      reason: 'expired',
      status: 410,
    });
    expect(verifySurveyToken(KEY, token, { clinicId: 'north', now: '2026-12-10T11:59:59.999Z' }).ok).toBe(
      true,
    );
  });

  it('ends a survey email with the link in the email’s language', () => {
    expect(surveyLinkLine('es-MX', 'http://x/s')).toBe(
      'Responda aquí, sin iniciar sesión (el enlace sirve una vez):\nhttp://x/s',
    );
    expect(surveyLinkLine('fr', 'http://x/s')).toContain('Answer here');
  });
});
