import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet, IVpc } from 'aws-cdk-lib/aws-ec2';
import {
  type IManagedPolicy,
  ManagedPolicy,
  type PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { LogRetentionDays } from '../config/schema';
import { BUNDLE_TARGET, MAIN_FIELDS, REQUIRE_BANNER } from './bundling';
import { allowOn, sendToQueueStatements } from './iam';

/** Repository root, for entry paths and the lock file. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Variables the Lambda runtime sets itself; a function may not set them
 * (CloudFormation refuses), so env schemas that list them get them for free.
 */
export const LAMBDA_PROVIDED_ENV: ReadonlySet<string> = new Set(['AWS_REGION']);

/** The newest Node.js runtime in aws-cdk-lib, which is what cdk-nag's L1 rule requires. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** An environment schema (zod mini or classic): what matters here is the variables it names. */
export type EnvSchema = { readonly shape: Readonly<Record<string, unknown>> };

/** A variable name the function's env schema declares. */
export type EnvKey<S extends EnvSchema> = Extract<keyof S['shape'], string>;

/**
 * Why no function traces with X-Ray (the acknowledgement of the Serverless
 * pack's LambdaTracing rule, and docs/architecture.md).
 */
export const TRACING_OFF_BECAUSE =
  'X-Ray tracing is off by decision: Active tracing without the X-Ray SDK shows only Lambda init and invoke ' +
  'segments, and the Powertools tracer that would capture the AWS calls adds 125 KiB and 1.6x module init ' +
  '(docs/benchmarks.md). Requests are followed by correlation ids in the structured logs, EMF metrics and alarms.';

/** What every function of a deployment shares: encryption, log retention, network, policies. */
export interface FunctionPlatform {
  /** Encrypts the log groups. */
  readonly key: IKey;
  readonly logRetentionDays: LogRetentionDays;
  /** Every log group's name starts with this (settings.ts, logGroupPrefix). */
  readonly logGroupPrefix: string;
  /** Set when the deployment config puts functions in a VPC. */
  readonly network?: { vpc: IVpc; subnets: ISubnet[]; securityGroup: ISecurityGroup };
  /** Managed policies attached to every function role (VPC networking). */
  readonly sharedPolicies: IManagedPolicy[];
}

export interface ReminderFunctionProps<S extends EnvSchema> {
  /** Handler file, relative to the repository root (`functions/send-message/handler.ts`). */
  readonly entry: string;
  /** The zod schema the handler parses `process.env` with; variables are checked against it. */
  readonly envSchema: S;
  readonly description: string;
  readonly platform: FunctionPlatform;
  readonly memorySize: number;
  readonly timeout: Duration;
  /**
   * Reserved concurrency, or why the function has none (HIPAA's
   * LambdaConcurrency rule asks for it; the reason becomes the acknowledgement).
   */
  readonly concurrency: { readonly reserved: number } | { readonly unreservedBecause: string };
  /**
   * Where failed asynchronous invocations go, or why the function is never
   * invoked asynchronously (the reason acknowledges the DLQ rules).
   */
  readonly deadLetter: { readonly queue: IQueue } | { readonly noneBecause: string };
}

/**
 * A Node.js Lambda function the way every function of this project is
 * built: ARM64 on the newest Node.js runtime, bundled locally by esbuild as
 * minified ESM with source maps, its own KMS-encrypted log group with
 * retention, X-Ray tracing off (docs/architecture.md, "Tracing"), and a role whose permissions live in one
 * customer-managed policy (no inline policies, no AWS-managed ones).
 *
 * Environment variables are set only through {@link setEnv}, which accepts
 * only names the handler's env schema declares; the helpers in `wiring.ts`
 * set a variable and grant the matching permission in one call.
 */
export class ReminderFunction<S extends EnvSchema = EnvSchema> extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  /** The function's own permissions; grants add statements here. */
  readonly policy: ManagedPolicy;
  readonly logGroup: LogGroup;
  readonly envSchema: S;
  /** Handler file, relative to the repository root: where its code starts. */
  readonly entry: string;
  private readonly envKeys = new Set<string>();

  constructor(scope: Construct, id: string, props: ReminderFunctionProps<S>) {
    super(scope, id);
    this.envSchema = props.envSchema;
    this.entry = props.entry;
    const { platform } = props;

    this.logGroup = new LogGroup(this, 'Logs', {
      // PlanMessages → /clinic-reminders/<deployment>/plan-messages
      logGroupName: `${platform.logGroupPrefix}${id.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '-').toLowerCase()}`,
      retention: platform.logRetentionDays,
      encryptionKey: platform.key,
      // Logs outlive a teardown of the stateless stack: they are the audit
      // trail. Plain Retain rather than RetainExceptOnCreate: when a first
      // create rolls back, these logs (a failed seeding, say) say why.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.policy = new ManagedPolicy(this, 'Policy', {
      description: `Permissions of ${id}: exactly the resources it uses`,
    });
    // The role refers to the policy (not the other way round), so CloudFormation
    // attaches it before the function, and before any event source mapping
    // whose creation Lambda checks against the role.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
      managedPolicies: [this.policy, ...platform.sharedPolicies],
    });

    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...('reserved' in props.concurrency
        ? { reservedConcurrentExecutions: props.concurrency.reserved }
        : {}),
      ...(platform.network
        ? {
            vpc: platform.network.vpc,
            vpcSubnets: { subnets: platform.network.subnets },
            securityGroups: [platform.network.securityGroup],
          }
        : {}),
      // No NODE_OPTIONS=--enable-source-maps: Node would read and parse the
      // source map at every cold start. The map ships next to the bundle;
      // set that variable on a function while debugging it.
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        // The same options bench/size.ts builds with (constructs/bundling.ts).
        target: BUNDLE_TARGET,
        platform: 'node',
        mainFields: MAIN_FIELDS,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // Bundle the SDK we test against instead of the runtime's copy.
        bundleAwsSDK: true,
        banner: REQUIRE_BANNER,
        tsconfig: `${PROJECT_ROOT}tsconfig.json`,
      },
    });
    // Tracing is off on purpose (docs/architecture.md, "Tracing"): Active
    // tracing without the X-Ray SDK shows only Lambda's own segments, and the
    // SDK that would capture the AWS calls costs 1.6× the module init.
    (this.fn.node.defaultChild as CfnFunction).tracingConfig = { mode: 'PassThrough' };
    acknowledge(this.fn.node.defaultChild as CfnFunction, 'Serverless-LambdaTracing', TRACING_OFF_BECAUSE);

    this.allow(
      // The log group ARN from CloudFormation ends in `:*`, which covers its streams.
      allowOn(['logs:CreateLogStream', 'logs:PutLogEvents'], [this.logGroup.logGroupArn]),
    );

    const cfn = this.fn.node.defaultChild as CfnFunction;
    if ('queue' in props.deadLetter) {
      // On the L1: the L2 prop would grant through an inline policy.
      cfn.deadLetterConfig = { targetArn: props.deadLetter.queue.queueArn };
      this.allow(...sendToQueueStatements(this, props.deadLetter.queue));
    } else {
      for (const rule of ['HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ']) {
        acknowledge(cfn, rule, props.deadLetter.noneBecause);
      }
    }
    if ('unreservedBecause' in props.concurrency) {
      acknowledge(cfn, 'HIPAA.Security-LambdaConcurrency', props.concurrency.unreservedBecause);
    }
    if (!platform.network) {
      acknowledge(
        cfn,
        'HIPAA.Security-LambdaInsideVPC',
        'The deployment config sets no vpc: the function talks only to AWS service endpoints over TLS and ' +
          'accepts no inbound connections. Set "vpc" in the config to run every function in private subnets.',
      );
    }
  }

  /** Adds permissions to the function's own policy. */
  allow(...statements: PolicyStatement[]): void {
    this.policy.addStatements(...statements);
  }

  /**
   * Sets an environment variable the handler's env schema declares. Use the
   * helpers in `wiring.ts` when the value names a resource, so the grant
   * comes with it.
   */
  setEnv(key: EnvKey<S>, value: string): void {
    if (!(key in this.envSchema.shape)) throw new Error(`${this.node.path}: ${key} is not in the env schema`);
    if (LAMBDA_PROVIDED_ENV.has(key)) throw new Error(`${this.node.path}: Lambda sets ${key} itself`);
    if (this.envKeys.has(key)) throw new Error(`${this.node.path}: ${key} is set twice`);
    this.envKeys.add(key);
    this.fn.addEnvironment(key, value);
  }

  /** Names set through {@link setEnv} so far. */
  get environmentKeys(): ReadonlySet<string> {
    return this.envKeys;
  }

  get functionName(): string {
    return this.fn.functionName;
  }
}
