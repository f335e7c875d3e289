import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_FIELDS,
  IMPORT_ROUTE_KEY,
  IMPORT_THROTTLE,
  routeKeyOf,
} from '../../infra/constructs/staff-http-api';
import { CLINICS_ATTRIBUTE } from '../../infra/constructs/staff-users';
import { ROLE_DESCRIPTIONS, ROLES, type Role } from '../../shared/domain/roles';
import { CLINICS_CLAIM, GROUPS_CLAIM } from '../../shared/http/auth';
import { DEFAULT_STAFF_API_CONFIG } from '../../shared/http/env';
import { STAFF_API_ROUTES } from '../../shared/http/staff-api';
import { resourcesOf, SYNTH_TIMEOUT, type Synthesized, sharedSynthesis } from './support';

let synth: Synthesized;
let api: Template;
let users: Template;

beforeAll(() => {
  synth = sharedSynthesis('example');
  api = synth.statelessTemplate;
  users = synth.statefulTemplate;
}, SYNTH_TIMEOUT);

function statelessId(element: { node: { defaultChild?: unknown } }): string {
  return synth.stateless.getLogicalId(element.node.defaultChild as CfnElement);
}

function statefulId(element: { node: { defaultChild?: unknown } }): string {
  return synth.stateful.getLogicalId(element.node.defaultChild as CfnElement);
}

/** The single resource of a type, failing if there are more or none. */
function only(template: Template, type: string) {
  const found = Object.values(resourcesOf(template, type));
  expect(found, type).toHaveLength(1);
  return found[0] as NonNullable<(typeof found)[number]>;
}

function routesByKey(): Map<string, Record<string, unknown>> {
  return new Map(
    Object.values(resourcesOf(api, 'AWS::ApiGatewayV2::Route')).map((route) => [
      route.Properties.RouteKey as string,
      route.Properties,
    ]),
  );
}

function staffApiFunction(): Record<string, unknown> {
  const fn = resourcesOf(api, 'AWS::Lambda::Function')[statelessId(synth.stateless.staffApi.fn)];
  if (!fn) throw new Error('no staff-api function');
  return fn.Properties;
}

function staffApiEnv(): Record<string, unknown> {
  return (staffApiFunction().Environment as { Variables: Record<string, unknown> }).Variables;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function staffApiStatements(): Statement[] {
  const policy = resourcesOf(api, 'AWS::IAM::ManagedPolicy')[statelessId(synth.stateless.staffApi.policy)];
  if (!policy) throw new Error('no staff-api policy');
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

function userPool() {
  return only(users, 'AWS::Cognito::UserPool');
}

function appClient() {
  return only(users, 'AWS::Cognito::UserPoolClient').Properties;
}

describe('staff API: routes and authorization', () => {
  it('serves exactly the routes of the handler route table', () => {
    // Act
    const keys = [...routesByKey().keys()].sort();

    // Assess
    expect(keys).toEqual(STAFF_API_ROUTES.map(routeKeyOf).sort());
    expect(keys).toHaveLength(36);
  });

  it.each(STAFF_API_ROUTES.map((route) => [routeKeyOf(route), route.public === true] as const))(
    '%s: public %s, and otherwise behind the staff JWT authorizer',
    (key, isPublic) => {
      // Prepare
      const authorizerId = statelessId(synth.stateless.staffHttpApi.api.node.findChild('StaffTokens'));

      // Act
      const route = routesByKey().get(key);

      // Assess
      expect(route, key).toBeDefined();
      if (isPublic) {
        expect(route?.AuthorizationType).toBe('NONE');
        expect(route?.AuthorizerId).toBeUndefined();
      } else {
        expect(route?.AuthorizationType).toBe('JWT');
        expect(route?.AuthorizerId).toEqual({ Ref: authorizerId });
      }
    },
  );

  it('leaves only /health, /openapi.json and the email survey page (its link is signed) public', () => {
    const open = [...routesByKey()]
      .filter(([, route]) => route.AuthorizationType === 'NONE')
      .map(([key]) => key);
    expect(open.sort()).toEqual([
      'GET /health',
      'GET /openapi.json',
      'GET /survey/{clinicId}/{token}',
      'POST /survey/{clinicId}/{token}',
    ]);
  });

  it('accepts only ID tokens the staff app client (or the console’s) got from the staff user pool, in the Authorization header', () => {
    api.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: statelessId(synth.stateless.staffHttpApi.api) },
      AuthorizerType: 'JWT',
      Name: 'staff-id-token',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [
          {
            'Fn::GetStackOutput': Match.objectLike({
              OutputName: Match.stringLikeRegexp(`Ref${statefulId(synth.stateful.staffUsers.client)}`),
            }),
          },
          // The staff console's own app client (console-site.test.ts).
          { Ref: statelessId(synth.stateless.consoleSite.client) },
        ],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.us-east-1.amazonaws.com/',
              {
                'Fn::GetStackOutput': Match.objectLike({
                  OutputName: Match.stringLikeRegexp(`Ref${statefulId(synth.stateful.staffUsers.userPool)}`),
                }),
              },
            ],
          ],
        },
      },
    });
  });

  it('sends every route to staff-api as payload format 2.0, waiting at most 29 s', () => {
    // Act
    const integration = Object.entries(resourcesOf(api, 'AWS::ApiGatewayV2::Integration'));

    // Assess
    expect(integration).toHaveLength(1);
    const [integrationId, { Properties }] = integration[0] as [
      string,
      { Properties: Record<string, unknown> },
    ];
    expect(Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [statelessId(synth.stateless.staffApi.fn), 'Arn'] },
      PayloadFormatVersion: '2.0',
      TimeoutInMillis: 29_000,
    });
    for (const [key, route] of routesByKey()) {
      expect(route.Target, key).toEqual({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
    }
  });

  it('lets API Gateway invoke staff-api for this API only', () => {
    const permissions = Object.values(resourcesOf(api, 'AWS::Lambda::Permission')).filter(
      (permission) =>
        JSON.stringify(permission.Properties.FunctionName) ===
        JSON.stringify({ 'Fn::GetAtt': [statelessId(synth.stateless.staffApi.fn), 'Arn'] }),
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    });
    expect(JSON.stringify(permissions[0]?.Properties.SourceArn)).toContain(
      `{"Ref":"${statelessId(synth.stateless.staffHttpApi.api)}"}`,
    );
  });
});

describe('staff API: stage, throttling and access logs', () => {
  function stage() {
    return only(api, 'AWS::ApiGatewayV2::Stage') as {
      Properties: Record<string, unknown>;
      DependsOn?: string[];
    };
  }

  it('serves from one $default stage that deploys every change, so paths carry no stage prefix', () => {
    expect(stage().Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
  });

  it('throttles the stage to the configured rate and burst', () => {
    expect(synth.config.staffApi).toMatchObject({ ratePerSecond: 50, burst: 100 });
    expect(stage().Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: synth.config.staffApi.ratePerSecond,
      ThrottlingBurstLimit: synth.config.staffApi.burst,
    });
  });

  it('throttles imports to one a second (burst 2), after the import route exists', () => {
    // Prepare
    const importRoute = synth.stateless.staffHttpApi.routes.get(IMPORT_ROUTE_KEY);

    // Assess
    expect(STAFF_API_ROUTES.map(routeKeyOf)).toContain(IMPORT_ROUTE_KEY);
    expect(IMPORT_THROTTLE).toEqual({ rateLimit: 1, burstLimit: 2 });
    expect(stage().Properties.RouteSettings).toEqual({
      [IMPORT_ROUTE_KEY]: { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2 },
    });
    expect(importRoute).toBeDefined();
    expect(stage().DependsOn).toContain(statelessId(importRoute as NonNullable<typeof importRoute>));
  });

  it('logs each request as one JSON object with who, what and how it went', () => {
    // Act
    const settings = stage().Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const format = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      sourceIp: '$context.identity.sourceIp',
      httpMethod: '$context.httpMethod',
      routeKey: '$context.routeKey',
      path: '$context.path',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationErrorMessage: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
      sub: '$context.authorizer.claims.sub',
    });
    expect(settings.DestinationArn).toEqual({
      'Fn::GetAtt': [statelessId(synth.stateless.staffHttpApi.accessLogs), 'Arn'],
    });
  });

  it('never logs a body, a query string or a header', () => {
    for (const variable of Object.values(ACCESS_LOG_FIELDS)) {
      expect(variable).toMatch(/^\$context\.[A-Za-z.]+$/);
      expect(variable.toLowerCase()).not.toMatch(/body|querystring|header|claims\.(?!sub$)/);
    }
  });

  it('keeps the access logs encrypted with the project key for six years by default, past a teardown', () => {
    const group = resourcesOf(api, 'AWS::Logs::LogGroup')[
      statelessId(synth.stateless.staffHttpApi.accessLogs)
    ];
    expect(synth.config.auditLogRetentionDays).toBe(2192);
    expect(group?.Properties.RetentionInDays).toBe(2192);
    expect(group?.Properties.LogGroupName).toBe('/clinic-reminders/riverside/staff-api-access');
    expect(JSON.stringify(group?.Properties.KmsKeyId)).toContain('DataKey');
    expect(group?.DeletionPolicy).toBe('Retain');
  });

  it('masks patient and appointment ids in the logged paths for every reader without logs:Unmask', () => {
    // Prepare
    const group = resourcesOf(api, 'AWS::Logs::LogGroup')[
      statelessId(synth.stateless.staffHttpApi.accessLogs)
    ];
    const policy = group?.Properties.DataProtectionPolicy as {
      Statement: { Operation: Record<string, unknown>; DataIdentifier: string[] }[];
      Configuration: { CustomDataIdentifier: { Name: string; Regex: string }[] };
    };
    const line = JSON.stringify({
      routeKey: 'GET /v1/clinics/{clinicId}/patients/{patientId}',
      path: '/v1/clinics/riverside/patients/MRN-00123.4/appointments/a_77',
      status: '200',
    });

    // Act
    const masked = policy.Configuration.CustomDataIdentifier.reduce(
      (text, identifier) => text.replace(new RegExp(identifier.Regex, 'g'), '****'),
      line,
    );

    // Assess
    expect(policy.Statement.some((statement) => 'Deidentify' in statement.Operation)).toBe(true);
    expect(masked).not.toContain('MRN-00123.4');
    expect(masked).not.toContain('a_77');
    expect(masked).toContain('/v1/clinics/riverside');
    expect(masked).toContain('"routeKey":"GET /v1/clinics/{clinicId}/patients/{patientId}"');
    expect(masked).toContain('"status":"200"');
  });

  it('grants logs:Unmask on the access logs only through the audit readers policy', () => {
    const readers = resourcesOf(api, 'AWS::IAM::ManagedPolicy')[
      statelessId(synth.stateless.staffHttpApi.auditReaders)
    ];
    expect(readers?.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:Unmask'],
          Resource: { 'Fn::GetAtt': [statelessId(synth.stateless.staffHttpApi.accessLogs), 'Arn'] },
        },
      ],
    });
    const unmaskers = Object.entries(resourcesOf(api, 'AWS::IAM::ManagedPolicy')).filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('logs:Unmask'),
    );
    expect(unmaskers.map(([id]) => id)).toEqual([statelessId(synth.stateless.staffHttpApi.auditReaders)]);
  });
});

describe('staff API: the function', () => {
  it('runs with 1 GB, stops at 29 s and reserves the configured concurrency', () => {
    expect(staffApiFunction()).toMatchObject({
      MemorySize: 1024,
      Timeout: 29,
      ReservedConcurrentExecutions: synth.config.staffApi.concurrency,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
  });

  it('reads the clinics from the claim Cognito gives the custom attribute, with the default limits', () => {
    expect(staffApiEnv()).toMatchObject({
      CLINICS_CLAIM: `custom:${CLINICS_ATTRIBUTE}`,
      JSON_MAX_BYTES: String(DEFAULT_STAFF_API_CONFIG.jsonMaxBytes),
      IMPORT_MAX_BYTES: String(DEFAULT_STAFF_API_CONFIG.importMaxBytes),
      IMPORT_MAX_ROWS: String(DEFAULT_STAFF_API_CONFIG.importMaxRows),
      STAFF_BROADCAST_MAX_RECIPIENTS: String(synth.config.staffApi.staffBroadcastMaxRecipients),
      MESSAGE_RETENTION_DAYS: String(synth.config.messageRetentionDays),
    });
    expect(CLINICS_CLAIM).toBe('custom:clinics');
  });

  it('writes clinics, patients and appointments; of messages, queries a partition and creates and updates staff replies, never the due index; sends only to the send queue; reads one SSM parameter (the survey link secret)', () => {
    // Prepare
    const tableStatements = (table: string) =>
      staffApiStatements().filter(
        (statement) =>
          [statement.Action].flat().some((action) => action.startsWith('dynamodb:')) &&
          JSON.stringify(statement.Resource).includes(table),
      );
    const actionsOn = (table: string) =>
      tableStatements(table).flatMap((statement) => [statement.Action].flat());

    // Assess
    for (const table of ['ClinicsTable', 'PatientsTable', 'AppointmentsTable']) {
      expect(actionsOn(table), table).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']),
      );
      expect(actionsOn(table), table).not.toContain('dynamodb:UpdateItem');
    }
    expect(JSON.stringify(tableStatements('AppointmentsTable'))).toContain('/index/byStartKeys');
    expect([...actionsOn('MessagesTable')].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const messageResources = tableStatements('MessagesTable')
      .flatMap((statement) => [statement.Resource].flat())
      .map((resource) => JSON.stringify(resource))
      .filter((resource) => resource.includes('MessagesTable'));
    expect(messageResources.filter((resource) => resource.includes('/index/'))).toEqual([]);
    expect(actionsOn('MessagesTable').filter((action) => /Delete|Write/.test(action))).toEqual([]);
    const services = new Set(
      staffApiStatements().flatMap((statement) =>
        [statement.Action].flat().map((action) => action.split(':')[0]),
      ),
    );
    expect([...services].sort()).toEqual(['dynamodb', 'kms', 'logs', 'sqs', 'ssm']);
    // The survey link secret: its one parameter, read only.
    const ssm = staffApiStatements().filter((statement) => JSON.stringify(statement.Action).includes('ssm:'));
    expect(ssm.map((statement) => [statement.Action].flat())).toEqual([['ssm:GetParameter']]);
    expect(JSON.stringify(ssm.map((statement) => statement.Resource))).toContain(
      ':parameter/clinic-reminders/riverside/survey-link-secret',
    );
    const sqs = staffApiStatements().filter((statement) => JSON.stringify(statement.Action).includes('sqs:'));
    expect(sqs.map((statement) => [statement.Action].flat())).toEqual([['sqs:SendMessage']]);
    expect(JSON.stringify(sqs.map((statement) => statement.Resource))).toContain('SendQueue');
    // The project's key, only through DynamoDB (the tables) and SQS (the encrypted send queue).
    const via = staffApiStatements()
      .filter((s) => JSON.stringify(s.Action).includes('kms:'))
      .map(
        (statement) =>
          (statement.Condition as { StringEquals?: Record<string, string> })?.StringEquals?.[
            'kms:ViaService'
          ],
      );
    expect(new Set(via)).toEqual(
      new Set(['dynamodb.us-east-1.amazonaws.com', 'sqs.us-east-1.amazonaws.com']),
    );
  });
});

describe('staff API: alarms, dashboard and outputs', () => {
  const alarm = (fragment: string) =>
    Object.entries(resourcesOf(api, 'AWS::CloudWatch::Alarm')).find(([id]) => id.includes(fragment))?.[1]
      .Properties;

  it('alarms on server errors of the API', () => {
    expect(alarm('StaffApiServerErrorsAlarm')).toMatchObject({
      AlarmName: 'clinic-reminders-riverside-StaffApiServerErrors',
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: statelessId(synth.stateless.staffHttpApi.api) } }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on the first crash or timeout of staff-api', () => {
    expect(alarm('StaffApiErrorsAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: statelessId(synth.stateless.staffApi.fn) } }],
      Threshold: 1,
    });
  });

  it('draws the API traffic, latency and function health on the dashboard', () => {
    const body = JSON.stringify(
      resourcesOf(api, 'AWS::CloudWatch::Dashboard')[statelessId(synth.stateless.monitoring.dashboard)]
        ?.Properties.DashboardBody,
    );
    for (const title of ['Staff API requests, 4xx and 5xx', 'Staff API latency (ms)', 'staff-api errors']) {
      expect(body).toContain(title);
    }
  });

  it('outputs the API URL, the user pool, the app client and the issuer', () => {
    api.hasOutput('StaffApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            { Ref: statelessId(synth.stateless.staffHttpApi.api) },
            '.execute-api.us-east-1.',
          ]),
        ],
      },
    });
    users.hasOutput('StaffUserPoolId', { Value: { Ref: statefulId(synth.stateful.staffUsers.userPool) } });
    users.hasOutput('StaffUserPoolClientId', {
      Value: { Ref: statefulId(synth.stateful.staffUsers.client) },
    });
    users.hasOutput('StaffTokenIssuer', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://cognito-idp.us-east-1.amazonaws.com/',
            { Ref: statefulId(synth.stateful.staffUsers.userPool) },
          ],
        ],
      },
    });
  });
});

describe('staff users: the Cognito user pool', () => {
  it('keeps staff accounts in the stateful stack, retained and protected against deletion', () => {
    expect(userPool()).toMatchObject({
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtection: 'ACTIVE' },
    });
    api.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('lets only administrators create users, who sign in and recover their account by email', () => {
    expect(userPool().Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('requires an authenticator app (TOTP) as the second factor, and nothing else', () => {
    expect(userPool().Properties).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  it('requires long passwords with every character class, and temporary ones expire in 3 days', () => {
    const { PasswordPolicy } = userPool().Properties.Policies as { PasswordPolicy: Record<string, unknown> };
    expect(PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    expect(PasswordPolicy).toMatchObject({
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 3,
    });
  });

  it('runs threat protection in full-function mode, refusing breached passwords', () => {
    expect(userPool().Properties).toMatchObject({
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    expect(only(users, 'AWS::Cognito::UserPoolRiskConfigurationAttachment').Properties).toMatchObject({
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: { Actions: { HighAction: { EventAction: 'BLOCK' } } },
    });
  });

  it('holds each user’s clinics in a mutable text attribute of up to 2048 characters', () => {
    expect(userPool().Properties.Schema).toEqual(
      expect.arrayContaining([
        {
          Name: CLINICS_ATTRIBUTE,
          AttributeDataType: 'String',
          Mutable: true,
          StringAttributeConstraints: { MaxLength: '2048' },
        },
      ]),
    );
  });
});

describe('staff users: roles (Cognito groups)', () => {
  it('has one group per role, named as the role the staff API reads from cognito:groups', () => {
    const groups = Object.values(resourcesOf(users, 'AWS::Cognito::UserPoolGroup'));

    expect(groups.map((group) => group.Properties.GroupName).sort()).toEqual([...ROLES].sort());
    for (const group of groups) {
      expect(group.Properties).toMatchObject({
        UserPoolId: { Ref: statefulId(synth.stateful.staffUsers.userPool) },
        Description: ROLE_DESCRIPTIONS[group.Properties.GroupName as Role],
      });
    }
    expect(GROUPS_CLAIM).toBe('cognito:groups');
  });

  it('lists a user in both groups with clinic-admin first (precedence)', () => {
    const precedence = Object.fromEntries(
      Object.values(resourcesOf(users, 'AWS::Cognito::UserPoolGroup')).map((group) => [
        group.Properties.GroupName,
        group.Properties.Precedence,
      ]),
    );

    expect(precedence).toEqual({ 'clinic-admin': 1, staff: 2 });
  });

  it('keeps the groups and their members when the stack goes or a change would replace them', () => {
    for (const group of Object.values(resourcesOf(users, 'AWS::Cognito::UserPoolGroup'))) {
      expect(group).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    }
  });

  it('accepts at the API only tokens of the client of this pool, whose ID tokens carry the groups', () => {
    const authorizer = only(api, 'AWS::ApiGatewayV2::Authorizer').Properties;

    expect(JSON.stringify(authorizer)).toContain(
      synth.stateful.getLogicalId(synth.stateful.staffUsers.client.node.defaultChild as CfnElement),
    );
  });
});

describe('staff users: sign-in events', () => {
  it('exports every sign-in with its risk decision (userAuthEvents) to a log group kept six years', () => {
    // Prepare
    const group = resourcesOf(users, 'AWS::Logs::LogGroup')[
      statefulId(synth.stateful.staffUsers.signInEvents)
    ];

    // Assess
    expect(only(users, 'AWS::Cognito::LogDeliveryConfiguration').Properties).toEqual({
      UserPoolId: { Ref: statefulId(synth.stateful.staffUsers.userPool) },
      LogConfigurations: [
        {
          EventSource: 'userAuthEvents',
          LogLevel: 'INFO',
          CloudWatchLogsConfiguration: {
            LogGroupArn: { 'Fn::GetAtt': [statefulId(synth.stateful.staffUsers.signInEvents), 'Arn'] },
          },
        },
      ],
    });
    expect(group?.Properties.RetentionInDays).toBe(2192);
    expect(group?.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  it('masks email and IP addresses of sign-in events for readers without logs:Unmask', () => {
    const group = resourcesOf(users, 'AWS::Logs::LogGroup')[
      statefulId(synth.stateful.staffUsers.signInEvents)
    ];
    const policy = JSON.stringify(group?.Properties.DataProtectionPolicy);
    expect(policy).toContain('arn:aws:dataprotection::aws:data-identifier/EmailAddress');
    expect(policy).toContain('arn:aws:dataprotection::aws:data-identifier/IpAddress');
    expect(policy).toContain('Deidentify');
  });
});

describe('staff users: the app client', () => {
  it('is the only client: SRP sign-in, no secret, no OAuth, no user-existence hints, revocable tokens', () => {
    expect(appClient()).toMatchObject({
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
  });

  it('issues ID and access tokens valid for 15 minutes, so a removed clinic stops working within 15 minutes', () => {
    expect(appClient()).toMatchObject({
      IdTokenValidity: 15,
      AccessTokenValidity: 15,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes' },
    });
  });

  it('puts the clinics in the ID token: the client may read the attribute', () => {
    expect(appClient().ReadAttributes).toContain(CLINICS_CLAIM);
  });

  it('never lets users write their own clinics (or their sign-in email)', () => {
    // Without a list Cognito lets the client write every standard attribute, the sign-in email included.
    const writable = appClient().WriteAttributes as string[] | undefined;
    expect(writable?.length).toBeGreaterThan(0);
    expect(writable).not.toContain(CLINICS_CLAIM);
    expect(writable?.filter((attribute) => attribute.startsWith('custom:'))).toEqual([]);
    expect(writable).not.toContain('email');
  });
});
