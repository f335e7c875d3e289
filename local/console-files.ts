/**
 * The staff console in local mode: the built app (console/dist, `npm run
 * console:build`) at `/`, its files under `/assets/`, and `/config.json`
 * telling it to use this origin's API, local tokens and the simulated clock.
 * The same security headers as the CloudFront distribution
 * (infra/constructs/console-site.ts) send, so a CSP problem shows here first.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist', import.meta.url));

/** The console's Content-Security-Policy: only this origin (and, in AWS, the API and the login). */
export function consoleCsp(connect: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const SECURITY_HEADERS = {
  'content-security-policy': consoleCsp(),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** The config.json local mode answers (the deployment writes its own in AWS). */
export const LOCAL_CONSOLE_CONFIG = { apiUrl: '', auth: { mode: 'local', clockUrl: '/local/clock' } };

/** True when the request is one for the console, and it has been answered. */
export async function serveConsole(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = url.pathname;
  if (path === '/config.json') {
    response.writeHead(200, { 'content-type': TYPES['.json'] as string, 'cache-control': 'no-store' });
    response.end(JSON.stringify(LOCAL_CONSOLE_CONFIG));
    return true;
  }
  let file: string;
  if (path === '/' || path === '/index.html') file = join(CONSOLE_DIST, 'index.html');
  else if (path.startsWith('/assets/')) {
    file = normalize(join(CONSOLE_DIST, decodeURIComponent(path)));
    if (!file.startsWith(`${join(CONSOLE_DIST, 'assets')}${sep}`)) return false;
  } else return false;
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (path.startsWith('/assets/')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('not found');
    } else {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('The console is not built: run `npm run console:build`, then reload.\n');
    }
    return true;
  }
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Asset names carry a content hash; the page itself is always fetched anew.
    'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}
