/**
 * The shapes of the records as stored, for reading them back: types,
 * required fields, enums and defaults only, with no rule a record could
 * stop meeting later (phone metadata, ranges, template budgets, id
 * patterns). A record that was valid when it was written stays readable
 * after a rule or a library's metadata changes; full validation belongs to
 * the edge that accepts input (the staff API, imports, the deployment
 * config), with the schemas in model.ts.
 *
 * Written with zod's tree-shaken `mini` API, so the functions that only
 * read and write records do not carry the full library. Every field and
 * default of the full schemas must appear here too:
 * test/unit/domain/stored.test.ts compares the two, field by field.
 */
import * as z from 'zod/mini';
import { DEFAULT_CARE_POLICY } from './care/kinds';
import {
  ANSWER_MATCHES,
  APPOINTMENT_STATUSES,
  AUTO_REPLY_PURPOSES,
  CHANNELS,
  CONSENT_SOURCES,
  INBOUND_OUTCOMES,
  INBOUND_STATES,
  MESSAGE_KINDS,
  MESSAGE_STATUSES,
  OPT_OUT_SOURCES,
  ORIGINATION_NUMBER_TYPES,
  PRIORITIES,
  REPLY_INTENT_KINDS,
} from './constants';
import { ValidationError } from './errors';
import type { Appointment, Clinic, InboundMessage, Message, Patient } from './model';
import {
  DEFAULT_SURVEY_ANSWER_DAYS,
  DEFAULT_SURVEY_SPACING_DAYS,
  SCORE_CLASSES,
  SURVEY_FOLLOW_UPS,
  SURVEY_SCALES,
} from './surveys';
import { KEYWORD_REPLY_TEXTS } from './templates/keyword-reply-texts';
import { toFieldIssues } from './validation';

const STORED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The four stored shapes. For reading, unknown attributes are dropped and
 * text is text; for writing, unknown attributes are refused and times must
 * be in the stored UTC format. Neither checks a rule (a zone, a phone
 * number, a range): those belong to the edge.
 */
function buildShapes(write: boolean) {
  const text = z.string();
  // Times are stored in one fixed-width UTC format, so they sort as text; a write must keep it.
  const instant = write
    ? z.string().check(z.regex(STORED_INSTANT, 'must be a stored UTC instant (2026-03-08T07:00:00.000Z)'))
    : text;
  // A write names no field the record does not have (a diagnosis, a typo); a read drops one a later version added.
  const object = write ? z.strictObject : z.object;
  const count = z.number();
  const flag = z.boolean();
  const channel = z.enum(CHANNELS);

  const TemplateTextShape = object({ sms: text, emailSubject: text, emailBody: text });

  const PolicyShape = object({
    reminderOffsets: z._default(
      object({
        default: z._default(z.array(text), ['3d', '1d', '2h']),
        byType: z._default(z.record(text, z.array(text)), {}),
      }),
      { default: ['3d', '1d', '2h'], byType: {} },
    ),
    quietHours: z._default(
      object({
        enabled: z._default(flag, true),
        start: z._default(text, '21:00'),
        end: z._default(text, '08:00'),
      }),
      { enabled: true, start: '21:00', end: '08:00' },
    ),
    frequencyCap: z._default(
      object({
        enabled: z._default(flag, true),
        perDay: z._default(count, 1),
        perWeek: z._default(count, 3),
      }),
      { enabled: true, perDay: 1, perWeek: 3 },
    ),
    // Clinics stored before budgets were split by kind hold one number for both.
    segmentBudget: z._default(
      z.union([
        object({ exempt: z._default(count, 1), other: z._default(count, 3) }),
        z.pipe(
          count,
          z.transform((budget: number) => ({ exempt: budget, other: budget })),
        ),
      ]),
      { exempt: 1, other: 3 },
    ),
    languages: z._default(z.array(text), ['en', 'es']),
    defaultLanguage: z._default(text, 'en'),
    confirmation: z._default(
      object({ enabled: z._default(flag, true), minLeadMinutes: z._default(count, 60) }),
      { enabled: true, minLeadMinutes: 60 },
    ),
    survey: z._default(
      object({
        enabled: z._default(flag, true),
        delay: z._default(text, '2h'),
        scale: z._default(z.enum(SURVEY_SCALES), 'nps'),
        minDaysBetween: z._default(count, DEFAULT_SURVEY_SPACING_DAYS),
        answerWindowDays: z._default(count, DEFAULT_SURVEY_ANSWER_DAYS),
        followUp: z._default(object({ askPassives: z._default(flag, false), reviewLink: z.optional(text) }), {
          askPassives: false,
        }),
      }),
      {
        enabled: true,
        delay: '2h',
        scale: 'nps',
        minDaysBetween: DEFAULT_SURVEY_SPACING_DAYS,
        answerWindowDays: DEFAULT_SURVEY_ANSWER_DAYS,
        followUp: { askPassives: false },
      },
    ),
    templates: z._default(
      object({
        confirmation: z.optional(z.record(text, TemplateTextShape)),
        reminder: z.optional(z.record(text, TemplateTextShape)),
        reschedule: z.optional(z.record(text, TemplateTextShape)),
        cancellation: z.optional(z.record(text, TemplateTextShape)),
        survey: z.optional(z.record(text, TemplateTextShape)),
        'keyword-reply': z.optional(z.record(text, z.record(text, text))),
        // Never stored (the full schema refuses them on save); named so a read and the schema agree.
        broadcast: z.optional(z.custom<never>(() => false)),
        'staff-reply': z.optional(z.custom<never>(() => false)),
      }),
      {},
    ),
    replies: z._default(
      object({
        synonyms: z._default(
          object({
            optOut: z.optional(z.array(text)),
            optIn: z.optional(z.array(text)),
            help: z.optional(z.array(text)),
            confirm: z.optional(z.array(text)),
            reschedule: z.optional(z.array(text)),
          }),
          {},
        ),
        answerWindowDays: z._default(count, 7),
      }),
      { synonyms: {}, answerWindowDays: 7 },
    ),
    cases: z._default(
      object({
        businessHours: z._default(
          object({
            days: z._default(z.array(count), [1, 2, 3, 4, 5]),
            start: z._default(text, '08:00'),
            end: z._default(text, '17:00'),
          }),
          { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' },
        ),
        holidays: z._default(z.array(text), []),
        acknowledgeWithin: z._default(count, 1),
        resolveWithin: z._default(count, 5),
        complaintPhrases: z._default(
          object({ add: z._default(z.array(text), []), remove: z._default(z.array(text), []) }),
          { add: [], remove: [] },
        ),
      }),
      {
        businessHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' },
        holidays: [],
        acknowledgeWithin: 1,
        resolveWithin: 5,
        complaintPhrases: { add: [], remove: [] },
      },
    ),
    careReminders: z._default(
      object({
        offsets: z._default(
          object({
            refill: z._default(z.array(text), DEFAULT_CARE_POLICY.offsets.refill),
            recall: z._default(z.array(text), DEFAULT_CARE_POLICY.offsets.recall),
            vaccine: z._default(z.array(text), DEFAULT_CARE_POLICY.offsets.vaccine),
            custom: z._default(z.array(text), DEFAULT_CARE_POLICY.offsets.custom),
          }),
          DEFAULT_CARE_POLICY.offsets,
        ),
        sendTime: z._default(text, DEFAULT_CARE_POLICY.sendTime),
        frequencyCap: z._default(
          object({
            enabled: z._default(flag, DEFAULT_CARE_POLICY.frequencyCap.enabled),
            perDay: z._default(count, DEFAULT_CARE_POLICY.frequencyCap.perDay),
            perWeek: z._default(count, DEFAULT_CARE_POLICY.frequencyCap.perWeek),
          }),
          DEFAULT_CARE_POLICY.frequencyCap,
        ),
      }),
      DEFAULT_CARE_POLICY,
    ),
  });

  /** What a stored clinic without a policy reads as (the same as model.ts's DEFAULT_POLICY). */
  const STORED_DEFAULT_POLICY = PolicyShape.parse({});

  const versioned = { version: count, createdAt: instant, updatedAt: instant };

  const OriginationIdentityShape = object({
    id: text,
    number: text,
    numberType: z.enum(ORIGINATION_NUMBER_TYPES),
    partsPerSecond: z.optional(z.number()),
  });

  const StoredClinicShape = object({
    clinicId: text,
    name: text,
    smsName: z.optional(text),
    timeZone: text,
    country: z._default(text, 'US'),
    contactPhone: text,
    policy: z._default(PolicyShape, STORED_DEFAULT_POLICY),
    originationIdentity: z.optional(OriginationIdentityShape),
    ...versioned,
  });

  const OptOutShape = object({ at: instant, source: z.enum(OPT_OUT_SOURCES) });
  const ConsentShape = object({ at: instant, source: z.enum(CONSENT_SOURCES), recordedBy: z.optional(text) });

  const StoredPatientShape = object({
    firstName: text,
    lastName: z.optional(text),
    phone: z.optional(text),
    email: z.optional(text),
    channels: z.array(channel),
    language: z._default(text, 'en'),
    timeZone: z.optional(text),
    optOuts: z._default(object({ sms: z.optional(OptOutShape), email: z.optional(OptOutShape) }), {}),
    consent: z._default(
      object({
        sms: z.optional(ConsentShape),
        email: z.optional(ConsentShape),
        updates: z.optional(ConsentShape),
      }),
      {},
    ),
    undeliverable: z.optional(
      object({ email: z.optional(object({ at: instant, source: z.literal('bounce'), messageId: text })) }),
    ),
    smsReply: z.optional(
      object({
        last: object({ kind: z.enum(['opt-out', 'opt-in']), at: instant, inboundMessageId: text }),
        optOutInboundId: z.optional(text),
      }),
    ),
    clinicId: text,
    patientId: text,
    ...versioned,
  });

  const StoredAppointmentShape = object({
    patientId: text,
    startAt: instant,
    durationMinutes: count,
    type: z._default(text, 'default'),
    location: z.optional(text),
    videoLink: z.optional(text),
    clinicId: text,
    appointmentId: text,
    status: z.enum(APPOINTMENT_STATUSES),
    cancelledBy: z.optional(z.enum(['clinic', 'patient'])),
    confirmation: z.optional(
      object({
        at: instant,
        via: z.enum(['sms']),
        messageId: text,
        inboundMessageId: text,
        scheduleVersion: count,
      }),
    ),
    version: count,
    scheduleVersion: count,
    createdAt: instant,
    updatedAt: instant,
  });

  const StoredMessageShape = object({
    clinicId: text,
    patientId: text,
    appointmentId: z.optional(text),
    messageId: text,
    kind: z.enum(MESSAGE_KINDS),
    offset: z.optional(text),
    priority: z.enum(PRIORITIES),
    channel,
    ownNumber: z.optional(z.boolean()),
    language: text,
    dueAt: instant,
    plannedAt: instant,
    notAfter: instant,
    status: z.enum(MESSAGE_STATUSES),
    reason: z.optional(text),
    attempts: count,
    failedChannels: z.optional(z.array(channel)),
    providerMessageId: z.optional(text),
    receipt: z.optional(object({ event: text, at: instant })),
    keywordReply: z.optional(
      object({
        answer: z.enum(KEYWORD_REPLY_TEXTS),
        purpose: z.enum(AUTO_REPLY_PURPOSES),
        inboundMessageId: text,
        appointmentId: z.optional(text),
        to: z.optional(text),
      }),
    ),
    staffReply: z.optional(object({ text, by: text, opensConversation: z.optional(flag) })),
    surveyAnswer: z.optional(
      object({
        scale: z.enum(SURVEY_SCALES),
        score: count,
        class: z.enum(SCORE_CLASSES),
        answeredAt: instant,
        via: z.enum(['sms', 'email']),
        late: flag,
        inboundMessageId: z.optional(text),
        followUp: z.enum(SURVEY_FOLLOW_UPS),
        comment: z.optional(
          object({ text, truncated: flag, at: instant, inboundMessageId: z.optional(text) }),
        ),
      }),
    ),
    planVersion: count,
    rev: count,
    claimToken: z.optional(text),
    attemptId: z.optional(text),
    leaseUntil: z.optional(instant),
    createdAt: instant,
    updatedAt: instant,
    queuedAt: z.optional(instant),
    sendingAt: z.optional(instant),
    finishedAt: z.optional(instant),
    unknownAt: z.optional(instant),
  });

  const StoredInboundShape = object({
    clinicId: text,
    inboundMessageId: text,
    from: text,
    to: text,
    body: text,
    keyword: z.optional(text),
    previousPublishedMessageId: z.optional(text),
    receivedAt: instant,
    recordedAt: instant,
    intent: object({
      kind: z.enum(REPLY_INTENT_KINDS),
      rule: z.optional(text),
      score: z.optional(count),
      alsoForStaff: z.optional(z.enum(['cancel-request', 'reschedule'])),
      reason: z.optional(text),
    }),
    patientId: z.optional(text),
    appointmentId: z.optional(text),
    answeredMessageId: z.optional(text),
    matchedBy: z.optional(z.enum(ANSWER_MATCHES)),
    outcome: z.enum(INBOUND_OUTCOMES),
    outcomeReason: z.optional(text),
    score: z.optional(count),
    state: z.optional(z.enum(INBOUND_STATES)),
    doneAt: z.optional(instant),
    doneBy: z.optional(text),
    assignedTo: z.optional(text),
    assignedAt: z.optional(instant),
    version: count,
  });

  return {
    StoredClinicShape,
    StoredPatientShape,
    StoredAppointmentShape,
    StoredMessageShape,
    StoredInboundShape,
  };
}

const READ = buildShapes(false);
const WRITE = buildShapes(true);

export const {
  StoredClinicShape,
  StoredPatientShape,
  StoredAppointmentShape,
  StoredMessageShape,
  StoredInboundShape,
} = READ;

/**
 * A record in its stored shape, or a ValidationError naming each field that
 * is missing or of the wrong type (corrupt data, never a rule that changed).
 *
 * @param shape - the stored shape
 * @param item - the item as read (storage-only attributes removed)
 * @param name - how to name the record in the error (`patient`)
 */
function parseStored<T>(shape: z.ZodMiniType, item: unknown, name: string): T {
  const result = shape.safeParse(item);
  if (!result.success) throw new ValidationError(toFieldIssues(result.error.issues, name));
  return result.data as T;
}

/** A stored clinic by shape, with defaults filled in for fields added since it was written. */
export const readClinic = (item: unknown): Clinic => parseStored(READ.StoredClinicShape, item, 'clinic');
export const readPatient = (item: unknown): Patient => parseStored(READ.StoredPatientShape, item, 'patient');
export const readAppointment = (item: unknown, name = 'appointment'): Appointment =>
  parseStored(READ.StoredAppointmentShape, item, name);
export const readMessage = (item: unknown): Message => parseStored(READ.StoredMessageShape, item, 'message');

/** A record about to be written, in its stored shape (ValidationError names each field that is not). */
export const writableClinic = (record: Clinic): Clinic =>
  parseStored(WRITE.StoredClinicShape, record, 'clinic');
export const writablePatient = (record: Patient): Patient =>
  parseStored(WRITE.StoredPatientShape, record, 'patient');
export const writableAppointment = (record: Appointment): Appointment =>
  parseStored(WRITE.StoredAppointmentShape, record, 'appointment');
export const writableMessage = (record: Message): Message =>
  parseStored(WRITE.StoredMessageShape, record, 'message');
export const readInbound = (item: unknown): InboundMessage =>
  parseStored(READ.StoredInboundShape, item, 'inbound message');
export const writableInbound = (record: InboundMessage): InboundMessage =>
  parseStored(WRITE.StoredInboundShape, record, 'inbound message');
