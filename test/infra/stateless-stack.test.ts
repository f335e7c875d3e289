import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type EnvSchema,
  LAMBDA_PROVIDED_ENV,
  type ReminderFunction,
} from '../../infra/constructs/reminder-function';
import { senderConcurrency } from '../../infra/constructs/sender-concurrency';
import { INBOUND_FUNCTION_TIMEOUT, SEND_FUNCTION_TIMEOUT } from '../../infra/constructs/settings';
import { SWEEP_SCHEDULE } from '../../infra/stacks/stateless-stack';
import { prefixedTableNames } from '../../shared/tables';
import { CDK_ENVIRONMENT, type FunctionName } from '../support/shipped';
import { resourcesOf, SYNTH_TIMEOUT, type Synthesized, sharedSynthesis } from './support';

let synth: Synthesized;
let template: Template;

beforeAll(() => {
  synth = sharedSynthesis('example');
  template = synth.statelessTemplate;
}, SYNTH_TIMEOUT);

function functions(): Record<string, ReminderFunction> {
  const {
    planMessages,
    replanFailedChanges,
    dispatchDue,
    sendMessage,
    seedClinics,
    staffApi,
    handleReceipts,
    handleInbound,
  } = synth.stateless;
  return {
    planMessages,
    replanFailedChanges,
    dispatchDue,
    sendMessage,
    seedClinics,
    staffApi,
    handleReceipts,
    handleInbound,
  } as Record<string, ReminderFunction>;
}

function logicalId(element: { node: { defaultChild?: unknown } }): string {
  return synth.stateless.getLogicalId(element.node.defaultChild as CfnElement);
}

function functionProps(fn: ReminderFunction): Record<string, unknown> {
  const resource = resourcesOf(template, 'AWS::Lambda::Function')[logicalId(fn.fn)];
  if (!resource) throw new Error(`no function ${fn.node.path}`);
  return resource.Properties;
}

function envOf(fn: ReminderFunction): Record<string, unknown> {
  return (functionProps(fn).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every Allow statement of every IAM policy in the stack, with the policy's logical id. */
function allowStatements(): {
  policy: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}[] {
  return Object.entries(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).flatMap(([policy, resource]) =>
    (
      resource.Properties.PolicyDocument as {
        Statement: { Effect: string; Action: string | string[]; Resource: unknown }[];
      }
    ).Statement.filter((statement) => statement.Effect === 'Allow').map((statement) => ({
      policy,
      ...statement,
    })),
  );
}

function policyOf(fn: ReminderFunction): string {
  return JSON.stringify(resourcesOf(template, 'AWS::IAM::ManagedPolicy')[logicalId(fn.policy)]?.Properties);
}

describe('stateless stack: functions', () => {
  it('has the three pipeline functions, the planning replay, the clinic seeder, the staff API, the receipts function and the inbound handler, and no others', () => {
    template.resourceCountIs('AWS::Lambda::Function', 8);
  });

  it.each([
    'planMessages',
    'replanFailedChanges',
    'dispatchDue',
    'sendMessage',
    'seedClinics',
    'staffApi',
    'handleReceipts',
  ])(
    'runs %s on ARM64 with Node.js 24, X-Ray tracing off by decision, source maps off at init and a JSON log format',
    (name) => {
      const fn = functions()[name] as ReminderFunction;
      expect(functionProps(fn)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'PassThrough' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(fn.logGroup) } },
      });
      // Source maps ship but are not parsed at every cold start (set NODE_OPTIONS to debug).
      expect(envOf(fn).NODE_OPTIONS).toBeUndefined();
    },
  );

  it('grants no X-Ray action, since no function traces', () => {
    const actions = Object.values(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).flatMap((policy) =>
      (
        (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement ?? []
      ).flatMap((statement) => [statement.Action].flat()),
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.startsWith('xray:'))).toEqual([]);
  });

  it('gives each function (and the staff API access logs) a log group under the deployment prefix, KMS-encrypted, retained', () => {
    // Act
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');

    // Assess
    expect(Object.keys(groups).sort()).toEqual(
      [...Object.values(functions()).map((fn) => fn.logGroup), synth.stateless.staffHttpApi.accessLogs]
        .map((group) => logicalId(group))
        .sort(),
    );
    for (const fn of Object.values(functions())) {
      expect(groups[logicalId(fn.logGroup)]?.Properties.RetentionInDays).toBe(synth.config.logRetentionDays);
    }
    for (const group of Object.values(groups)) {
      // The key lets CloudWatch Logs encrypt only groups under this prefix.
      expect(group.Properties.LogGroupName).toMatch(/^\/clinic-reminders\/riverside\/[a-z-]+$/);
      expect(JSON.stringify(group.Properties.KmsKeyId)).toContain('DataKey');
      expect(group.DeletionPolicy).toBe('Retain');
    }
    expect(groups[logicalId(synth.stateless.planMessages.logGroup)]?.Properties.LogGroupName).toBe(
      '/clinic-reminders/riverside/plan-messages',
    );
  });

  it('uses no inline IAM policies: every permission is in a customer-managed policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const role of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) {
      expect(role.Properties.Policies).toBeUndefined();
      expect(JSON.stringify(role.Properties.ManagedPolicyArns)).not.toContain('arn:aws:iam::aws:policy');
    }
  });

  it('bounds sweep time, lets one sweep run at a time, and does not retry a failed one', () => {
    expect(functionProps(synth.stateless.dispatchDue)).toMatchObject({
      Timeout: 50,
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: { TargetArn: expect.anything() },
    });
    expect(JSON.stringify(functionProps(synth.stateless.dispatchDue).DeadLetterConfig)).toContain(
      'SweepDeadLetterQueue',
    );
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(synth.stateless.dispatchDue.fn) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
    });
  });
});

describe('stateless stack: environment and permissions together', () => {
  it.each([
    ['planMessages', 'PlanMessagesEnv'],
    ['replanFailedChanges', 'ReplanFailedChangesEnv'],
    ['dispatchDue', 'DispatchDueEnv'],
    ['sendMessage', 'SendMessageEnv'],
    ['seedClinics', 'SeedClinicsEnv'],
    ['staffApi', 'StaffApiEnv'],
    ['handleReceipts', 'HandleReceiptsEnv'],
  ])('sets on %s every variable its %s schema declares, defaults included', (name) => {
    // Prepare
    const fn = functions()[name] as ReminderFunction<EnvSchema>;
    const env = envOf(fn);
    // Only an optional variable without a default may be left out (SMS sender id, …): the config decides.
    const leftToConfig = (schema: unknown) => (schema as { def: { type: string } }).def.type === 'optional';

    // Act
    const missing = Object.entries(fn.envSchema.shape)
      .filter(([key, schema]) => !LAMBDA_PROVIDED_ENV.has(key) && !leftToConfig(schema))
      .filter(([key]) => env[key] === undefined)
      .map(([key]) => key);
    const undeclared = Object.keys(env).filter(
      (key) => key !== 'NODE_OPTIONS' && !(key in fn.envSchema.shape),
    );

    // Assess
    expect(missing).toEqual([]);
    expect(undeclared).toEqual([]);
  });

  it.each([
    ['planMessages', 'plan-messages'],
    ['dispatchDue', 'dispatch-due'],
    ['sendMessage', 'send-message'],
    ['seedClinics', 'seed-clinics'],
    ['staffApi', 'staff-api'],
    ['handleReceipts', 'handle-receipts'],
  ] as const)(
    'invokes the shipped %s handler in its tests with exactly the variables CDK sets',
    (name, folder) => {
      // Prepare
      const fn = functions()[name] as ReminderFunction<EnvSchema>;
      const cdk = Object.keys(envOf(fn)).filter((key) => key !== 'NODE_OPTIONS');

      // Act
      const tested = Object.keys(CDK_ENVIRONMENT[folder as FunctionName](prefixedTableNames('t-')));

      // Assess
      expect(tested.sort()).toEqual(cdk.sort());
    },
  );

  it('sets the optional SMS settings exactly when the config has them', () => {
    const env = envOf(synth.stateless.sendMessage);
    expect(env.SMS_ORIGINATION_NUMBER).toBe(synth.config.sms.originationNumber);
    expect(env.SMS_MAX_PRICE_USD).toBe(synth.config.sms.maxPriceUsd);
    expect(env.SMS_SENDER_ID).toBeUndefined();
  });

  it('passes the configured rates, retention and retry settings', () => {
    const { config } = synth;
    expect(envOf(synth.stateless.dispatchDue)).toMatchObject({
      SMS_PER_SECOND: String(config.sms.sendRatePerSecond),
      EMAIL_PER_SECOND: String(config.email.sendRatePerSecond),
      LEASE_MINUTES: String(config.sending.leaseMinutes),
      MESSAGE_RETENTION_DAYS: String(config.messageRetentionDays),
    });
    expect(envOf(synth.stateless.sendMessage)).toMatchObject({
      SES_FROM_ADDRESS: config.email.fromAddress,
      MAX_SEND_ATTEMPTS: String(config.sending.maxAttempts),
      BACKOFF_BASE_SECONDS: String(config.sending.backoffBaseSeconds),
      BACKOFF_MAX_SECONDS: String(config.sending.backoffMaxSeconds),
    });
  });

  it('grants plan-messages its tables by exact ARN and no index at all (least-privilege.test.ts has every function)', () => {
    // Act
    const planPolicy = policyOf(synth.stateless.planMessages);

    // Assess
    expect(planPolicy).toContain('MessagesTable');
    expect(planPolicy).not.toContain('/index/');
    expect(planPolicy).not.toContain('dynamodb:Scan');
    // Named for the env schema, but never read: plan-messages gets appointments from the stream.
    expect(planPolicy).not.toMatch(/AppointmentsTable[0-9A-F]{8}Arn/);
  });

  it('lets no function scan, delete or batch-write a table: records are only read, put and updated', () => {
    const dynamoActions = allowStatements()
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]))
      .filter((action) => action.startsWith('dynamodb:'));

    expect(dynamoActions).toContain('dynamodb:PutItem');
    for (const forbidden of [
      'dynamodb:Scan',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:*',
    ]) {
      expect(dynamoActions).not.toContain(forbidden);
    }
  });

  it('lets the sender send email only from the configured identity through the configuration set', () => {
    const statement = allowStatements().find((candidate) => candidate.Action === 'ses:SendEmail');
    const resources = JSON.stringify(statement?.Resource);
    expect(resources).toContain(`:identity/${synth.config.email.identity}`);
    expect(resources).toContain(':configuration-set/');
  });

  it('lets the sender text phone numbers but publish to no SNS topic', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'sns:Publish', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'sns:Publish',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:*:*:*']] },
          },
        ],
      },
    });
  });

  it('limits every key statement to the service that uses the key', () => {
    const keyStatements = allowStatements().filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('kms:')),
    );
    expect(keyStatements.length).toBeGreaterThan(0);
    for (const statement of keyStatements) {
      expect(JSON.stringify(statement.Condition)).toMatch(
        /"kms:ViaService":"(dynamodb|sqs)\.us-east-1\.amazonaws\.com"/,
      );
    }
  });
});

describe('stateless stack: triggers', () => {
  it('plans from the appointments stream with partial batches, bisection, bounded retries and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(synth.stateless.planMessages.fn) },
      EventSourceArn: Match.objectLike({
        'Fn::GetStackOutput': Match.objectLike({
          OutputName: Match.stringLikeRegexp('AppointmentsTable.*StreamArn'),
        }),
      }),
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 8,
      MaximumRecordAgeInSeconds: 6 * 3600,
      DestinationConfig: {
        OnFailure: {
          Destination: Match.objectLike({
            'Fn::GetStackOutput': Match.objectLike({
              OutputName: Match.stringLikeRegexp('PlanRetryQueue'),
            }),
          }),
        },
      },
    });
  });

  it('replays failed planning from the retry queue, reading the appointments stream back by position only', () => {
    // Prepare
    const fn = synth.stateless.replanFailedChanges;
    const streamStatements = allowStatements().filter(
      (statement) =>
        statement.policy === logicalId(fn.policy) && JSON.stringify(statement.Resource).includes('StreamArn'),
    );

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(fn.fn) },
      EventSourceArn: Match.objectLike({
        'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('PlanRetryQueue') }),
      }),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(streamStatements.map((statement) => statement.Action)).toEqual([
      ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
    ]);
    expect(JSON.stringify(streamStatements[0]?.Resource)).toContain('AppointmentsTable');
    expect(JSON.stringify(envOf(fn).APPOINTMENTS_STREAM_ARN)).toContain('AppointmentsTable');
    expect(JSON.stringify(envOf(fn).PLAN_DEAD_LETTER_QUEUE_URL)).toContain('PlanDeadLetterQueue');
  });

  it('sends from the send queue with partial batches, capped at the concurrency the send rates need', () => {
    // Prepare
    const expected = senderConcurrency({
      smsPerSecond: synth.config.sms.sendRatePerSecond,
      emailPerSecond: synth.config.email.sendRatePerSecond,
      secondsPerSend: synth.config.sending.secondsPerSend,
    });

    // Assess
    expect(synth.stateless.senderConcurrency).toBe(expected);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(synth.stateless.sendMessage.fn) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: expected },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
    });
    expect(functionProps(synth.stateless.sendMessage)).toMatchObject({
      ReservedConcurrentExecutions: expected,
      Timeout: SEND_FUNCTION_TIMEOUT.toSeconds(),
    });
  });

  it('reads the inbound queue with partial batches, and sets malformed texts aside on the inbound dead-letter queue', () => {
    // Prepare
    const fn = synth.stateless.handleInbound;

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(fn.fn) },
      EventSourceArn: Match.objectLike({
        'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('InboundQueue') }),
      }),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      BatchSize: 10,
    });
    expect(functionProps(fn)).toMatchObject({ Timeout: INBOUND_FUNCTION_TIMEOUT.toSeconds() });
    expect(JSON.stringify(envOf(fn).INBOUND_DEAD_LETTER_QUEUE_URL)).toContain('InboundDeadLetterQueue');
    expect(JSON.stringify(envOf(fn).SEND_QUEUE_URL)).toContain('SendQueue');
    // Each clinic's own number names its clinic.
    expect(envOf(fn).INBOUND_NUMBERS).toBe(
      synth.config.clinics
        .flatMap((clinic) =>
          clinic.originationIdentity ? [`${clinic.originationIdentity.number}=${clinic.clinicId}`] : [],
        )
        .join(','),
    );
    expect(envOf(fn).INBOUND_NUMBERS).not.toBe('');
  });

  it('sweeps every minute through EventBridge Scheduler, with retries and the sweep dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: SWEEP_SCHEDULE,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(synth.stateless.dispatchDue.fn), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
        DeadLetterConfig: {
          Arn: Match.objectLike({
            'Fn::GetStackOutput': Match.objectLike({
              OutputName: Match.stringLikeRegexp('SweepDeadLetterQueue'),
            }),
          }),
        },
      },
    });
    expect(SWEEP_SCHEDULE).toBe('rate(1 minute)');
  });

  it('lets the scheduler assume the sweep role only for the deployment’s own schedule group', () => {
    // Prepare
    const [group] = Object.values(resourcesOf(template, 'AWS::Scheduler::ScheduleGroup'));
    const role = Object.values(resourcesOf(template, 'AWS::IAM::Role')).find((candidate) =>
      JSON.stringify(candidate.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    );

    // Assess
    expect(group?.Properties.Name).toBe('clinic-reminders-riverside');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: { Ref: Match.stringLikeRegexp('^SweepScheduleGroup') },
    });
    expect(role?.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnEquals: { 'aws:SourceArn': expect.anything() },
          },
        },
      ],
    });
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain(
      ':schedule-group/clinic-reminders-riverside',
    );
  });

  it('seeds the configured clinics through a custom resource served by the seed function', () => {
    template.hasResourceProperties('Custom::ConfiguredClinics', {
      ServiceToken: { 'Fn::GetAtt': [logicalId(synth.stateless.seedClinics.fn), 'Arn'] },
      Clinics: JSON.stringify(synth.config.clinics),
    });
  });
});

describe('stateless stack: alarms and dashboard', () => {
  const alarmNamed = (fragment: string) =>
    Object.entries(resourcesOf(template, 'AWS::CloudWatch::Alarm')).find(([id]) => id.includes(fragment))?.[1]
      .Properties;

  it.each(['SendDeadLetterQueue', 'PlanDeadLetterQueue', 'SweepDeadLetterQueue', 'InboundDeadLetterQueue'])(
    'alarms as soon as %s holds a message',
    (queue) => {
      expect(alarmNamed(`${queue}DepthAlarm`)).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    },
  );

  it('alarms on failed messages across both channels at the configured count', () => {
    const alarm = alarmNamed('FailedMessagesAlarm');
    expect(alarm).toMatchObject({ Threshold: synth.config.alarms.failedMessages });
    expect(JSON.stringify(alarm?.Metrics)).toContain('"MetricName":"MessageFailed"');
    expect(JSON.stringify(alarm?.Metrics)).toContain('"Namespace":"ClinicReminders"');
    expect(JSON.stringify(alarm?.Metrics)).toContain('{"Name":"service","Value":"send-message"}');
  });

  it('alarms on the first unknown outcome', () => {
    const alarm = alarmNamed('UnknownOutcomeAlarm');
    expect(alarm).toMatchObject({ Threshold: 1 });
    expect(JSON.stringify(alarm?.Metrics)).toContain('"MetricName":"UnknownOutcome"');
  });

  it('alarms on sweep errors and on a sweep that stopped running', () => {
    expect(alarmNamed('SweepErrorsAlarm')).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(synth.stateless.dispatchDue.fn) } }],
    });
    expect(alarmNamed('SweepStoppedAlarm')).toMatchObject({
      MetricName: 'Invocations',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it.each(['Sms', 'Email'])('alarms on the %s send lag p99 above the configured seconds', (channel) => {
    expect(alarmNamed(`SendLag${channel}Alarm`)).toMatchObject({
      MetricName: 'SendLag',
      Namespace: 'ClinicReminders',
      ExtendedStatistic: 'p99',
      Threshold: synth.config.alarms.sendLagSeconds,
      Dimensions: expect.arrayContaining([{ Name: 'channel', Value: channel.toLowerCase() }]),
    });
  });

  it('names every alarm after the deployment and notifies the alarm topic when it fires and clears', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(21);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmName).toMatch(/^clinic-reminders-riverside-[A-Za-z0-9]+$/);
      expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('AlarmTopic');
      expect(JSON.stringify(alarm.Properties.OKActions)).toContain('AlarmTopic');
    }
  });

  it.each([
    ['SmsSpend80PercentAlarm', 0.8],
    ['SmsSpend100PercentAlarm', 1],
  ])('%s alarms when the month-to-date SMS spend reaches that share of the budget', (id, fraction) => {
    expect(alarmNamed(id)).toMatchObject({
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
      Statistic: 'Maximum',
      Threshold: synth.config.sms.monthlyBudgetUsd * fraction,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
    expect(alarmNamed(id)?.Dimensions).toBeUndefined();
  });

  it('alarms on the first feedback case that passes a due time', () => {
    expect(alarmNamed('CaseOverdueAlarm')).toMatchObject({
      Namespace: 'ClinicReminders',
      MetricName: 'CaseOverdue',
      Dimensions: [{ Name: 'service', Value: 'dispatch-due' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('alarms on the first event the sender could not put on the bus', () => {
    expect(alarmNamed('EventPublishFailedAlarm')).toMatchObject({
      Namespace: 'ClinicReminders',
      MetricName: 'EventPublishFailed',
      Dimensions: [{ Name: 'service', Value: 'send-message' }],
      Threshold: 1,
    });
  });

  it('alarms on throttles of any function of the deployment', () => {
    // Act
    const alarm = alarmNamed('FunctionThrottlesAlarm');
    const throttled = (
      (alarm?.Metrics ?? []) as { MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } } }[]
    )
      .filter((metric) => metric.MetricStat?.Metric.MetricName === 'Throttles')
      .map((metric) => JSON.stringify(metric.MetricStat?.Metric.Dimensions));

    // Assess
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(throttled).toHaveLength(Object.keys(functions()).length);
    for (const fn of Object.values(functions())) {
      expect(throttled.some((dimensions) => dimensions.includes(logicalId(fn.fn)))).toBe(true);
    }
  });

  it('draws sent, skipped and failed per channel and the send lag on the dashboard', () => {
    const body = JSON.stringify(
      (
        resourcesOf(template, 'AWS::CloudWatch::Dashboard') as Record<
          string,
          { Properties: { DashboardBody: unknown } }
        >
      )[logicalId(synth.stateless.monitoring.dashboard)]?.Properties.DashboardBody,
    );
    for (const title of [
      'Sent per channel',
      'Skipped per channel',
      'Failed and unknown per channel',
      'Send lag',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('MetricName=\\\\\\"MessageSent\\\\\\"');
  });
});
