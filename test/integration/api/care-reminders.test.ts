import { beforeAll, describe, expect, it } from 'vitest';
import { makeClinic, makePatient, TEST_NOW } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi();
const URL = '/v1/clinics/demo-clinic/patients/p-1/care-reminders';

beforeAll(() => api.seed({ clinics: [makeClinic()], patients: [makePatient()] }));

describe('care reminder routes', () => {
  it('creates a care reminder due for planning now, readable and listed with items', async () => {
    const created = await api.call({
      method: 'PUT',
      url: `${URL}/rx-1`,
      body: {
        kind: 'refill',
        dueOn: '2027-01-31',
        repeat: { every: 'P1M' },
        action: { phone: '+12025550199' },
      },
    });
    const read = await api.call({ method: 'GET', url: `${URL}/rx-1` });
    const list = await api.call({ method: 'GET', url: URL });

    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      reminderId: 'rx-1',
      patientId: 'p-1',
      kind: 'refill',
      dueOn: '2027-01-31',
      repeat: { every: 'P1M' },
      status: 'active',
      anchorDay: 31,
      occurrence: 1,
      planAt: TEST_NOW,
    });
    expect(read.body).toEqual(created.body);
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { reminderId: string }) => item.reminderId)).toEqual(['rx-1']);
  });

  it('answers 404 for an unknown patient and writes nothing', async () => {
    const before = await api.snapshot();

    const put = await api.call({
      method: 'PUT',
      url: '/v1/clinics/demo-clinic/patients/nobody/care-reminders/rx-1',
      body: { kind: 'recall', dueOn: '2027-06-01' },
    });
    const list = await api.call({
      method: 'GET',
      url: '/v1/clinics/demo-clinic/patients/nobody/care-reminders',
    });

    expect(put.status).toBe(404);
    expect(list.status).toBe(404);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses a repeat that is not days, months or years, a past date that does not repeat, and an unknown field, naming each', async () => {
    const before = await api.snapshot();

    const weeks = await api.call({
      method: 'PUT',
      url: `${URL}/bad`,
      body: { kind: 'refill', dueOn: '2027-01-31', repeat: { every: 'P2W' } },
    });
    const past = await api.call({
      method: 'PUT',
      url: `${URL}/bad`,
      body: { kind: 'vaccine', dueOn: '2026-11-30' },
    });
    const drug = await api.call({
      method: 'PUT',
      url: `${URL}/bad`,
      body: { kind: 'refill', dueOn: '2027-01-31', medication: 'anything' },
    });

    expect(weeks.status).toBe(400);
    expect(issuePaths(weeks)).toEqual(['repeat.every']);
    expect(issuePaths(past)).toEqual(['dueOn']);
    expect(drug.status).toBe(400);
    expect(await api.snapshot()).toBe(before);
  });

  it('changes one with If-Match, refuses a stale version, and stops it idempotently', async () => {
    await api.call({ method: 'PUT', url: `${URL}/recall-1`, body: { kind: 'recall', dueOn: '2027-06-01' } });

    const stale = await api.call({
      method: 'PUT',
      url: `${URL}/recall-1`,
      headers: { 'if-match': '"7"' },
      body: { kind: 'recall', dueOn: '2027-07-01' },
    });
    const changed = await api.call({
      method: 'PUT',
      url: `${URL}/recall-1`,
      headers: { 'if-match': '"1"' },
      body: { kind: 'recall', dueOn: '2027-07-01', repeat: { every: 'P1Y' } },
    });
    const stopped = await api.call({ method: 'POST', url: `${URL}/recall-1/stop` });
    const again = await api.call({ method: 'POST', url: `${URL}/recall-1/stop` });
    const none = await api.call({ method: 'POST', url: `${URL}/no-such/stop` });

    expect(stale.status).toBe(409);
    expect(changed).toMatchObject({ status: 200, body: { version: 2, dueOn: '2027-07-01', anchorDay: 1 } });
    expect(stopped.body).toMatchObject({
      status: 'stopped',
      stoppedAt: TEST_NOW,
      version: 3,
      planAt: TEST_NOW,
    });
    expect(again.body).toEqual(stopped.body);
    expect(none.status).toBe(404);
  });
});

describe('POST /v1/clinics/{clinicId}/imports with care reminder columns', () => {
  it('saves the good rows as a PUT would and reports every row, the bad ones with the column and why', async () => {
    const csv = [
      'reminderId,patientId,kind,dueOn,repeat,actionPhone',
      'csv-rx,p-1,refill,2027-01-31,P1M,+12025550199',
      'csv-flu,p-1,vaccine,2027-10-01,,',
      'csv-x,nobody,recall,2027-06-01,,',
      'csv-y,p-1,refill,2027-01-31,P2W,',
      'csv-z,p-1,checkup,2027-01-31,,',
    ].join('\n');

    const first = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/imports',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    const again = await api.call({
      method: 'POST',
      url: '/v1/clinics/demo-clinic/imports',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    const saved = await api.call({ method: 'GET', url: `${URL}/csv-rx` });

    expect(first.status).toBe(200);
    expect(first.body.summary).toEqual({ rows: 5, created: 2, updated: 0, unchanged: 0, rejected: 3 });
    expect(
      first.body.rows.map((row: { reminderId: string; outcome: string; issues?: { path: string }[] }) => [
        row.reminderId,
        row.outcome,
        row.issues?.map((issue) => issue.path),
      ]),
    ).toEqual([
      ['csv-rx', 'created', undefined],
      ['csv-flu', 'created', undefined],
      ['csv-x', 'rejected', ['patientId']],
      ['csv-y', 'rejected', ['repeat']],
      ['csv-z', 'rejected', ['kind']],
    ]);
    // In the API's words, as a PUT would say it.
    expect(first.body.rows[4].issues).toEqual([
      { path: 'kind', message: 'must be one of refill, recall, vaccine, custom' },
    ]);
    expect(again.body.summary).toMatchObject({ created: 0, unchanged: 2, rejected: 3 });
    expect(saved.body).toMatchObject({
      kind: 'refill',
      dueOn: '2027-01-31',
      repeat: { every: 'P1M' },
      action: { phone: '+12025550199' },
      status: 'active',
    });
  });

  it('refuses a row that repeats an earlier row’s care reminder, naming the column and that row, and applies the first: importing the file again changes nothing', async () => {
    // Prepare: the same reminder of p-1 twice; the same id for p-2 is a reminder of its own.
    await api.seed({ patients: [makePatient({ patientId: 'p-2' })] });
    const csv = [
      'reminderId,patientId,kind,dueOn',
      'dup-rx,p-1,refill,2027-01-31',
      'dup-rx,p-1,refill,2027-03-31',
      'dup-rx,p-2,refill,2027-05-31',
    ].join('\n');
    const post = () =>
      api.call({
        method: 'POST',
        url: '/v1/clinics/demo-clinic/imports',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });

    // Act
    const first = await post();
    const afterFirst = await api.snapshot();
    const again = await post();

    // Assess
    expect(first.status).toBe(200);
    expect(first.body.summary).toEqual({ rows: 3, created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(first.body.rows[1]).toEqual({
      row: 2,
      line: 3,
      reminderId: 'dup-rx',
      patientId: 'p-1',
      outcome: 'rejected',
      issues: [{ path: 'reminderId', message: 'repeats care reminder dup-rx of row 1' }],
    });
    expect((await api.call({ method: 'GET', url: `${URL}/dup-rx` })).body).toMatchObject({
      dueOn: '2027-01-31',
      version: 1,
    });
    expect(again.body.summary).toEqual({ rows: 3, created: 0, updated: 0, unchanged: 2, rejected: 1 });
    expect(again.body.rows[1]).toEqual(first.body.rows[1]);
    expect(await api.snapshot()).toBe(afterFirst);
  });
});
