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
      const paths = answer.body.rows[0].issues.map((issue: { path: string }) => issue.path);
      expect(paths.sort()).toEqual([...entry.expectedPaths].sort());
      expect(await api.snapshot()).toBe(baseline);
    },
  );
});
