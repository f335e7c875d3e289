/**
 * What every staff API route shares: its dependencies, the request context
 * it is handed, the standard error responses of its documentation, and the
 * helpers that turn a saved record into a response with its ETag.
 */

import * as z from 'zod';
import { ValidationError } from '../../domain/errors';
import { ClinicIdSchema, EntityIdSchema } from '../../domain/model';
import type { Clock } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type { CaseRepository } from '../../ports/cases';
import type { DailyCounters } from '../../ports/counters';
import type { AppLogger, SurveyLinkSecret, Telemetry } from '../../ports/outbound';
import type {
  AppointmentRepository,
  BroadcastRepository,
  CareReminderRepository,
  ClinicRepository,
  InboundRepository,
  MessageRepository,
  PatientRepository,
} from '../../ports/repositories';
import type { SendNowPorts } from '../../use-cases/enqueue-due-now';
import type { Saved, SaveOutcome } from '../../use-cases/versions';
import type { Principal } from '../auth';
import type { StaffApiConfig } from '../env';
import { type ApiEvent, etagOf } from '../request';
import type { ApiResult, Route } from '../router';

export interface StaffApiDeps {
  clinics: ClinicRepository;
  patients: PatientRepository;
  appointments: AppointmentRepository;
  messages: MessageRepository;
  broadcasts: BroadcastRepository;
  /** Patients' refill, recall and vaccination reminders. */
  careReminders: CareReminderRepository;
  /** Patients' texts: the inbox and the conversation. */
  inbound: InboundRepository;
  /** Feedback cases (in the inbound table). */
  cases: CaseRepository;
  /** Daily counters per clinic: the metrics read them. */
  counters: DailyCounters;
  /** Staff replies go to the send queue at once, within the immediate-send share. */
  sendNow: SendNowPorts;
  /** The secret that signs and checks the email survey links (the public survey page). */
  surveyLinkSecret: SurveyLinkSecret;
  /** A fresh unique id (a staff reply's, when the caller sends no idempotency key). */
  newId: () => string;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
  config: StaffApiConfig;
}

export interface RequestContext {
  deps: StaffApiDeps;
  event: ApiEvent;
  headers: Record<string, string>;
  /** Set on every clinic route (they are never public). */
  principal: Principal;
}

export type StaffRoute = Route<RequestContext>;

const STATUS_OF: Record<SaveOutcome, number> = { created: 201, updated: 200, unchanged: 200 };

/** 201 for a created record, else 200; the body is the record, the ETag its version. */
export function savedResponse(result: Saved<{ version: number }>): ApiResult {
  return {
    status: STATUS_OF[result.outcome],
    body: result.record,
    headers: { etag: etagOf(result.record.version) },
  };
}

/** 200 with the record and its version as the ETag. */
export function withEtag(record: { version: number }): ApiResult {
  return { status: 200, body: record, headers: { etag: etagOf(record.version) } };
}

/** The path's clinic and record id, each checked (the clinic id was already matched against the token). */
export function pathIds<K extends 'patientId' | 'appointmentId'>(params: Record<string, string>, key: K) {
  const issues = [
    ...(ClinicIdSchema.safeParse(params.clinicId).success
      ? []
      : [{ path: 'clinicId', message: 'must be 1–48 lowercase letters, digits or hyphens' }]),
    ...(EntityIdSchema.safeParse(params[key]).success
      ? []
      : [{ path: key, message: 'must be 1–64 letters, digits, dot, underscore or hyphen' }]),
  ];
  if (issues.length > 0) throw new ValidationError(issues);
  return { clinicId: params.clinicId ?? '', [key]: params[key] ?? '' } as { clinicId: string } & Record<
    K,
    string
  >;
}

/** The path's clinic id, checked. */
export function pathClinicId(params: Record<string, string>): string {
  return parseOrThrow(z.object({ clinicId: ClinicIdSchema }), params).clinicId;
}

/** The error responses every clinic route documents. */
export const ERRORS = {
  400: { description: 'Invalid request: `error.issues` lists every bad field by path' },
  401: { description: 'No valid bearer token' },
  403: { description: 'The token does not name this clinic, or lacks the role this route needs' },
  404: { description: 'No such clinic or record' },
} as const;
