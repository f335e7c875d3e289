/**
 * Signing in. Local mode: the token the banner's console URL carries in its
 * fragment (#token=…, never sent to a server), or one pasted on the sign-in
 * form. AWS: the Cognito user pool's managed login, authorization code with
 * PKCE (S256); the ID token carries custom:clinics and cognito:groups.
 * Tokens are kept in sessionStorage (this tab only).
 */
import type { CognitoConfig, ConsoleConfig } from './config';

const TOKEN_KEY = 'console.idToken';
const VERIFIER_KEY = 'console.pkceVerifier';
const STATE_KEY = 'console.pkceState';

export type Role = 'staff' | 'clinic-admin';

export interface Session {
  token: string;
  subject: string;
  clinics: string[];
  roles: Role[];
  /** Seconds since the epoch. */
  expiresAt: number;
}

function base64UrlDecode(text: string): string {
  const padded = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

function base64UrlEncode(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** The groups claim as API Gateway may pass it: an array, "[a b]", or "a,b". */
function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/**
 * What a token says about its user (read for display and navigation only:
 * the API verifies every request itself).
 */
export function sessionOf(token: string): Session | undefined {
  const [, payload] = token.split('.');
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(base64UrlDecode(payload)) as Record<string, unknown>;
    const clinics = String(claims['custom:clinics'] ?? '')
      .split(',')
      .map((clinic) => clinic.trim())
      .filter(Boolean);
    const roles = groupsOf(claims['cognito:groups']).filter(
      (group): group is Role => group === 'staff' || group === 'clinic-admin',
    );
    return {
      token,
      subject: String(claims.sub ?? ''),
      clinics,
      roles,
      expiresAt: Number(claims.exp ?? 0),
    };
  } catch {
    return undefined;
  }
}

export function isAdmin(session: Session): boolean {
  return session.roles.includes('clinic-admin');
}

export function storeToken(token: string): Session | undefined {
  const session = sessionOf(token);
  if (session) sessionStorage.setItem(TOKEN_KEY, token);
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

function current(nowSeconds: number): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const session = token ? sessionOf(token) : undefined;
  if (session && session.expiresAt > nowSeconds) return session;
  if (token) sessionStorage.removeItem(TOKEN_KEY);
  return undefined;
}

function redirectUri(): string {
  return `${location.origin}/`;
}

async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}

/** Sends the browser to the managed login (authorization code, PKCE S256). */
export async function startCognitoSignIn(auth: CognitoConfig): Promise<void> {
  const verifier = base64UrlEncode(crypto.getRandomValues(new Uint8Array(48)));
  const state = base64UrlEncode(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  sessionStorage.setItem(STATE_KEY, state);
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email',
    state,
    code_challenge: await pkceChallenge(verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`${auth.domain}/oauth2/authorize?${query}`);
}

async function finishCognitoSignIn(auth: CognitoConfig, code: string, state: string): Promise<Session> {
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  const expected = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(VERIFIER_KEY);
  sessionStorage.removeItem(STATE_KEY);
  if (!verifier || state !== expected)
    throw new Error('sign-in: the answer does not match this tab’s request');
  const response = await fetch(`${auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error(`sign-in: the token endpoint answered ${response.status}`);
  const { id_token: idToken } = (await response.json()) as { id_token?: string };
  const session = idToken ? storeToken(idToken) : undefined;
  if (!session) throw new Error('sign-in: no usable ID token');
  return session;
}

/**
 * The signed-in session, after taking a token from the URL (local mode's
 * #token=, or Cognito's ?code=) and cleaning the URL; undefined when nobody
 * is signed in.
 */
export async function restoreSession(config: ConsoleConfig): Promise<Session | undefined> {
  const fragment = new URLSearchParams(location.hash.replace(/^#\/?\??/, ''));
  const fromHash = fragment.get('token');
  if (config.auth.mode === 'local' && fromHash) {
    history.replaceState(null, '', `${location.pathname}#/schedule`);
    return storeToken(fromHash);
  }
  const search = new URLSearchParams(location.search);
  const code = search.get('code');
  if (config.auth.mode === 'cognito' && code) {
    history.replaceState(null, '', `${location.pathname}#/schedule`);
    return finishCognitoSignIn(config.auth, code, search.get('state') ?? '');
  }
  return current(Date.now() / 1000);
}
