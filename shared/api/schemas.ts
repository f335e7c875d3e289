/**
 * The staff API's request and response bodies as zod schemas. Handlers parse
 * requests with these, tests check responses against them, and
 * shared/api/openapi.ts turns the very same objects into the OpenAPI
 * document, so the description cannot drift from the behaviour.
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import { BroadcastFieldsSchema, BroadcastSchema } from '../domain/broadcasts';
import { INBOUND_STATES } from '../domain/constants';
import { MESSAGE_OUTCOMES } from '../domain/counters';
import { UNAUTHORIZED_REASONS } from '../domain/errors';
import {
  AppointmentFieldsSchema,
  AppointmentSchema,
  AppointmentStatusSchema,
  ChannelSchema,
  ClinicSchema,
  EntityIdSchema,
  InboundMessageSchema,
  LanguageSchema,
  MESSAGE_KINDS,
  MessageKindSchema,
  MessageStatusSchema,
  OffsetSchema,
  PatientFieldsSchema,
  PatientSchema,
  PrioritySchema,
  SurveyAnswerSchema,
  TimeZoneSchema,
} from '../domain/model';
import { ROLES } from '../domain/roles';
import { freeText } from '../domain/text';
import { isUtcIso } from '../domain/time';

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/** PUT /v1/clinics/{clinicId}: the settings staff own; id, version and timestamps are the server's. */
export const ClinicBodySchema = ClinicSchema.pick({
  name: true,
  smsName: true,
  timeZone: true,
  country: true,
  contactPhone: true,
  policy: true,
});

/** Consent as staff record it: the server adds when and who (the token's subject). */
export const ConsentBodySchema = z.strictObject({
  source: z.enum(['written', 'verbal', 'electronic']),
});

/**
 * PUT /v1/clinics/{clinicId}/patients/{patientId}. Contact and preferences
 * are replaced as sent. Opt-outs and consent are kept unless named: `true`
 * records a staff opt-out now, `false` lifts one that staff or an import
 * recorded (or an email bounce); a patient's own STOP stays until the
 * patient texts START.
 */
export const PatientBodySchema = PatientFieldsSchema.omit({ optOuts: true, consent: true }).extend({
  optOuts: z.strictObject({ sms: z.boolean().optional(), email: z.boolean().optional() }).optional(),
  consent: z
    .strictObject({
      sms: ConsentBodySchema.optional(),
      email: ConsentBodySchema.optional(),
      /** The `updates` topic: health updates and education broadcasts (issue 14). */
      updates: ConsentBodySchema.optional(),
    })
    .optional(),
});

/** PUT /v1/clinics/{clinicId}/appointments/{appointmentId}: the body the appointment use case parses. */
export const AppointmentBodySchema = AppointmentFieldsSchema;

/** POST …/cancel: who cancelled; only the clinic's cancellations are announced to the patient. */
export const CancelBodySchema = z.strictObject({
  cancelledBy: z.enum(['clinic', 'patient']).default('clinic'),
});

/** POST …/complete and …/no-show take no fields (an empty body or `{}`). */
export const EmptyBodySchema = z.strictObject({});

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A bound of a period: a UTC instant (`2026-12-01T14:00:00Z`) or a local
 * date (`2026-12-01`), which means midnight at the start of that day in the
 * clinic's zone. Periods are half-open: [from, to).
 */
export const PeriodBoundSchema = z
  .string()
  .refine((text) => (LOCAL_DATE.test(text) && DateTime.fromISO(text).isValid) || isUtcIso(text), {
    message: 'must be a UTC instant such as 2026-12-01T14:00:00Z or a local date such as 2026-12-01',
  });

export const ListAppointmentsQuerySchema = z.strictObject({
  from: PeriodBoundSchema,
  to: PeriodBoundSchema,
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2000).optional(),
});
export type ListAppointmentsQuery = z.output<typeof ListAppointmentsQuerySchema>;

export const MetricsQuerySchema = z.strictObject({ from: PeriodBoundSchema, to: PeriodBoundSchema });

/** GET …/inbox: one state of the staff inbox, newest first, in pages. */
export const InboxQuerySchema = z.strictObject({
  status: z.enum(INBOUND_STATES).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2000).optional(),
});
export type InboxQuery = z.output<typeof InboxQuerySchema>;

/**
 * POST …/patients/{patientId}/replies: a staff member's text to the patient,
 * sent as written (trimmed). Free text: any script and emoji, line breaks
 * allowed, no control characters; its SMS parts are checked against the
 * clinic's budget for staff replies by the use case.
 */
export const StaffReplyBodySchema = z.strictObject({
  text: freeText(true)
    .trim()
    .min(1, 'must not be empty')
    .max(1600, 'must be at most 1600 characters (an SMS of 10 parts)'),
});

/** The `Idempotency-Key` header of a staff reply: the same key from the same user sends one reply. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 letters, digits, dot, colon, underscore or hyphen');

/**
 * POST …/inbox/{itemId}/assign: who deals with an open text (a staff user's
 * token subject, an id), or null to unassign it.
 */
export const InboxAssignBodySchema = z.strictObject({
  assignee: z
    .string()
    .regex(/^[A-Za-z0-9@._:+-]{1,128}$/, 'must be a staff user id (1–128 letters, digits, @ . _ : + -)')
    .nullable(),
});
export type InboxAssignBody = z.output<typeof InboxAssignBodySchema>;

/** An inbox item's id: the text's inbound message id (End User Messaging's, or local mode's). */
export const InboxItemIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/,
    'must be 1–200 letters, digits, dot, colon, underscore or hyphen',
  );

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/** An instant written in a zone, with its offset (`2026-12-08T10:00:00.000-05:00`). */
const LocalInstant = z.string().describe('ISO 8601 with the offset of the zone named alongside');

export const ClinicResponseSchema = ClinicSchema;
export const PatientResponseSchema = PatientSchema;

/** The stored appointment plus its start on the clinic's wall clock. */
export const AppointmentViewSchema = z.object({
  ...AppointmentSchema.shape,
  timeZone: TimeZoneSchema.describe("the clinic's zone"),
  startLocal: LocalInstant,
});
export type AppointmentView = z.output<typeof AppointmentViewSchema>;

export const AppointmentPageSchema = z.object({
  from: z.string().describe('start of the period, UTC'),
  to: z.string().describe('end of the period (exclusive), UTC'),
  timeZone: TimeZoneSchema,
  items: z.array(AppointmentViewSchema),
  cursor: z.string().optional().describe('pass back as ?cursor= for the next page; absent on the last'),
});
export type AppointmentPage = z.output<typeof AppointmentPageSchema>;

const LocalTimesSchema = z.object({
  timeZone: TimeZoneSchema,
  dueAt: LocalInstant,
  plannedAt: LocalInstant,
  notAfter: LocalInstant,
  createdAt: LocalInstant,
  queuedAt: LocalInstant.optional(),
  sendingAt: LocalInstant.optional(),
  sentAt: LocalInstant.optional(),
  finishedAt: LocalInstant.optional(),
  receiptAt: LocalInstant.optional(),
});
export type LocalTimes = z.output<typeof LocalTimesSchema>;

const Utc = z.string().describe('UTC instant');

export const TimelineMessageSchema = z.object({
  messageId: z.string(),
  kind: MessageKindSchema,
  offset: OffsetSchema.optional(),
  priority: PrioritySchema,
  channel: ChannelSchema,
  language: LanguageSchema,
  status: MessageStatusSchema,
  reason: z
    .string()
    .optional()
    .describe(
      'why it was skipped, deferred, failed or moved; for undeliverable, the receipt: an SMS event type (TEXT_CARRIER_BLOCKED, …) or bounce-permanent / bounce-transient / bounce-undetermined',
    ),
  attempts: z.int(),
  failedChannels: z.array(ChannelSchema).optional(),
  planVersion: z.int().describe('the appointment version that planned or last withdrew it'),
  dueAt: Utc,
  plannedAt: Utc.describe('when it was meant to go before quiet hours moved it'),
  notAfter: Utc,
  createdAt: Utc,
  updatedAt: Utc,
  queuedAt: Utc.optional(),
  sendingAt: Utc.optional(),
  sentAt: Utc.optional().describe(
    'when the provider accepted it (sent, delivered and undeliverable messages)',
  ),
  finishedAt: Utc.optional(),
  receipt: z
    .object({
      event: z
        .string()
        .describe('the provider event: TEXT_DELIVERED, TEXT_CARRIER_BLOCKED, …, Delivery, Bounce, Complaint'),
      at: Utc.describe('when the provider reported it'),
    })
    .optional()
    .describe('the delivery receipt that made it delivered or undeliverable'),
  fallbackOf: z
    .string()
    .optional()
    .describe(
      'set on the copy sent on the next channel after a receipt found the original undeliverable: its id',
    ),
  surveyAnswer: SurveyAnswerSchema.optional().describe(
    "a survey's answer once the patient gave one, as stored: score, class, when, late flag, follow-up and comment (the patient's words)",
  ),
  local: LocalTimesSchema.describe(
    "the same instants in the zone it is planned in (patient's, else clinic's)",
  ),
  clinicLocal: LocalTimesSchema.describe("the same instants in the clinic's zone"),
});
export type TimelineMessage = z.output<typeof TimelineMessageSchema>;

export const TimelineSchema = z.object({
  clinicId: z.string(),
  appointmentId: EntityIdSchema,
  patientId: EntityIdSchema,
  appointmentStatus: AppointmentStatusSchema,
  startAt: Utc,
  timeZone: TimeZoneSchema.describe(
    "the zone messages are planned in: the patient's if set, else the clinic's",
  ),
  clinicTimeZone: TimeZoneSchema,
  messages: z.array(TimelineMessageSchema),
});
export type Timeline = z.output<typeof TimelineSchema>;

/** A patient's (or unknown number's) text as staff see it in the inbox and the conversation. */
export const InboxItemSchema = z.object({
  itemId: z.string().describe('the id POST …/inbox/{itemId}/done takes (the text’s inboundMessageId)'),
  ...InboundMessageSchema.shape,
  state: z
    .enum(INBOUND_STATES)
    .optional()
    .describe('open while it needs a person, done once dealt with; absent when it needed nobody'),
  receivedLocal: LocalInstant.describe("receivedAt on the clinic's clock"),
  timeZone: TimeZoneSchema.describe("the clinic's zone"),
});
export type InboxItem = z.output<typeof InboxItemSchema>;

export const InboxPageSchema = z.object({
  status: z.enum(INBOUND_STATES),
  items: z.array(InboxItemSchema).describe('newest first'),
  cursor: z
    .string()
    .optional()
    .describe('pass back as ?cursor= (same status) for the next page; absent on the last'),
});
export type InboxPage = z.output<typeof InboxPageSchema>;

export const ConversationInboundSchema = z.object({
  direction: z.literal('inbound'),
  at: Utc.describe('when the patient sent it (receivedAt)'),
  item: InboxItemSchema,
});

export const ConversationOutboundSchema = z.object({
  direction: z.literal('outbound'),
  at: Utc.describe(
    'when the provider accepted it (sent, delivered, undeliverable); else when it ended (skipped, failed, unknown); else when it is due',
  ),
  messageId: z.string(),
  kind: MessageKindSchema,
  channel: ChannelSchema,
  status: MessageStatusSchema,
  reason: z.string().optional(),
  appointmentId: EntityIdSchema.optional(),
  dueAt: Utc,
  sentAt: Utc.optional(),
  text: z
    .string()
    .optional()
    .describe(
      'the words: a staff reply’s as sent (textSource stored); any other kind rendered again as it would be sent now (textSource rendered); absent when it no longer renders (its visit is gone) or keeps no words (a broadcast)',
    ),
  subject: z.string().optional().describe('an email’s subject, rendered again like its text'),
  textSource: z.enum(['stored', 'rendered']).optional(),
  by: z.string().optional().describe('staff replies: the staff user who wrote it (token subject)'),
});

/** 202 to a staff reply: stored and handed to the send queue, or left for the next sweep. */
export const StaffReplyAcceptedSchema = z.object({
  messageId: z.string().describe('the reply’s outbox message; it shows in the conversation'),
  status: MessageStatusSchema.describe(
    'queued: one SMS part, handed to the send queue now; pending: longer than one part, or this minute’s kept parts are taken: the next sweep (within a minute) sends it, paced',
  ),
  replayed: z.boolean().describe('true when the Idempotency-Key was used before: nothing new was sent'),
  opensConversation: z
    .boolean()
    .describe(
      'true when the patient has not texted the clinic in the last 24 hours: the reply starts a new message, so it is sent with the clinic’s SMS name before the words and the opt-out line of the patient’s language after them; false: it answers the patient and goes as written',
    ),
  segments: z
    .int()
    .describe(
      'SMS parts the text takes as sent (with the name and opt-out line when it opens a conversation)',
    ),
  encoding: z.enum(['GSM-7', 'UCS-2']),
});
export type StaffReplyAccepted = z.output<typeof StaffReplyAcceptedSchema>;

/** GET …/patients/{patientId}/conversation: the latest page first, each page oldest first. */
export const ConversationQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2000).optional(),
});
export type ConversationQuery = z.output<typeof ConversationQuerySchema>;

export const ConversationSchema = z.object({
  clinicId: z.string(),
  patientId: EntityIdSchema,
  timeZone: TimeZoneSchema.describe("the clinic's zone"),
  items: z
    .array(z.discriminatedUnion('direction', [ConversationInboundSchema, ConversationOutboundSchema]))
    .describe(
      'the texts the patient sent and the messages to them, oldest first: the latest `limit` of them, or those just before the cursor',
    ),
  cursor: z
    .string()
    .optional()
    .describe('pass it back as `cursor` for the page of earlier items; absent when there are none'),
});
export type Conversation = z.output<typeof ConversationSchema>;
export type ConversationItem = Conversation['items'][number];

const countsOf = <const K extends readonly string[]>(keys: K) =>
  z.object(Object.fromEntries(keys.map((key) => [key, z.int().min(0)])) as Record<K[number], z.ZodInt>);

/** A local calendar day (`2026-12-01`), in the clinic's zone. */
const LocalDateSchema = z.string().regex(LOCAL_DATE);

const rate = (what: string) => z.number().nullable().describe(`${what}; null when the denominator is 0`);
const method = z.string().describe('how this figure is computed, from which counters, and its limits');

const NpsValues = z.object({
  score: z
    .number()
    .nullable()
    .describe('% promoters − % detractors (−100…100, one decimal); null with no responses'),
  promoters: z.int().min(0),
  passives: z.int().min(0),
  detractors: z.int().min(0),
  responses: z.int().min(0).describe('NPS answers (0–10)'),
  responseRate: rate('answered ÷ surveys sent (NPS and CSAT answers)'),
});
const CsatValues = z.object({
  mean: z.number().nullable().describe('mean CSAT score (1–5, two decimals); null with no CSAT answers'),
  responses: z.int().min(0),
});
const VisitValues = z.object({
  reminded: z.int().min(0).describe('visits whose first reminder a provider took'),
  confirmedByReply: z.int().min(0),
  confirmationRate: rate('confirmed by reply ÷ visits reminded'),
  completed: z.int().min(0),
  noShows: z.object({ confirmed: z.int().min(0), unconfirmed: z.int().min(0) }),
  noShowRate: z.object({
    all: rate('no-shows ÷ (completed + no-shows)'),
    confirmed: rate('no-shows of confirmed visits ÷ outcomes of confirmed visits'),
    unconfirmed: rate('no-shows of unconfirmed visits ÷ outcomes of unconfirmed visits'),
  }),
});
const MessageValues = z.object({
  total: z.int().min(0),
  byOutcome: countsOf(MESSAGE_OUTCOMES),
  byChannel: countsOf(ChannelSchema.options),
  byKind: countsOf(MESSAGE_KINDS),
  breakdown: z.array(
    z.object({
      kind: MessageKindSchema,
      channel: ChannelSchema,
      outcome: z.enum(MESSAGE_OUTCOMES),
      count: z.int(),
    }),
  ),
});
const OptOutValues = z.object({
  sms: z.int().min(0),
  email: z.int().min(0),
  rate: rate('opt-outs ÷ messages sent'),
});
const SendLagValues = z.object({
  count: z.int().min(0),
  median: z.number().nullable().describe('seconds: upper bound of the bucket holding the median'),
  p99: z.number().nullable().describe('seconds: upper bound of the bucket holding the 99th percentile'),
});
const CaseValues = z.object({
  opened: z.int().min(0),
  acknowledged: z.int().min(0),
  resolved: z.int().min(0),
  medianMinutesToAcknowledge: z.number().nullable(),
  medianMinutesToResolve: z.number().nullable(),
});

const WeekSchema = z.object({
  week: LocalDateSchema.describe('the Monday that starts the week, in the clinic zone'),
  from: LocalDateSchema.describe('first day of the week inside the period'),
  to: LocalDateSchema.describe('last day of the week inside the period (inclusive)'),
  nps: NpsValues,
  csat: CsatValues,
  visits: VisitValues,
  messages: MessageValues,
  optOuts: OptOutValues,
  sendLagSeconds: SendLagValues,
  cases: CaseValues,
});

export const MetricsSchema = z.object({
  clinicId: z.string(),
  from: Utc.describe('start of the first local day of the period'),
  to: Utc.describe('end of the last local day of the period (exclusive)'),
  timeZone: TimeZoneSchema,
  days: z.object({
    from: LocalDateSchema,
    to: LocalDateSchema.describe('inclusive'),
    counterItemsRead: z.int().min(0).describe('daily counter items read (at most one per day of the period)'),
  }),
  nps: NpsValues.extend({ method }),
  csat: CsatValues.extend({ method }),
  visits: VisitValues.extend({ method }),
  messages: MessageValues.extend({ method }),
  optOuts: OptOutValues.extend({ method }),
  sendLagSeconds: SendLagValues.extend({ method }),
  cases: CaseValues.extend({
    openNow: z.int().min(0),
    acknowledgedNow: z.int().min(0),
    overdueNow: z.int().min(0).describe('unresolved cases past a due time now'),
    method,
  }),
  weeks: z
    .array(WeekSchema)
    .describe('the same figures per week (Monday to Sunday, clinic zone), clipped to the period'),
  method: z.string().describe('how the figures are computed, and their limits'),
});
export type Metrics = z.output<typeof MetricsSchema>;

export const FieldIssueSchema = z.object({ path: z.string(), message: z.string() });

export const ImportOutcomeSchema = z.enum(['created', 'updated', 'unchanged', 'rejected']);
export type ImportOutcome = z.output<typeof ImportOutcomeSchema>;
export const WriteOutcomeSchema = z.enum(['created', 'updated', 'unchanged']);
export type WriteOutcome = z.output<typeof WriteOutcomeSchema>;

export const ImportRowReportSchema = z.object({
  row: z.int().describe('1-based: the CSV record after the header, or the Bundle entry'),
  line: z.int().optional().describe('CSV only: the line of the file where the record starts'),
  entry: z.int().optional().describe('FHIR only: the index of the entry in Bundle.entry (0-based)'),
  resourceType: z.enum(['Patient', 'Appointment']).optional(),
  appointmentId: z.string().optional(),
  patientId: z.string().optional(),
  reminderId: z.string().optional().describe('a care reminder file: the row’s care reminder'),
  outcome: ImportOutcomeSchema,
  patient: ImportOutcomeSchema.optional().describe(
    'what happened to the patient; on a rejected row, `rejected` or what another row of the file did to it',
  ),
  appointment: ImportOutcomeSchema.optional().describe('what happened to the appointment'),
  issues: z.array(FieldIssueSchema).optional().describe('why the row was rejected, by field of the file'),
  notes: z
    .array(z.string())
    .optional()
    .describe('what was read differently than the file might suggest (a url not taken as the video link)'),
});
export type ImportRowReport = z.output<typeof ImportRowReportSchema>;

export const ImportReportSchema = z.object({
  format: z.enum(['csv', 'fhir']),
  summary: z.object({
    rows: z.int(),
    created: z.int(),
    updated: z.int(),
    unchanged: z.int(),
    rejected: z.int(),
  }),
  rows: z.array(ImportRowReportSchema),
  ignored: z
    .array(z.object({ entry: z.int(), resourceType: z.string() }))
    .optional()
    .describe('FHIR entries of other resource types (Practitioner, Location, …), read for nothing'),
});
export type ImportReport = z.output<typeof ImportReportSchema>;

export const HealthSchema = z.object({ status: z.literal('ok') });

export const ERROR_CODES = [
  'invalid-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'conflict',
  'payload-too-large',
  'unsupported-media-type',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    issues: z
      .array(FieldIssueSchema)
      .optional()
      .describe('every bad field, by path (400); on a 409 state conflict, the field out of turn'),
    currentVersion: z.int().optional().describe('the stored version (409 only)'),
    limit: z.int().optional().describe('the limit that was exceeded (413 only)'),
    reason: z
      .enum(UNAUTHORIZED_REASONS)
      .optional()
      .describe(
        'why the token was refused (401 only): no-token, malformed, bad-signature, expired, not-yet-valid, wrong-issuer',
      ),
    requiredRole: z
      .enum(ROLES)
      .optional()
      .describe('the role the action needs; the token has the clinic but not this role (403 only)'),
  }),
});
export type ErrorBody = z.output<typeof ErrorBodySchema>;

// ---------------------------------------------------------------------------
// Broadcasts (issue 14)
// ---------------------------------------------------------------------------

/** PUT …/broadcasts/{broadcastId} and POST …/broadcasts/preview: text by language, audience, send time, priority. */
export const BroadcastBodySchema = BroadcastFieldsSchema;

export const BroadcastIdSchema = EntityIdSchema;

/** A broadcast as stored: its status and counts (planned, sent, failed, skipped by reason). */
export const BroadcastResponseSchema = BroadcastSchema;

export const BroadcastListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2000).optional(),
});

export const BroadcastPageSchema = z.object({
  items: z.array(BroadcastSchema).describe('in broadcast id order'),
  cursor: z.string().optional().describe('pass back as ?cursor= for the next page; absent on the last'),
});
export type BroadcastPage = z.output<typeof BroadcastPageSchema>;

/** What a broadcast would do, with nothing written. */
export const BroadcastPreviewSchema = z.object({
  recipients: z
    .object({ total: z.int(), sms: z.int(), email: z.int() })
    .describe('patients who would get it, by the channel it would go by'),
  skipped: z
    .record(z.string(), z.int())
    .describe(
      'patients of the audience who would not, by reason: opted-out, no-consent, no-usable-channel, unknown-patient',
    ),
  samples: z
    .array(
      z.object({
        language: LanguageSchema,
        text: z.string(),
        segments: z.int(),
        encoding: z.enum(['GSM-7', 'UCS-2']),
      }),
    )
    .describe('each language’s SMS as sent, with a 12-character first name and the opt-out line'),
  estimate: z.object({
    smsSegments: z.int().describe('SMS parts over every SMS recipient, with their own first names'),
    pricePerSegment: z.number(),
    cost: z.number().describe('smsSegments × pricePerSegment, rounded to a hundredth of a cent'),
  }),
  requiredRole: z
    .enum(ROLES)
    .describe(
      'the role saving it needs: clinic-admin for more recipients than a staff user may reach (the deployment’s staffBroadcastMaxRecipients)',
    ),
  staffMaxRecipients: z.int().describe('how many recipients a staff user may send a broadcast to'),
});
export type BroadcastPreview = z.output<typeof BroadcastPreviewSchema>;
