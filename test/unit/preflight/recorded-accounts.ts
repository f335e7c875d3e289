/**
 * Two AWS accounts as the preflight's SDK calls answer for them, in the
 * shapes the services return (trimmed of fields the preflight ignores):
 * one ready for its first deploy, one freshly opened. Tests install an
 * account on mocked clients and change single answers on top.
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  type CognitoIdentityProviderClient,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribePhoneNumbersCommand,
  DescribeRegistrationsCommand,
  DescribeSpendLimitsCommand,
  type PinpointSMSVoiceV2Client,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetEmailIdentityCommand,
  NotFoundException,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import {
  GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  ParameterNotFound,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { loadDeploymentConfig } from '../../../infra/config/load';
import { clientsFor } from '../../../infra/preflight/clients';
import type { DeploymentNeeds } from '../../../infra/preflight/needs';
import type { PreflightClients, PreflightContext } from '../../../infra/preflight/preflight';

/** What the example config's stacks need (test/infra/preflight-needs.test.ts checks it against a synth). */
export const EXAMPLE_NEEDS: DeploymentNeeds = {
  stacks: {
    stateful: 'ClinicReminders-riverside-Stateful',
    stateless: 'ClinicReminders-riverside-Stateless',
  },
  reservedConcurrency: [
    { logicalId: 'PlanMessagesFunction964E1613', reserved: 10 },
    { logicalId: 'ReplanFailedChangesFunction541C42F4', reserved: 2 },
    { logicalId: 'DispatchDueFunctionA6996294', reserved: 1 },
    { logicalId: 'SendMessageFunctionB1BE0BFA', reserved: 5 },
    { logicalId: 'StaffApiFunction9C6D1A88', reserved: 20 },
  ],
  bootstrap: { parameter: '/cdk-bootstrap/hnb659fds/version', minVersion: 6 },
  userPoolName: 'clinic-reminders-riverside-staff',
  surveyLinkParameter: '/clinic-reminders/riverside/survey-link-secret',
};

export const EXAMPLE_CONFIG = loadDeploymentConfig('example');

export const PHONE_NUMBER_ID = 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const REGISTRATION_ID = 'registration-5f6e7d8c9b0a41b2a3c4d5e6f7a8b9c0';

export interface MockedAccount {
  readonly clients: PreflightClients;
  readonly mocks: {
    readonly sts: AwsClientStub<STSClient>;
    readonly cloudFormation: AwsClientStub<CloudFormationClient>;
    readonly ssm: AwsClientStub<SSMClient>;
    readonly lambda: AwsClientStub<LambdaClient>;
    readonly sns: AwsClientStub<SNSClient>;
    readonly sms: AwsClientStub<PinpointSMSVoiceV2Client>;
    readonly ses: AwsClientStub<SESv2Client>;
    readonly cognito: AwsClientStub<CognitoIdentityProviderClient>;
  };
  /** A preflight context on these clients, for the example config in us-east-1. */
  readonly context: PreflightContext;
}

/** The shipped clients (infra/preflight/clients.ts), each with its own mock, answering nothing yet. */
export function mockedAccount(): MockedAccount {
  const region = 'us-east-1';
  const clients = clientsFor(region);
  const mocks = {
    sts: mockClient(clients.sts),
    cloudFormation: mockClient(clients.cloudFormation),
    ssm: mockClient(clients.ssm),
    lambda: mockClient(clients.lambda),
    sns: mockClient(clients.sns),
    sms: mockClient(clients.sms),
    ses: mockClient(clients.ses),
    cognito: mockClient(clients.cognito),
  };
  return {
    clients,
    mocks,
    context: { config: EXAMPLE_CONFIG, configName: 'riverside', region, needs: EXAMPLE_NEEDS, clients },
  };
}

/** GetAccountSettings as Lambda answers it, for a concurrency quota and what is left unreserved. */
export function accountSettings(quota: number, unreserved: number) {
  return {
    AccountLimit: {
      TotalCodeSize: 80530636800,
      CodeSizeUnzipped: 262144000,
      CodeSizeZipped: 52428800,
      ConcurrentExecutions: quota,
      UnreservedConcurrentExecutions: unreserved,
    },
    AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
  };
}

const $metadata = { httpStatusCode: 400, requestId: '3f7c1a52-8f0e-4e39-9a0b-5b1c2d3e4f50' };

/** The toll-free number of the example config, as DescribePhoneNumbers lists it. */
export function tollFreeNumber(changes: Record<string, unknown> = {}) {
  return {
    PhoneNumberArn: `arn:aws:sms-voice:us-east-1:111122223333:phone-number/${PHONE_NUMBER_ID}`,
    PhoneNumberId: PHONE_NUMBER_ID,
    PhoneNumber: '+18885550123',
    Status: 'ACTIVE' as const,
    IsoCountryCode: 'US',
    MessageType: 'TRANSACTIONAL' as const,
    NumberCapabilities: ['SMS' as const],
    NumberType: 'TOLL_FREE' as const,
    MonthlyLeasingPrice: '2.00',
    TwoWayEnabled: false,
    SelfManagedOptOutsEnabled: false,
    OptOutListName: 'Default',
    DeletionProtectionEnabled: false,
    RegistrationId: REGISTRATION_ID,
    MessagingLimits: { RateLimits: { SMS: 3 } },
    CreatedTimestamp: new Date('2026-09-01T14:03:11Z'),
    ...changes,
  };
}

export function registration(status: string) {
  return {
    Registrations: [
      {
        RegistrationArn: `arn:aws:sms-voice:us-east-1:111122223333:registration/${REGISTRATION_ID}`,
        RegistrationId: REGISTRATION_ID,
        RegistrationType: 'US_TOLL_FREE_REGISTRATION',
        RegistrationStatus: status as 'COMPLETE',
        CurrentVersionNumber: 1,
        ...(status === 'COMPLETE' ? { ApprovedVersionNumber: 1 } : {}),
        CreatedTimestamp: new Date('2026-09-01T14:10:42Z'),
      },
    ],
  };
}

/**
 * An account ready for its first deploy of the example config: bootstrapped,
 * quota raised, out of both sandboxes, spend limit raised, toll-free number
 * registered, domain verified, no stack yet.
 */
export function installReadyAccount({ mocks }: MockedAccount): void {
  mocks.sts.on(GetCallerIdentityCommand).resolves({
    UserId: 'AROA3XFRBF23EXAMPLE:admin',
    Account: '111122223333',
    Arn: 'arn:aws:sts::111122223333:assumed-role/ClinicDeployer/admin',
  });
  mocks.cloudFormation.on(ListStacksCommand).resolves({
    StackSummaries: [
      {
        StackName: 'CDKToolkit',
        StackId:
          'arn:aws:cloudformation:us-east-1:111122223333:stack/CDKToolkit/0b1c2d3e-4f50-11f1-8a9b-0a1b2c3d4e5f',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-11-20T09:12:00Z'),
      },
    ],
  });
  mocks.ssm.on(GetParameterCommand).resolves({
    Parameter: {
      Name: '/cdk-bootstrap/hnb659fds/version',
      Type: 'String',
      Value: '30',
      Version: 2,
      DataType: 'text',
    },
  });
  mocks.ssm.on(DescribeParametersCommand).resolves({
    Parameters: [
      {
        Name: EXAMPLE_NEEDS.surveyLinkParameter,
        ARN: `arn:aws:ssm:us-east-1:111122223333:parameter${EXAMPLE_NEEDS.surveyLinkParameter}`,
        Type: 'SecureString',
        KeyId: 'alias/aws/ssm',
        LastModifiedDate: new Date('2026-11-20T09:20:00Z'),
        Version: 1,
        Tier: 'Standard',
        DataType: 'text',
      },
    ],
  });
  mocks.lambda.on(GetAccountSettingsCommand).resolves(accountSettings(1000, 1000));
  mocks.sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: false });
  mocks.sns.on(GetSMSAttributesCommand).resolves({ attributes: { MonthlySpendLimit: '150' } });
  mocks.sms.on(DescribeSpendLimitsCommand).resolves({
    SpendLimits: [
      { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 150, MaxLimit: 150, Overridden: true },
      { Name: 'VOICE_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1, Overridden: false },
      { Name: 'MEDIA_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 150, Overridden: false },
    ],
  });
  mocks.sms.on(DescribePhoneNumbersCommand).resolves({ PhoneNumbers: [tollFreeNumber()] });
  mocks.sms.on(DescribeRegistrationsCommand).resolves(registration('COMPLETE'));
  mocks.ses.on(GetAccountCommand).resolves({
    DedicatedIpAutoWarmupEnabled: false,
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 },
    SendingEnabled: true,
    SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
  });
  mocks.ses.on(GetEmailIdentityCommand).resolves({
    IdentityType: 'DOMAIN',
    FeedbackForwardingStatus: true,
    VerifiedForSendingStatus: true,
    DkimAttributes: { SigningEnabled: true, Status: 'SUCCESS', SigningAttributesOrigin: 'AWS_SES' },
    VerificationStatus: 'SUCCESS',
  });
  mocks.ses.on(GetConfigurationSetCommand).rejects(
    new NotFoundException({
      message: 'Configuration set <riverside-reminders> does not exist.',
      $metadata,
    }),
  );
  mocks.cognito.on(ListUserPoolsCommand).resolves({ UserPools: [] });
}

/**
 * A freshly opened account: not bootstrapped, a concurrency quota of 10,
 * in both sandboxes, the $1 spend limit, the toll-free number waiting for
 * its registration, the domain not verified yet.
 */
export function installNewAccount(account: MockedAccount): void {
  installReadyAccount(account);
  const { mocks } = account;
  mocks.sts.on(GetCallerIdentityCommand).resolves({
    UserId: 'AIDA4XFRBF23EXAMPLE',
    Account: '444455556666',
    Arn: 'arn:aws:iam::444455556666:user/clinic-admin',
  });
  mocks.cloudFormation.on(ListStacksCommand).resolves({ StackSummaries: [] });
  mocks.ssm
    .on(GetParameterCommand)
    .rejects(
      new ParameterNotFound({ message: 'Parameter /cdk-bootstrap/hnb659fds/version not found.', $metadata }),
    );
  mocks.ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
  mocks.lambda.on(GetAccountSettingsCommand).resolves(accountSettings(10, 10));
  mocks.sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: true });
  mocks.sns.on(GetSMSAttributesCommand).resolves({ attributes: {} });
  mocks.sms.on(DescribeSpendLimitsCommand).resolves({
    SpendLimits: [
      { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1, Overridden: false },
      { Name: 'VOICE_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1, Overridden: false },
      { Name: 'MEDIA_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1, Overridden: false },
    ],
  });
  mocks.sms
    .on(DescribePhoneNumbersCommand)
    .resolves({ PhoneNumbers: [tollFreeNumber({ Status: 'PENDING' })] });
  mocks.sms.on(DescribeRegistrationsCommand).resolves(registration('REVIEWING'));
  mocks.ses.on(GetAccountCommand).resolves({
    DedicatedIpAutoWarmupEnabled: false,
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: false,
    SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
    SendingEnabled: true,
  });
  mocks.ses.on(GetEmailIdentityCommand).resolves({
    IdentityType: 'DOMAIN',
    FeedbackForwardingStatus: true,
    VerifiedForSendingStatus: false,
    DkimAttributes: { SigningEnabled: true, Status: 'PENDING', SigningAttributesOrigin: 'AWS_SES' },
    VerificationStatus: 'PENDING',
  });
}

/** A stack of the example deployment as DescribeStacks answers for it. */
export function describedStack(
  name: string,
  status: string,
  terminationProtection: boolean,
  outputs: Record<string, string> = {},
) {
  return {
    Stacks: [
      {
        StackName: name,
        StackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/${name}/5d6e7f80-9a1b-11f1-b2c3-0e4f5a6b7c8d`,
        StackStatus: status as 'CREATE_COMPLETE',
        CreationTime: new Date('2026-11-21T10:00:00Z'),
        EnableTerminationProtection: terminationProtection,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

/** Lists the given stacks (and the bootstrap stack) as ListStacks does, and describes each. */
export function installStacks(
  { mocks }: MockedAccount,
  stacks: readonly {
    name: string;
    status: string;
    terminationProtection: boolean;
    outputs?: Record<string, string>;
  }[],
): void {
  mocks.cloudFormation.on(ListStacksCommand).resolves({
    StackSummaries: [
      {
        StackName: 'CDKToolkit',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-11-20T09:12:00Z'),
      },
      ...stacks.map((stack) => ({
        StackName: stack.name,
        StackStatus: stack.status as 'CREATE_COMPLETE',
        CreationTime: new Date('2026-11-21T10:00:00Z'),
      })),
    ],
  });
  for (const stack of stacks) {
    mocks.cloudFormation
      .on(DescribeStacksCommand, { StackName: stack.name })
      .resolves(describedStack(stack.name, stack.status, stack.terminationProtection, stack.outputs));
  }
}

/** Every input a mocked client received for one command, in order. */
export function inputsOf(
  // biome-ignore lint/suspicious/noExplicitAny: any client's stub, any command
  mock: AwsClientStub<any>,
  // biome-ignore lint/suspicious/noExplicitAny: a command class
  command: new (...args: any[]) => unknown,
): unknown[] {
  // biome-ignore lint/suspicious/noExplicitAny: the stub's command type
  return mock.commandCalls(command as any).map((call) => call.args[0].input);
}
