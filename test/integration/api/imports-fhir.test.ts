import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImportReportSchema } from '../../../shared/api/schemas';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

/**
 * Resources shaped like the HL7 FHIR R4 examples (patient-example,
 * patient-example-f001-pieter, appointment-example), with dates moved into
 * the future and the Dutch mobile number written in E.164.
 */
const BUNDLE = readFileSync(new URL('./fixtures/hl7-r4-bundle.json', import.meta.url), 'utf8');

const api = useStaffApi();
const CLINIC = 'au-clinic';
const BASE = `/v1/clinics/${CLINIC}/imports`;
const clinics = [CLINIC];

beforeAll(() =>
  api.seed({
    clinics: [
      makeClinic({
        clinicId: CLINIC,
        timeZone: 'Australia/Melbourne',
        country: 'AU',
        contactPhone: '+61355556473',
      }),
    ],
    patients: [makePatient({ clinicId: CLINIC, patientId: 'seeded-1' })],
    appointments: [
      makeAppointment({
        clinicId: CLINIC,
        appointmentId: 'stored-cancel',
        patientId: 'seeded-1',
        startAt: '2026-12-19T22:00:00.000Z',
      }),
      makeAppointment({
        clinicId: CLINIC,
        appointmentId: 'stored-noshow',
        patientId: 'seeded-1',
        startAt: '2026-11-27T22:00:00.000Z',
      }),
      makeAppointment({
        clinicId: CLINIC,
        appointmentId: 'err-1',
        patientId: 'seeded-1',
        startAt: '2026-12-21T22:00:00.000Z',
      }),
    ],
  }),
);

const fhir = (body: string) => ({
  method: 'POST',
  url: BASE,
  body,
  clinics,
  headers: { 'content-type': 'application/fhir+json' },
});

describe('POST /v1/clinics/{clinicId}/imports (application/fhir+json)', () => {
  it('imports the Patients and Appointments of an R4 Bundle and reports every entry', async () => {
    // Act
    const answer = await api.call(fhir(BUNDLE));

    // Assess
    expect(answer.status).toBe(200);
    const report = ImportReportSchema.parse(answer.body);
    const byId = (id: string) =>
      report.rows.find(
        (row) => row.appointmentId === id || (row.resourceType === 'Patient' && row.patientId === id),
      );
    expect(report.format).toBe('fhir');
    expect(report.ignored).toEqual([{ entry: 2, resourceType: 'Practitioner' }]);
    expect(byId('example')?.outcome).toBe('created');
    expect(report.rows.find((row) => row.entry === 0)).toMatchObject({
      resourceType: 'Patient',
      outcome: 'created',
    });
    expect(byId('f001')).toMatchObject({ outcome: 'created', patient: 'created' });
    expect(byId('f001-checkup')).toMatchObject({
      outcome: 'created',
      appointment: 'created',
      patientId: 'f001',
    });
    expect(byId('stored-cancel')).toMatchObject({ outcome: 'updated' });
    expect(byId('stored-noshow')).toMatchObject({ outcome: 'updated' });
    expect(byId('err-1')).toMatchObject({ outcome: 'updated' });
    expect(byId('proposed-1')).toMatchObject({
      outcome: 'rejected',
      issues: [{ path: 'entry.7.resource.status' }],
    });
    expect(byId('ghost-1')?.issues).toEqual([
      { path: 'entry.9.resource.participant', message: 'no patient ghost in this file or in this clinic' },
    ]);
    expect(byId('no-contact')).toMatchObject({
      outcome: 'rejected',
      issues: [{ path: 'entry.10.resource.telecom' }],
    });
    expect(byId('no-contact-visit')?.issues?.[0]?.message).toMatch(
      /patient no-contact \(row 11\) was rejected/,
    );
    expect(byId('floating-1')).toMatchObject({
      outcome: 'rejected',
      issues: [{ path: 'entry.12.resource.start' }],
    });
    expect(report.summary).toEqual({ rows: 12, created: 4, updated: 3, unchanged: 0, rejected: 5 });
  });

  it('maps names, the mobile number, language, type, duration and location, and nothing clinical', async () => {
    const { patients, appointments } = api.repos();

    const jim = await patients.get(CLINIC, 'example');
    const pieter = await patients.get(CLINIC, 'f001');
    const visit = await appointments.get(CLINIC, 'example');
    const checkup = await appointments.get(CLINIC, 'f001-checkup');

    expect(jim).toMatchObject({
      firstName: 'Jim',
      lastName: 'Chalmers',
      phone: '+61334105613',
      channels: ['sms'],
      language: 'en',
    });
    expect(jim?.email).toBeUndefined();
    expect(pieter).toMatchObject({
      firstName: 'Pieter',
      phone: '+31648352638',
      email: 'p.heuvel@example.com',
      channels: ['sms', 'email'],
      language: 'nl-NL',
    });
    expect(visit).toMatchObject({
      patientId: 'example',
      startAt: '2027-01-09T22:00:00.000Z',
      durationMinutes: 120,
      type: 'followup',
      location: 'South Wing, second floor',
      status: 'booked',
    });
    expect(JSON.stringify(visit)).not.toMatch(/MRI|burn|Careful/);
    expect(checkup).toMatchObject({ patientId: 'f001', durationMinutes: 15, type: 'checkup' });
  });

  it('maps cancelled (by the patient for a pat reason), noshow and entered-in-error onto stored appointments', async () => {
    const { appointments } = api.repos();

    expect(await appointments.get(CLINIC, 'stored-cancel')).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'patient',
    });
    expect(await appointments.get(CLINIC, 'stored-noshow')).toMatchObject({ status: 'no-show' });
    expect(await appointments.get(CLINIC, 'err-1')).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'clinic',
    });
    expect(await appointments.get(CLINIC, 'proposed-1')).toBeUndefined();
    expect(await api.repos().patients.get(CLINIC, 'no-contact')).toBeUndefined();
  });

  it('changes nothing when the same Bundle is imported again', async () => {
    // Prepare
    const before = await api.snapshot();

    // Act
    const answer = await api.call(fhir(BUNDLE));

    // Assess
    expect(answer.body.summary).toEqual({ rows: 12, created: 0, updated: 0, unchanged: 7, rejected: 5 });
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses a document that is not a Bundle (400 with paths) and accepts application/json too', async () => {
    // Act
    const patient = await api.call(fhir(JSON.stringify({ resourceType: 'Patient', id: 'x' })));
    const empty = await api.call(
      fhir(JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [] })),
    );
    const asJson = await api.call({ ...fhir(BUNDLE), headers: { 'content-type': 'application/json' } });

    // Assess
    expect(issuePaths(patient).sort()).toEqual(['entry', 'resourceType']);
    expect(issuePaths(empty)).toEqual(['entry']);
    expect(asJson.status).toBe(200);
  });
});

const patientResource = (id: string) => ({
  resourceType: 'Patient',
  id,
  name: [{ use: 'official', family: 'Nguyen', given: ['Mai'] }],
  telecom: [{ system: 'phone', use: 'mobile', value: '0491 570 156' }],
});

const visit = (id: string, patientId: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Appointment',
  id,
  status: 'booked',
  start: '2026-12-14T10:00:00+11:00',
  minutesDuration: 20,
  participant: [{ actor: { reference: `Patient/${patientId}` }, status: 'accepted' }],
  ...extra,
});

const bundleOf = (...resources: Record<string, unknown>[]) =>
  JSON.stringify({
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.map((resource) => ({ resource })),
  });

describe('FHIR video visits', () => {
  it('reads the video link from a contained HealthcareService url contact point', async () => {
    // Arrange: the service is contained and referenced by a participant, as EHR exports write it.
    const appointment = visit('video-hs', 'video-p', {
      contained: [
        {
          resourceType: 'HealthcareService',
          id: 'tele',
          telecom: [
            { system: 'phone', value: '+61 3 5555 6473' },
            { system: 'url', value: 'https://video.example.com/join/7f3a' },
          ],
        },
      ],
      participant: [
        { actor: { reference: 'Patient/video-p' }, status: 'accepted' },
        { actor: { reference: '#tele' }, status: 'accepted' },
      ],
    });

    // Act
    const answer = await api.call(fhir(bundleOf(patientResource('video-p'), appointment)));

    // Assess
    expect(answer.body.summary).toMatchObject({ created: 2, rejected: 0 });
    expect(await api.repos().appointments.get(CLINIC, 'video-hs')).toMatchObject({
      videoLink: 'https://video.example.com/join/7f3a',
    });
  });

  it('reads the R5 virtualService address, and names a non-https service url in the notes instead of dropping it silently', async () => {
    // Arrange
    const r5 = visit('video-r5', 'video-p', {
      virtualService: [{ channelType: { code: 'zoom' }, addressUrl: 'https://zoom.example.com/j/123' }],
    });
    const website = visit('video-web', 'video-p', {
      contained: [
        {
          resourceType: 'HealthcareService',
          id: 'web',
          telecom: [{ system: 'url', value: 'http://clinic.example.com' }],
        },
      ],
    });

    // Act
    const answer = await api.call(fhir(bundleOf(patientResource('video-p'), r5, website)));

    // Assess
    expect(await api.repos().appointments.get(CLINIC, 'video-r5')).toMatchObject({
      videoLink: 'https://zoom.example.com/j/123',
    });
    expect((await api.repos().appointments.get(CLINIC, 'video-web'))?.videoLink).toBeUndefined();
    expect(
      answer.body.rows.find((row: { appointmentId?: string }) => row.appointmentId === 'video-web'),
    ).toMatchObject({
      outcome: 'created',
      notes: [
        'entry.2.resource.contained.0.telecom.0.value was not read as the video link: it must be an https URL',
      ],
    });
  });
});

describe('FHIR entries are independent', () => {
  it('writes a valid Patient whose only Appointment is rejected, and the rows say patient: created, appointment: rejected', async () => {
    // Act: the Appointment starts at a floating time (no offset), which is refused.
    const answer = await api.call(
      fhir(
        bundleOf(patientResource('alone-p'), visit('alone-a', 'alone-p', { start: '2026-12-14T10:00:00' })),
      ),
    );

    // Assess
    expect(answer.body.rows).toEqual([
      {
        row: 1,
        entry: 0,
        resourceType: 'Patient',
        patientId: 'alone-p',
        outcome: 'created',
        patient: 'created',
      },
      {
        row: 2,
        entry: 1,
        resourceType: 'Appointment',
        appointmentId: 'alone-a',
        patientId: 'alone-p',
        outcome: 'rejected',
        patient: 'created',
        appointment: 'rejected',
        issues: [expect.objectContaining({ path: 'entry.1.resource.start' })],
      },
    ]);
    expect(await api.repos().patients.get(CLINIC, 'alone-p')).toMatchObject({ firstName: 'Mai' });
    expect(await api.repos().appointments.get(CLINIC, 'alone-a')).toBeUndefined();
  });
});
