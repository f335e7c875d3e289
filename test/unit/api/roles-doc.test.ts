import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAFF_API_ROUTES } from '../../../shared/http/staff-api';

const API_DOC = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

/** The rows of docs/api.md's roles table: `METHOD path` → role. */
function documentedRoles(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of API_DOC.matchAll(/^\| `((?:GET|PUT|POST|DELETE|PATCH) \S+)` \| `([a-z-]+)` \|$/gm)) {
    rows.set(match[1] ?? '', match[2] ?? '');
  }
  return rows;
}

describe('docs/api.md roles table', () => {
  it('lists every clinic route with the role the route table gives it, and nothing else', () => {
    const fromCode = new Map(
      STAFF_API_ROUTES.filter((route) => !route.public).map((route) => [
        `${route.method} ${route.path}`,
        route.role,
      ]),
    );

    expect(Object.fromEntries(documentedRoles())).toEqual(Object.fromEntries(fromCode));
  });
});
