/**
 * The email survey's link (issue 13 item 2): a signed, single-use token per
 * survey message, naming the clinic, the patient's timeline and the
 * message, the language of the page and when it stops working (the end of
 * the survey's answer window). HMAC-SHA256 with the deployment's secret
 * (SSM Parameter Store in AWS, a generated one in local mode); no I/O, no clock:
 * callers pass the key and the instant.
 *
 * `<payload>.<signature>`, both base64url: the payload is JSON, so a page
 * can name the clinic and language of a link it refuses for expiry or for
 * another clinic, but only after the signature checked out. Single use is
 * not the token's business: the survey holds its answer, and the page
 * refuses a link whose survey is answered (record-survey-answer.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { parseUtc } from './time';

/** What a link names. */
export interface SurveyLinkClaims {
  clinicId: string;
  patientId: string;
  messageId: string;
  /** The page's language: the survey message's. */
  language: string;
  /** When the link stops working (UTC ISO): the survey's send time plus its answer window. */
  expiresAt: string;
}

/** Why a link is refused, and the HTTP status the page answers with. */
export type SurveyLinkRefusal =
  | { reason: 'forged'; status: 401 }
  | { reason: 'other-clinic'; status: 403; claims: SurveyLinkClaims }
  | { reason: 'expired'; status: 410; claims: SurveyLinkClaims };

export type SurveyLinkCheck = { ok: true; claims: SurveyLinkClaims } | ({ ok: false } & SurveyLinkRefusal);

/** Keeps a signature for one purpose: the same secret signing something else never makes a survey link. */
const CONTEXT = 'clinic-reminders/survey-link/v1';

/** Longest token accepted (a path segment; real ones are about 250 characters). */
export const MAX_SURVEY_TOKEN_LENGTH = 1024;

const ClaimsSchema = z.strictObject({
  c: z.string().min(1).max(48),
  p: z.string().min(1).max(64),
  m: z.string().min(1).max(200),
  l: z.string().min(2).max(16),
  e: z.iso.datetime(),
});

function signatureOf(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', key).update(`${CONTEXT}.${payload}`).digest();
}

/**
 * The token of a survey link.
 *
 * @param key - the deployment's secret
 * @param claims - clinic, timeline, message, language and expiry
 */
export function signSurveyToken(key: Uint8Array, claims: SurveyLinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      c: claims.clinicId,
      p: claims.patientId,
      m: claims.messageId,
      l: claims.language,
      e: claims.expiresAt,
    }),
  ).toString('base64url');
  return `${payload}.${signatureOf(key, payload).toString('base64url')}`;
}

/**
 * Checks a link's token: signed with this deployment's secret (else
 * `forged`, 401), for the clinic whose page it was opened on (else
 * `other-clinic`, 403), and not expired at `now` (else `expired`, 410).
 *
 * @param key - the deployment's secret
 * @param token - the token from the link's path
 * @param expected - the clinic in the link's path, and the instant of the request (UTC ISO)
 */
export function verifySurveyToken(
  key: Uint8Array,
  token: string,
  expected: { clinicId: string; now: string },
): SurveyLinkCheck {
  const forged = { ok: false, reason: 'forged', status: 401 } as const;
  if (token.length > MAX_SURVEY_TOKEN_LENGTH) return forged;
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return forged;
  const given = Buffer.from(signature, 'base64url');
  const wanted = signatureOf(key, payload);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return forged;
  let parsed: z.infer<typeof ClaimsSchema>;
  try {
    parsed = ClaimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    // Signed by us but not a link we make: treat as forged rather than trust it.
    return forged;
  }
  const claims: SurveyLinkClaims = {
    clinicId: parsed.c,
    patientId: parsed.p,
    messageId: parsed.m,
    language: parsed.l,
    expiresAt: parsed.e,
  };
  if (claims.clinicId !== expected.clinicId)
    return { ok: false, reason: 'other-clinic', status: 403, claims };
  if (parseUtc(expected.now) >= parseUtc(claims.expiresAt)) {
    return { ok: false, reason: 'expired', status: 410, claims };
  }
  return { ok: true, claims };
}

/** The path of a survey's page: the clinic, then the token. */
export function surveyPagePath(clinicId: string, token: string): string {
  return `/survey/${encodeURIComponent(clinicId)}/${token}`;
}

/** The line a survey email ends with, by language (others get English). */
const LINK_LINES: Record<string, string> = {
  en: 'Answer here, no login needed (the link works once):',
  es: 'Responda aquí, sin iniciar sesión (el enlace sirve una vez):',
};

/**
 * The survey email's last line: where to answer.
 *
 * @param language - the email's language
 * @param url - the survey page's signed link
 */
export function surveyLinkLine(language: string, url: string): string {
  const base = language.toLowerCase().split('-')[0] ?? 'en';
  return `${LINK_LINES[base] ?? LINK_LINES.en}\n${url}`;
}
