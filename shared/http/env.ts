import * as z from 'zod/mini';
import { SEND_NOW_ENV, SURVEY_LINK_ENV, TablesEnv } from '../config/env';
import { SETTINGS } from '../config/settings';
import { CLINICS_CLAIM } from './auth';

/** The staff API's limits and the claim it reads. */
export interface StaffApiConfig {
  /** Token claim that lists the caller's clinics. */
  clinicsClaim: string;
  /** Largest JSON body (clinic settings with many templates are the biggest). */
  jsonMaxBytes: number;
  /** Largest import file, in bytes after base64 decoding. */
  importMaxBytes: number;
  /** Most CSV records or Bundle entries in one import. */
  importMaxRows: number;
  /**
   * The most patients a staff user's broadcast may reach; above it the
   * broadcast routes call `requireRole(principal, roleForBroadcast(n, this))`.
   */
  staffBroadcastMaxRecipients: number;
  /** What one SMS part costs: a broadcast preview's cost estimate (SETTINGS.smsPricePerSegment). */
  smsPricePerSegment: number;
}

export const DEFAULT_STAFF_API_CONFIG: StaffApiConfig = {
  clinicsClaim: CLINICS_CLAIM,
  jsonMaxBytes: 256 * 1024,
  importMaxBytes: 1024 * 1024,
  importMaxRows: 1000,
  staffBroadcastMaxRecipients: SETTINGS.staffBroadcastMaxRecipients.default,
  smsPricePerSegment: SETTINGS.smsPricePerSegment.default,
};

function intIn(min: number, max: number, fallback: number) {
  return z._default(
    z.coerce
      .number()
      .check(z.int(), z.minimum(min, `must be at least ${min}`), z.maximum(max, `must be at most ${max}`)),
    fallback,
  );
}

/**
 * The staff-api function's environment. Imports are bounded so that one
 * request finishes well inside API Gateway's 30-second integration timeout
 * (about four DynamoDB calls per row, eight rows at a time) and inside
 * Lambda's 6 MB request payload.
 */
export const StaffApiEnv = z.extend(TablesEnv, {
  /** The survey page checks the email survey links' signatures. */
  ...SURVEY_LINK_ENV,
  /** Patients' texts (two-way SMS): the inbox and the conversation. */
  INBOUND_TABLE: z.string().check(z.minLength(1, 'is required')),
  /** Staff replies go to the send queue at once, within the immediate-send share. */
  ...SEND_NOW_ENV,
  CLINICS_CLAIM: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be a claim name such as custom:clinics')),
    CLINICS_CLAIM,
  ),
  JSON_MAX_BYTES: intIn(1024, 1024 * 1024, DEFAULT_STAFF_API_CONFIG.jsonMaxBytes),
  IMPORT_MAX_BYTES: intIn(1024, 4 * 1024 * 1024, DEFAULT_STAFF_API_CONFIG.importMaxBytes),
  IMPORT_MAX_ROWS: intIn(1, 2000, DEFAULT_STAFF_API_CONFIG.importMaxRows),
  STAFF_BROADCAST_MAX_RECIPIENTS: intIn(
    SETTINGS.staffBroadcastMaxRecipients.min,
    SETTINGS.staffBroadcastMaxRecipients.max,
    SETTINGS.staffBroadcastMaxRecipients.default,
  ),
  SMS_PRICE_PER_SEGMENT: z._default(
    z.coerce
      .number()
      .check(
        z.minimum(SETTINGS.smsPricePerSegment.min, `must be at least ${SETTINGS.smsPricePerSegment.min}`),
        z.maximum(SETTINGS.smsPricePerSegment.max, `must be at most ${SETTINGS.smsPricePerSegment.max}`),
      ),
    SETTINGS.smsPricePerSegment.default,
  ),
});
export type StaffApiEnvironment = z.output<typeof StaffApiEnv>;

/** The API configuration of a parsed environment. */
export function staffApiConfigFrom(env: StaffApiEnvironment): StaffApiConfig {
  return {
    clinicsClaim: env.CLINICS_CLAIM,
    jsonMaxBytes: env.JSON_MAX_BYTES,
    importMaxBytes: env.IMPORT_MAX_BYTES,
    importMaxRows: env.IMPORT_MAX_ROWS,
    staffBroadcastMaxRecipients: env.STAFF_BROADCAST_MAX_RECIPIENTS,
    smsPricePerSegment: env.SMS_PRICE_PER_SEGMENT,
  };
}
