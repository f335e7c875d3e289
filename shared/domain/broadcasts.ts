/**
 * Broadcasts (issue 14): a message staff write once for many patients (a
 * closure, a health update), with its audience, send time and priority.
 * Pure: the records as zod schemas, who of a clinic's patients a broadcast
 * reaches and why the others are skipped, and its wording per language,
 * rendered with the three variables a broadcast may use and the opt-out
 * line always added.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { type Channel, segmentBudgetFor } from './constants';
import type { FieldIssue } from './errors';
import {
  type Clinic,
  ClinicIdSchema,
  EntityIdSchema,
  LanguageSchema,
  type Patient,
  PrioritySchema,
  UtcInstantSchema,
} from './model';
import { allowedChannels, resolveLanguage } from './planning/rules';
import {
  BUILT_IN_PHRASES,
  countSegments,
  FIRST_NAME_BOUND,
  type FittedSms,
  fitSms,
  formatContactPhone,
  lookupLanguage,
  type SegmentCount,
  smsNameOf,
} from './templates';
import { parseTemplate, type TemplateValues, type TemplateVariable } from './templates/syntax';
import { WORST_CASE_SAMPLES } from './templates/validate';
import { freeText } from './text';

/** The only variables a broadcast may show: no visit, no record field beyond the first name. */
export const BROADCAST_VARIABLES = ['firstName', 'clinicName', 'clinicPhone'] as const;
const BROADCAST_VARIABLE_SET: ReadonlySet<TemplateVariable> = new Set(BROADCAST_VARIABLES);

/** Topics a patient may consent to beyond their visits (the visit reminders need none: FCC healthcare exemption). */
export const CONSENT_TOPICS = ['updates'] as const;
export type ConsentTopic = (typeof CONSENT_TOPICS)[number];

/** How long before its send time a broadcast's fan-out starts: its messages are planned by then. */
export const FAN_OUT_LEAD_MINUTES = 15;

/**
 * Where a broadcast stands: `scheduled` until its fan-out starts (the only
 * state in which it may change), `planning` while the pipeline plans its
 * recipients in pages, `planned` once every recipient has a message,
 * `cancelled` (messages not yet sent are skipped `broadcast-cancelled`).
 */
export const BROADCAST_STATUSES = ['scheduled', 'planning', 'planned', 'cancelled'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/** Why a patient of the audience gets no message, decided when recipients are chosen. */
export const RECIPIENT_SKIP_REASONS = ['opted-out', 'no-consent', 'no-usable-channel'] as const;
export type RecipientSkipReason = (typeof RECIPIENT_SKIP_REASONS)[number];

/** The skip reason of a broadcast's message that was pending when the broadcast was cancelled. */
export const BROADCAST_CANCELLED = 'broadcast-cancelled';

/** Most patients one explicit list may name (a larger audience is a topic or a date range). */
export const MAX_LISTED_PATIENTS = 10_000;

/** Longest date range of a closure audience. */
export const MAX_AUDIENCE_DAYS = 31;

/** The prefix of every broadcast message's id: `~broadcast#<broadcastId>` in the patient's partition. */
export const BROADCAST_MESSAGE_PREFIX = '~broadcast#';

/**
 * A broadcast recipient's message id: deterministic, so a resumed or
 * repeated fan-out finds the message it made and creates nothing twice.
 * It sits in the patient's partition, so the patient id is in its key.
 *
 * @param broadcastId - the broadcast
 */
export function broadcastMessageId(broadcastId: string): string {
  return `${BROADCAST_MESSAGE_PREFIX}${broadcastId}`;
}

/**
 * The broadcast a message id belongs to, or undefined for any other message.
 *
 * @param messageId - a message id
 */
export function broadcastIdOf(messageId: string): string | undefined {
  return messageId.startsWith(BROADCAST_MESSAGE_PREFIX)
    ? messageId.slice(BROADCAST_MESSAGE_PREFIX.length)
    : undefined;
}

/** A calendar date `YYYY-MM-DD` that exists (a closure's dates, a care reminder's due date). */
export const LocalDateSchema = z
  .string()
  .refine((text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text).isValid, {
    message: 'must be a date YYYY-MM-DD',
  });

/**
 * Who a broadcast reaches, exactly one of: an explicit list of patient ids,
 * the patients with a booked visit on the clinic's local dates from–to
 * (both included: a closure), or every patient who consented to a topic.
 */
export const BroadcastAudienceSchema = z
  .strictObject({
    patientIds: z
      .array(EntityIdSchema)
      .min(1, 'must name at least one patient')
      .max(MAX_LISTED_PATIENTS, `must name at most ${MAX_LISTED_PATIENTS} patients`)
      .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat a patient' })
      .optional(),
    appointmentsOn: z.strictObject({ from: LocalDateSchema, to: LocalDateSchema }).optional(),
    topic: z.enum(CONSENT_TOPICS).optional(),
  })
  .superRefine((audience, ctx) => {
    const named = Object.keys(audience).filter((key) => audience[key as keyof typeof audience] !== undefined);
    if (named.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `must name exactly one of patientIds, appointmentsOn, topic (got ${named.length === 0 ? 'none' : named.join(', ')})`,
      });
    }
    const range = audience.appointmentsOn;
    if (range && DateTime.fromISO(range.from).isValid && DateTime.fromISO(range.to).isValid) {
      const days = DateTime.fromISO(range.to).diff(DateTime.fromISO(range.from), 'days').days;
      if (days < 0)
        ctx.addIssue({ code: 'custom', path: ['appointmentsOn', 'to'], message: 'must not be before from' });
      if (days >= MAX_AUDIENCE_DAYS) {
        ctx.addIssue({
          code: 'custom',
          path: ['appointmentsOn', 'to'],
          message: `must be within ${MAX_AUDIENCE_DAYS} days of from`,
        });
      }
    }
  });
export type BroadcastAudience = z.infer<typeof BroadcastAudienceSchema>;

/** The text per language, as staff write it (free text with {{firstName}}, {{clinicName}}, {{clinicPhone}}). */
export const BroadcastTextSchema = z
  .record(LanguageSchema, freeText(true).trim().min(1, 'must not be empty').max(1600))
  .refine((texts) => Object.keys(texts).length > 0, {
    message: 'must hold the text in at least one language',
  });

/** What staff send to create or change a broadcast (and to preview one). */
export const BroadcastFieldsSchema = z.strictObject({
  text: BroadcastTextSchema,
  audience: BroadcastAudienceSchema,
  /** When it goes out (UTC); quiet hours in each patient's zone still hold it back. */
  sendAt: UtcInstantSchema,
  priority: PrioritySchema.default('medium'),
});
export type BroadcastFields = z.output<typeof BroadcastFieldsSchema>;

const count = z.int().min(0);

/** Where the fan-out stands: resumable from `cursor` (the last page's end), counts added with it. */
export const FanOutSchema = z.strictObject({
  /** Opaque position after the last page planned; absent before the first page. */
  cursor: z.string().max(2000).optional(),
  /** Pages planned so far (each advance is conditional on this number). */
  pages: count,
});

export const BroadcastSchema = BroadcastFieldsSchema.extend({
  clinicId: ClinicIdSchema,
  broadcastId: EntityIdSchema,
  status: z.enum(BROADCAST_STATUSES),
  /** The staff user who saved it (the token's subject, an id). */
  createdBy: z.string().min(1).max(128),
  fanOut: FanOutSchema,
  /** Recipients given a message. */
  planned: count,
  sent: count,
  failed: count,
  /** Patients of the audience skipped when planned, and messages skipped when sent, by reason. */
  skipped: z.record(z.string().max(64), count),
  cancelledAt: UtcInstantSchema.optional(),
  version: z.int().min(1),
  createdAt: UtcInstantSchema,
  updatedAt: UtcInstantSchema,
});
export type Broadcast = z.infer<typeof BroadcastSchema>;

/** Whether patients of this audience need the `updates` consent (everything but a notice about their booked visit). */
export function audienceNeedsConsent(audience: BroadcastAudience): boolean {
  return audience.appointmentsOn === undefined;
}

export type RecipientVerdict = { channel: Channel } | { skip: RecipientSkipReason };

/**
 * Whether a patient of a broadcast's audience gets its message, and on
 * which channel. A closure notice (audience `appointmentsOn`) is about the
 * patient's own booked visit, like a cancellation notice; every other
 * broadcast is a health update or education and needs the `updates` consent.
 * Send time decides again (opt-outs and channels may change meanwhile).
 *
 * @param patient - the patient as stored
 * @param audience - the broadcast's audience
 */
export function recipientVerdict(
  patient: Pick<Patient, 'channels' | 'phone' | 'email' | 'optOuts' | 'undeliverable' | 'consent'>,
  audience: BroadcastAudience,
): RecipientVerdict {
  if (patient.channels.every((channel) => patient.optOuts[channel])) return { skip: 'opted-out' };
  if (audienceNeedsConsent(audience) && !patient.consent.updates) return { skip: 'no-consent' };
  const channel = allowedChannels(patient)[0];
  return channel ? { channel } : { skip: 'no-usable-channel' };
}

/**
 * The language of a broadcast's text a patient reads: theirs (or its
 * family) if written, else the clinic's default language, else the first
 * written.
 *
 * @param texts - the broadcast's text by language
 * @param patient - the patient's language
 * @param policy - the clinic's languages
 */
export function broadcastLanguageFor(
  texts: Readonly<Record<string, string>>,
  patient: Pick<Patient, 'language'>,
  policy: Clinic['policy'],
): string {
  const wanted = resolveLanguage(patient, policy);
  for (const candidate of [wanted, patient.language, policy.defaultLanguage]) {
    if (texts[candidate] !== undefined) return candidate;
    const primary = candidate.split('-')[0] ?? candidate;
    if (texts[primary] !== undefined) return primary;
  }
  return Object.keys(texts)[0] ?? policy.defaultLanguage;
}

type BroadcastClinic = Pick<Clinic, 'name' | 'smsName' | 'contactPhone' | 'country' | 'policy'>;

function valuesFor(clinic: BroadcastClinic, firstName: string, channel: Channel): TemplateValues {
  return {
    firstName,
    clinicName: channel === 'sms' ? smsNameOf(clinic) : clinic.name,
    clinicPhone: formatContactPhone(clinic.contactPhone, clinic.country),
    localDate: '',
    localTime: '',
    location: '',
    videoLink: '',
    replyInstructions: '',
    stopText: '',
    reviewLink: '',
  };
}

/** The opt-out line of a language (the built-in phrase; English where the language has none). */
function stopLine(language: string, channel: Channel, clinic: BroadcastClinic): string {
  const phrases = lookupLanguage(BUILT_IN_PHRASES, language) ?? BUILT_IN_PHRASES.en;
  return phrases.stopText[channel].replaceAll(
    '{phone}',
    formatContactPhone(clinic.contactPhone, clinic.country),
  );
}

/** The text with the opt-out line, parsed; problems name what is wrong. */
function parseWithStop(text: string, language: string, channel: Channel, clinic: BroadcastClinic) {
  const parsed = parseTemplate(
    `${text.trimEnd()}\n${stopLine(language, channel, clinic)}`,
    BROADCAST_VARIABLES,
  );
  const problems = [...parsed.problems];
  for (const variable of parsed.variables) {
    if (!BROADCAST_VARIABLE_SET.has(variable)) {
      problems.push(`uses {{${variable}}}; a broadcast may use only ${BROADCAST_VARIABLES.join(', ')}`);
    }
  }
  return { nodes: parsed.nodes, problems };
}

/**
 * A broadcast's SMS for one patient: the text in their language with the
 * three variables and the opt-out line, fitted to the clinic's budget for
 * non-exempt texts (a long first name is shortened as for any text).
 *
 * @param text - the text in the language chosen for the patient
 * @param language - that language (for the opt-out line)
 * @param clinic - the clinic's name, number, country and segment budget
 * @param firstName - the patient's first name
 */
export function renderBroadcastSms(
  text: string,
  language: string,
  clinic: BroadcastClinic,
  firstName: string,
): FittedSms {
  const { nodes } = parseWithStop(text, language, 'sms', clinic);
  return fitSms(nodes, valuesFor(clinic, firstName, 'sms'), segmentBudgetFor(clinic.policy, 'broadcast'));
}

/**
 * A broadcast's email for one patient: the clinic's name as subject, the
 * text with the email opt-out line.
 *
 * @param text - the text in the patient's language
 * @param language - that language
 * @param clinic - the clinic
 * @param firstName - the patient's first name
 */
export function renderBroadcastEmail(
  text: string,
  language: string,
  clinic: BroadcastClinic,
  firstName: string,
): { subject: string; text: string } {
  const { nodes } = parseWithStop(text, language, 'email', clinic);
  const values = valuesFor(clinic, firstName, 'email');
  const body = nodes
    .map((node) => (node.type === 'text' ? node.text : node.type === 'variable' ? values[node.name] : ''))
    .join('');
  return { subject: clinic.name, text: body };
}

/** A rendered sample of one language: the worst-case first name, the clinic's own name and number. */
export interface BroadcastSample {
  language: string;
  text: string;
  segments: number;
  encoding: SegmentCount['encoding'];
}

/**
 * Checks a broadcast's text in every language as it would render at its
 * longest (a first name of FIRST_NAME_BOUND characters, the clinic's own
 * name and number, the opt-out line): variables other than the three and
 * any language over the clinic's segment budget are issues on
 * `text.<language>`. Also returns each language's sample.
 *
 * @param texts - the text by language
 * @param clinic - the clinic
 */
export function checkBroadcastText(
  texts: Readonly<Record<string, string>>,
  clinic: BroadcastClinic,
): { issues: FieldIssue[]; samples: BroadcastSample[] } {
  const issues: FieldIssue[] = [];
  const samples: BroadcastSample[] = [];
  const budget = segmentBudgetFor(clinic.policy, 'broadcast');
  const firstName = WORST_CASE_SAMPLES.firstName.slice(0, FIRST_NAME_BOUND);
  for (const [language, text] of Object.entries(texts)) {
    const path = `text.${language}`;
    const { problems } = parseWithStop(text, language, 'sms', clinic);
    if (problems.length > 0) {
      for (const message of problems) issues.push({ path, message });
      continue;
    }
    const { nodes } = parseWithStop(text, language, 'sms', clinic);
    const values = valuesFor(clinic, firstName, 'sms');
    const rendered = nodes
      .map((node) => (node.type === 'text' ? node.text : node.type === 'variable' ? values[node.name] : ''))
      .join('');
    const counted = countSegments(rendered);
    samples.push({ language, text: rendered, segments: counted.segments, encoding: counted.encoding });
    if (counted.segments > budget) {
      issues.push({
        path,
        message:
          `takes ${counted.segments} SMS parts (${counted.encoding}, ${counted.units} characters with a ` +
          `${FIRST_NAME_BOUND}-character first name and the opt-out line); the clinic's budget for broadcasts is ` +
          `${budget} (policy.segmentBudget.other)`,
      });
    }
  }
  return { issues, samples };
}
