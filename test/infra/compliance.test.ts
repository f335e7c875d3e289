import { App, Stack } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledge, applyCompliancePacks } from '../../infra/compliance';
import {
  acknowledgementsOf,
  allAcknowledgements,
  cdkJsonContext,
  constructOf,
  resourcesOf,
  SYNTH_TIMEOUT,
  type Synthesized,
  synthesize,
} from './support';

let single: Synthesized;
let group: Synthesized;

beforeAll(() => {
  single = synthesize('example');
  group = synthesize('group-example');
}, SYNTH_TIMEOUT);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Allow statements of every IAM policy in the app, with the construct that owns the policy. */
function allowStatements(synth: Synthesized) {
  return [synth.stateful, synth.stateless].flatMap((stack) => {
    const templates = stack === synth.stateful ? synth.statefulTemplate : synth.statelessTemplate;
    return ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy'].flatMap((type) =>
      Object.entries(resourcesOf(templates, type)).flatMap(([logicalId, resource]) =>
        (resource.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter(
          (statement) => statement.Effect === 'Allow',
        ).map((statement) => ({ owner: constructOf(stack, logicalId), statement })),
      ),
    );
  });
}

describe.each([
  ['example', () => single],
  ['group-example (VPC)', () => group],
])('compliance of %s', (_name, get) => {
  it.each([
    ['AWS Solutions', (app: App) => new AwsSolutionsChecks(app)],
    ['HIPAA Security', (app: App) => new HIPAASecurityChecks(app)],
    ['Serverless', (app: App) => new ServerlessChecks(app)],
  ])('leaves no unacknowledged %s finding', (_pack, makePack) => {
    // Act
    const report = makePack(get().app).validateScope(get().app);

    // Assess
    expect(
      report.violations.map(
        (violation) => `${violation.ruleName} ${violation.violatingResources[0]?.constructPath}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('grants no IAM action with a wildcard', () => {
    const wildcards = allowStatements(get())
      .flatMap(({ statement }) => [statement.Action].flat())
      .filter((action) => action.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('grants Resource "*" only in policies that acknowledge it with a reason', () => {
    // Act
    const starred = allowStatements(get()).filter(({ statement }) =>
      [statement.Resource].flat().some((resource) => resource === '*'),
    );

    // Assess
    expect(starred.length).toBeGreaterThan(0);
    for (const { owner, statement } of starred) {
      const reason = acknowledgementsOf(owner).get('AwsSolutions-IAM5[Resource::*]');
      expect(reason, `${owner.node.path} ${JSON.stringify(statement.Action)}`).toBeDefined();
      expect(reason?.length).toBeGreaterThan(40);
    }
  });

  it('gives every acknowledgement a reason a reviewer can check', () => {
    for (const [path, rules] of allAcknowledgements(get().app)) {
      for (const [rule, reason] of rules) expect(reason.length, `${path} ${rule}`).toBeGreaterThan(40);
    }
  });
});

describe('acknowledged findings', () => {
  /** Construct path (without the stack) → acknowledged rule ids, for a review-friendly comparison. */
  function acknowledged(synth: Synthesized): Record<string, string[]> {
    return Object.fromEntries(
      [...allAcknowledgements(synth.app)].map(([path, rules]) => [
        path.replace(/^ClinicReminders-[a-z-]+?-(Stateful|Stateless)\//, '$1/'),
        [...rules.keys()].sort(),
      ]),
    );
  }

  it('are exactly the ones reviewed for a single clinic without a VPC', () => {
    // Every function: tracing off by decision (TRACING_OFF_BECAUSE, docs/architecture.md).
    const untraced = 'Serverless-LambdaTracing';
    const noDlqNeeded = [
      'HIPAA.Security-LambdaDLQ',
      'HIPAA.Security-LambdaInsideVPC',
      'Serverless-LambdaDLQ',
      untraced,
    ];
    const consoleBucket = [
      'HIPAA.Security-S3BucketReplicationEnabled',
      'HIPAA.Security-S3DefaultEncryptionKMS',
    ];
    expect(acknowledged(single)).toEqual({
      'Stateful/ClinicsTable': ['HIPAA.Security-DynamoDBInBackupPlan'],
      'Stateful/PatientsTable': ['HIPAA.Security-DynamoDBInBackupPlan'],
      'Stateful/AppointmentsTable': ['HIPAA.Security-DynamoDBInBackupPlan'],
      'Stateful/MessagesTable': ['HIPAA.Security-DynamoDBInBackupPlan'],
      'Stateful/InboundTable': ['HIPAA.Security-DynamoDBInBackupPlan'],
      'Stateful/SendDeadLetterQueue': ['Serverless-SQSRedrivePolicy'],
      'Stateful/PlanDeadLetterQueue': ['Serverless-SQSRedrivePolicy'],
      'Stateful/ReceiptsDeadLetterQueue': ['Serverless-SQSRedrivePolicy'],
      'Stateful/InboundDeadLetterQueue': ['Serverless-SQSRedrivePolicy'],
      'Stateful/SweepDeadLetterQueue': ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
      'Stateful/AlarmTopic': ['Serverless-SNSRedrivePolicy'],
      'Stateful/StaffUsers/SignInEvents': ['HIPAA.Security-CloudWatchLogGroupEncrypted'],
      'Stateless/PlanMessages/Function/Resource': noDlqNeeded,
      'Stateless/ReplanFailedChanges/Function/Resource': noDlqNeeded,
      'Stateless/ReplanFailedChanges/Function/QueueSource': [
        'Serverless-LambdaEventSourceMappingDestination',
      ],
      'Stateless/DispatchDue/Function/Resource': ['HIPAA.Security-LambdaInsideVPC', untraced],
      'Stateless/DispatchDue/Function/EventInvokeConfig': ['Serverless-LambdaAsyncFailureDestination'],
      'Stateless/SendMessage/Function/Resource': noDlqNeeded,
      'Stateless/SendMessage/Function/QueueSource': ['Serverless-LambdaEventSourceMappingDestination'],
      'Stateless/SendMessage/SmsPublishPolicy': ['AwsSolutions-IAM5[Resource::*]'],
      'Stateless/HandleReceipts/Function/Resource': [
        ...noDlqNeeded,
        'HIPAA.Security-LambdaConcurrency',
      ].sort(),
      'Stateless/HandleReceipts/Function/QueueSource': ['Serverless-LambdaEventSourceMappingDestination'],
      'Stateless/HandleInbound/Function/Resource': [
        ...noDlqNeeded,
        'HIPAA.Security-LambdaConcurrency',
      ].sort(),
      'Stateless/HandleInbound/Function/QueueSource': ['Serverless-LambdaEventSourceMappingDestination'],
      'Stateless/SeedClinics/Function/Resource': [...noDlqNeeded, 'HIPAA.Security-LambdaConcurrency'].sort(),
      'Stateless/StaffApi/Function/Resource': noDlqNeeded,
      'Stateless/StaffHttpApi/Api/GET--health': ['AwsSolutions-APIG4'],
      'Stateless/StaffHttpApi/Api/GET--openapi.json': ['AwsSolutions-APIG4'],
      // The email survey page: its credential is the link's signature.
      'Stateless/StaffHttpApi/Api/GET--survey--{clinicId}--{token}': ['AwsSolutions-APIG4'],
      'Stateless/StaffHttpApi/Api/POST--survey--{clinicId}--{token}': ['AwsSolutions-APIG4'],
      // The console: built files and CloudFront logs, no patient data; the default certificate.
      'Stateless/Console/AccessLogs': consoleBucket,
      'Stateless/Console/Files': consoleBucket,
      'Stateless/Console/Distribution': ['AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4'],
    });
  });

  it('in a VPC, drop the VPC findings and add the one for the network-interface policy', () => {
    // Act
    const found = acknowledged(group);

    // Assess
    expect(Object.values(found).flat()).not.toContain('HIPAA.Security-LambdaInsideVPC');
    expect(found['Stateless/VpcNetworkingPolicy']).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  it('in a VPC, let functions out only by HTTPS to the endpoints the config names', () => {
    // Act
    const template = group.statelessTemplate;
    const [securityGroup] = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroup'));
    const rules = [
      ...((securityGroup?.Properties.SecurityGroupEgress ?? []) as Record<string, unknown>[]),
      ...Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).map((rule) => rule.Properties),
    ];
    const { endpoints } = group.config.vpc ?? { endpoints: { prefixListIds: [], securityGroupIds: [] } };

    // Assess
    const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443 };
    expect(rules).toHaveLength(endpoints.prefixListIds.length + endpoints.securityGroupIds.length);
    for (const id of endpoints.prefixListIds) {
      expect(rules).toContainEqual(expect.objectContaining({ ...https, DestinationPrefixListId: id }));
    }
    for (const id of endpoints.securityGroupIds) {
      expect(rules).toContainEqual(expect.objectContaining({ ...https, DestinationSecurityGroupId: id }));
    }
    expect(rules.some((rule) => 'CidrIp' in rule || 'CidrIpv6' in rule)).toBe(false);
  });
});

describe('the compliance gate', () => {
  it('fails synthesis on a finding nobody acknowledged', () => {
    // Prepare
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'Probe');
    new ManagedPolicy(stack, 'Wide', {
      statements: [new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: ['*'] })],
    });
    applyCompliancePacks(app);

    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  });

  it('lets the same finding through once acknowledged with a reason', () => {
    // Prepare
    const app = new App({ context: cdkJsonContext() });
    const stack = new Stack(app, 'Probe');
    const policy = new ManagedPolicy(stack, 'Wide', {
      statements: [new PolicyStatement({ actions: ['xray:PutTraceSegments'], resources: ['*'] })],
    });
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray trace segments have no resource-level permissions.',
    );
    applyCompliancePacks(app);

    // Act / Assess
    expect(() => app.synth()).not.toThrow();
  });
});
