import { describe, expect, it } from 'vitest';
import { CasePolicySchema, DEFAULT_CASE_POLICY } from '../../../../shared/domain/cases/policy';

function issuesOf(input: unknown) {
  const result = CasePolicySchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('CasePolicySchema', () => {
  it('defaults to weekdays 08:00–17:00, 1 business day to acknowledge, 5 to resolve', () => {
    expect(DEFAULT_CASE_POLICY).toEqual({
      businessHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' },
      holidays: [],
      acknowledgeWithin: 1,
      resolveWithin: 5,
      complaintPhrases: { add: [], remove: [] },
    });
  });

  it('refuses every bad field at save, naming each', () => {
    expect(issuesOf({ businessHours: { days: [8] }, holidays: ['2026-02-30', 'christmas'] })).toEqual([
      'businessHours.days.0: Too big: expected number to be <=7',
      'holidays.0: must be a calendar date YYYY-MM-DD',
      'holidays.1: must be a calendar date YYYY-MM-DD',
    ]);
    expect(issuesOf({ complaintPhrases: { add: ['!!!'] } })).toEqual([
      'complaintPhrases.add.0: must contain a letter or a digit',
    ]);
    expect(
      issuesOf({
        businessHours: { days: [1, 1], start: '17:00', end: '08:00' },
        holidays: ['2026-12-25', '2026-12-25'],
        acknowledgeWithin: 6,
        resolveWithin: 5,
        complaintPhrases: { add: ['Rude', 'parking', 'PARKING'], remove: ['nice'] },
      }),
    ).toEqual([
      'businessHours.days: must not repeat a day',
      'businessHours.end: must be later than start',
      'holidays: must not repeat a date',
      'resolveWithin: must be at least acknowledgeWithin',
      'complaintPhrases.add.0: "Rude" is built in already',
      'complaintPhrases.add.2: repeats "PARKING"',
      'complaintPhrases.remove.0: "nice" is not a built-in complaint phrase',
    ]);
  });
});
