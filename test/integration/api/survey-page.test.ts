import { describe, expect, it } from 'vitest';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import type { Message, MessagingPolicy } from '../../../shared/domain/model';
import { signSurveyToken, surveyPagePath } from '../../../shared/domain/survey-link';
import { makeClinic, makeMessage, makePatient, TEST_NOW } from '../../support/factories';
import { TEST_SURVEY_LINK_SECRET, useStaffApi } from './harness';

/**
 * The email survey's public page through the shipped staff API handler, on
 * DynamoDB Local: the link's refusals, the answer through the same use case
 * as an SMS score, and single use (a replayed POST is 410, nothing changes).
 */
const api = useStaffApi();
const EXPIRES = '2026-12-08T15:00:00.000Z';

function survey(clinicId: string, overrides: Partial<Message> = {}): Message {
  return makeMessage({
    clinicId,
    messageId: 'a-1#survey#2h#v2',
    kind: 'survey',
    offset: '2h',
    priority: 'medium',
    channel: 'email',
    language: 'es',
    status: 'sent',
    attempts: 1,
    providerMessageId: 'ses-1',
    finishedAt: '2026-12-01T14:00:00.000Z',
    ...overrides,
  });
}

async function linkFor(clinicId: string, overrides: { expiresAt?: string; clinicId?: string } = {}) {
  const token = signSurveyToken(await TEST_SURVEY_LINK_SECRET.key(), {
    clinicId: overrides.clinicId ?? clinicId,
    patientId: 'p-1',
    messageId: 'a-1#survey#2h#v2',
    language: 'es',
    expiresAt: overrides.expiresAt ?? EXPIRES,
  });
  return surveyPagePath(clinicId, token);
}

async function seeded(clinicId: string, policy?: Partial<MessagingPolicy>) {
  await api.seed({
    clinics: [makeClinic({ clinicId, name: 'Clínica Norte', ...(policy ? { policy } : {}) })],
    patients: [makePatient({ clinicId })],
    messages: [survey(clinicId)],
  });
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  clinics: null,
});

describe('survey page', () => {
  it('shows the form in the survey’s language with the clinic’s name only, no script, under a strict CSP', async () => {
    await seeded('page-a');
    const page = await api.call({ method: 'GET', url: await linkFor('page-a'), clinics: null });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('<html lang="es">');
    expect(page.text).toContain('Clínica Norte');
    expect(page.text).toContain('<form method="post">');
    expect(page.text.match(/type="radio" name="score"/g)).toHaveLength(11);
    expect(page.text).not.toContain('<script');
    expect(page.text).not.toContain('Ana');
  });

  it('records the answer with its comment through the survey answer use case, once: a replayed POST is 410 and changes nothing', async () => {
    await seeded('page-b');
    const url = await linkFor('page-b');
    const answered = await api.call({ url, ...form({ score: '3', comment: 'Esperé una hora.' }) });
    expect(answered.status).toBe(200);
    expect(answered.text).toContain('Gracias por su respuesta.');
    const stored = await api
      .repos()
      .messages.get({ clinicId: 'page-b', patientId: 'p-1', messageId: 'a-1#survey#2h#v2' });
    expect(stored?.surveyAnswer).toEqual({
      scale: 'nps',
      score: 3,
      class: 'detractor',
      answeredAt: TEST_NOW,
      via: 'email',
      late: false,
      followUp: 'survey-follow-up',
      comment: { text: 'Esperé una hora.', truncated: false, at: TEST_NOW },
    });
    const cases = new DynamoCaseRepository(api.tables.clients.doc, api.tables.names.inbound);
    expect(await cases.get('page-b', 'survey-a-1:survey:2h:v2')).toMatchObject({
      source: 'detractor-score',
      summary: 'Esperé una hora.',
    });
    const before = await api.snapshot();
    const replayed = await api.call({ url, ...form({ score: '10' }) });
    expect(replayed.status).toBe(410);
    expect(replayed.text).toContain('Esta encuesta ya fue respondida.');
    expect((await api.call({ method: 'GET', url, clinics: null })).status).toBe(410);
    expect(await api.snapshot()).toBe(before);
  });

  it('refuses a forged link (401), another clinic’s link (403) and an expired one (410), each with its page, changing nothing', async () => {
    await seeded('page-c');
    await seeded('page-d');
    const before = await api.snapshot();
    const genuine = await linkFor('page-c');
    const forged = `${genuine.slice(0, -4)}AAAA`;
    const forgedAnswer = await api.call({ url: forged, ...form({ score: '9' }) });
    expect(forgedAnswer.status).toBe(401);
    expect(forgedAnswer.text).toContain('This link is not valid.');
    expect(forgedAnswer.text).toContain('Este enlace no es válido.');
    const otherClinic = await linkFor('page-d', { clinicId: 'page-c' });
    const crossed = await api.call({ url: otherClinic, ...form({ score: '9' }) });
    expect(crossed.status).toBe(403);
    expect(crossed.text).toContain('otra clínica');
    expect(crossed.text).not.toContain('Clínica Norte');
    const expired = await api.call({
      url: await linkFor('page-c', { expiresAt: TEST_NOW }),
      ...form({ score: '9' }),
    });
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('Esta encuesta ya cerró.');
    expect(await api.snapshot()).toBe(before);
  });

  it('sends the form back (400) naming the score when none on the clinic’s scale was chosen, keeping the comment', async () => {
    await seeded('page-e', { survey: { ...makeClinic().policy.survey, scale: 'csat' } });
    const url = await linkFor('page-e');
    for (const score of ['', '0', '6', 'ten']) {
      const refused = await api.call({ url, ...form({ score, comment: 'Todo bien' }) });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Elija una puntuación del 1 al 5.');
      expect(refused.text).toContain('Todo bien</textarea>');
    }
    const stored = await api
      .repos()
      .messages.get({ clinicId: 'page-e', patientId: 'p-1', messageId: 'a-1#survey#2h#v2' });
    expect(stored?.surveyAnswer).toBeUndefined();
  });
});
