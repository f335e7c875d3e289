/**
 * Simulator findings on the staff API's side (its own harness: the API's
 * composition with the clinic guard), named after the seed that found them;
 * the pipeline's are in regressions.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClinic, makePatient } from '../../support/factories';
import { useStaffApi } from '../api/harness';

const api = useStaffApi();
beforeAll(() => api.seed({ clinics: [makeClinic()] }));

describe('simulator findings (staff API)', () => {
  it('sim seed 32: counts an opt-out that staff record, once, on its local day', async () => {
    // Prepare
    await api.seed({ patients: [makePatient({ patientId: 'p-staff-stop' })] });
    const body = { firstName: 'Ana', phone: '+14155552671', channels: ['sms'], language: 'en' };

    // Act: staff record the opt-out, then save the patient again (the same opt-out stays).
    const optedOut = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/patients/p-staff-stop',
      body: { ...body, optOuts: { sms: true } },
      headers: { 'if-match': '"1"' },
    });
    const again = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/patients/p-staff-stop',
      body: { ...body, firstName: 'Ana María' },
      headers: { 'if-match': '"2"' },
    });

    // Assess: one opt-out counted, on the clinic's day of the change.
    expect([optedOut.status, again.status]).toEqual([200, 200]);
    const days = await api.repos().counters.readDays('demo-clinic', '2026-11-01', '2027-01-01');
    expect(days.map((d) => [d.day, d.counts['opt-out:sms']])).toEqual([['2026-12-01', 1]]);
  });
});
