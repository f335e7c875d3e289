import { describe, expect, it } from 'vitest';
import { ClinicSchema, DEFAULT_POLICY } from '../../../shared/domain/model';
import {
  commentOf,
  followUpFor,
  isLateAnswer,
  MAX_SURVEY_COMMENT,
  maySurveyAgain,
  netPromoterScore,
  REVIEW_LINK_MAX,
  rateOf,
  scoreClass,
} from '../../../shared/domain/surveys';
import { BUILT_IN_CSAT_SURVEY, BUILT_IN_TEMPLATES } from '../../../shared/domain/templates/builtin';
import { KEYWORD_REPLIES } from '../../../shared/domain/templates/keyword-reply-texts';
import { renderKeywordReply } from '../../../shared/domain/templates/render';
import { countSegments, isGsm7 } from '../../../shared/domain/templates/segments';

describe('netPromoterScore', () => {
  it('is null with no responses', () => {
    expect(netPromoterScore({ promoters: 0, passives: 0, detractors: 0 })).toBeNull();
  });

  it('is 0 when every answer is a passive', () => {
    expect(netPromoterScore({ promoters: 0, passives: 7, detractors: 0 })).toBe(0);
  });

  it('is -100 for one detractor alone and +100 for one promoter alone', () => {
    expect(netPromoterScore({ promoters: 0, passives: 0, detractors: 1 })).toBe(-100);
    expect(netPromoterScore({ promoters: 1, passives: 0, detractors: 0 })).toBe(100);
  });

  it('is % promoters − % detractors, to one decimal', () => {
    // 2 promoters, 1 passive, 0 detractors: 66.7.
    expect(netPromoterScore({ promoters: 2, passives: 1, detractors: 0 })).toBe(66.7);
    // Equal promoters and detractors: 0, not -0.
    expect(Object.is(netPromoterScore({ promoters: 3, passives: 0, detractors: 3 }), 0)).toBe(true);
    expect(netPromoterScore({ promoters: 1, passives: 1, detractors: 1 })).toBe(0);
    expect(netPromoterScore({ promoters: 1, passives: 0, detractors: 2 })).toBe(-33.3);
  });

  it('gives null rates for an empty denominator', () => {
    expect(rateOf(0, 0)).toBeNull();
    expect(rateOf(1, 4)).toBe(0.25);
  });
});

describe('scoreClass', () => {
  it('reads NPS 9–10 as promoters, 7–8 as passives, 0–6 as detractors', () => {
    const classes = Array.from({ length: 11 }, (_, score) => scoreClass('nps', score));
    expect(classes).toEqual([...Array(7).fill('detractor'), 'passive', 'passive', 'promoter', 'promoter']);
  });

  it('reads CSAT 4–5 as satisfied (promoter), 3 as neutral, 1–2 as unhappy', () => {
    expect([1, 2, 3, 4, 5].map((score) => scoreClass('csat', score))).toEqual([
      'detractor',
      'detractor',
      'passive',
      'promoter',
      'promoter',
    ]);
  });
});

describe('followUpFor', () => {
  const plain = DEFAULT_POLICY.survey;
  const withLink = { followUp: { askPassives: true, reviewLink: 'https://g.page/r/demo/review' } };

  it('asks detractors what could have been better, always', () => {
    expect(followUpFor(plain, 'detractor')).toBe('survey-follow-up');
    expect(followUpFor(withLink, 'detractor')).toBe('survey-follow-up');
  });

  it('asks passives only when the clinic says so, and sends promoters the review link when there is one', () => {
    expect(followUpFor(plain, 'passive')).toBe('survey-thanks');
    expect(followUpFor(withLink, 'passive')).toBe('survey-follow-up');
    expect(followUpFor(plain, 'promoter')).toBe('survey-thanks');
    expect(followUpFor(withLink, 'promoter')).toBe('survey-review');
  });
});

describe('survey spacing and answer window', () => {
  it('surveys a patient at most once in minDaysBetween days', () => {
    const now = '2026-12-08T12:00:00.000Z';
    expect(maySurveyAgain([], now, 30)).toBe(true);
    expect(maySurveyAgain(['2026-11-09T12:00:01.000Z'], now, 30)).toBe(false);
    expect(maySurveyAgain(['2026-11-08T12:00:00.000Z'], now, 30)).toBe(true);
    // A survey sent after this instant (a later visit's) does not hold this one back.
    expect(maySurveyAgain(['2026-12-09T12:00:00.000Z'], now, 30)).toBe(true);
    expect(maySurveyAgain(['2026-12-08T11:00:00.000Z'], now, 0)).toBe(true);
  });

  it('flags an answer after the window as late', () => {
    const sent = '2026-12-01T12:00:00.000Z';
    expect(isLateAnswer(sent, '2026-12-08T12:00:00.000Z', 7)).toBe(false);
    expect(isLateAnswer(sent, '2026-12-08T12:00:00.001Z', 7)).toBe(true);
  });

  it('keeps a comment over 1,600 characters truncated, and says so', () => {
    expect(commentOf('  Too long a wait.  ')).toEqual({ text: 'Too long a wait.', truncated: false });
    const long = commentOf(`${'a'.repeat(MAX_SURVEY_COMMENT - 1)}😀😀`);
    expect(long.truncated).toBe(true);
    expect(Array.from(long.text)).toHaveLength(MAX_SURVEY_COMMENT);
    expect(long.text.endsWith('😀')).toBe(true);
  });
});

describe('survey design in the policy', () => {
  const clinic = {
    clinicId: 'c-1',
    name: 'Demo Clinic',
    timeZone: 'America/New_York',
    contactPhone: '+14155550100',
  };

  it('defaults to NPS, 30 days between surveys, answers for 7 days, no passive question, no review link', () => {
    expect(DEFAULT_POLICY.survey).toEqual({
      enabled: true,
      delay: '2h',
      scale: 'nps',
      minDaysBetween: 30,
      answerWindowDays: 7,
      followUp: { askPassives: false },
    });
  });

  it('refuses a review link that is not https, and a spacing out of range, naming the field', () => {
    const result = ClinicSchema.safeParse({
      ...clinic,
      policy: { survey: { minDaysBetween: 400, followUp: { reviewLink: 'http://example.com' } } },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues
      .map((issue) => issue.path.join('.'))
      .filter((path) => path.startsWith('policy'));
    expect(paths).toEqual(['policy.survey.minDaysBetween', 'policy.survey.followUp.reviewLink']);
  });

  it('asks for the range the grammar reads, in GSM-7, in every built-in language of both scales', () => {
    for (const language of ['en', 'es']) {
      const nps = BUILT_IN_TEMPLATES.survey[language]?.sms ?? '';
      const csat = BUILT_IN_CSAT_SURVEY[language]?.sms ?? '';
      expect(nps).toMatch(/0-10/);
      expect(nps).not.toMatch(/1-5|1 \(/);
      expect(csat).toMatch(/1-5|1 a 5/);
      expect(isGsm7(nps) && isGsm7(csat)).toBe(true);
      expect(isGsm7(KEYWORD_REPLIES['survey-review'][language] ?? '')).toBe(true);
      expect(isGsm7(KEYWORD_REPLIES['survey-follow-up'][language] ?? '')).toBe(true);
    }
    const longest = `https://${'r'.repeat(REVIEW_LINK_MAX - 'https://'.length)}`;
    const policy = {
      ...DEFAULT_POLICY,
      survey: { ...DEFAULT_POLICY.survey, followUp: { askPassives: false, reviewLink: longest } },
    };
    for (const language of ['en', 'es']) {
      const rendered = renderKeywordReply({
        reply: 'survey-review',
        language,
        clinic: {
          ...clinic,
          name: 'Lakeside Health West',
          country: 'GB',
          contactPhone: '+442079460958',
          policy,
        },
      });
      expect(rendered.fits).toBe(true);
      expect(rendered.text).toContain(longest);
      expect(countSegments(rendered.text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    }
    expect(BUILT_IN_TEMPLATES.survey.en.sms).toContain(
      'how likely are you to recommend {{clinicName}} to a friend or family? Reply 0-10',
    );
  });
});
