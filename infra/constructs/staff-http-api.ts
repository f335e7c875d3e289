import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnApi,
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CustomDataIdentifier, DataProtectionPolicy, LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { LogRetentionDays } from '../config/schema';
import { neverReplace } from './data-protection';
import type { ReminderFunction } from './reminder-function';

/** What the API needs to know of a route: the staff API's route table (shared/http/staff-api.ts) fits. */
export interface ApiRoute {
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH';
  /** `/v1/clinics/{clinicId}/patients/{patientId}` */
  readonly path: string;
  /** Public routes need no token. */
  readonly public?: boolean;
}

/** API Gateway's name for a route: `POST /v1/clinics/{clinicId}/imports`. */
export function routeKeyOf(route: ApiRoute): string {
  return `${route.method} ${route.path}`;
}

/** The route that takes bulk imports (up to 29 s of writes each): throttled on its own. */
export const IMPORT_ROUTE_KEY = 'POST /v1/clinics/{clinicId}/imports';
export const IMPORT_THROTTLE = { rateLimit: 1, burstLimit: 2 } as const;

/** Where callers put the token: `Authorization: Bearer <ID token>`. */
export const TOKEN_SOURCE = '$request.header.Authorization';

/**
 * One JSON object per request: who (source IP, token subject), what (route,
 * path with its ids), and how it went (status, size, latencies, the
 * integration's and the authorizer's error). Never a body, a query string
 * or a header: those can carry patient data.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationErrorMessage: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
};

/**
 * Patient and appointment ids as they appear in request paths
 * (`/patients/<id>`, `/appointments/<id>`), in the regex dialect of
 * CloudWatch Logs custom data identifiers (no groups, no quotes).
 */
export const RECORD_IDS_IN_PATHS = [
  new CustomDataIdentifier('PatientIdInPath', '/patients/[A-Za-z0-9._-]+'),
  new CustomDataIdentifier('AppointmentIdInPath', '/appointments/[A-Za-z0-9._-]+'),
];

/**
 * How long one request may run: API Gateway waits at most 30 s for an HTTP
 * API integration (CDK allows 29), so the function stops by then too and a
 * slow request ends as the function's timeout, not as a reply nobody reads.
 */
export const STAFF_API_TIMEOUT = Duration.seconds(29);

const METHODS: Record<ApiRoute['method'], HttpMethod> = {
  GET: HttpMethod.GET,
  PUT: HttpMethod.PUT,
  POST: HttpMethod.POST,
  PATCH: HttpMethod.PATCH,
};

export interface StaffHttpApiProps {
  readonly deploymentName: string;
  /** Serves every route (payload format 2.0). */
  readonly handler: ReminderFunction;
  /** Every route the handler serves. */
  readonly routes: readonly ApiRoute[];
  /** The user pool's issuer URL. */
  readonly issuer: string;
  /** The app client id: the `aud` of the ID tokens the API accepts. */
  readonly audience: string;
  /** Encrypts the access logs. */
  readonly key: IKey;
  /** Name of the access log group (under the deployment's log-group prefix). */
  readonly accessLogGroupName: string;
  /** How long access logs are kept: they are audit records (the config's auditLogRetentionDays). */
  readonly logRetentionDays: LogRetentionDays;
  /** Stage-wide steady rate (requests per second) and burst. */
  readonly throttle: { readonly ratePerSecond: number; readonly burst: number };
}

/**
 * The staff API in AWS: an HTTP API whose routes are exactly the handler's
 * route table, each sent to the one function; every route but the public
 * ones behind a JWT authorizer that accepts only ID tokens of the staff
 * user pool's client. One `$default` stage (no stage prefix in the path,
 * deployed on every change) with JSON access logs and throttling.
 */
export class StaffHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** Attach to the roles of the people who may see which records were accessed (docs/deploy.md). */
  readonly auditReaders: ManagedPolicy;
  readonly authorizer: HttpJwtAuthorizer;
  /** Every route, by route key (`GET /health`). */
  readonly routes: ReadonlyMap<string, HttpRoute>;

  private readonly audiences: string[];

  constructor(scope: Construct, id: string, props: StaffHttpApiProps) {
    super(scope, id);
    this.audiences = [props.audience];

    this.api = new HttpApi(this, 'Api', {
      apiName: `clinic-reminders-${props.deploymentName}-staff`,
      description: `clinic-reminders ${props.deploymentName}: staff API`,
      // The stage is built below, with access logs and throttling.
      createDefaultStage: false,
    });
    neverReplace(
      this.api.node.defaultChild as CfnApi,
      'a replaced API has a new URL: every clinic integration and staff tool would call the old one',
    );

    this.authorizer = new HttpJwtAuthorizer('StaffTokens', props.issuer, {
      authorizerName: 'staff-id-token',
      identitySource: [TOKEN_SOURCE],
      // The staff API client's, and any client added later (the console's: acceptConsole).
      jwtAudience: Lazy.list({ produce: () => this.audiences }),
    });
    // One permission for the whole API instead of one per route: every
    // route reaches the same function, which routes by itself.
    const integration = new HttpLambdaIntegration('StaffApiIntegration', props.handler.fn, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      timeout: STAFF_API_TIMEOUT,
      scopePermissionToRoute: false,
    });

    const routes = new Map<string, HttpRoute>();
    for (const route of props.routes) {
      const key = routeKeyOf(route);
      if (routes.has(key)) throw new Error(`${this.node.path}: route ${key} is listed twice`);
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [METHODS[route.method]],
        integration,
        authorizer: route.public ? new HttpNoneAuthorizer() : this.authorizer,
      });
      if (!added) throw new Error(`${this.node.path}: no route created for ${key}`);
      if (route.public) {
        acknowledge(
          added,
          'AwsSolutions-APIG4',
          `${key} is public on purpose: a liveness check, the API's own description (no data), or the email ` +
            "survey page, whose credential is the link's HMAC signature, checked before anything is read. " +
            'The handler marks it public in its route table; every other route requires a staff ID token.',
        );
      }
      routes.set(key, added);
    }
    this.routes = routes;
    const importRoute = routes.get(IMPORT_ROUTE_KEY);
    if (!importRoute) throw new Error(`${this.node.path}: the route table has no ${IMPORT_ROUTE_KEY}`);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: props.accessLogGroupName,
      retention: props.logRetentionDays,
      // The path names patients and appointments (often MRNs): masked for
      // every reader who lacks logs:Unmask, which only the audit readers'
      // policy below grants.
      dataProtectionPolicy: new DataProtectionPolicy({
        name: 'staff-api-access',
        description: 'Masks patient and appointment ids in request paths for readers without logs:Unmask',
        identifiers: RECORD_IDS_IN_PATHS,
      }),
      encryptionKey: props.key,
      // Who called what and when: kept like the functions' logs, past a teardown.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.ratePerSecond, burstLimit: props.throttle.burst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    // Per-route settings exist only on the L1, as a plain JSON map that CDK
    // passes through as is (so CloudFormation's own key names). API Gateway
    // refuses settings for a route that does not exist yet, hence the dependency.
    (this.stage.node.defaultChild as CfnStage).routeSettings = {
      [IMPORT_ROUTE_KEY]: {
        ThrottlingRateLimit: IMPORT_THROTTLE.rateLimit,
        ThrottlingBurstLimit: IMPORT_THROTTLE.burstLimit,
      },
    };
    this.stage.node.addDependency(importRoute);

    this.auditReaders = new ManagedPolicy(this, 'AuditReaders', {
      managedPolicyName: `clinic-reminders-${props.deploymentName}-api-audit-readers`,
      description: 'Read the staff API access logs with patient and appointment ids unmasked',
      statements: [
        new PolicyStatement({
          actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:Unmask'],
          resources: [this.accessLogs.logGroupArn],
        }),
      ],
    });
  }

  /** The API's base URL (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  get url(): string {
    return this.stage.url;
  }

  /**
   * Lets the staff console call the API from its own origin: ID tokens of
   * the console's app client are accepted, and browsers are allowed (CORS)
   * to send the bearer token, JSON and If-Match from that origin and to read
   * the ETag. No cookies are involved, so no credentials are allowed.
   *
   * @param clientId - the console's app client
   * @param origin - `https://<distribution domain>`
   */
  acceptConsole(clientId: string, origin: string): void {
    this.audiences.push(clientId);
    (this.api.node.defaultChild as CfnApi).corsConfiguration = {
      allowOrigins: [origin],
      allowMethods: ['GET', 'PUT', 'POST', 'PATCH', 'OPTIONS'],
      allowHeaders: ['authorization', 'content-type', 'if-match'],
      exposeHeaders: ['etag'],
      maxAge: 3600,
      allowCredentials: false,
    };
  }
}
