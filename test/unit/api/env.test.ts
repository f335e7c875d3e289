import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../../shared/config/env';
import { ConfigError } from '../../../shared/domain/errors';
import { StaffApiEnv, staffApiConfigFrom } from '../../../shared/http/env';

const TABLES = {
  AWS_REGION: 'eu-west-1',
  CLINICS_TABLE: 'clinics',
  PATIENTS_TABLE: 'patients',
  APPOINTMENTS_TABLE: 'appointments',
  MESSAGES_TABLE: 'messages',
  INBOUND_TABLE: 'inbound',
  SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/send-queue',
  SMS_PER_SECOND: '20',
  EMAIL_PER_SECOND: '14',
};

describe('staff-api environment', () => {
  it('needs only the tables and defaults the claim and the limits', () => {
    const config = staffApiConfigFrom(parseEnv(StaffApiEnv, TABLES));

    expect(config).toEqual({
      clinicsClaim: 'custom:clinics',
      jsonMaxBytes: 262_144,
      importMaxBytes: 1_048_576,
      importMaxRows: 1000,
      staffBroadcastMaxRecipients: 100,
      smsPricePerSegment: 0.0083,
    });
  });

  it('reports every missing or bad key at once', () => {
    const env = { AWS_REGION: 'eu-west-1', CLINICS_CLAIM: 'custom clinics', IMPORT_MAX_ROWS: '50000' };

    const error = (() => {
      try {
        parseEnv(StaffApiEnv, env);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path).sort()).toEqual([
      'APPOINTMENTS_TABLE',
      'CLINICS_CLAIM',
      'CLINICS_TABLE',
      'EMAIL_PER_SECOND',
      'IMPORT_MAX_ROWS',
      'INBOUND_TABLE',
      'MESSAGES_TABLE',
      'PATIENTS_TABLE',
      'SEND_QUEUE_URL',
      'SMS_PER_SECOND',
    ]);
  });
});
