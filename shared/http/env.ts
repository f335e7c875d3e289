import { z } from 'zod';
import { TablesEnv } from '../config/env';
import { CLINICS_CLAIM } from './auth';

/** The staff API's limits and the claim it reads; local mode passes its own. */
export interface StaffApiConfig {
  /** Token claim that lists the caller's clinics. */
  clinicsClaim: string;
  /** Largest JSON body (clinic settings with many templates are the biggest). */
  jsonMaxBytes: number;
  /** Largest import file, in bytes after base64 decoding. */
  importMaxBytes: number;
  /** Most CSV records or Bundle entries in one import. */
  importMaxRows: number;
}

export const DEFAULT_STAFF_API_CONFIG: StaffApiConfig = {
  clinicsClaim: CLINICS_CLAIM,
  jsonMaxBytes: 256 * 1024,
  importMaxBytes: 1024 * 1024,
  importMaxRows: 1000,
};

/**
 * The staff-api function's environment. Imports are bounded so that one
 * request finishes well inside API Gateway's 30-second integration timeout
 * (about four DynamoDB calls per row, eight rows at a time) and inside
 * Lambda's 6 MB request payload.
 */
export const StaffApiEnv = TablesEnv.extend({
  CLINICS_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be a claim name such as custom:clinics')
    .default(CLINICS_CLAIM),
  JSON_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(DEFAULT_STAFF_API_CONFIG.jsonMaxBytes),
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024)
    .default(DEFAULT_STAFF_API_CONFIG.importMaxBytes),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(2000).default(DEFAULT_STAFF_API_CONFIG.importMaxRows),
});
export type StaffApiEnvironment = z.output<typeof StaffApiEnv>;

/** The API configuration of a parsed environment. */
export function staffApiConfigFrom(env: StaffApiEnvironment): StaffApiConfig {
  return {
    clinicsClaim: env.CLINICS_CLAIM,
    jsonMaxBytes: env.JSON_MAX_BYTES,
    importMaxBytes: env.IMPORT_MAX_BYTES,
    importMaxRows: env.IMPORT_MAX_ROWS,
  };
}
