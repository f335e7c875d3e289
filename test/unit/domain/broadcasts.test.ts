import { describe, expect, it } from 'vitest';
import {
  BroadcastAudienceSchema,
  broadcastIdOf,
  broadcastLanguageFor,
  broadcastMessageId,
  checkBroadcastText,
  recipientVerdict,
  renderBroadcastEmail,
  renderBroadcastSms,
} from '../../../shared/domain/broadcasts';
import { makeClinic, makePatient, TEST_NOW } from '../../support/factories';

const clinic = makeClinic();
const consent = { updates: { at: TEST_NOW, source: 'written' as const } };

describe('broadcast wording', () => {
  it('renders the three variables and always adds the opt-out line in the language', () => {
    const en = renderBroadcastSms(
      'Hi {{firstName}}, {{clinicName}} is closed. Call {{clinicPhone}}.',
      'en',
      clinic,
      'Ana',
    );
    const es = renderBroadcastSms('Hola {{firstName}}.', 'es', clinic, 'Ana');
    const email = renderBroadcastEmail('Hi {{firstName}}, {{clinicName}} is closed.', 'en', clinic, 'Ana');

    expect(en).toMatchObject({
      fits: true,
      text: 'Hi Ana, Riverside Clinic is closed. Call (202) 555-0143.\nReply STOP to opt out.',
    });
    expect(es.text).toBe('Hola Ana.\nResponda STOP para darse de baja.');
    expect(email).toEqual({
      subject: 'Riverside Family Clinic',
      text: 'Hi Ana, Riverside Family Clinic is closed.\nTo stop these emails, call us at (202) 555-0143.',
    });
  });

  it('refuses any other variable and a language over the budget, naming the language', () => {
    const { issues, samples } = checkBroadcastText(
      { en: 'Your visit {{localDate}}', es: 'ж'.repeat(200), fr: 'Bonjour {{firstName}}' },
      clinic,
    );

    expect(issues.map((issue) => issue.path)).toEqual(['text.en', 'text.es']);
    expect(issues[0]?.message).toMatch(/only firstName, clinicName, clinicPhone/);
    expect(issues[1]?.message).toMatch(/takes 4 SMS parts \(UCS-2/);
    expect(samples.map((sample) => sample.language)).toEqual(['es', 'fr']);
  });

  it('names only the broadcast’s own variables when a text uses one no template has', () => {
    const { issues } = checkBroadcastText({ en: 'Hi {{lastName}}' }, clinic);

    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(
      /unknown variable \{\{lastName\}\}; allowed: firstName, clinicName, clinicPhone$/,
    );
    expect(issues[0]?.message).not.toContain('localDate');
  });

  it('picks the patient’s language, its family, the clinic default, then the first written', () => {
    const texts = { en: 'E', es: 'S' };

    expect(broadcastLanguageFor(texts, { language: 'es-MX' }, clinic.policy)).toBe('es');
    expect(broadcastLanguageFor(texts, { language: 'fr' }, clinic.policy)).toBe('en');
    expect(broadcastLanguageFor({ es: 'S' }, { language: 'fr' }, clinic.policy)).toBe('es');
  });
});

describe('recipientVerdict', () => {
  const topic = { topic: 'updates' as const };
  const closure = { appointmentsOn: { from: '2026-12-08', to: '2026-12-08' } };

  it('skips opted-out before no-consent before no-usable-channel, and needs no consent for a closure', () => {
    const stopped = makePatient({ channels: ['sms'], optOuts: { sms: { at: TEST_NOW, source: 'patient' } } });
    const noConsent = makePatient();
    const bounced = makePatient({
      channels: ['email'],
      consent,
      undeliverable: { email: { at: TEST_NOW, source: 'bounce', messageId: 'm' } },
    });

    expect(recipientVerdict(stopped, topic)).toEqual({ skip: 'opted-out' });
    expect(recipientVerdict(noConsent, topic)).toEqual({ skip: 'no-consent' });
    expect(recipientVerdict(noConsent, closure)).toEqual({ channel: 'sms' });
    expect(recipientVerdict(bounced, topic)).toEqual({ skip: 'no-usable-channel' });
    expect(recipientVerdict(makePatient({ consent, channels: ['email', 'sms'] }), topic)).toEqual({
      channel: 'email',
    });
  });
});

describe('broadcast ids and audiences', () => {
  it('makes one deterministic message id per broadcast in each patient’s partition', () => {
    expect(broadcastMessageId('snow-1')).toBe('~broadcast#snow-1');
    expect(broadcastIdOf('~broadcast#snow-1')).toBe('snow-1');
    expect(broadcastIdOf('a-1#reminder#1d#v1')).toBeUndefined();
  });

  it('takes exactly one audience', () => {
    expect(BroadcastAudienceSchema.safeParse({}).success).toBe(false);
    expect(BroadcastAudienceSchema.safeParse({ topic: 'updates', patientIds: ['p-1'] }).success).toBe(false);
    expect(BroadcastAudienceSchema.safeParse({ patientIds: ['p-1', 'p-1'] }).success).toBe(false);
    expect(BroadcastAudienceSchema.safeParse({ patientIds: ['p-1'] }).success).toBe(true);
  });
});
