/**
 * Drives the staff API's Lambda handler (makeHandler, with middy) against
 * this test file's own DynamoDB Local tables, with a fixed clock, and reads
 * the tables back to assert what was (not) written.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, inject } from 'vitest';
import { makeHandler } from '../../../functions/staff-api/handler';
import { SqsSendQueue } from '../../../shared/adapters/aws/sqs-send-queue';
import { DynamoCaseRepository } from '../../../shared/adapters/dynamodb/case-repository';
import { type DynamoClients, makeDynamoClients } from '../../../shared/adapters/dynamodb/client';
import { guardClinicScope, guardSendNowCounters } from '../../../shared/adapters/dynamodb/clinic-scope';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { makeRepositories, type Repositories } from '../../../shared/adapters/dynamodb/repositories';
import { DynamoSendNowBudget } from '../../../shared/adapters/dynamodb/send-now-budget';
import { LocalSurveyLinkSecret } from '../../../shared/adapters/local/local-survey-link-secret';
import { RecordingTelemetry } from '../../../shared/adapters/local/recorders';
import type { Broadcast } from '../../../shared/domain/broadcasts';
import type { CareReminder } from '../../../shared/domain/care/reminder';
import type { Appointment, Clinic, InboundMessage, Message, Patient } from '../../../shared/domain/model';
import { fixedClock } from '../../../shared/domain/time';
import { CLINICS_CLAIM, GROUPS_CLAIM } from '../../../shared/http/auth';
import { DEFAULT_STAFF_API_CONFIG, type StaffApiConfig } from '../../../shared/http/env';
import { toApiEvent } from '../../../shared/http/events';
import type { AppLogger } from '../../../shared/ports/outbound';
import { TEST_NOW } from '../../support/factories';
import { type TestTables, useTestTables } from '../../support/tables';

/** The send queue staff replies go to (SQS is mocked where a test sends one). */
/** The survey links' secret every API test signs and checks with. */
export const TEST_SURVEY_LINK_SECRET = new LocalSurveyLinkSecret(Buffer.alloc(32, 7));

export const SEND_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/send-queue';

export interface ApiCall {
  method: string;
  url: string;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Clinics the token names; null sends no token at all. Default: demo-clinic. */
  clinics?: readonly string[] | null;
  /**
   * The user's Cognito groups, passed as API Gateway's JWT authorizer passes
   * the array claim (`[clinic-admin]`). Default: clinic-admin, who may call
   * every route, so tests of behaviour are not about roles; role tests name
   * the groups.
   */
  groups?: readonly string[];
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely
  body: any;
  /** The body as sent (an HTML page's, where `body` is undefined). */
  text: string;
}

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

export interface StaffApiHarness {
  tables: TestTables;
  repos(): Repositories;
  logs: LogLine[];
  call(request: ApiCall): Promise<ApiAnswer>;
  seed(records: {
    clinics?: Clinic[];
    patients?: Patient[];
    appointments?: Appointment[];
    messages?: Message[];
    broadcasts?: Broadcast[];
    careReminders?: CareReminder[];
    /** Texts patients sent, as handle-inbound records them. */
    inbound?: InboundMessage[];
  }): Promise<void>;
  /** Every item of every table, sorted: compare before and after to prove nothing was written. */
  snapshot(): Promise<string>;
}

/**
 * Sets up tables for the file and returns a harness.
 *
 * @param options - the clock's instant and any config override
 */
export function useStaffApi(
  options: { now?: string; config?: Partial<StaffApiConfig> } = {},
): StaffApiHarness {
  const tables = useTestTables();
  const logs: LogLine[] = [];
  const logger: AppLogger = {
    debug: (message, fields) => logs.push({ level: 'debug', message, ...(fields ? { fields } : {}) }),
    info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
  const repos = () => makeRepositories(tables.clients.doc, tables.names);
  // The API gets its own clients with the clinic guard, as in Lambda: every
  // test of every route proves that each request stays inside its clinic.
  let guarded: DynamoClients | undefined;
  // And a second client for the immediate-send counters only, as in Lambda.
  let counters: DynamoClients | undefined;
  beforeAll(() => {
    guarded = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
    guardClinicScope(guarded.raw, tables.names, { required: true });
    counters = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
    guardSendNowCounters(counters.raw, tables.names.messages);
  });
  afterAll(() => {
    guarded?.raw.destroy();
    counters?.raw.destroy();
  });
  const telemetry = new RecordingTelemetry();
  const handler = () =>
    makeHandler({
      ...makeRepositories(guarded?.doc ?? tables.clients.doc, tables.names),
      inbound: new DynamoInboundRepository(guarded?.doc ?? tables.clients.doc, tables.names.inbound),
      cases: new DynamoCaseRepository(guarded?.doc ?? tables.clients.doc, tables.names.inbound),
      sendNow: {
        // A test file that sends replies mocks SQSClient (aws-sdk-client-mock) and asserts the exact input.
        queue: new SqsSendQueue(new SQSClient({ region: 'us-east-1' }), SEND_QUEUE_URL),
        budget: new DynamoSendNowBudget(counters?.doc ?? tables.clients.doc, tables.names.messages),
        // Every test runs at the same fixed instant: a high rate keeps parts for all of them.
        config: { perSecond: { sms: 3000, email: 3000 }, every: 10, windowSeconds: 60, leaseMinutes: 15 },
        newToken: randomUUID,
      },
      newId: randomUUID,
      surveyLinkSecret: TEST_SURVEY_LINK_SECRET,
      clock: fixedClock(options.now ?? TEST_NOW),
      logger,
      telemetry,
      config: { ...DEFAULT_STAFF_API_CONFIG, ...options.config },
    });
  return {
    tables,
    repos,
    logs,
    async call(request) {
      const clinics = request.clinics === undefined ? ['demo-clinic'] : request.clinics;
      const isJson = request.body !== undefined && typeof request.body !== 'string';
      const event = toApiEvent({
        method: request.method,
        url: request.url,
        headers: {
          ...(isJson ? { 'content-type': 'application/json' } : {}),
          ...request.headers,
        },
        ...(request.body === undefined
          ? {}
          : { body: isJson ? JSON.stringify(request.body) : (request.body as string) }),
        ...(clinics === null
          ? {}
          : {
              claims: {
                sub: 'staff-user-1',
                [CLINICS_CLAIM]: clinics.join(','),
                [GROUPS_CLAIM]: `[${(request.groups ?? ['clinic-admin']).join(' ')}]`,
              },
            }),
      });
      const result = await handler()(event, {} as Context);
      const headers = (result.headers ?? {}) as Record<string, string>;
      const html = String(headers['content-type'] ?? '').startsWith('text/html');
      return {
        status: result.statusCode ?? 0,
        headers,
        body: result.body && !html ? JSON.parse(result.body) : undefined,
        text: result.body ?? '',
      };
    },
    async seed(records) {
      const { clinics, patients, appointments, messages, broadcasts, careReminders } = repos();
      const inbound = new DynamoInboundRepository(tables.clients.doc, tables.names.inbound);
      for (const clinic of records.clinics ?? []) await clinics.put(clinic, null);
      for (const patient of records.patients ?? []) await patients.put(patient, null);
      for (const appointment of records.appointments ?? []) {
        // A record at a later version is written as it is, as if it had been changed before.
        if (appointment.version === 1) await appointments.put(appointment, null);
        else
          await tables.clients.doc.send(
            new PutCommand({ TableName: tables.names.appointments, Item: appointment }),
          );
      }
      for (const message of records.messages ?? []) await messages.create(message);
      for (const broadcast of records.broadcasts ?? []) await broadcasts.put(broadcast, null);
      for (const reminder of records.careReminders ?? []) await careReminders.put(reminder, null);
      for (const text of records.inbound ?? []) await inbound.record(text);
    },
    async snapshot() {
      const all: Record<string, unknown[]> = {};
      for (const [id, name] of Object.entries(tables.names)) {
        const { Items = [] } = await tables.clients.doc.send(
          new ScanCommand({ TableName: name, ConsistentRead: true }),
        );
        all[id] = Items.map(canonicalJson).sort();
      }
      return JSON.stringify(all);
    },
  };
}

/** JSON with keys sorted at every depth, so equal items print equal. */
function canonicalJson(value: unknown): string {
  const sortKeys = (inner: unknown): unknown => {
    if (Array.isArray(inner)) return inner.map(sortKeys);
    if (inner && typeof inner === 'object') {
      return Object.fromEntries(
        Object.keys(inner)
          .sort()
          .map((key) => [key, sortKeys((inner as Record<string, unknown>)[key])]),
      );
    }
    return inner;
  };
  return JSON.stringify(sortKeys(value));
}

/** The paths of a 400's issues. */
export function issuePaths(answer: ApiAnswer): string[] {
  return (answer.body?.error?.issues ?? []).map((issue: { path: string }) => issue.path);
}
