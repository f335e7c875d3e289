/**
 * The records of the system, as zod schemas with their types inferred.
 * Storage and the API both go through these, so a record that fails here
 * never reaches a table.
 *
 * Two views exist per record: the *stored* record (everything, including the
 * server-managed version and timestamps) and the *input* a caller may send
 * (see shared/api/schemas.ts for the API bodies).
 */
import parsePhoneNumber from 'libphonenumber-js/max';
import * as z from 'zod';
import { CARE_KINDS, type CareKind, DEFAULT_CARE_POLICY } from './care/kinds';
import { CasePolicySchema, DEFAULT_CASE_POLICY } from './cases/policy';
import {
  ANSWER_MATCHES,
  APPOINTMENT_STATUSES,
  type AppointmentStatus,
  AUTO_REPLY_PURPOSES,
  CHANNELS,
  type Channel,
  CONSENT_SOURCES,
  INBOUND_OUTCOMES,
  INBOUND_STATES,
  MESSAGE_KINDS,
  MESSAGE_STATUSES,
  type MessageKind,
  type MessageStatus,
  OPT_OUT_SOURCES,
  ORIGINATION_NUMBER_TYPES,
  PRIORITIES,
  type Priority,
  REPLY_INTENT_KINDS,
  SMS_NAME_MAX,
} from './constants';
import { LocalTimeSchema } from './local-time';
import { DEFAULT_REPLY_POLICY, ReplyPolicySchema } from './replies/policy';
import {
  DEFAULT_SURVEY_ANSWER_DAYS,
  DEFAULT_SURVEY_SPACING_DAYS,
  MAX_SURVEY_COMMENT,
  REVIEW_LINK_MAX,
  SCORE_CLASSES,
  SURVEY_FOLLOW_UPS,
  SURVEY_SCALES,
} from './surveys';
import { KEYWORD_REPLY_TEXTS } from './templates/keyword-reply-texts';
import { isGsm7 } from './templates/segments';
import { freeText } from './text';
import { formatOffset, isUtcIso, isValidZone, parseOffset, parseUtc, toUtcIso } from './time';

export type { InboundOutcome, InboundState } from './constants';
export {
  ACCEPTED_STATUSES,
  APPOINTMENT_STATUSES,
  CHANNELS,
  CONSENT_SOURCES,
  DEFAULT_PRIORITY,
  EXEMPT_KINDS,
  isExemptKind,
  MESSAGE_KINDS,
  MESSAGE_STATUSES,
  OPT_OUT_SOURCES,
  ORIGINATION_NUMBER_TYPES,
  PRIORITIES,
  PRIORITY_RANK,
  SMS_NAME_MAX,
  segmentBudgetFor,
  TERMINAL_STATUSES,
} from './constants';
export type { AppointmentStatus, Channel, MessageKind, MessageStatus, Priority };

// ---------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------

/** Clinic ids lead every key, so they are short, lowercase and never contain `#`. */
export const ClinicIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'must be 1–48 lowercase letters, digits or hyphens');

/** Patient, appointment and other ids: the clinic's own identifiers, without `#`. */
export const EntityIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, dot, underscore or hyphen');

export const TimeZoneSchema = z
  .string()
  .refine(isValidZone, { message: 'must be an IANA time zone such as America/New_York' });

/** An instant written in UTC (`…Z`); stored normalised to milliseconds. */
export const UtcInstantSchema = z
  .string()
  .refine(isUtcIso, { message: 'must be an ISO 8601 instant in UTC, ending in Z' })
  .transform((text) => toUtcIso(parseUtc(text)));

/** A phone number in E.164 that libphonenumber-js considers valid (full metadata). */
export const E164PhoneSchema = z.string().superRefine((text, ctx) => {
  if (!/^\+[1-9]\d{6,14}$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'must be an E.164 number such as +12025550143' });
    return;
  }
  const parsed = parsePhoneNumber(text);
  if (!parsed?.isValid()) ctx.addIssue({ code: 'custom', message: 'is not a valid phone number' });
});

export const EmailSchema = z.email({ message: 'must be a valid email address' }).max(254);

/** BCP 47 language: a primary tag, optionally with a region (`es`, `pt-BR`). */
export const LanguageSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as en or pt-BR');

/** A local wall-clock time `HH:mm`. */
export { LocalTimeSchema };

/** `3d`, `24h`, `90m`; stored in canonical form (`24h` becomes `1d`). */
export const OffsetSchema = z
  .string()
  .refine((text) => parseOffset(text) !== undefined, {
    message: 'must be an offset such as 3d, 2h or 90m, at most 30 days',
  })
  .transform((text) => {
    const offset = parseOffset(text);
    return offset ? formatOffset(offset) : text;
  });

/** Appointment types are clinic-chosen keys (`new-patient`), never a diagnosis or procedure. */
export const AppointmentTypeSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, 'must be 1–32 lowercase letters, digits or hyphens');

export const ChannelSchema = z.enum(CHANNELS);

const positiveVersion = z.int().min(1);

// ---------------------------------------------------------------------------
// Clinic
// ---------------------------------------------------------------------------

export const MessageKindSchema = z.enum(MESSAGE_KINDS);

export const PrioritySchema = z.enum(PRIORITIES);

const segments = z
  .int('must be a whole number of segments')
  .min(1, 'must be at least 1 segment')
  .max(10, 'must be at most 10 segments');

/**
 * Largest SMS, in segments, that a text may take: `exempt` for the exempt
 * kinds, `other` for surveys, broadcasts and staff replies. A single number
 * sets both (the form used before the two were split; stored clinics keep
 * the meaning they were saved with).
 */
export const SegmentBudgetSchema = z.union([
  z.strictObject(
    { exempt: segments.default(1), other: segments.default(3) },
    { error: 'must be {"exempt": n, "other": n} (segments, 1–10 each) or one number for both' },
  ),
  segments.transform((budget) => ({ exempt: budget, other: budget })),
]);
export type SegmentBudget = z.output<typeof SegmentBudgetSchema>;

/** A clinic's own wording for one kind in one language; checked against the segment budget on save. */
export const TemplateTextSchema = z.strictObject({
  sms: freeText(true).min(1).max(1600),
  emailSubject: freeText().min(1).max(200),
  emailBody: freeText(true).min(1).max(10_000),
});
export type TemplateText = z.infer<typeof TemplateTextSchema>;

/** A clinic's own automatic answers in one language (SMS only), by answer; checked against the exempt budget on save. */
export const KeywordReplyTextsSchema = z.partialRecord(
  z.enum(KEYWORD_REPLY_TEXTS),
  z.string().min(1).max(1600),
);
export type KeywordReplyTexts = z.infer<typeof KeywordReplyTextsSchema>;

const ownTemplates = z.record(LanguageSchema, TemplateTextSchema).optional();
// A custom check, not z.never(), so the error says why rather than "is required".
const neverUsed = (why: string) =>
  z.custom<never>(() => false, { message: `is never used: ${why}` }).optional();

/** A clinic's own wording by kind and language; the built-in wording fills every gap. */
export const TemplatesSchema = z.strictObject({
  confirmation: ownTemplates,
  reminder: ownTemplates,
  reschedule: ownTemplates,
  cancellation: ownTemplates,
  survey: ownTemplates,
  'keyword-reply': z.record(LanguageSchema, KeywordReplyTextsSchema).optional(),
  broadcast: neverUsed('broadcasts carry the text staff write for them'),
  'staff-reply': neverUsed('staff replies carry the text staff write'),
});

/** A clinic's public review page, sent to promoters. */
export const ReviewLinkSchema = z
  .string()
  .max(REVIEW_LINK_MAX, `must be at most ${REVIEW_LINK_MAX} characters, so the thank-you fits one SMS part`)
  .regex(/^https:\/\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*)?$/, {
    message: 'must be an https:// link using only URL characters',
  });

export const MessagingPolicySchema = z
  .strictObject({
    /** Offsets before the visit; `byType` overrides `default` for an appointment type. */
    reminderOffsets: z
      .strictObject({
        default: z.array(OffsetSchema).max(6).default(['3d', '1d', '2h']),
        byType: z.record(AppointmentTypeSchema, z.array(OffsetSchema).max(6)).default({}),
      })
      .default({ default: ['3d', '1d', '2h'], byType: {} }),
    /** Local window (patient's zone, else the clinic's) in which non-urgent messages are held back. */
    quietHours: z
      .strictObject({
        enabled: z.boolean().default(true),
        start: LocalTimeSchema.default('21:00'),
        end: LocalTimeSchema.default('08:00'),
      })
      .default({ enabled: true, start: '21:00', end: '08:00' }),
    frequencyCap: z
      .strictObject({
        enabled: z.boolean().default(true),
        perDay: z.int().min(1).max(10).default(1),
        perWeek: z.int().min(1).max(50).default(3),
      })
      .default({ enabled: true, perDay: 1, perWeek: 3 }),
    /** Largest SMS, in segments, that a rendered text may take (exempt kinds 1, others 3). */
    segmentBudget: SegmentBudgetSchema.default({ exempt: 1, other: 3 }),
    languages: z.array(LanguageSchema).min(1).max(20).default(['en', 'es']),
    defaultLanguage: LanguageSchema.default('en'),
    confirmation: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** No confirmation for a visit that starts sooner than this after booking. */
        minLeadMinutes: z.int().min(0).max(10_080).default(60),
      })
      .default({ enabled: true, minLeadMinutes: 60 }),
    /** The follow-up survey (issue 13): when, on which scale, how often, and the one follow-up after a score. */
    survey: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** After the end of a completed visit. */
        delay: OffsetSchema.default('2h'),
        /** `nps` (0–10, the default) or `csat` (1–5); the built-in wording asks for the scale's range. */
        scale: z.enum(SURVEY_SCALES).default('nps'),
        /** A patient is surveyed at most once in this many days (0: after every completed visit). */
        minDaysBetween: z.int().min(0).max(365).default(DEFAULT_SURVEY_SPACING_DAYS),
        /** Days after sending during which an answer is on time; later ones are kept and flagged late. */
        answerWindowDays: z.int().min(1).max(30).default(DEFAULT_SURVEY_ANSWER_DAYS),
        /** After a score: detractors are always asked what could have been better. */
        followUp: z
          .strictObject({
            /** Passives are asked the same question as detractors. */
            askPassives: z.boolean().default(false),
            /** Promoters are thanked with this public review link (absent: a plain thank-you). */
            reviewLink: ReviewLinkSchema.optional(),
          })
          .default({ askPassives: false }),
      })
      .default({
        enabled: true,
        delay: '2h',
        scale: 'nps',
        minDaysBetween: DEFAULT_SURVEY_SPACING_DAYS,
        answerWindowDays: DEFAULT_SURVEY_ANSWER_DAYS,
        followUp: { askPassives: false },
      }),
    /** Clinic wording per kind and language; built-in templates fill the gaps. */
    templates: TemplatesSchema.default({}),
    /** How patients' replies are read: the clinic's synonyms, the answer window (shared/domain/replies). */
    replies: ReplyPolicySchema.default(DEFAULT_REPLY_POLICY),
    /** Feedback cases: business hours and holidays for due times, complaint wording (shared/domain/cases). */
    cases: CasePolicySchema.default(DEFAULT_CASE_POLICY),
    /** Care reminders (refills, recalls, vaccines; shared/domain/care): when before the due date, and their own cap. */
    careReminders: z
      .strictObject({
        /** Offsets before the due date, per kind, counted back from `sendTime` on the wall clock. */
        offsets: z
          .strictObject(
            Object.fromEntries(
              CARE_KINDS.map((kind) => [
                kind,
                z.array(OffsetSchema).min(1).max(4).default(DEFAULT_CARE_POLICY.offsets[kind]),
              ]),
            ) as Record<CareKind, z.ZodDefault<z.ZodArray<typeof OffsetSchema>>>,
          )
          .default(DEFAULT_CARE_POLICY.offsets),
        /** The local time on the due date (the patient's zone) that the offsets count back from. */
        sendTime: LocalTimeSchema.default(DEFAULT_CARE_POLICY.sendTime),
        /** Care reminders a patient gets at most a local day and a week, beside the visit reminders' cap. */
        frequencyCap: z
          .strictObject({
            enabled: z.boolean().default(DEFAULT_CARE_POLICY.frequencyCap.enabled),
            perDay: z.int().min(1).max(10).default(DEFAULT_CARE_POLICY.frequencyCap.perDay),
            perWeek: z.int().min(1).max(50).default(DEFAULT_CARE_POLICY.frequencyCap.perWeek),
          })
          .default(DEFAULT_CARE_POLICY.frequencyCap),
      })
      .default(DEFAULT_CARE_POLICY),
  })
  .superRefine((policy, ctx) => {
    if (!policy.languages.includes(policy.defaultLanguage)) {
      ctx.addIssue({ code: 'custom', path: ['defaultLanguage'], message: 'must be one of languages' });
    }
    if (policy.frequencyCap.perWeek < policy.frequencyCap.perDay) {
      ctx.addIssue({ code: 'custom', path: ['frequencyCap', 'perWeek'], message: 'must be at least perDay' });
    }
    const checkDistinct = (offsets: string[], path: PropertyKey[]) => {
      if (new Set(offsets).size !== offsets.length) {
        ctx.addIssue({ code: 'custom', path, message: 'must not repeat an offset' });
      }
    };
    checkDistinct(policy.reminderOffsets.default, ['reminderOffsets', 'default']);
    for (const [kind, offsets] of Object.entries(policy.careReminders.offsets)) {
      checkDistinct(offsets, ['careReminders', 'offsets', kind]);
    }
    for (const [type, offsets] of Object.entries(policy.reminderOffsets.byType)) {
      checkDistinct(offsets, ['reminderOffsets', 'byType', type]);
    }
    if (policy.quietHours.start === policy.quietHours.end) {
      ctx.addIssue({ code: 'custom', path: ['quietHours', 'end'], message: 'must differ from start' });
    }
  });
export type MessagingPolicy = z.infer<typeof MessagingPolicySchema>;

/** The default policy, as a clinic that sets nothing gets it. */
export const DEFAULT_POLICY: MessagingPolicy = MessagingPolicySchema.parse({});

/** `smsName`: the clinic's name as its texts show it. */
export const SmsNameSchema = freeText()
  .trim()
  .min(1)
  .max(SMS_NAME_MAX, `must be at most ${SMS_NAME_MAX} characters, so every text fits one SMS part`)
  .refine(isGsm7, {
    message:
      'must use only GSM-7 characters (write "i" for "í"): one other character makes every text UCS-2, 70 characters a part',
  });

/** Kinds of number End User Messaging sells; the type decides the send rate a carrier allows (issue 19). */
export const OriginationNumberTypeSchema = z.enum(ORIGINATION_NUMBER_TYPES);
export type OriginationNumberType = z.infer<typeof OriginationNumberTypeSchema>;

const PHONE_NUMBER_ID = /^phone-[0-9A-Za-z]{1,64}$/;
const POOL_ID = /^pool-[0-9A-Za-z]{1,64}$/;
const IDENTITY_ARN =
  /^arn:aws[a-z-]*:sms-voice:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:(phone-number\/phone|pool\/pool)-[0-9A-Za-z]{1,64}$/;

/**
 * Whether an origination identity id names a phone number or a pool
 * (`phone-…`, `pool-…`, or their ARNs); undefined for anything else.
 *
 * @param id - the identity's id or ARN, as configured
 */
export function originationIdentityKind(id: string): 'phone-number' | 'pool' | undefined {
  if (PHONE_NUMBER_ID.test(id)) return 'phone-number';
  if (POOL_ID.test(id)) return 'pool';
  const arn = IDENTITY_ARN.exec(id);
  if (!arn) return undefined;
  return arn[1] === 'pool/pool' ? 'pool' : 'phone-number';
}

/**
 * The End User Messaging phone number or pool a clinic texts from and that
 * its patients text back to. The deployment config owns it (the seed writes
 * it on every deploy); staff cannot change it through the API, because the
 * number's two-way channel and registration are set up with the stack.
 */
export const OriginationIdentitySchema = z.strictObject({
  /** Phone number id or pool id (`phone-…`, `pool-…`) or its ARN: what SendTextMessage takes. */
  id: z.string().refine((id) => originationIdentityKind(id) !== undefined, {
    message: 'must be a phone number or pool id (phone-…, pool-…) or its sms-voice ARN',
  }),
  /** The E.164 number patients receive texts from and reply to (inbound `destinationNumber`). */
  number: E164PhoneSchema,
  numberType: OriginationNumberTypeSchema,
  /**
   * Parts a second the number may send (its MPS; a 10DLC campaign's
   * throughput). Absent: its type's default (settings.ts, DEFAULT_PARTS_PER_SECOND).
   */
  partsPerSecond: z
    .number()
    .min(1 / 60, 'must allow at least one part a minute (1/60 per second)')
    .max(3000, 'must be at most 3000')
    .optional(),
});
export type OriginationIdentity = z.infer<typeof OriginationIdentitySchema>;

export const ClinicSchema = z.strictObject({
  clinicId: ClinicIdSchema,
  name: freeText().trim().min(1).max(80),
  /**
   * The name texts show, at most 20 GSM-7 characters. When absent texts show
   * `name`, which must then meet the same rule (checked when the clinic is saved).
   */
  smsName: SmsNameSchema.optional(),
  timeZone: TimeZoneSchema,
  /** ISO 3166 country used to read national phone numbers in imports. */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code such as US')
    .default('US'),
  contactPhone: E164PhoneSchema,
  policy: MessagingPolicySchema.default(DEFAULT_POLICY),
  /** Absent: the clinic sends through the deployment's shared SMS settings and cannot be texted back. */
  originationIdentity: OriginationIdentitySchema.optional(),
  version: positiveVersion,
  createdAt: UtcInstantSchema,
  updatedAt: UtcInstantSchema,
});
export type Clinic = z.infer<typeof ClinicSchema>;

// ---------------------------------------------------------------------------
// Patient
// ---------------------------------------------------------------------------

export const OptOutSchema = z.strictObject({
  at: UtcInstantSchema,
  /** `complaint`: the patient marked one of our emails as spam (an SES complaint receipt). */
  source: z.enum(OPT_OUT_SOURCES),
});
export type OptOut = z.infer<typeof OptOutSchema>;

/**
 * An address that cannot receive: a permanent bounce of the patient's email.
 * Not an opt-out (the patient said nothing): it holds only for the address
 * that bounced, so a new address set by staff or an import lifts it.
 */
export const UndeliverableSchema = z.strictObject({
  at: UtcInstantSchema,
  source: z.literal('bounce'),
  /** Our message that bounced. */
  messageId: z.string().min(1).max(200),
});
export type Undeliverable = z.infer<typeof UndeliverableSchema>;

/** A STOP or START (or wording read as one) a patient texted: replies/consent.ts orders them. */
export const OptReplySchema = z.strictObject({
  kind: z.enum(['opt-out', 'opt-in']),
  /** When the patient sent it (the SNS envelope Timestamp). */
  at: UtcInstantSchema,
  /** End User Messaging's `inboundMessageId`. */
  inboundMessageId: z.string().min(1).max(200),
});
export type OptReplyRecord = z.infer<typeof OptReplySchema>;

/**
 * What texted replies did to a number's SMS consent: the latest STOP or
 * START applied (kept after START lifts an opt-out, so an older STOP that
 * arrives late loses), and the inbound text whose STOP made the opt-out in
 * force, so a retry after a crash still sends its one confirmation.
 */
export const SmsReplySchema = z.strictObject({
  last: OptReplySchema,
  optOutInboundId: z.string().min(1).max(200).optional(),
});
export type SmsReply = z.infer<typeof SmsReplySchema>;

export const ConsentSchema = z.strictObject({
  at: UtcInstantSchema,
  source: z.enum(CONSENT_SOURCES),
  /** Staff user or system that recorded it (an id, not a name). */
  recordedBy: z.string().max(128).optional(),
});
export type Consent = z.infer<typeof ConsentSchema>;

/** Fields of a patient that staff set; the stored record adds keys, version and timestamps. */
export const PatientFieldsSchema = z.strictObject({
  firstName: freeText().trim().min(1).max(50),
  lastName: freeText().trim().min(1).max(80).optional(),
  phone: E164PhoneSchema.optional(),
  email: EmailSchema.optional(),
  /** Channels in order of preference; the first allowed one is used, the next is the fallback. */
  channels: z
    .array(ChannelSchema)
    .min(1)
    .max(2)
    .refine((channels) => new Set(channels).size === channels.length, {
      message: 'must not repeat a channel',
    }),
  language: LanguageSchema.default('en'),
  /** The patient's own zone when it differs from the clinic's (telehealth across zones). */
  timeZone: TimeZoneSchema.optional(),
  optOuts: z.strictObject({ sms: OptOutSchema.optional(), email: OptOutSchema.optional() }).default({}),
  /**
   * Consent by channel, and by topic: `updates` (health updates and
   * education broadcasts, issue 14), which visit reminders do not need.
   */
  consent: z
    .strictObject({
      sms: ConsentSchema.optional(),
      email: ConsentSchema.optional(),
      updates: ConsentSchema.optional(),
    })
    .default({}),
});

/** Every channel a patient lists needs its address. */
function requireAddresses(
  patient: { channels: Channel[]; phone?: string; email?: string },
  ctx: z.RefinementCtx,
) {
  patient.channels.forEach((channel, index) => {
    if (channel === 'sms' && !patient.phone) {
      ctx.addIssue({
        code: 'custom',
        path: ['phone'],
        message: `is required because channels.${index} is sms`,
      });
    }
    if (channel === 'email' && !patient.email) {
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: `is required because channels.${index} is email`,
      });
    }
  });
}

export const PatientSchema = PatientFieldsSchema.extend({
  clinicId: ClinicIdSchema,
  patientId: EntityIdSchema,
  /** Addresses that cannot receive, as delivery receipts found; kept only while the address stays the same. */
  undeliverable: z.strictObject({ email: UndeliverableSchema.optional() }).optional(),
  /** The STOP or START the patient texted last, kept by the system (never set by staff). */
  smsReply: SmsReplySchema.optional(),
  version: positiveVersion,
  createdAt: UtcInstantSchema,
  updatedAt: UtcInstantSchema,
}).superRefine(requireAddresses);
export type Patient = z.infer<typeof PatientSchema>;

export const PatientInputSchema = PatientFieldsSchema.superRefine(requireAddresses);
export type PatientInput = z.input<typeof PatientInputSchema>;

// ---------------------------------------------------------------------------
// Appointment
// ---------------------------------------------------------------------------

export const AppointmentStatusSchema = z.enum(APPOINTMENT_STATUSES);

const DURATION_MESSAGE = 'must be a whole number of minutes between 1 and 720';

export const AppointmentFieldsSchema = z.strictObject({
  patientId: EntityIdSchema,
  startAt: UtcInstantSchema,
  // One message for every way a present value is wrong (a fraction, 0, 1e400, a string).
  durationMinutes: z
    .int({ error: (issue) => (issue.input === undefined ? undefined : DURATION_MESSAGE) })
    .min(1)
    .max(720),
  type: AppointmentTypeSchema.default('default'),
  /** Where the visit is (an address, a room); shown in messages. An address may span lines. */
  location: freeText(true).trim().min(1).max(200).optional(),
  // Checked as text first: the URL parser would quietly drop tabs and line breaks.
  videoLink: freeText()
    .pipe(z.url({ protocol: /^https$/, message: 'must be an https URL' }).max(500))
    .optional(),
});

/** A patient's confirmation of a visit, by reply. */
export const ConfirmationSchema = z.strictObject({
  /** When the patient sent it (the SNS envelope Timestamp). */
  at: UtcInstantSchema,
  via: z.enum(['sms']),
  /** Our message the reply answered. */
  messageId: z.string().min(1).max(200),
  /** The inbound text that confirmed (applied once). */
  inboundMessageId: z.string().min(1).max(200),
  /** The schedule confirmed. */
  scheduleVersion: positiveVersion,
});
export type Confirmation = z.infer<typeof ConfirmationSchema>;

export const AppointmentSchema = AppointmentFieldsSchema.extend({
  clinicId: ClinicIdSchema,
  appointmentId: EntityIdSchema,
  status: AppointmentStatusSchema,
  /** Who cancelled; only the clinic's cancellations are announced to the patient. */
  cancelledBy: z.enum(['clinic', 'patient']).optional(),
  /** The patient confirmed the visit (beside the status, never a status); dropped when the visit moves. */
  confirmation: ConfirmationSchema.optional(),
  /** Goes up by one on every change. */
  version: positiveVersion,
  /** The version at which start, duration, location or video link last changed. */
  scheduleVersion: positiveVersion,
  createdAt: UtcInstantSchema,
  updatedAt: UtcInstantSchema,
}).superRefine((appointment, ctx) => {
  if (appointment.scheduleVersion > appointment.version) {
    ctx.addIssue({ code: 'custom', path: ['scheduleVersion'], message: 'must not exceed version' });
  }
  if (appointment.cancelledBy && appointment.status !== 'cancelled') {
    ctx.addIssue({
      code: 'custom',
      path: ['cancelledBy'],
      message: 'is only allowed on a cancelled appointment',
    });
  }
});
export type Appointment = z.infer<typeof AppointmentSchema>;

// ---------------------------------------------------------------------------
// Message (the outbox item)
// ---------------------------------------------------------------------------

export const MessageStatusSchema = z.enum(MESSAGE_STATUSES);

/** What the provider's delivery receipt said about a message it accepted. */
export const ReceiptSchema = z.strictObject({
  /** The provider's event type: `TEXT_DELIVERED`, `TEXT_CARRIER_BLOCKED`, …, `Delivery`, `Bounce`, `Complaint`. */
  event: z.string().min(1).max(40),
  /** When the provider reported it (the event's own timestamp). */
  at: UtcInstantSchema,
});
export type Receipt = z.infer<typeof ReceiptSchema>;

/** What a survey message holds once answered (kept on the message item: `surveyAnswer`). */
export const SurveyAnswerSchema = z.strictObject({
  scale: z.enum(SURVEY_SCALES),
  score: z.int().min(0).max(10),
  class: z.enum(SCORE_CLASSES),
  /** When the patient answered (the text's envelope time, or the link page's submit). */
  answeredAt: UtcInstantSchema,
  via: z.enum(['sms', 'email']),
  /** After the answer window: kept and counted, flagged late. */
  late: z.boolean(),
  /** The text that carried the score (SMS). */
  inboundMessageId: z.string().max(200).optional(),
  followUp: z.enum(SURVEY_FOLLOW_UPS),
  /** The patient's words after the follow-up (PHI: never logged, never in events). */
  comment: z
    .strictObject({
      text: z.string().max(MAX_SURVEY_COMMENT),
      truncated: z.boolean(),
      at: UtcInstantSchema,
      inboundMessageId: z.string().max(200).optional(),
    })
    .optional(),
});
export type SurveyAnswer = z.infer<typeof SurveyAnswerSchema>;

export const MessageSchema = z.strictObject({
  clinicId: ClinicIdSchema,
  patientId: EntityIdSchema,
  /** Absent for broadcasts, care reminders and keyword replies. */
  appointmentId: EntityIdSchema.optional(),
  /** Deterministic: appointment, kind, offset and schedule version (`a-17#reminder#1d#v2`). */
  messageId: z.string().min(1).max(200),
  kind: MessageKindSchema,
  /** Canonical offset for reminders and surveys. */
  offset: OffsetSchema.optional(),
  priority: PrioritySchema,
  channel: ChannelSchema,
  /**
   * Planned for a clinic that texts from a number of its own: as an SMS it
   * waits in that number's lane of the due index, paced on the number's
   * budget. The sweep charges a text to its clinic's number either way.
   */
  ownNumber: z.boolean().optional(),
  language: LanguageSchema,
  /** When it should go out (after quiet-hours adjustment). */
  dueAt: UtcInstantSchema,
  /** When it was meant to go out before any adjustment. */
  plannedAt: UtcInstantSchema,
  /** After this instant the message is pointless and is skipped instead of sent. */
  notAfter: UtcInstantSchema,
  status: MessageStatusSchema,
  /** Machine-readable why (`appointment-moved`, `quiet-hours`, `opted-out`, …). */
  reason: z.string().max(64).optional(),
  /** Tries taken up for sending (each passes through `sending`). */
  attempts: z.int().min(0),
  /** Channels the provider refused for good; decide() does not use them again. */
  failedChannels: z.array(ChannelSchema).max(2).optional(),
  providerMessageId: z.string().max(200).optional(),
  /** The receipt that made it `delivered` or `undeliverable` (reason: the event type when undeliverable). */
  receipt: ReceiptSchema.optional(),
  /**
   * A keyword reply's answer (kind `keyword-reply`): which answer, not its
   * words and never the patient's text; rendered at send time in the
   * patient's language as it is then.
   */
  keywordReply: z
    .strictObject({
      answer: z.enum(KEYWORD_REPLY_TEXTS),
      /** `opt-out-confirmation` is the one text that may go to an opted-out number. */
      purpose: z.enum(AUTO_REPLY_PURPOSES),
      /** The text it answers. */
      inboundMessageId: z.string().min(1).max(200),
      /** The visit it shows (confirmed, or moved since): read again at send time. */
      appointmentId: EntityIdSchema.optional(),
      /** The number, only for a number no patient of the clinic has (no patient record to read it from). */
      to: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number')
        .optional(),
    })
    .optional(),
  /**
   * A staff reply's words (kind `staff-reply`), as staff wrote them: sent
   * as they are, shown in the conversation; PHI, so never logged and never
   * in an event (the table is encrypted with the project's key).
   */
  staffReply: z
    .strictObject({
      text: z.string().min(1).max(1600),
      /** The staff user who wrote it (the token's subject, an id). */
      by: z.string().min(1).max(128),
      /**
       * True when it starts a new message rather than answering one (the
       * patient had not texted in 24 hours): it is sent with the clinic's
       * SMS name before the words and the opt-out line after them
       * (staffReplyWords).
       */
      opensConversation: z.boolean().optional(),
    })
    .optional(),
  /** A survey's answer (kind `survey`): the score, its class, the follow-up sent and the comment after it. */
  surveyAnswer: SurveyAnswerSchema.optional(),
  /** The appointment version that planned or last withdrew it. */
  planVersion: positiveVersion,
  /** Revision of the item; bumps on every transition that takes it out of the due index or back in. */
  rev: positiveVersion,
  /** Fences the claim: only the holder of this token may move it on. */
  claimToken: z.string().max(64).optional(),
  /** The one delivery of the queue message that marked it `sending` (duplicates carry the same token). */
  attemptId: z.string().max(64).optional(),
  leaseUntil: UtcInstantSchema.optional(),
  createdAt: UtcInstantSchema,
  updatedAt: UtcInstantSchema,
  queuedAt: UtcInstantSchema.optional(),
  /** When the attempt now sending, or the one that ended the message, started (cleared when an attempt is given back to pending). */
  sendingAt: UtcInstantSchema.optional(),
  /** When it reached a terminal state. */
  finishedAt: UtcInstantSchema.optional(),
  /** When its send ended `unknown`; kept when a receipt settles it later (the counted outcome stays unknown). */
  unknownAt: UtcInstantSchema.optional(),
});
export type Message = z.infer<typeof MessageSchema>;

// ---------------------------------------------------------------------------
// Inbound text (two-way SMS) and the staff inbox
// ---------------------------------------------------------------------------

/** What interpretReply() read, as stored: our rule names and numbers, never the patient's words. */
export const StoredIntentSchema = z.strictObject({
  kind: z.enum(REPLY_INTENT_KINDS),
  rule: z.string().max(64).optional(),
  score: z.int().min(0).max(100).optional(),
  alsoForStaff: z.enum(['cancel-request', 'reschedule']).optional(),
  /** Why an unreadable text could not be read. */
  reason: z.string().max(32).optional(),
});
export type StoredIntent = z.infer<typeof StoredIntentSchema>;

/**
 * One text a patient (or an unknown number) sent to a clinic's number,
 * stored once per `inboundMessageId` with what it was read as, what it
 * matched and what it did. The body is PHI: stored encrypted with the
 * project's key, never logged, never in events.
 */
export const InboundMessageSchema = z.strictObject({
  clinicId: ClinicIdSchema,
  /** End User Messaging's `inboundMessageId` (local mode makes one up). */
  inboundMessageId: z.string().min(1).max(200),
  /** The patient's number (`originationNumber`). */
  from: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number'),
  /** The clinic's number (`destinationNumber`). */
  to: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number'),
  body: z.string().max(1600),
  /** End User Messaging's `messageKeyword`, when it matched one of the number's keywords. */
  keyword: z.string().max(64).optional(),
  previousPublishedMessageId: z.string().max(200).optional(),
  /** When the patient sent it: the SNS envelope Timestamp; orders replies from one number. */
  receivedAt: UtcInstantSchema,
  /** When this system handled it. */
  recordedAt: UtcInstantSchema,
  intent: StoredIntentSchema,
  /** The patient it is about (the patient of the answered message, or the one patient with the number). */
  patientId: EntityIdSchema.optional(),
  appointmentId: EntityIdSchema.optional(),
  /** Our message it answered. */
  answeredMessageId: z.string().max(200).optional(),
  matchedBy: z.enum(ANSWER_MATCHES).optional(),
  outcome: z.enum(INBOUND_OUTCOMES),
  /** Why (a confirm that no longer applies, an opt-out that changed nothing, …): our codes. */
  outcomeReason: z.string().max(64).optional(),
  /** A survey score recorded on the text itself (no survey answer use case took it). */
  score: z.int().min(0).max(100).optional(),
  /** For staff: open while it needs a person, done once dealt with; absent when it needs nobody. */
  state: z.enum(INBOUND_STATES).optional(),
  doneAt: UtcInstantSchema.optional(),
  /** The staff subject that marked it done (an id). */
  doneBy: z.string().max(128).optional(),
  /** The staff subject it is assigned to while open (an id); absent: unassigned. */
  assignedTo: z.string().max(128).optional(),
  assignedAt: UtcInstantSchema.optional(),
  version: positiveVersion,
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;
