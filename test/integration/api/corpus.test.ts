import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeAppointment, makeClinic, makePatient, TEST_NOW } from '../../support/factories';
import { type ApiCall, issuePaths, useStaffApi } from './harness';

/**
 * The bad-input corpus (test/corpus/*.jsonl): every entry must produce its
 * own error, with exactly the field paths it names, and leave every table
 * as it was.
 */

interface RequestEntry {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  raw?: string;
  /** Media type of `raw`; `none` sends no Content-Type. Default application/json. */
  contentType?: string;
  /** Makes the body big: this field gets `length` characters. */
  pad?: { field: string; length: number };
  expectedStatus: number;
  expectedPaths?: string[];
  /** Exact messages, by path, for entries whose wording is the point. */
  expectedMessages?: Record<string, string>;
}

interface ImportEntry {
  name: string;
  format: 'csv' | 'fhir';
  /** CSV: the cells of the one row, by column. */
  row?: Record<string, string>;
  /** CSV: the row as a raw line (for cell-count errors). */
  line?: string;
  /** FHIR: the one resource of the Bundle, and its entry's request. */
  resource?: Record<string, unknown>;
  request?: Record<string, string>;
  expectedPaths: string[];
  expectedMessages?: Record<string, string>;
}

interface Issue {
  path: string;
  message: string;
}

function readLines<T>(file: string): T[] {
  return readFileSync(new URL(`../../corpus/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

const REQUESTS = readLines<RequestEntry>('request-bodies.jsonl');
const IMPORT_ROWS = readLines<ImportEntry>('import-rows.jsonl');

const CSV_HEADER = [
  'appointmentId',
  'patientId',
  'start',
  'durationMinutes',
  'firstName',
  'lastName',
  'phone',
  'email',
  'channels',
  'language',
  'timeZone',
  'type',
  'location',
  'videoLink',
  'status',
  'cancelledBy',
  'smsOptOut',
  'emailOptOut',
];

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);

function callFor(entry: RequestEntry): ApiCall {
  const headers = { ...entry.headers };
  if (entry.raw !== undefined) {
    const type = entry.contentType ?? 'application/json';
    if (type !== 'none') headers['content-type'] = type;
    return { method: entry.method, url: entry.path, body: entry.raw, headers };
  }
  const body = entry.pad ? { ...entry.body, [entry.pad.field]: 'x'.repeat(entry.pad.length) } : entry.body;
  return { method: entry.method, url: entry.path, headers, ...(body ? { body } : {}) };
}

function importCallFor(entry: ImportEntry): ApiCall {
  if (entry.format === 'csv') {
    const line = entry.line ?? CSV_HEADER.map((column) => quote(entry.row?.[column] ?? '')).join(',');
    return {
      method: 'POST',
      url: '/v1/clinics/demo-clinic/imports',
      headers: { 'content-type': 'text/csv' },
      body: `${CSV_HEADER.join(',')}\n${line}\n`,
    };
  }
  const bundle = {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: entry.resource, ...(entry.request ? { request: entry.request } : {}) }],
  };
  return {
    method: 'POST',
    url: '/v1/clinics/demo-clinic/imports',
    headers: { 'content-type': 'application/fhir+json' },
    body: JSON.stringify(bundle),
  };
}

/** The value at a dotted issue path (`policy.quietHours.start`, `entry.0.resource.name.0.family`). */
function valueAt(root: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      root,
    );
}

/** What the entry sent, as the server parsed it (a raw body only when it is JSON). */
function sentBody(entry: RequestEntry): unknown {
  if (entry.raw === undefined) return callFor(entry).body;
  try {
    return JSON.parse(entry.raw);
  } catch {
    return undefined;
  }
}

/** Issues that call a field missing although the entry carries it. */
function presentButCalledMissing(issues: readonly Issue[], sent: (path: string) => unknown): Issue[] {
  return issues.filter((issue) => {
    if (!issue.message.startsWith('is required')) return false;
    const value = sent(issue.path);
    return value !== undefined && value !== '';
  });
}

function expectMessages(issues: readonly Issue[], expected: Record<string, string> | undefined): void {
  if (!expected) return;
  const byPath = Object.fromEntries(issues.map((issue) => [issue.path, issue.message]));
  expect(byPath).toMatchObject(expected);
}

const api = useStaffApi();
let baseline = '';

beforeAll(async () => {
  await api.seed({
    clinics: [makeClinic()],
    patients: [
      makePatient(),
      makePatient({ patientId: 'stopped', optOuts: { sms: { at: TEST_NOW, source: 'patient-keyword' } } }),
    ],
    appointments: [
      makeAppointment(),
      makeAppointment({
        appointmentId: 'a-cancelled',
        status: 'cancelled',
        cancelledBy: 'clinic',
        version: 2,
      }),
    ],
  });
  baseline = await api.snapshot();
});

describe('bad-input corpus', () => {
  it('holds at least 100 request bodies and import rows, each with a distinct name', () => {
    const names = [...REQUESTS, ...IMPORT_ROWS].map((entry) => entry.name);

    expect(names.length).toBeGreaterThanOrEqual(100);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(REQUESTS.map((entry) => [entry.name, entry] as const))(
    'request %s: answers its own error and writes nothing',
    async (_name, entry) => {
      // Act
      const answer = await api.call({ ...callFor(entry), clinics: ['demo-clinic', 'corpus-new'] });

      // Assess
      expect(answer.status).toBe(entry.expectedStatus);
      expect(answer.body.error.code).toBeTypeOf('string');
      if (entry.expectedPaths) expect(issuePaths(answer).sort()).toEqual([...entry.expectedPaths].sort());
      const issues: Issue[] = answer.body.error.issues ?? [];
      const body = sentBody(entry);
      expect(
        presentButCalledMissing(issues, (path) =>
          path === 'If-Match' ? entry.headers?.['if-match'] : valueAt(body, path),
        ),
      ).toEqual([]);
      expectMessages(issues, entry.expectedMessages);
      expect(await api.snapshot()).toBe(baseline);
    },
  );

  it.each(IMPORT_ROWS.map((entry) => [entry.name, entry] as const))(
    'import row %s: is rejected at its own field and writes nothing',
    async (_name, entry) => {
      // Act
      const answer = await api.call(importCallFor(entry));

      // Assess
      expect(answer.status).toBe(200);
      expect(answer.body.summary).toMatchObject({ rows: 1, rejected: 1 });
      const issues: Issue[] = answer.body.rows[0].issues;
      expect(issues.map((issue) => issue.path).sort()).toEqual([...entry.expectedPaths].sort());
      const bundle = entry.format === 'fhir' ? JSON.parse(importCallFor(entry).body as string) : undefined;
      expect(
        presentButCalledMissing(issues, (path) =>
          entry.format === 'csv' ? entry.row?.[path]?.trim() : valueAt(bundle, path),
        ),
      ).toEqual([]);
      expectMessages(issues, entry.expectedMessages);
      expect(await api.snapshot()).toBe(baseline);
    },
  );
});
