import { beforeAll, describe, expect, it } from 'vitest';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

// Wednesday 2026-12-02 10:00 in New York (the demo clinic's zone in the factories).
const api = useStaffApi({ now: '2026-12-02T15:00:00.000Z' });
const BASE = '/v1/clinics/demo-clinic/cases';

beforeAll(() =>
  api.seed({
    clinics: [makeClinic({ timeZone: 'America/New_York' }), makeClinic({ clinicId: 'other-clinic' })],
    patients: [
      makePatient(),
      makePatient({ patientId: 'p-2' }),
      makePatient({ clinicId: 'other-clinic', patientId: 'p-9' }),
    ],
    appointments: [
      makeAppointment(),
      makeAppointment({ appointmentId: 'a-2', patientId: 'p-2' }),
      makeAppointment({ clinicId: 'other-clinic', appointmentId: 'a-9', patientId: 'p-9' }),
    ],
  }),
);

async function open(body: Record<string, unknown> = { summary: 'Waited an hour at the desk' }) {
  const answer = await api.call({ method: 'POST', url: BASE, body });
  expect(answer.status).toBe(201);
  return answer;
}

describe('feedback case routes', () => {
  it('opens a case by hand: high priority, due in 1 and 5 business days, the author from the token', async () => {
    const answer = await open({
      summary: 'Rude on the phone',
      category: 'staff',
      links: { patientId: 'p-1' },
    });
    expect(answer.headers.etag).toBe('"1"');
    expect(answer.body).toMatchObject({
      status: 'open',
      priority: 'high',
      category: 'staff',
      source: 'staff',
      links: { patientId: 'p-1' },
      openedBy: 'staff-user-1',
      acknowledgeDueAt: '2026-12-03T15:00:00.000Z',
      resolveDueAt: '2026-12-09T15:00:00.000Z',
      acknowledgeDueLocal: '2026-12-03T10:00:00.000-05:00',
      overdue: false,
      timeZone: 'America/New_York',
    });
    const read = await api.call({ method: 'GET', url: `${BASE}/${answer.body.caseId}` });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(answer.body);
  });

  it('acknowledges then resolves with a note at the version read; the history names each author', async () => {
    const { body: opened } = await open();
    const url = `${BASE}/${opened.caseId}`;
    const acknowledged = await api.call({
      method: 'PATCH',
      url,
      headers: { 'if-match': '"1"' },
      body: { status: 'acknowledged', assignee: 'staff-user-9' },
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.headers.etag).toBe('"2"');
    const noted = await api.call({
      method: 'POST',
      url: `${url}/notes`,
      body: { text: 'Called the patient back' },
    });
    expect(noted.status).toBe(201);
    const resolved = await api.call({
      method: 'PATCH',
      url,
      headers: { 'if-match': noted.headers.etag ?? '' },
      body: { status: 'resolved', resolutionNote: 'Apologised; moved the visit' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      resolvedBy: 'staff-user-1',
      assignee: 'staff-user-9',
    });
    expect(
      resolved.body.history.map((entry: { kind: string; author: string }) => [entry.kind, entry.author]),
    ).toEqual([
      ['opened', 'staff-user-1'],
      ['status', 'staff-user-1'],
      ['assignment', 'staff-user-1'],
      ['note', 'staff-user-1'],
      ['status', 'staff-user-1'],
    ]);
  });

  it('refuses a skipped state with 409 naming status, and a resolution without a note with 400', async () => {
    const { body: opened } = await open();
    const url = `${BASE}/${opened.caseId}`;
    const before = await api.snapshot();
    const skipped = await api.call({
      method: 'PATCH',
      url,
      headers: { 'if-match': '"1"' },
      body: { status: 'resolved', resolutionNote: 'x' },
    });
    expect(skipped.status).toBe(409);
    expect(skipped.body.error.issues).toEqual([
      {
        path: 'status',
        message: `case ${opened.caseId} is open: the next status is acknowledged, not resolved`,
      },
    ]);
    await api.call({
      method: 'PATCH',
      url,
      headers: { 'if-match': '"1"' },
      body: { status: 'acknowledged' },
    });
    const afterAck = await api.snapshot();
    const noNote = await api.call({
      method: 'PATCH',
      url,
      headers: { 'if-match': '"2"' },
      body: { status: 'resolved' },
    });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.issues).toEqual([
      { path: 'resolutionNote', message: 'is required to resolve a case' },
    ]);
    expect(await api.snapshot()).toBe(afterAck);
    expect(before).not.toBe(afterAck);
  });

  it('requires If-Match to change a case and refuses a stale one', async () => {
    const { body: opened } = await open();
    const url = `${BASE}/${opened.caseId}`;
    const missing = await api.call({ method: 'PATCH', url, body: { priority: 'low' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.issues[0].path).toBe('If-Match');
    await api.call({ method: 'PATCH', url, headers: { 'if-match': '"1"' }, body: { priority: 'medium' } });
    const stale = await api.call({
      method: 'PATCH',
      url,
      headers: { 'if-match': '"1"' },
      body: { priority: 'low' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.currentVersion).toBe(2);
  });

  it('lists with filters and pages, and says which cases are overdue now', async () => {
    const clinicId = 'list-clinic';
    await api.seed({ clinics: [makeClinic({ clinicId, timeZone: 'America/New_York' })] });
    const base = `/v1/clinics/${clinicId}/cases`;
    const call = (query: string) => api.call({ method: 'GET', url: `${base}${query}`, clinics: [clinicId] });
    for (const body of [
      { summary: 'a', category: 'billing', priority: 'medium' },
      { summary: 'b', category: 'billing' },
      { summary: 'c', category: 'wait-time' },
    ]) {
      expect((await api.call({ method: 'POST', url: base, body, clinics: [clinicId] })).status).toBe(201);
    }
    expect((await call('?status=open')).body.items).toHaveLength(3);
    expect(
      (await call('?category=billing&priority=high')).body.items.map((c: { summary: string }) => c.summary),
    ).toEqual(['b']);
    expect((await call('?overdue=true')).body.items).toEqual([]);
    const first = await call('?status=open&limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await call(`?status=open&limit=2&cursor=${first.body.cursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.cursor).toBeUndefined();
  });

  it('links a case to a patient and one of their visits, or to a visit alone with its patient', async () => {
    const both = await open({ summary: 'Rude at desk', links: { patientId: 'p-1', appointmentId: 'a-1' } });
    const visitOnly = await open({ summary: 'Rude at desk', links: { appointmentId: 'a-2' } });

    expect(both.body.links).toEqual({ patientId: 'p-1', appointmentId: 'a-1' });
    // The visit's patient is linked too: the case shows whose visit it was.
    expect(visitOnly.body.links).toEqual({ appointmentId: 'a-2', patientId: 'p-2' });
  });

  it('refuses links to a patient or visit the clinic does not have, or to another patient’s visit, with 400 naming the link, and writes nothing', async () => {
    // Prepare
    const before = await api.snapshot();
    const post = (links: Record<string, string>) =>
      api.call({ method: 'POST', url: BASE, body: { summary: 'Rude at desk', links } });

    // Act
    const nobody = await post({ patientId: 'nobody' });
    const otherClinicsPatient = await post({ patientId: 'p-9' });
    const noVisit = await post({ appointmentId: 'a-404' });
    const otherClinicsVisit = await post({ appointmentId: 'a-9' });
    const someoneElses = await post({ patientId: 'p-1', appointmentId: 'a-2' });
    const both = await post({ patientId: 'nobody', appointmentId: 'a-404' });

    // Assess
    const refusal = (path: string, message: string) => ({
      status: 400,
      issues: [{ path, message }],
    });
    const seen = (answer: Awaited<ReturnType<typeof post>>) => ({
      status: answer.status,
      issues: answer.body.error.issues,
    });
    expect(seen(nobody)).toEqual(refusal('links.patientId', 'no patient nobody in clinic demo-clinic'));
    expect(seen(otherClinicsPatient)).toEqual(
      refusal('links.patientId', 'no patient p-9 in clinic demo-clinic'),
    );
    expect(seen(noVisit)).toEqual(
      refusal('links.appointmentId', 'no appointment a-404 in clinic demo-clinic'),
    );
    expect(seen(otherClinicsVisit)).toEqual(
      refusal('links.appointmentId', 'no appointment a-9 in clinic demo-clinic'),
    );
    expect(seen(someoneElses)).toEqual(
      refusal('links.appointmentId', 'is an appointment of patient p-2, not of p-1'),
    );
    expect(issuePaths(both)).toEqual(['links.patientId', 'links.appointmentId']);
    expect(await api.snapshot()).toBe(before);
  });

  it('answers 400 naming the field for bad bodies and queries, and 404 for an unknown case', async () => {
    const badBody = await api.call({ method: 'POST', url: BASE, body: { summary: '', category: 'food' } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'category',
      'summary',
    ]);
    const badQuery = await api.call({ method: 'GET', url: `${BASE}?overdue=yes&status=closed` });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'overdue',
      'status',
    ]);
    const emptyPatch = await api.call({
      method: 'PATCH',
      url: `${BASE}/nope`,
      headers: { 'if-match': '"1"' },
      body: {},
    });
    expect(emptyPatch.status).toBe(400);
    expect((await api.call({ method: 'GET', url: `${BASE}/nope` })).status).toBe(404);
    expect((await api.call({ method: 'POST', url: `${BASE}/nope/notes`, body: { text: 'hi' } })).status).toBe(
      404,
    );
    expect((await api.call({ method: 'GET', url: `${BASE}/bad%23id` })).status).toBe(400);
  });
});
