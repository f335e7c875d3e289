import { z } from 'zod';
import { ConfigError } from '../domain/errors';
import { safeParseInput, toFieldIssues } from '../domain/validation';
import type { TableNames } from '../tables';

/**
 * Parses the environment once with a strict schema and reports every
 * missing or bad key in one error, so a misconfigured function fails at
 * start-up with the whole list instead of one key per deploy.
 *
 * @param schema - the function's environment schema
 * @param env - the environment (process.env in Lambda)
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = safeParseInput(schema, env);
  if (!result.success) throw new ConfigError(toFieldIssues(result.error.issues), 'environment');
  return result.data;
}

const name = z.string().min(1);
/** A send rate: at least one message a minute, or the channel would never send. */
const sendRate = z.coerce.number().min(1 / 60, 'must allow at least one message a minute (1/60 per second)');

/** Variables every function that touches the tables reads. */
export const TablesEnv = z.object({
  AWS_REGION: name,
  CLINICS_TABLE: name,
  PATIENTS_TABLE: name,
  APPOINTMENTS_TABLE: name,
  MESSAGES_TABLE: name,
  MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
});

export function tableNamesFrom(env: z.output<typeof TablesEnv>): TableNames {
  return {
    clinics: env.CLINICS_TABLE,
    patients: env.PATIENTS_TABLE,
    appointments: env.APPOINTMENTS_TABLE,
    messages: env.MESSAGES_TABLE,
  };
}

/** Sending settings a deployment may leave unset (also what local mode and the tests run with). */
export const SENDING_DEFAULTS = {
  leaseMinutes: 15,
  maxAttempts: 5,
  backoffBaseSeconds: 30,
  backoffMaxSeconds: 900,
} as const;

export const PlanMessagesEnv = TablesEnv.extend({
  PLAN_DEAD_LETTER_QUEUE_URL: z.url(),
});

export const DispatchDueEnv = TablesEnv.extend({
  SEND_QUEUE_URL: z.url(),
  SMS_PER_SECOND: sendRate,
  EMAIL_PER_SECOND: sendRate,
  LEASE_MINUTES: z.coerce.number().int().min(2).max(60).default(SENDING_DEFAULTS.leaseMinutes),
});

/**
 * How long after send-message marked a message `sending` that attempt may
 * still be running. Must be longer than the function's timeout and shorter
 * than the send queue's visibility timeout (infra/constructs/settings.ts
 * checks both), so a duplicate delivery waits for the first attempt instead
 * of calling its outcome unknown.
 */
export const SEND_ATTEMPT_WINDOW_SECONDS = 90;

export const SendMessageEnv = TablesEnv.extend({
  EVENT_BUS_NAME: name,
  SEND_DEAD_LETTER_QUEUE_URL: z.url(),
  SMS_ORIGINATION_NUMBER: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number')
    .optional(),
  SMS_SENDER_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{1,11}$/, 'must be 1–11 letters or digits')
    .optional(),
  SMS_MAX_PRICE_USD: z
    .string()
    .regex(/^\d+(\.\d{1,5})?$/, 'must be a price in USD such as 0.50')
    .optional(),
  SES_FROM_ADDRESS: name,
  SES_CONFIGURATION_SET: name,
  MAX_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(SENDING_DEFAULTS.maxAttempts),
  BACKOFF_BASE_SECONDS: z.coerce.number().int().min(1).max(900).default(SENDING_DEFAULTS.backoffBaseSeconds),
  BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).max(3600).default(SENDING_DEFAULTS.backoffMaxSeconds),
});

export const ReplanFailedChangesEnv = TablesEnv.extend({
  PLAN_DEAD_LETTER_QUEUE_URL: z.url(),
  /** The appointments table's stream, the only one whose positions it reads back. */
  APPOINTMENTS_STREAM_ARN: name,
});
