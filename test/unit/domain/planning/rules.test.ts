import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../../shared/domain/model';
import { plan, reminderOffsetsFor, resolveLanguage } from '../../../../shared/domain/planning';
import { formatOffset, parseUtc } from '../../../../shared/domain/time';
import { makeAppointment, makeClinic, makePatient, TEST_NOW } from '../../../support/factories';

describe('planning rules', () => {
  it('reads reminder offsets canonically and once each, even from a policy that skipped the schema', () => {
    const policy = { ...DEFAULT_POLICY, reminderOffsets: { default: ['24h', '1d', '90m'], byType: {} } };
    expect(reminderOffsetsFor({ type: 'default' }, policy).map(formatOffset)).toEqual(['1d', '90m']);
  });

  it('refuses a corrupt offset or survey delay instead of guessing', () => {
    const badOffsets = { ...DEFAULT_POLICY, reminderOffsets: { default: ['soon'], byType: {} } };
    expect(() => reminderOffsetsFor({ type: 'default' }, badOffsets)).toThrow(RangeError);
    const clinic = {
      ...makeClinic(),
      policy: { ...DEFAULT_POLICY, survey: { ...DEFAULT_POLICY.survey, enabled: true, delay: 'later' } },
    };
    const appointment = makeAppointment({ status: 'completed', version: 2 });
    expect(() =>
      plan({ appointment, patient: makePatient(), clinic, now: parseUtc(TEST_NOW), otherMessages: [] }),
    ).toThrow(RangeError);
  });

  it('matches a regional language to the clinic one of the same family', () => {
    const policy = { ...DEFAULT_POLICY, languages: ['en', 'pt-BR'] };
    expect(resolveLanguage({ language: 'pt-PT' }, policy)).toBe('pt-BR');
    expect(resolveLanguage({ language: 'de' }, policy)).toBe('en');
  });
});
