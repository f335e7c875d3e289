import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseCsvImport } from '../../../shared/api/import/csv';
import { parseFhirImport } from '../../../shared/api/import/fhir';
import { parseImportStart } from '../../../shared/api/import/rows';
import type { FieldIssue } from '../../../shared/domain/errors';
import { PayloadTooLargeError, ValidationError } from '../../../shared/domain/errors';

const NEW_YORK = { timeZone: 'America/New_York', country: 'US' };
const LIMITS = { maxRows: 100 };

const rowsOf = (csv: string) => parseCsvImport(csv, NEW_YORK, LIMITS).rows;

describe('CSV reader', () => {
  it('matches column names ignoring case, spaces, underscores and hyphens, after a byte-order mark', () => {
    const [row] = rowsOf(
      '\uFEFFAppointment ID,patient_id,START,duration-minutes,First Name\r\na-1,p-1,2026-12-10 09:00,30,Ana\r\n',
    );

    expect(row?.issues).toEqual([]);
    expect(row?.appointment).toMatchObject({ appointmentId: 'a-1', startAt: '2026-12-10T14:00:00.000Z' });
  });

  it('reports the line where each record starts, across blank lines and quoted line breaks', () => {
    const rows = rowsOf(
      'appointmentId,patientId,start,durationMinutes,firstName,location\n\na-1,p-1,2026-12-10 09:00,30,Ana,"Suite 3\nRiver Road"\na-2,p-2,2026-12-10 10:00,30,Ben,\n',
    );

    expect(rows.map((row) => row.line)).toEqual([3, 5]);
    expect(rows[0]?.appointment?.location).toBe('Suite 3\nRiver Road');
  });

  it('reads national numbers in the clinic country and derives SMS-first channels', () => {
    const [row] = rowsOf(
      'appointmentId,patientId,start,durationMinutes,firstName,phone,email\na,p,2026-12-10 09:00,30,Ana,(415) 555-2671,ana@example.com\n',
    );

    expect(row?.patient).toMatchObject({
      phone: '+14155552671',
      email: 'ana@example.com',
      channels: undefined,
    });
  });

  it('keeps absent columns undefined (keep) and empty cells null (clear)', () => {
    const [row] = rowsOf(
      'appointmentId,patientId,start,durationMinutes,firstName,lastName\na,p,2026-12-10 09:00,30,Ana,\n',
    );

    expect(row?.patient?.lastName).toBeNull();
    expect(row?.patient?.email).toBeUndefined();
    expect(row?.appointment?.location).toBeUndefined();
  });

  it('picks the first of two instants when a local time happens twice (fall back)', () => {
    const [row] = rowsOf(
      'appointmentId,patientId,start,durationMinutes,firstName\na,p,2026-11-01 01:30,30,Ana\n',
    );

    expect(row?.appointment?.startAt).toBe('2026-11-01T05:30:00.000Z');
  });

  it('refuses an unreadable file, one without rows, and one over the row limit', () => {
    expect(() => rowsOf('a,"b\n')).toThrow(ValidationError);
    expect(() => rowsOf('appointmentId,patientId,start,durationMinutes,firstName\n')).toThrow(/no rows/);
    const many = `appointmentId,patientId,start,durationMinutes,firstName\n${'a,p,2026-12-10 09:00,30,A\n'.repeat(3)}`;
    expect(() => parseCsvImport(many, NEW_YORK, { maxRows: 2 })).toThrow(PayloadTooLargeError);
  });

  it('never throws on arbitrary cell text: every problem is a row issue', () => {
    const header =
      'appointmentId,patientId,start,durationMinutes,firstName,phone,email,channels,language,timeZone,type,location,videoLink,status,cancelledBy,smsOptOut,emailOptOut';
    const cell = fc.string({ maxLength: 40 }).map((text) => `"${text.replace(/"/g, '""')}"`);
    fc.assert(
      fc.property(fc.array(cell, { minLength: 17, maxLength: 17 }), (cells) => {
        const [row] = rowsOf(`${header}\n${cells.join(',')}\n`);
        expect(row).toBeDefined();
        expect(row?.issues.length === 0).toBe(row?.appointment !== undefined && row?.patient !== undefined);
      }),
      { numRuns: 300 },
    );
  });
});

describe('local start times', () => {
  const zones = [
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'America/Santiago',
  ];

  it('round-trips every wall-clock time that exists in the zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 3 * 365 * 24 * 4 }),
        (zone, quarterHours) => {
          const local = DateTime.fromISO('2026-01-01T00:00', { zone }).plus({ minutes: quarterHours * 15 });
          const text = local.toFormat('yyyy-MM-dd HH:mm');
          const issues: FieldIssue[] = [];
          const utc = parseImportStart(text, zone, 'start', issues);
          const back = utc
            ? DateTime.fromISO(utc, { zone: 'utc' }).setZone(zone).toFormat('yyyy-MM-dd HH:mm')
            : '';
          expect(issues).toEqual([]);
          expect(back).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a time the clocks skip, naming the zone', () => {
    const issues: FieldIssue[] = [];

    expect(parseImportStart('2027-03-14 02:30', 'America/New_York', 'start', issues)).toBeUndefined();
    expect(issues[0]?.message).toMatch(/does not exist in America\/New_York/);
  });
});

describe('FHIR reader', () => {
  const NOW = '2026-12-01T15:00:00.000Z';
  const read = (entry: unknown[]) =>
    parseFhirImport(
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry }),
      { ...NEW_YORK, now: NOW },
      LIMITS,
    );
  const patient = (extra: Record<string, unknown>) => ({
    resource: { resourceType: 'Patient', id: 'p-1', name: [{ given: ['Ana'] }], ...extra },
  });

  it('orders channels by contact-point rank and prefers an sms point over a mobile phone', () => {
    const { rows } = read([
      patient({
        telecom: [
          { system: 'phone', value: '+14155550100', use: 'mobile', rank: 1 },
          { system: 'sms', value: '+14155552671', rank: 1 },
          { system: 'email', value: 'ana@example.com', rank: 2 },
        ],
      }),
      patient({
        id: 'p-2',
        telecom: [
          { system: 'sms', value: '+14155552671', rank: 3 },
          { system: 'email', value: 'ana@example.com', rank: 1 },
        ],
      }),
    ]);

    expect(rows[0]?.patient).toMatchObject({ phone: '+14155552671', channels: ['sms', 'email'] });
    expect(rows[1]?.patient?.channels).toEqual(['email', 'sms']);
  });

  it('skips contact points that ended, and reads the preferred language as a BCP 47 tag', () => {
    const { rows } = read([
      patient({
        telecom: [
          { system: 'sms', value: '+14155550100', period: { end: '2025-06' } },
          { system: 'sms', value: '+14155552671', period: { end: '2027' } },
        ],
        communication: [
          { language: { coding: [{ code: 'en' }] } },
          { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'pt-br' }] }, preferred: true },
        ],
      }),
    ]);

    expect(rows[0]?.patient).toMatchObject({ phone: '+14155552671', language: 'pt-BR' });
  });

  it('reads the patient of an appointment from a urn:uuid fullUrl and ignores other resources', () => {
    const parsed = read([
      {
        fullUrl: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a',
        ...patient({ telecom: [{ system: 'email', value: 'a@example.com' }] }),
      },
      { resource: { resourceType: 'Location', id: 'l-1' } },
      {
        resource: {
          resourceType: 'Appointment',
          id: 'a-1',
          status: 'checked-in',
          start: '2026-12-10T09:00:00-05:00',
          end: '2026-12-10T09:45:00-05:00',
          participant: [{ actor: { reference: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a' } }],
        },
      },
    ]);

    expect(parsed.ignored).toEqual([{ entry: 1, resourceType: 'Location' }]);
    expect(parsed.rows[1]?.appointment).toMatchObject({
      patientId: 'p-1',
      status: 'booked',
      durationMinutes: 45,
      location: null,
    });
  });

  it('refuses a Bundle with more entries than the limit', () => {
    const entries = Array.from({ length: 3 }, () => patient({}));

    expect(() =>
      parseFhirImport(
        JSON.stringify({ resourceType: 'Bundle', entry: entries }),
        { ...NEW_YORK, now: NOW },
        { maxRows: 2 },
      ),
    ).toThrow(PayloadTooLargeError);
  });
});
