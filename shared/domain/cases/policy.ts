/**
 * A clinic's case settings (`policy.cases`): business hours and public
 * holidays for the due times, how many business days staff have to
 * acknowledge and to resolve, and its own complaint words. Validated when the
 * clinic is saved, like the rest of the policy.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { LocalTimeSchema } from '../local-time';
import { foldPhrase } from '../replies/normalise';
import { freeText } from '../text';
import { minutesOf } from './business-time';
import { builtInComplaintPhrase } from './complaints';

/** Most clinic complaint phrases (added or removed). */
export const MAX_COMPLAINT_PHRASES = 100;

/** Most public holidays a policy lists (several years ahead). */
export const MAX_HOLIDAYS = 200;

const HolidaySchema = z
  .string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid, {
    message: 'must be a calendar date YYYY-MM-DD',
  });

const PhraseSchema = freeText()
  .trim()
  .max(60, 'must be at most 60 characters')
  .refine((text) => foldPhrase(text) !== '', { message: 'must contain a letter or a digit' });

const BusinessDaysSchema = z.number().min(0.25).max(30);

export const CasePolicySchema = z
  .strictObject({
    businessHours: z
      .strictObject({
        /** ISO weekdays, 1 = Monday … 7 = Sunday. */
        days: z.array(z.int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5]),
        start: LocalTimeSchema.default('08:00'),
        end: LocalTimeSchema.default('17:00'),
      })
      .default({ days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' }),
    /** Local dates the clinic is closed (public holidays). */
    holidays: z.array(HolidaySchema).max(MAX_HOLIDAYS).default([]),
    /** Business days to acknowledge a case, and to resolve it. */
    acknowledgeWithin: BusinessDaysSchema.default(1),
    resolveWithin: BusinessDaysSchema.default(5),
    /** The clinic's own complaint wording, on top of the built-in en and es list; and built-ins it turns off. */
    complaintPhrases: z
      .strictObject({
        add: z.array(PhraseSchema).max(MAX_COMPLAINT_PHRASES).default([]),
        remove: z.array(PhraseSchema).max(MAX_COMPLAINT_PHRASES).default([]),
      })
      .default({ add: [], remove: [] }),
  })
  .superRefine((policy, ctx) => {
    const { days, start, end } = policy.businessHours;
    if (new Set(days).size !== days.length) {
      ctx.addIssue({ code: 'custom', path: ['businessHours', 'days'], message: 'must not repeat a day' });
    }
    if (minutesOf(end) <= minutesOf(start)) {
      ctx.addIssue({ code: 'custom', path: ['businessHours', 'end'], message: 'must be later than start' });
    }
    if (new Set(policy.holidays).size !== policy.holidays.length) {
      ctx.addIssue({ code: 'custom', path: ['holidays'], message: 'must not repeat a date' });
    }
    if (policy.resolveWithin < policy.acknowledgeWithin) {
      ctx.addIssue({
        code: 'custom',
        path: ['resolveWithin'],
        message: 'must be at least acknowledgeWithin',
      });
    }
    const seen = new Set<string>();
    policy.complaintPhrases.add.forEach((phrase, index) => {
      const folded = foldPhrase(phrase);
      const path = ['complaintPhrases', 'add', index];
      if (seen.has(folded)) ctx.addIssue({ code: 'custom', path, message: `repeats "${phrase}"` });
      else if (builtInComplaintPhrase(folded)) {
        ctx.addIssue({ code: 'custom', path, message: `"${phrase}" is built in already` });
      }
      seen.add(folded);
    });
    policy.complaintPhrases.remove.forEach((phrase, index) => {
      if (!builtInComplaintPhrase(foldPhrase(phrase))) {
        ctx.addIssue({
          code: 'custom',
          path: ['complaintPhrases', 'remove', index],
          message: `"${phrase}" is not a built-in complaint phrase`,
        });
      }
    });
  });
export type CasePolicy = z.infer<typeof CasePolicySchema>;

/** What a clinic that sets nothing gets. */
export const DEFAULT_CASE_POLICY: CasePolicy = CasePolicySchema.parse({});
