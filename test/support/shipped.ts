/**
 * For tests that invoke a function's shipped `handler` export: the
 * environment that function gets from CDK (variable for variable, see
 * test/infra/environment.test.ts), pointed at the tables of this test file
 * in DynamoDB Local through the SDK's own endpoint variable, so the handler
 * composes itself exactly as it does in Lambda.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, inject } from 'vitest';
import type { TableNames } from '../../shared/tables';
import { type TestTables, useTestTables } from './tables';

export const REGION = 'us-east-1';
export const SEND_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/send-queue';
export const PLAN_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/plan-dead-letters';
export const SEND_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/send-dead-letters';
export const INBOUND_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/inbound-dead-letters';
/** The two-way number the shipped handle-inbound tests give the default clinic (`demo-clinic`). */
export const TWO_WAY_NUMBER = '+12025550100';
export const RECEIPTS_DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/receipts-dead-letters';
export const BUS_NAME = 'clinic-reminders-bus';
export const ORIGINATION_NUMBER = '+18005550199';
export const FROM_ADDRESS = 'Riverside Family Clinic <reminders@clinic.example>';
export const CONFIGURATION_SET = 'clinic-reminders';
export const SMS_CONFIGURATION_SET = 'clinic-reminders-riverside';
/** The survey link secret's SecureString parameter (infra/constructs/settings.ts, surveyLinkParameterName). */
export const SURVEY_LINK_PARAMETER = '/clinic-reminders/riverside/survey-link-secret';
/** The staff API's URL: survey emails link to its public survey page. */
export const STAFF_API_URL = 'https://api.riverside.example/';

/** The context Lambda passes; the handlers read only its names. */
export const LAMBDA_CONTEXT = {
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/test-function',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

function tableVariables(names: TableNames): Record<string, string> {
  return {
    CLINICS_TABLE: names.clinics,
    PATIENTS_TABLE: names.patients,
    APPOINTMENTS_TABLE: names.appointments,
    MESSAGES_TABLE: names.messages,
    MESSAGE_RETENTION_DAYS: '365',
  };
}

/** What the stateless stack sets on each function (values as the example config gives them). */
export const CDK_ENVIRONMENT = {
  'plan-messages': (names: TableNames) => ({
    ...tableVariables(names),
    PLAN_DEAD_LETTER_QUEUE_URL: PLAN_DLQ_URL,
    CLINIC_CACHE_SECONDS: '60',
    SEND_QUEUE_URL: SEND_QUEUE_URL,
    SMS_PER_SECOND: '20',
    SMS_LANES: 'north=3',
    EMAIL_PER_SECOND: '14',
    LEASE_MINUTES: '15',
  }),
  'dispatch-due': (names: TableNames) => ({
    ...tableVariables(names),
    SEND_QUEUE_URL: SEND_QUEUE_URL,
    INBOUND_TABLE: names.inbound,
    EVENT_BUS_NAME: BUS_NAME,
    SMS_PER_SECOND: '20',
    SMS_LANES: 'north=3',
    EMAIL_PER_SECOND: '14',
    LEASE_MINUTES: '15',
    CLINIC_CACHE_SECONDS: '60',
  }),
  'send-message': (names: TableNames) => ({
    ...tableVariables(names),
    EVENT_BUS_NAME: BUS_NAME,
    SEND_DEAD_LETTER_QUEUE_URL: SEND_DLQ_URL,
    SMS_ORIGINATION_NUMBER: ORIGINATION_NUMBER,
    SMS_MAX_PRICE_USD: '0.50',
    SES_FROM_ADDRESS: FROM_ADDRESS,
    SES_CONFIGURATION_SET: CONFIGURATION_SET,
    SMS_CONFIGURATION_SET: SMS_CONFIGURATION_SET,
    MAX_SEND_ATTEMPTS: '5',
    BACKOFF_BASE_SECONDS: '30',
    BACKOFF_MAX_SECONDS: '900',
    CLINIC_CACHE_SECONDS: '60',
    SURVEY_LINK_SECRET_PARAMETER: SURVEY_LINK_PARAMETER,
    SURVEY_LINK_BASE_URL: STAFF_API_URL,
  }),
  'staff-api': (names: TableNames) => ({
    ...tableVariables(names),
    INBOUND_TABLE: names.inbound,
    SEND_QUEUE_URL: SEND_QUEUE_URL,
    SMS_PER_SECOND: '20',
    SMS_LANES: 'north=3',
    EMAIL_PER_SECOND: '14',
    LEASE_MINUTES: '15',
    CLINICS_CLAIM: 'custom:clinics',
    JSON_MAX_BYTES: '262144',
    IMPORT_MAX_BYTES: '1048576',
    IMPORT_MAX_ROWS: '1000',
    STAFF_BROADCAST_MAX_RECIPIENTS: '100',
    SMS_PRICE_PER_SEGMENT: '0.0083',
    SURVEY_LINK_SECRET_PARAMETER: SURVEY_LINK_PARAMETER,
  }),
  'seed-clinics': (names: TableNames) => ({ CLINICS_TABLE: names.clinics }),
  'handle-inbound': (names: TableNames) => ({
    ...tableVariables(names),
    INBOUND_TABLE: names.inbound,
    INBOUND_NUMBERS: `${TWO_WAY_NUMBER}=demo-clinic`,
    EVENT_BUS_NAME: BUS_NAME,
    INBOUND_DEAD_LETTER_QUEUE_URL: INBOUND_DLQ_URL,
    SEND_QUEUE_URL: SEND_QUEUE_URL,
    SMS_PER_SECOND: '20',
    SMS_LANES: 'north=3',
    EMAIL_PER_SECOND: '14',
    LEASE_MINUTES: '15',
  }),
  'handle-receipts': (names: TableNames) => ({
    ...tableVariables(names),
    EVENT_BUS_NAME: BUS_NAME,
    RECEIPTS_DEAD_LETTER_QUEUE_URL: RECEIPTS_DLQ_URL,
    CLINIC_CACHE_SECONDS: '60',
  }),
} as const;

export type FunctionName = keyof typeof CDK_ENVIRONMENT;

/**
 * This file's tables, and `process.env` set as Lambda would see it for
 * `fn` (CDK's variables, the runtime's region and credentials, and the
 * DynamoDB endpoint of the test run), restored after the file.
 *
 * @param fn - the function whose handler the file invokes
 * @param extra - variables to change (a missing table, for a failure test)
 */
export function useShippedHandlerEnvironment(
  fn: FunctionName,
  extra: Record<string, string> = {},
): TestTables {
  const tables = useTestTables();
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, {
      ...CDK_ENVIRONMENT[fn](tables.names),
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      ...extra,
    });
  });
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  return tables;
}
