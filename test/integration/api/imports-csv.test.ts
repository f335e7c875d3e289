import { beforeAll, describe, expect, it } from 'vitest';
import { ImportReportSchema } from '../../../shared/api/schemas';
import { makeAppointment, makeClinic, makePatient, TEST_NOW } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi({ config: { importMaxBytes: 64 * 1024, importMaxRows: 50 } });
const BASE = '/v1/clinics/demo-clinic/imports';

beforeAll(() =>
  api.seed({
    clinics: [makeClinic()],
    patients: [makePatient({ patientId: 'p-300' })],
    appointments: [
      makeAppointment({ appointmentId: 'a-200', patientId: 'p-300', startAt: '2026-12-15T15:00:00.000Z' }),
      makeAppointment({ appointmentId: 'a-201', patientId: 'p-300', startAt: '2026-12-16T15:00:00.000Z' }),
    ],
  }),
);

const HEADER =
  'appointmentId,patientId,start,durationMinutes,firstName,lastName,phone,email,channels,language,status,smsOptOut';
const MIXED = [
  HEADER,
  'a-100,p-100,2026-12-10 09:00,30,Ana,Rivera,(415) 555-2671,,,es,,',
  'a-101,p-100,2026-12-11 09:00,30,Ana,Rivera,(415) 555-2671,,,es,,',
  'a-102,p-101,2026-12-12 09:00,30,Ben,Okafor,123,,,,,',
  'a-103,p-102,2026-11-01 09:00,30,Cleo,Marsh,+14155550123,,,,,',
  'a-200,p-300,2026-12-15 11:00,45,Ana,Rivera,+14155552671,ana.rivera@example.com,sms;email,en,booked,',
  'a-201,p-300,2026-12-16 10:00,30,Ana,Rivera,+14155552671,ana.rivera@example.com,sms;email,en,cancelled,',
  'a-104,p-103,2027-03-14 02:30,30,Dev,Patel,+14155550124,,,,,',
  'a-105,p-100,2026-12-12 09:00,30,Anna,Rivera,(415) 555-2671,,,es,,',
  'a-100,p-104,2026-12-13 09:00,30,Eve,Stone,+14155550125,,,,,',
  'a-106,p-105,2026-12-20 09:00,30,Finn,Ode,+14155550126,,,,cancelled,',
  'a-107,p-106,2026-12-21 09:00,30,Gia,Lu,,gia@example,email,,,',
  'a-108,p-107,2026-12-22 09:00,30,Hal,Berg,+14155550127,,,,,yes',
].join('\n');

const csv = (body: string) => ({ method: 'POST', url: BASE, body, headers: { 'content-type': 'text/csv' } });

describe('POST /v1/clinics/{clinicId}/imports (text/csv)', () => {
  it('applies the valid rows of a mixed file and rejects the rest with the column at fault', async () => {
    // Act
    const answer = await api.call(csv(MIXED));

    // Assess
    expect(answer.status).toBe(200);
    const report = ImportReportSchema.parse(answer.body);
    const byRow = Object.fromEntries(report.rows.map((row) => [row.row, row]));
    expect(report.format).toBe('csv');
    expect(byRow[1]).toMatchObject({
      line: 2,
      outcome: 'created',
      patient: 'created',
      appointment: 'created',
    });
    expect(byRow[2]).toMatchObject({ outcome: 'created', patient: 'unchanged', appointment: 'created' });
    expect(byRow[3]).toMatchObject({ outcome: 'rejected', issues: [{ path: 'phone' }] });
    expect(byRow[4]).toMatchObject({ outcome: 'rejected', issues: [{ path: 'start' }] });
    expect(byRow[5]).toMatchObject({ outcome: 'updated', patient: 'unchanged', appointment: 'updated' });
    expect(byRow[6]).toMatchObject({ outcome: 'updated', appointment: 'updated' });
    expect(byRow[7]?.issues?.[0]?.message).toMatch(/does not exist in America\/New_York/);
    expect(byRow[8]).toMatchObject({ outcome: 'rejected', issues: [{ path: 'patientId' }] });
    expect(byRow[9]).toMatchObject({
      outcome: 'rejected',
      issues: [{ path: 'appointmentId', message: 'repeats appointment a-100 of row 1' }],
    });
    expect(byRow[10]).toMatchObject({ outcome: 'rejected', issues: [{ path: 'status' }] });
    expect(byRow[11]).toMatchObject({ outcome: 'rejected', issues: [{ path: 'email' }] });
    expect(byRow[12]).toMatchObject({ outcome: 'created' });
    expect(report.summary).toEqual({ rows: 12, created: 3, updated: 2, unchanged: 0, rejected: 7 });
  });

  it('wrote what the valid rows say, and nothing of the rejected rows', async () => {
    const { appointments, patients } = api.repos();

    const created = await appointments.get('demo-clinic', 'a-100');
    const moved = await appointments.get('demo-clinic', 'a-200');
    const cancelled = await appointments.get('demo-clinic', 'a-201');
    const patient = await patients.get('demo-clinic', 'p-100');
    const optedOut = await patients.get('demo-clinic', 'p-107');

    expect(created).toMatchObject({
      patientId: 'p-100',
      startAt: '2026-12-10T14:00:00.000Z',
      status: 'booked',
    });
    expect(moved).toMatchObject({
      startAt: '2026-12-15T16:00:00.000Z',
      durationMinutes: 45,
      version: 2,
      scheduleVersion: 2,
    });
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'clinic',
      startAt: '2026-12-16T15:00:00.000Z',
    });
    expect(patient).toMatchObject({ phone: '+14155552671', channels: ['sms'], language: 'es' });
    expect(optedOut?.optOuts.sms).toEqual({ at: TEST_NOW, source: 'import' });
    for (const id of ['a-102', 'a-103', 'a-104', 'a-105', 'a-106', 'a-107']) {
      expect(await appointments.get('demo-clinic', id)).toBeUndefined();
    }
    for (const id of ['p-101', 'p-102', 'p-103', 'p-104', 'p-105', 'p-106']) {
      expect(await patients.get('demo-clinic', id)).toBeUndefined();
    }
  });

  it('changes nothing when the same file is imported again', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const answer = await api.call(csv(MIXED));

    // Assess
    expect(answer.body.summary).toEqual({ rows: 12, created: 0, updated: 0, unchanged: 5, rejected: 7 });
    expect(await api.snapshot()).toBe(before);
  });

  it('keeps stored fields for columns the file does not have, and never lifts an opt-out', async () => {
    // Prepare
    await api.seed({
      patients: [
        makePatient({
          patientId: 'keep-1',
          timeZone: 'America/Denver',
          optOuts: { email: { at: TEST_NOW, source: 'patient-keyword' } },
        }),
      ],
    });
    const file =
      'appointmentId,patientId,start,durationMinutes,firstName,phone,email\nk-1,keep-1,2026-12-18 08:15,20,Ana,+14155552671,ana.rivera@example.com\n';

    // Act
    const answer = await api.call(csv(file));

    // Assess
    expect(answer.body.rows[0]).toMatchObject({ outcome: 'created', patient: 'unchanged' });
    const stored = await api.repos().patients.get('demo-clinic', 'keep-1');
    expect(stored).toMatchObject({
      timeZone: 'America/Denver',
      channels: ['sms', 'email'],
      lastName: 'Rivera',
    });
    expect(stored?.optOuts.email?.source).toBe('patient-keyword');
  });

  it('records consent to the updates topic from updatesConsent yes (source import), never withdraws it, and refuses another word', async () => {
    // Prepare
    const header = 'appointmentId,patientId,start,durationMinutes,firstName,phone,updatesConsent';
    const first = `${header}\nu-1,upd-1,2026-12-18 08:15,20,Uma,+14155552671,yes\nu-2,upd-2,2026-12-18 09:15,20,Uri,+14155552671,maybe\n`;
    const second = `${header}\nu-1,upd-1,2026-12-18 08:15,20,Uma,+14155552671,no\n`;

    // Act
    const answer = await api.call(csv(first));
    await api.call(csv(second));

    // Assess
    expect(answer.body.rows[0]).toMatchObject({ outcome: 'created' });
    expect(answer.body.rows[1]).toMatchObject({ outcome: 'rejected' });
    expect(answer.body.rows[1].issues.map((issue: { path: string }) => issue.path)).toEqual([
      'updatesConsent',
    ]);
    const stored = await api.repos().patients.get('demo-clinic', 'upd-1');
    expect(stored?.consent.updates).toEqual({ at: TEST_NOW, source: 'import' });
  });

  it('refuses a file with an unknown or missing column as a whole (400), writing nothing', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const unknown = await api.call(
      csv('appointmentId,patientId,start,durationMinutes,firstName,phon\nx,y,2026-12-10 09:00,30,Z,1\n'),
    );
    const missing = await api.call(csv('appointmentId,patientId,durationMinutes,firstName\nx,y,30,Z\n'));

    // Assess
    expect(unknown.status).toBe(400);
    expect(issuePaths(unknown)).toEqual(['header.5']);
    expect(issuePaths(missing)).toEqual(['header.start']);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses a file over the byte limit or the row limit with 413, and another media type with 415', async () => {
    // Prepare
    const before = await api.snapshot();
    const row = (i: number) => `big-${i},pb-${i},2026-12-10 09:00,30,Ana,+14155552671`;
    const manyRows = [
      HEADER.split(',').slice(0, 6).join(','),
      ...Array.from({ length: 51 }, (_, i) => row(i)),
    ].join('\n');
    const manyBytes = `${HEADER}\n${'x'.repeat(65 * 1024)}`;

    // Act
    const rows = await api.call(csv(manyRows));
    const bytes = await api.call(csv(manyBytes));
    const media = await api.call({
      method: 'POST',
      url: BASE,
      body: MIXED,
      headers: { 'content-type': 'application/vnd.ms-excel' },
    });

    // Assess
    expect(rows.status).toBe(413);
    expect(rows.body.error).toMatchObject({
      limit: 50,
      message: expect.stringMatching(/51 rows; the limit is 50 rows/),
    });
    expect(bytes.status).toBe(413);
    expect(bytes.body.error.limit).toBe(64 * 1024);
    expect(media.status).toBe(415);
    expect(await api.snapshot()).toBe(before);
  });
});
