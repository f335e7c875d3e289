/**
 * The environment schemas of the functions, written with zod's tree-shaken
 * `mini` API so a function that validates nothing else does not carry the
 * full library. Ranges and defaults come from settings.ts, the one place
 * the deployment config schema reads them from too.
 */

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ConfigError } from '../domain/errors';
import { safeParseInput, toFieldIssues } from '../domain/validation';
import type { PipelineTableNames } from '../tables';
import { PATTERNS, parseInboundNumbers, parseSmsLanes, type Range, SETTINGS } from './settings';

// Plain-language messages for the few checks that carry none of their own.
z.config(en());

/**
 * Parses the environment once with a strict schema and reports every
 * missing or bad key in one error, so a misconfigured function fails at
 * start-up with the whole list instead of one key per deploy.
 *
 * @param schema - the function's environment schema
 * @param env - the environment (process.env in Lambda)
 */
export function parseEnv<S extends z.ZodMiniType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = safeParseInput(schema, env);
  if (!result.success) throw new ConfigError(toFieldIssues(result.error.issues), 'environment');
  return result.data;
}

const name = z.string().check(z.minLength(1, 'is required'));

/** A number variable in its range, with its default when the setting has one. */
function numberIn(range: Range) {
  const checks = [
    z.minimum(range.min, range.tooSmall ?? `must be at least ${range.min}`),
    z.maximum(range.max, `must be at most ${range.max}`),
  ];
  const number = range.int ? z.coerce.number().check(z.int(), ...checks) : z.coerce.number().check(...checks);
  return range.default === undefined ? number : z._default(number, range.default);
}

function pattern(rule: { pattern: RegExp; message: string }) {
  return z.optional(z.string().check(z.regex(rule.pattern, rule.message)));
}

/** Variables every function that touches the tables reads. */
export const TablesEnv = z.object({
  AWS_REGION: name,
  CLINICS_TABLE: name,
  PATIENTS_TABLE: name,
  APPOINTMENTS_TABLE: name,
  MESSAGES_TABLE: name,
  MESSAGE_RETENTION_DAYS: numberIn(SETTINGS.messageRetentionDays),
});

export function tableNamesFrom(env: z.output<typeof TablesEnv>): PipelineTableNames {
  return {
    clinics: env.CLINICS_TABLE,
    patients: env.PATIENTS_TABLE,
    appointments: env.APPOINTMENTS_TABLE,
    messages: env.MESSAGES_TABLE,
  };
}

/** `clinicId=partsPerSecond,…` of the clinics with a number of their own (settings.ts, formatSmsLanes). */
const smsLanes = z._default(
  z.string().check(
    z.refine((text) => parseSmsLanes(text) !== undefined, {
      message: 'must be clinicId=partsPerSecond (or ~shared) pairs, comma-separated, each clinic once',
    }),
  ),
  '',
);

/**
 * What a function that sends at once (createAndEnqueueDueNow) reads: the
 * send queue, the rates its immediate share is taken from, and the lease.
 */
export const SEND_NOW_ENV = {
  SEND_QUEUE_URL: z.url(),
  SMS_PER_SECOND: numberIn(SETTINGS.smsPerSecond),
  SMS_LANES: smsLanes,
  EMAIL_PER_SECOND: numberIn(SETTINGS.emailPerSecond),
  LEASE_MINUTES: numberIn(SETTINGS.leaseMinutes),
};

/**
 * The pacing a function reads from its environment (SEND_NOW_ENV or the
 * sweep's own), as dispatchSettings and sendNowSettings take it.
 *
 * @param env - a parsed environment (its schema checked SMS_LANES)
 */
export function pacingFrom(env: {
  SMS_PER_SECOND: number;
  EMAIL_PER_SECOND: number;
  LEASE_MINUTES: number;
  SMS_LANES: string;
}) {
  return {
    smsPerSecond: env.SMS_PER_SECOND,
    emailPerSecond: env.EMAIL_PER_SECOND,
    leaseMinutes: env.LEASE_MINUTES,
    smsLanes: parseSmsLanes(env.SMS_LANES) ?? new Map(),
  };
}

export const PlanMessagesEnv = z.extend(TablesEnv, {
  PLAN_DEAD_LETTER_QUEUE_URL: z.url(),
  CLINIC_CACHE_SECONDS: numberIn(SETTINGS.clinicCacheSeconds),
  /** What is due at once (confirmations, change notices) goes to the send queue without waiting for the sweep. */
  ...SEND_NOW_ENV,
});
export type PlanMessagesEnvironment = z.output<typeof PlanMessagesEnv>;

export const DispatchDueEnv = z.extend(TablesEnv, {
  SEND_QUEUE_URL: z.url(),
  /** Feedback cases live in the inbound table; the sweep reports the overdue ones on the bus. */
  INBOUND_TABLE: name,
  EVENT_BUS_NAME: name,
  SMS_PER_SECOND: numberIn(SETTINGS.smsPerSecond),
  SMS_LANES: smsLanes,
  CLINIC_CACHE_SECONDS: numberIn(SETTINGS.clinicCacheSeconds),
  EMAIL_PER_SECOND: numberIn(SETTINGS.emailPerSecond),
  LEASE_MINUTES: numberIn(SETTINGS.leaseMinutes),
});
export type DispatchDueEnvironment = z.output<typeof DispatchDueEnv>;

/**
 * The email survey links' secret: the name of its SecureString parameter in
 * SSM Parameter Store (the stack sets it beside the ssm:GetParameter grant on
 * that parameter only; the operator puts the value, docs/deploy.md). Optional in the schema because local mode and the
 * tests bring a secret of their own; a function that needs it and has
 * neither fails on its first link, naming the variable.
 */
export const SURVEY_LINK_ENV = { SURVEY_LINK_SECRET_PARAMETER: z.optional(name) };

export const SendMessageEnv = z.extend(TablesEnv, {
  ...SURVEY_LINK_ENV,
  /** Where the survey page is served (the staff API's URL): survey emails link to it. */
  SURVEY_LINK_BASE_URL: z.optional(z.url()),
  EVENT_BUS_NAME: name,
  SEND_DEAD_LETTER_QUEUE_URL: z.url(),
  SMS_ORIGINATION_NUMBER: pattern(PATTERNS.e164),
  SMS_SENDER_ID: pattern(PATTERNS.senderId),
  SMS_MAX_PRICE_USD: pattern(PATTERNS.maxPriceUsd),
  /**
   * The End User Messaging configuration set every text from a clinic's own
   * number names: its event destination brings the delivery receipts back.
   */
  SMS_CONFIGURATION_SET: name,
  SES_FROM_ADDRESS: name,
  SES_CONFIGURATION_SET: name,
  MAX_SEND_ATTEMPTS: numberIn(SETTINGS.maxSendAttempts),
  BACKOFF_BASE_SECONDS: numberIn(SETTINGS.backoffBaseSeconds),
  BACKOFF_MAX_SECONDS: numberIn(SETTINGS.backoffMaxSeconds),
  CLINIC_CACHE_SECONDS: numberIn(SETTINGS.clinicCacheSeconds),
});
export type SendMessageEnvironment = z.output<typeof SendMessageEnv>;

/** handle-inbound applies patients' texts and queues the answers at once (as plan-messages does its confirmations). */
export const HandleInboundEnv = z.extend(TablesEnv, {
  INBOUND_TABLE: name,
  /** `+E164=clinicId` of each two-way number (settings.ts, formatInboundNumbers). */
  INBOUND_NUMBERS: z._default(
    z.string().check(
      z.refine((text) => parseInboundNumbers(text) !== undefined, {
        message: 'must be +E164=clinicId pairs, comma-separated, each number once',
      }),
    ),
    '',
  ),
  EVENT_BUS_NAME: name,
  /** Where texts that cannot be applied (malformed, unknown number) are set aside, ids only. */
  INBOUND_DEAD_LETTER_QUEUE_URL: z.url(),
  ...SEND_NOW_ENV,
});
export type HandleInboundEnvironment = z.output<typeof HandleInboundEnv>;
/** handle-receipts applies delivery receipts to messages and patients, and sets aside what it cannot read. */
export const HandleReceiptsEnv = z.extend(TablesEnv, {
  EVENT_BUS_NAME: name,
  RECEIPTS_DEAD_LETTER_QUEUE_URL: z.url(),
  /** An email complaint's opt-out is counted on the clinic's local day (its zone, cached). */
  CLINIC_CACHE_SECONDS: numberIn(SETTINGS.clinicCacheSeconds),
});
export type HandleReceiptsEnvironment = z.output<typeof HandleReceiptsEnv>;

/** The seed-clinics custom resource writes the configured clinics, nothing else. */
export const SeedClinicsEnv = z.object({
  AWS_REGION: name,
  CLINICS_TABLE: name,
});
export type SeedClinicsEnvironment = z.output<typeof SeedClinicsEnv>;

/** replan-failed-changes reads the planning dead-letter queue and the stream positions it names, and plans again. */
export const ReplanFailedChangesEnv = z.extend(TablesEnv, {
  PLAN_DEAD_LETTER_QUEUE_URL: z.url(),
  /** The appointments table's stream, the only one whose positions it reads back. */
  APPOINTMENTS_STREAM_ARN: name,
  CLINIC_CACHE_SECONDS: numberIn(SETTINGS.clinicCacheSeconds),
});
export type ReplanFailedChangesEnvironment = z.output<typeof ReplanFailedChangesEnv>;
