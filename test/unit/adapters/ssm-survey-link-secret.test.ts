import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SsmSurveyLinkSecret, surveyLinkSecretOf } from '../../../shared/adapters/aws/ssm-survey-link-secret';

const ssm = mockClient(SSMClient);
const NAME = '/clinic-reminders/riverside/survey-link-secret';
const VALUE = 'k'.repeat(64);

afterEach(() => {
  ssm.reset();
});

const secret = () => new SsmSurveyLinkSecret(new SSMClient({ region: 'us-east-1' }), NAME);

describe('survey link secret from SSM Parameter Store', () => {
  it('reads the SecureString once, decrypted, and keeps it for the instance', async () => {
    // Arrange
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Type: 'SecureString', Value: VALUE } });
    const linkSecret = secret();

    // Act
    const first = await linkSecret.key();
    const second = await linkSecret.key();

    // Assess
    expect(Buffer.from(first).toString('utf8')).toBe(VALUE);
    expect(second).toBe(first);
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toStrictEqual([
      { Name: NAME, WithDecryption: true },
    ]);
  });

  it('does not keep a failed read: the next link tries again', async () => {
    // Arrange
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ Parameter: { Name: NAME, Type: 'SecureString', Value: VALUE } });
    const linkSecret = secret();

    // Act / Assess
    await expect(linkSecret.key()).rejects.toThrow('throttled');
    expect(Buffer.from(await linkSecret.key()).toString('utf8')).toBe(VALUE);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('refuses a plain String parameter and a value under 32 bytes, naming the parameter', async () => {
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Name: NAME, Type: 'String', Value: VALUE } });
    await expect(secret().key()).rejects.toThrow(`${NAME} must be a SecureString parameter`);

    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Type: 'SecureString', Value: 'short' } });
    await expect(secret().key()).rejects.toThrow(`${NAME} must hold at least 32 bytes`);
  });

  it('says which variable is missing when a function has neither the parameter nor its own secret', async () => {
    await expect(surveyLinkSecretOf('us-east-1', undefined).key()).rejects.toThrow(
      'SURVEY_LINK_SECRET_PARAMETER is not set',
    );
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });
});
