/**
 * What the deployment tells the app: the API's URL and how to sign in.
 * Written by the deployment (AWS) or answered by local mode, at /config.json.
 */
export interface CognitoConfig {
  mode: 'cognito';
  /** The managed login's base URL, e.g. https://clinic.auth.us-east-1.amazoncognito.com */
  domain: string;
  clientId: string;
  userPoolId: string;
  region: string;
}

export interface LocalConfig {
  mode: 'local';
  /** Local mode's simulated clock (GET answers {"now": "<UTC instant>"}). */
  clockUrl: string;
}

export interface ConsoleConfig {
  /** The staff API's origin, without a trailing slash; '' for the console's own origin. */
  apiUrl: string;
  auth: CognitoConfig | LocalConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Reads /config.json and checks its shape; a clear error names the field. */
export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const body: unknown = await response.json();
  if (!isObject(body) || typeof body.apiUrl !== 'string')
    throw new Error('config.json: apiUrl must be a string');
  const auth = body.auth;
  if (!isObject(auth)) throw new Error('config.json: auth must be an object');
  if (auth.mode === 'local' && typeof auth.clockUrl === 'string') {
    return { apiUrl: body.apiUrl.replace(/\/$/, ''), auth: { mode: 'local', clockUrl: auth.clockUrl } };
  }
  if (auth.mode === 'cognito') {
    for (const key of ['domain', 'clientId', 'userPoolId', 'region'] as const) {
      if (typeof auth[key] !== 'string') throw new Error(`config.json: auth.${key} must be a string`);
    }
    return { apiUrl: body.apiUrl.replace(/\/$/, ''), auth: auth as unknown as CognitoConfig };
  }
  throw new Error('config.json: auth.mode must be local or cognito');
}
