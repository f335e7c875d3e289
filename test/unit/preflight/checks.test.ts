import {
  DescribeStacksCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeUserPoolCommand, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import {
  DescribePhoneNumbersCommand,
  DescribeRegistrationsCommand,
  DescribeSenderIdsCommand,
  DescribeSpendLimitsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetEmailIdentityCommand,
} from '@aws-sdk/client-sesv2';
import { GetSMSAttributesCommand, GetSMSSandboxAccountStatusCommand } from '@aws-sdk/client-sns';
import { DescribeParametersCommand, GetParameterCommand, type ParameterMetadata } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../../infra/config/schema';
import {
  checkBootstrap,
  checkCredentials,
  checkStacks,
  readStacks,
} from '../../../infra/preflight/checks/account';
import { checkCognito } from '../../../infra/preflight/checks/cognito';
import {
  checkSesAccount,
  checkSesConfigurationSet,
  checkSesIdentity,
} from '../../../infra/preflight/checks/email';
import { checkLambdaConcurrency } from '../../../infra/preflight/checks/lambda';
import {
  checkInboundSms,
  checkOrigination,
  checkSmsSandbox,
  checkSmsSpendLimit,
} from '../../../infra/preflight/checks/sms';
import { checkSurveyLinkSecret } from '../../../infra/preflight/checks/survey-link';
import type { DeployedStacks, PreflightContext } from '../../../infra/preflight/preflight';
import {
  accountSettings,
  EXAMPLE_CONFIG,
  inputsOf,
  installNewAccount,
  installReadyAccount,
  installStacks,
  type MockedAccount,
  mockedAccount,
  PHONE_NUMBER_ID,
  REGISTRATION_ID,
  registration,
  tollFreeNumber,
} from './recorded-accounts';

const STATEFUL = 'ClinicReminders-riverside-Stateful';
const STATELESS = 'ClinicReminders-riverside-Stateless';
const TOPIC =
  'arn:aws:sns:us-east-1:111122223333:ClinicReminders-riverside-Stateful-InboundSmsTopicDEF33A7F-Ab12Cd34Ef56';
const POOL = 'us-east-1_Ab12Cd34E';

let account: MockedAccount;
let context: PreflightContext;

beforeEach(() => {
  account = mockedAccount();
  installReadyAccount(account);
  context = account.context;
});

function withConfig(change: (config: DeploymentConfig) => DeploymentConfig): PreflightContext {
  return { ...context, config: change(structuredClone(EXAMPLE_CONFIG)) };
}

const deployed = (outputs: Record<string, string> = {}): DeployedStacks => ({
  stateful: { name: STATEFUL, status: 'UPDATE_COMPLETE', terminationProtection: true, outputs },
  stateless: { name: STATELESS, status: 'UPDATE_COMPLETE', terminationProtection: false, outputs: {} },
});

describe('preflight: AWS credentials', () => {
  it('names the account, the region and the caller', async () => {
    // Act
    const { result, account: found } = await checkCredentials(context);

    // Assess
    expect(result).toEqual({
      title: 'AWS credentials',
      status: 'ok',
      detail:
        'account 111122223333, region us-east-1, as arn:aws:sts::111122223333:assumed-role/ClinicDeployer/admin',
    });
    expect(found).toBe('111122223333');
    expect(inputsOf(account.mocks.sts, GetCallerIdentityCommand)).toStrictEqual([{}]);
  });

  it('fails when the credentials are for another account than the config pins', async () => {
    // Act
    const { result } = await checkCredentials(
      withConfig((config) => ({ ...config, account: '999988887777' })),
    );

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'the credentials are for account 111122223333; the config pins account 999988887777',
    );
    expect(result.fix).toContain('Use credentials for account 999988887777');
  });
});

describe('preflight: stacks', () => {
  it('reads a deployment with no stack yet as the first deploy, and names its two commands', async () => {
    // Act
    const stacks = await readStacks(context);
    const result = checkStacks(context, stacks);

    // Assess
    expect(stacks).toEqual({});
    expect(result).toEqual({
      title: 'Stacks',
      status: 'ok',
      detail:
        'none yet: the first deploy is npx cdk deploy --all -c config=riverside -c firstDeploy=true && npx cdk deploy --all -c config=riverside',
    });
    expect(inputsOf(account.mocks.cloudFormation, ListStacksCommand)).toStrictEqual([{}]);
    expect(inputsOf(account.mocks.cloudFormation, DescribeStacksCommand)).toStrictEqual([]);
  });

  it('describes the stacks that exist, following ListStacks pages, and ignores deleted ones', async () => {
    // Arrange
    account.mocks.cloudFormation
      .on(ListStacksCommand, {})
      .resolves({
        StackSummaries: [
          {
            StackName: STATELESS,
            StackStatus: 'DELETE_COMPLETE',
            CreationTime: new Date('2026-10-01T00:00:00Z'),
          },
        ],
        NextToken: 'page-2',
      })
      .on(ListStacksCommand, { NextToken: 'page-2' })
      .resolves({
        StackSummaries: [
          {
            StackName: STATEFUL,
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date('2026-10-01T00:00:00Z'),
          },
        ],
      });
    account.mocks.cloudFormation.on(DescribeStacksCommand, { StackName: STATEFUL }).resolves({
      Stacks: [
        {
          StackName: STATEFUL,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-10-01T00:00:00Z'),
          EnableTerminationProtection: true,
          Outputs: [{ OutputKey: 'InboundSmsTopicArn', OutputValue: TOPIC }],
        },
      ],
    });

    // Act
    const stacks = await readStacks(context);

    // Assess
    expect(stacks).toEqual({
      stateful: {
        name: STATEFUL,
        status: 'UPDATE_COMPLETE',
        terminationProtection: true,
        outputs: { InboundSmsTopicArn: TOPIC },
      },
    });
    expect(inputsOf(account.mocks.cloudFormation, ListStacksCommand)).toStrictEqual([
      {},
      { NextToken: 'page-2' },
    ]);
    expect(inputsOf(account.mocks.cloudFormation, DescribeStacksCommand)).toStrictEqual([
      { StackName: STATEFUL },
    ]);
  });

  it('passes a deployed, locked deployment', async () => {
    // Arrange
    installStacks(account, [
      { name: STATEFUL, status: 'UPDATE_COMPLETE', terminationProtection: true },
      { name: STATELESS, status: 'UPDATE_COMPLETE', terminationProtection: false },
    ]);

    // Act
    const result = checkStacks(context, await readStacks(context));

    // Assess
    expect(result).toEqual({
      title: 'Stacks',
      status: 'ok',
      detail: `${STATEFUL} is UPDATE_COMPLETE, locked; ${STATELESS} is UPDATE_COMPLETE`,
    });
  });

  it('fails a stateful stack left unlocked after the first deploy, with the deploy that locks it', async () => {
    // Arrange
    installStacks(account, [{ name: STATEFUL, status: 'CREATE_COMPLETE', terminationProtection: false }]);

    // Act
    const result = checkStacks(context, await readStacks(context));

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('not locked');
    expect(result.fix).toContain('npx cdk deploy --all -c config=riverside turns on termination protection');
  });

  it('fails a rolled-back first create that termination protection keeps, and tells how to retry it', async () => {
    // Arrange
    installStacks(account, [{ name: STATEFUL, status: 'ROLLBACK_COMPLETE', terminationProtection: true }]);

    // Act
    const result = checkStacks(context, await readStacks(context));

    // Assess
    expect(result.status).toBe('fail');
    expect(result.fix).toContain(
      `aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${STATEFUL}`,
    );
    expect(result.fix).toContain('npx cdk deploy --all -c config=riverside -c firstDeploy=true');
  });

  it('warns of a rolled-back first create that the next deploy can delete and create again', async () => {
    // Arrange
    installStacks(account, [{ name: STATEFUL, status: 'ROLLBACK_COMPLETE', terminationProtection: false }]);

    // Act
    const result = checkStacks(context, await readStacks(context));

    // Assess
    expect(result.status).toBe('warn');
    expect(result.fix).toContain(`aws cloudformation describe-stack-events --stack-name ${STATEFUL}`);
  });

  it.each([
    ['UPDATE_IN_PROGRESS', 'Wait until'],
    ['ROLLBACK_FAILED', 'If the first deploy fails'],
    ['UPDATE_ROLLBACK_FAILED', 'continue-update-rollback'],
  ])('fails a stack in %s with what to do', async (status, fix) => {
    // Arrange
    installStacks(account, [
      { name: STATEFUL, status: 'UPDATE_COMPLETE', terminationProtection: true },
      { name: STATELESS, status, terminationProtection: false },
    ]);

    // Act
    const result = checkStacks(context, await readStacks(context));

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(`${STATELESS} is ${status}`);
    expect(result.fix).toContain(fix);
  });
});

describe('preflight: CDK bootstrap', () => {
  it('passes a bootstrap version the stacks accept, read from the parameter the synthesizer names', async () => {
    // Act
    const result = await checkBootstrap(context, '111122223333');

    // Assess
    expect(result).toEqual({
      title: 'CDK bootstrap',
      status: 'ok',
      detail: 'version 30 (/cdk-bootstrap/hnb659fds/version); the stacks need 6 or later',
    });
    expect(inputsOf(account.mocks.ssm, GetParameterCommand)).toStrictEqual([
      { Name: '/cdk-bootstrap/hnb659fds/version' },
    ]);
  });

  it('fails an unbootstrapped region with the bootstrap command, config included', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkBootstrap(context, '444455556666');

    // Assess
    expect(result.status).toBe('fail');
    expect(result.fix).toBe(
      'Run npx cdk bootstrap aws://444455556666/us-east-1 -c config=riverside (once per account and region).',
    );
  });

  it('fails a bootstrap older than the stacks need', async () => {
    // Arrange
    account.mocks.ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '4' } });

    // Act
    const result = await checkBootstrap(context, '111122223333');

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('bootstrap version 4; the stacks need 6 or later');
  });
});

describe('preflight: Lambda concurrency', () => {
  it('passes a quota that leaves 100 unreserved after the stacks reserve theirs', async () => {
    // Act
    const result = await checkLambdaConcurrency(context, {});

    // Assess
    expect(result).toEqual({
      title: 'Lambda concurrency',
      status: 'ok',
      detail:
        'quota 1000, of which 1000 unreserved now; the stacks reserve 38 (PlanMessages 10, ReplanFailedChanges 2, DispatchDue 1, SendMessage 5, StaffApi 20), leaving 962 unreserved (at least 100 needed)',
    });
    expect(inputsOf(account.mocks.lambda, GetAccountSettingsCommand)).toStrictEqual([{}]);
    expect(inputsOf(account.mocks.cloudFormation, ListStackResourcesCommand)).toStrictEqual([]);
  });

  it('fails a new account’s quota of 10 and asks for 138, with the Service Quotas command', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkLambdaConcurrency(context, {});

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('which would leave -28 unreserved; Lambda keeps at least 100');
    expect(result.fix).toContain(
      'aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 138',
    );
  });

  it('counts what other functions of the account reserve', async () => {
    // Arrange
    account.mocks.lambda.on(GetAccountSettingsCommand).resolves(accountSettings(1000, 120));

    // Act
    const result = await checkLambdaConcurrency(context, {});

    // Assess
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('--desired-value 1018');
  });

  it('credits an existing deployment with the reservations it already holds', async () => {
    // Arrange: a quota of 140 of which this deployment holds 36, so 104 are unreserved.
    account.mocks.lambda.on(GetAccountSettingsCommand).resolves(accountSettings(140, 104));
    const functions = {
      PlanMessagesFunction964E1613: ['ClinicReminders-riverside-Sta-PlanMessagesFunction9-Xy12', 10],
      DispatchDueFunctionA6996294: ['ClinicReminders-riverside-Sta-DispatchDueFunctionA-Xy34', 1],
      SendMessageFunctionB1BE0BFA: ['ClinicReminders-riverside-Sta-SendMessageFunctionB-Xy56', 5],
      StaffApiFunction9C6D1A88: ['ClinicReminders-riverside-Sta-StaffApiFunction9C6D-Xy78', 20],
      SeedClinicsFunction7AB252C1: ['ClinicReminders-riverside-Sta-SeedClinicsFunction7-Xy90', 0],
    } as const;
    account.mocks.cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        ...Object.entries(functions).map(([logicalId, [physical]]) => ({
          LogicalResourceId: logicalId,
          PhysicalResourceId: physical,
          ResourceType: 'AWS::Lambda::Function',
          ResourceStatus: 'UPDATE_COMPLETE' as const,
          LastUpdatedTimestamp: new Date('2026-11-21T10:05:00Z'),
        })),
        {
          LogicalResourceId: 'StaffHttpApiEE7996EC',
          PhysicalResourceId: 'a1b2c3d4e5',
          ResourceType: 'AWS::ApiGatewayV2::Api',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date('2026-11-21T10:05:00Z'),
        },
      ],
    });
    for (const [physical, reserved] of Object.values(functions)) {
      account.mocks.lambda
        .on(GetFunctionConcurrencyCommand, { FunctionName: physical })
        .resolves({ ReservedConcurrentExecutions: reserved });
    }

    // Act
    const result = await checkLambdaConcurrency(context, deployed());

    // Assess
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('(this deployment already reserves 36)');
    // The deployed release predates replan-failed-changes: upgrading reserves its 2 more.
    expect(result.detail).toContain('leaving 102 unreserved');
    expect(inputsOf(account.mocks.cloudFormation, ListStackResourcesCommand)).toStrictEqual([
      { StackName: STATELESS },
    ]);
    // Only the functions the template reserves for; the seeding function reserves none.
    expect(inputsOf(account.mocks.lambda, GetFunctionConcurrencyCommand)).toStrictEqual(
      Object.entries(functions)
        .filter(([logicalId]) => logicalId !== 'SeedClinicsFunction7AB252C1')
        .map(([, [physical]]) => ({ FunctionName: physical })),
    );
  });
});

describe('preflight: SMS', () => {
  it('passes an account out of the SMS sandbox', async () => {
    expect(await checkSmsSandbox(context)).toEqual({
      title: 'SMS sandbox',
      status: 'ok',
      detail: 'out of the sandbox in us-east-1',
    });
    expect(inputsOf(account.mocks.sns, GetSMSSandboxAccountStatusCommand)).toStrictEqual([{}]);
  });

  it('fails an account in the SMS sandbox, with how to leave it', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkSmsSandbox(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('Move to production');
  });

  it('fails the new-account $1 spend limit against the config’s budget, reading both SNS and End User Messaging', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkSmsSpendLimit(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      "$1 a month (SNS MonthlySpendLimit not set; End User Messaging $1 account limit, at most $1), below the config's sms.monthlyBudgetUsd of $25: texts stop when the limit is reached (this is still the new-account limit)",
    );
    expect(result.fix).toContain('aws sns set-sms-attributes --attributes MonthlySpendLimit=25');
    expect(inputsOf(account.mocks.sns, GetSMSAttributesCommand)).toStrictEqual([
      { attributes: ['MonthlySpendLimit'] },
    ]);
    expect(inputsOf(account.mocks.sms, DescribeSpendLimitsCommand)).toStrictEqual([{}]);
  });

  it('passes a raised limit that covers the config’s monthly budget', async () => {
    expect(await checkSmsSpendLimit(context)).toEqual({
      title: 'SMS spend limit',
      status: 'ok',
      detail:
        '$150 a month (SNS MonthlySpendLimit $150; End User Messaging $150 set, at most $150), covers the monthly budget of $25',
    });
  });

  it('compares the lower of the two limits with the budget', async () => {
    // Arrange
    account.mocks.sns.on(GetSMSAttributesCommand).resolves({ attributes: { MonthlySpendLimit: '90' } });
    const budget = (usd: number) =>
      withConfig((config) => ({ ...config, sms: { ...config.sms, monthlyBudgetUsd: usd } }));

    // Act
    const covered = await checkSmsSpendLimit(budget(80));
    const short = await checkSmsSpendLimit(budget(120));

    // Assess
    expect(covered.status).toBe('ok');
    expect(covered.detail).toContain('$90 a month');
    expect(short.status).toBe('fail');
    expect(short.detail).toContain("below the config's sms.monthlyBudgetUsd of $120");
    expect(short.fix).toContain('aws sns set-sms-attributes --attributes MonthlySpendLimit=120');
  });

  it('checks each number the deployment texts from once: the shared one and every clinic’s own', async () => {
    // Arrange
    const twoNumbers = withConfig((config) => ({
      ...config,
      clinics: [
        ...config.clinics,
        {
          ...structuredClone(config.clinics[0]),
          clinicId: 'riverside-east',
          originationIdentity: {
            id: 'phone-1b2c3d4e5f60718293a4b5c6d7e8f90a',
            number: '+18885550124',
            numberType: 'toll-free',
          },
        } as DeploymentConfig['clinics'][number],
      ],
    }));
    account.mocks.sms.on(DescribePhoneNumbersCommand).resolves({
      PhoneNumbers: [tollFreeNumber(), tollFreeNumber({ PhoneNumber: '+18885550124', Status: 'PENDING' })],
    });

    // Act
    const result = await checkOrigination(twoNumbers);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      `TOLL_FREE +18885550123 is ACTIVE, registration ${REGISTRATION_ID} COMPLETE, 3 parts a second; TOLL_FREE +18885550124 is PENDING, registration ${REGISTRATION_ID} COMPLETE`,
    );
    expect(inputsOf(account.mocks.sms, DescribePhoneNumbersCommand)).toStrictEqual([{}, {}]);
  });

  it('passes an active, registered toll-free number that allows the configured rate', async () => {
    // Act
    const result = await checkOrigination(context);

    // Assess
    expect(result).toEqual({
      title: 'SMS origination identity',
      status: 'ok',
      detail: `TOLL_FREE +18885550123 is ACTIVE, registration ${REGISTRATION_ID} COMPLETE, 3 parts a second`,
    });
    expect(inputsOf(account.mocks.sms, DescribePhoneNumbersCommand)).toStrictEqual([{}]);
    expect(inputsOf(account.mocks.sms, DescribeRegistrationsCommand)).toStrictEqual([
      { RegistrationIds: [REGISTRATION_ID] },
    ]);
  });

  it('looks for the number on every page of the account’s numbers', async () => {
    // Arrange
    account.mocks.sms
      .on(DescribePhoneNumbersCommand, {})
      .resolves({ PhoneNumbers: [tollFreeNumber({ PhoneNumber: '+18885550100' })], NextToken: 'more' })
      .on(DescribePhoneNumbersCommand, { NextToken: 'more' })
      .resolves({ PhoneNumbers: [tollFreeNumber()] });

    // Act
    const result = await checkOrigination(context);

    // Assess
    expect(result.status).toBe('ok');
    expect(inputsOf(account.mocks.sms, DescribePhoneNumbersCommand)).toStrictEqual([
      {},
      { NextToken: 'more' },
    ]);
  });

  it('fails a number the account does not have in this region', async () => {
    // Arrange
    account.mocks.sms.on(DescribePhoneNumbersCommand).resolves({ PhoneNumbers: [] });

    // Act
    const result = await checkOrigination(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('+18885550123 is not a phone number of this account in us-east-1');
  });

  it('fails a number whose registration is still under review', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkOrigination(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      `TOLL_FREE +18885550123: its registration ${REGISTRATION_ID} is REVIEWING, so carriers do not deliver its texts yet`,
    );
  });

  it('tells what to do with a registration the reviewers sent back', async () => {
    // Arrange
    account.mocks.sms.on(DescribeRegistrationsCommand).resolves(registration('REQUIRES_UPDATES'));

    // Act
    const result = await checkOrigination(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('change what the reviewers ask for, and submit it again');
  });

  it('fails a US toll-free number with no registration at all', async () => {
    // Arrange
    account.mocks.sms
      .on(DescribePhoneNumbersCommand)
      .resolves({ PhoneNumbers: [tollFreeNumber({ RegistrationId: undefined })] });

    // Act
    const result = await checkOrigination(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('US carriers block texts from unregistered TOLL_FREE numbers');
    expect(inputsOf(account.mocks.sms, DescribeRegistrationsCommand)).toStrictEqual([]);
  });

  it('fails a simulator number', async () => {
    // Arrange
    account.mocks.sms
      .on(DescribePhoneNumbersCommand)
      .resolves({ PhoneNumbers: [tollFreeNumber({ NumberType: 'SIMULATOR', RegistrationId: undefined })] });

    // Act + Assess
    expect((await checkOrigination(context)).detail).toContain('simulator number');
  });

  it('fails a configured send rate above what the number allows', async () => {
    // Arrange
    account.mocks.sms
      .on(DescribePhoneNumbersCommand)
      .resolves({ PhoneNumbers: [tollFreeNumber({ MessagingLimits: { RateLimits: { SMS: 1 } } })] });

    // Act
    const result = await checkOrigination(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.fix).toBe(
      'Set sms.sendRatePerSecond to 1 or less: above it the provider throttles and sends wait for retries.',
    );
  });

  it('checks a sender id in every country the clinics are in', async () => {
    // Arrange
    const senderOnly = withConfig((config) => ({
      ...config,
      clinics: config.clinics.map(({ originationIdentity: _own, ...clinic }) => ({
        ...clinic,
        country: 'GB',
      })),
      sms: { sendRatePerSecond: 1, senderId: 'Riverside', monthlyBudgetUsd: 25 },
    }));
    account.mocks.sms.on(DescribeSenderIdsCommand).resolves({
      SenderIds: [
        {
          SenderIdArn: 'arn:aws:sms-voice:us-east-1:111122223333:sender-id/Riverside/GB',
          SenderId: 'Riverside',
          IsoCountryCode: 'GB',
          MessageTypes: ['TRANSACTIONAL'],
          MonthlyLeasingPrice: '0.00',
          DeletionProtectionEnabled: false,
          Registered: false,
        },
      ],
    });

    // Act
    const result = await checkOrigination(senderOnly);

    // Assess
    expect(result).toEqual({
      title: 'SMS origination identity',
      status: 'ok',
      detail: 'sender id Riverside for GB',
    });
    expect(inputsOf(account.mocks.sms, DescribeSenderIdsCommand)).toStrictEqual([
      { SenderIds: [{ SenderId: 'Riverside', IsoCountryCode: 'GB' }] },
    ]);
  });

  it('fails a sender id that is not set up for a clinic’s country', async () => {
    // Arrange
    const senderOnly = withConfig((config) => ({
      ...config,
      clinics: config.clinics.map(({ originationIdentity: _own, ...clinic }) => ({
        ...clinic,
        country: 'GB',
      })),
      sms: { sendRatePerSecond: 1, senderId: 'Riverside', monthlyBudgetUsd: 25 },
    }));
    account.mocks.sms.on(DescribeSenderIdsCommand).rejects(
      new ResourceNotFoundException({
        message: 'Sender id not found',
        $metadata: { httpStatusCode: 404 },
        ResourceType: 'sender-id',
        ResourceId: 'Riverside',
      }),
    );

    // Act
    const result = await checkOrigination(senderOnly);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('sender id Riverside is not set up for GB in us-east-1');
  });

  it('before the first deploy, says where inbound texts will go and reads nothing', async () => {
    // Act
    const result = await checkInboundSms(context, {});

    // Assess
    expect(result.status).toBe('ok');
    expect(result.detail).toBe(
      'set after the first deploy: two-way SMS on +18885550123 to the stack output InboundSmsTopicArn',
    );
    expect(inputsOf(account.mocks.sms, DescribePhoneNumbersCommand)).toStrictEqual([]);
  });

  it('passes a number that sends inbound texts to the deployment’s topic', async () => {
    // Arrange
    account.mocks.sms
      .on(DescribePhoneNumbersCommand)
      .resolves({ PhoneNumbers: [tollFreeNumber({ TwoWayEnabled: true, TwoWayChannelArn: TOPIC })] });

    // Act
    const result = await checkInboundSms(context, deployed({ InboundSmsTopicArn: TOPIC }));

    // Assess
    expect(result).toEqual({
      title: 'Inbound SMS',
      status: 'ok',
      detail: `+18885550123 sends inbound texts to ${TOPIC}`,
    });
  });

  it('fails a deployed number with two-way SMS off, with the command that turns it on', async () => {
    // Act
    const result = await checkInboundSms(context, deployed({ InboundSmsTopicArn: TOPIC }));

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('two-way SMS is off on +18885550123: STOP and replies are not recorded');
    expect(result.fix).toContain(`Turn on two-way SMS with the destination ${TOPIC}`);
    expect(result.fix).toContain(
      `aws pinpoint-sms-voice-v2 update-phone-number --phone-number-id ${PHONE_NUMBER_ID} --two-way-enabled --two-way-channel-arn ${TOPIC}`,
    );
  });
});

describe('preflight: SES', () => {
  it('passes production access with a send rate that covers the config', async () => {
    expect(await checkSesAccount(context)).toEqual({
      title: 'SES account',
      status: 'ok',
      detail: 'production access, sending, 14 emails a second (the config uses 14)',
    });
    expect(inputsOf(account.mocks.ses, GetAccountCommand)).toStrictEqual([{}]);
  });

  it('fails an account in the SES sandbox', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkSesAccount(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'SES is in the sandbox in us-east-1: it sends only to verified addresses, 200 a day',
    );
  });

  it('fails paused sending, and a configured rate above the account’s', async () => {
    // Arrange
    const ready = {
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 },
    };
    account.mocks.ses
      .on(GetAccountCommand)
      .resolvesOnce({ ...ready, SendingEnabled: false, EnforcementStatus: 'PROBATION' })
      .resolvesOnce({ ...ready, SendQuota: { MaxSendRate: 10 } });

    // Act
    const paused = await checkSesAccount(context);
    const slow = await checkSesAccount(context);

    // Assess
    expect(paused.detail).toBe('sending is paused, account status PROBATION');
    expect(slow.fix).toContain('Set email.sendRatePerSecond to 10 or less');
  });

  it('passes a verified identity', async () => {
    expect(await checkSesIdentity(context)).toEqual({
      title: 'SES identity',
      status: 'ok',
      detail: 'riverside-clinic.example is verified for sending, DKIM SUCCESS',
    });
    expect(inputsOf(account.mocks.ses, GetEmailIdentityCommand)).toStrictEqual([
      { EmailIdentity: 'riverside-clinic.example' },
    ]);
  });

  it('fails a domain waiting for its DKIM records, saying to publish them', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkSesIdentity(context);

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'riverside-clinic.example is not verified for sending (verification PENDING, DKIM PENDING)',
    );
    expect(result.fix).toContain('Publish the DKIM CNAME records');
  });

  it('passes a free configuration set name before the first create, and reads nothing once the stack has it', async () => {
    // Act
    const free = await checkSesConfigurationSet(context, {});
    const owned = await checkSesConfigurationSet(context, deployed());

    // Assess
    expect(free.detail).toBe('riverside-reminders is free: the stateful stack creates it');
    expect(owned.detail).toBe(`riverside-reminders belongs to ${STATEFUL}`);
    expect(inputsOf(account.mocks.ses, GetConfigurationSetCommand)).toStrictEqual([
      { ConfigurationSetName: 'riverside-reminders' },
    ]);
  });

  it('fails a configuration set name that is taken', async () => {
    // Arrange
    account.mocks.ses
      .on(GetConfigurationSetCommand)
      .resolves({ ConfigurationSetName: 'riverside-reminders', SendingOptions: { SendingEnabled: true } });

    // Act
    const result = await checkSesConfigurationSet(context, {});

    // Assess
    expect(result.status).toBe('fail');
    expect(result.fix).toContain('Choose another email.configurationSetName');
  });
});

describe('preflight: staff sign-in (Cognito)', () => {
  it('before the first create, finds no user pool of the deployment’s name', async () => {
    // Act
    const result = await checkCognito(context, {});

    // Assess
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('creates clinic-reminders-riverside-staff on the Plus plan');
    expect(inputsOf(account.mocks.cognito, ListUserPoolsCommand)).toStrictEqual([{ MaxResults: 60 }]);
  });

  it('warns of a pool of the same name kept from an earlier deployment, on any page', async () => {
    // Arrange
    account.mocks.cognito
      .on(ListUserPoolsCommand, { MaxResults: 60 })
      .resolves({ UserPools: [{ Id: 'us-east-1_Other0001', Name: 'billing-staff' }], NextToken: 'next' })
      .on(ListUserPoolsCommand, { MaxResults: 60, NextToken: 'next' })
      .resolves({ UserPools: [{ Id: 'us-east-1_Old000001', Name: 'clinic-reminders-riverside-staff' }] });

    // Act
    const result = await checkCognito(context, {});

    // Assess
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('(us-east-1_Old000001), kept from an earlier deployment');
    expect(inputsOf(account.mocks.cognito, ListUserPoolsCommand)).toStrictEqual([
      { MaxResults: 60 },
      { MaxResults: 60, NextToken: 'next' },
    ]);
  });

  it('passes a deployed pool on the Plus plan with threat protection enforced', async () => {
    // Arrange
    account.mocks.cognito.on(DescribeUserPoolCommand).resolves({
      UserPool: { Id: POOL, UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } },
    });

    // Act
    const result = await checkCognito(context, deployed({ StaffUserPoolId: POOL }));

    // Assess
    expect(result.detail).toBe(`user pool ${POOL}: Plus plan, threat protection enforced`);
    expect(inputsOf(account.mocks.cognito, DescribeUserPoolCommand)).toStrictEqual([{ UserPoolId: POOL }]);
  });

  it('fails a deployed pool moved off the Plus plan', async () => {
    // Arrange
    account.mocks.cognito.on(DescribeUserPoolCommand).resolves({
      UserPool: { Id: POOL, UserPoolTier: 'ESSENTIALS', UserPoolAddOns: { AdvancedSecurityMode: 'OFF' } },
    });

    // Act
    const result = await checkCognito(context, deployed({ StaffUserPoolId: POOL }));

    // Assess
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('on the ESSENTIALS plan with threat protection OFF');
  });
});

describe('preflight: survey link secret', () => {
  const NAME = '/clinic-reminders/riverside/survey-link-secret';
  const PUT = `aws ssm put-parameter --region us-east-1 --name ${NAME} --type SecureString --value "$(openssl rand -base64 48)"`;
  const described = (changes: Partial<ParameterMetadata>) => ({
    Parameters: [
      { Name: NAME, Type: 'SecureString' as const, KeyId: 'alias/aws/ssm', Version: 1, ...changes },
    ],
  });

  it('passes the SecureString under the AWS managed key, reading its description only (never its value)', async () => {
    // Act
    const result = await checkSurveyLinkSecret(context);

    // Assess
    expect(result).toEqual({
      title: 'Survey link secret',
      status: 'ok',
      detail: `${NAME}, a SecureString under alias/aws/ssm`,
    });
    expect(inputsOf(account.mocks.ssm, DescribeParametersCommand)).toStrictEqual([
      { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [NAME] }] },
    ]);
    expect(inputsOf(account.mocks.ssm, GetParameterCommand)).toStrictEqual([]);
  });

  it('fails a missing parameter with the command that puts a random one', async () => {
    // Arrange
    installNewAccount(account);

    // Act
    const result = await checkSurveyLinkSecret(context);

    // Assess
    expect(result).toEqual({
      title: 'Survey link secret',
      status: 'fail',
      detail: `no parameter ${NAME} in us-east-1: survey emails cannot be signed`,
      fix: `Put it once (a random value; nobody needs to know it): ${PUT}`,
    });
  });

  it('fails a plain String parameter and one under a key the functions may not use', async () => {
    // Arrange
    account.mocks.ssm
      .on(DescribeParametersCommand)
      .resolvesOnce(described({ Type: 'String', KeyId: undefined }))
      .resolves(described({ KeyId: 'alias/clinic-data' }));

    // Act
    const plain = await checkSurveyLinkSecret(context);
    const otherKey = await checkSurveyLinkSecret(context);

    // Assess
    expect(plain.status).toBe('fail');
    expect(plain.detail).toBe(`${NAME} is a String parameter; it must be a SecureString`);
    expect(plain.fix).toBe(
      `Delete it (aws ssm delete-parameter --region us-east-1 --name ${NAME}), then put it again: ${PUT}`,
    );
    expect(otherKey.status).toBe('fail');
    expect(otherKey.detail).toBe(
      `${NAME} is encrypted with alias/clinic-data; the functions may decrypt it only under alias/aws/ssm`,
    );
    expect(otherKey.fix).toBe(`Put it again under the default key: ${PUT} --overwrite`);
  });
});
