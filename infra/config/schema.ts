/**
 * The deployment config a clinic (or a group of clinics) writes in
 * `infra/config/<name>.json` and picks with `cdk deploy --all -c config=<name>`.
 * Validated at synth time; every problem is reported at once with its path.
 */
import { z } from 'zod';
import {
  formatInboundNumbers,
  formatSmsLanes,
  type OwnNumberRate,
  PATTERNS,
  partsPerSecondOf,
  type Range,
  SETTINGS,
  SHARED_LANE,
  SMS_LANES_MAX_LENGTH,
} from '../../shared/config/settings';
import { E164PhoneSchema, EmailSchema } from '../../shared/domain/model';
import { ClinicConfigSchema } from '../../shared/use-cases/seed-clinics';

/** Retention periods CloudWatch Logs accepts, in days (never-expire is left out on purpose). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

/** A retention CloudWatch Logs accepts, as a schema (the error lists the choices). */
const logRetention = () =>
  z
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .transform((days) => days as LogRetentionDays);

/**
 * Who did what in the API and who signed in: six years by default, the
 * retention HIPAA asks of security documentation (45 CFR 164.316(b)(2)).
 */
export const AUDIT_LOG_RETENTION_DAYS: LogRetentionDays = 2192;

/** An IAM role ARN (no wildcards: each key admin is named). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Log retention when the config sets none: a year of function and API access logs. */
export const DEFAULT_LOG_RETENTION_DAYS: LogRetentionDays = 365;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** `reminders@clinic.example` or `Riverside Clinic <reminders@clinic.example>`. */
const FROM_ADDRESS = /^(?:[^<>@\r\n]*<([^<>\s]+)>|([^<>\s]+))$/;

/** The bare address inside a From header value, or undefined when it has none. */
export function addressOf(from: string): string | undefined {
  const match = FROM_ADDRESS.exec(from.trim());
  return match ? (match[1] ?? match[2]) : undefined;
}

export { ClinicConfigSchema };

/** A number in a setting's range (shared/config/settings.ts, which the functions' env schemas read too). */
function inRange(range: Range) {
  return (range.int ? z.int() : z.number())
    .min(range.min, range.tooSmall ?? `must be at least ${range.min}`)
    .max(range.max, `must be at most ${range.max}`);
}

export type ClinicConfig = z.output<typeof ClinicConfigSchema>;

const SmsConfigSchema = z
  .strictObject({
    /** The registered origination number (10DLC, toll-free or short code) in E.164. */
    originationNumber: E164PhoneSchema.optional(),
    /** Alphanumeric sender id, where the destination countries support one (not US or Canada). */
    senderId: z.string().regex(PATTERNS.senderId.pattern, PATTERNS.senderId.message).optional(),
    /**
     * Highest price in USD the account pays for one SMS; SNS refuses dearer
     * ones. SNS takes it as a string; the config accepts `"0.05"` or `0.05`.
     */
    maxPriceUsd: z
      .union([z.string(), z.number()])
      .transform((price) => String(price))
      .pipe(z.string().regex(PATTERNS.maxPriceUsd.pattern, `${PATTERNS.maxPriceUsd.message} or "0.50"`))
      .optional(),
    /** Messages per second the origination identity may send (its MPS). */
    sendRatePerSecond: inRange(SETTINGS.smsPerSecond),
    /**
     * What the account may spend on SMS in a calendar month, in USD. The
     * stack alarms at 80 % and 100 % of it; set the account's own spend
     * limit to the same figure (docs/deploy.md, "SMS spend limit").
     */
    monthlyBudgetUsd: z.number().positive('must be more than 0').max(1_000_000),
  })
  .superRefine((sms, ctx) => {
    if (!sms.originationNumber && !sms.senderId) {
      ctx.addIssue({
        code: 'custom',
        path: ['originationNumber'],
        message: 'is required unless senderId is set (US and Canada need a registered number)',
      });
    }
  });

const EmailConfigSchema = z
  .strictObject({
    /** The verified SES identity: a domain (`clinic.example`) or one address. */
    identity: z.string().refine((text) => DOMAIN.test(text) || EmailSchema.safeParse(text).success, {
      message: 'must be a domain such as clinic.example or an email address',
    }),
    /** The From header: an address at the identity, optionally with a display name. */
    fromAddress: z.string().min(3).max(320),
    /** Name of the SES configuration set this deployment creates. */
    configurationSetName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, underscores or hyphens'),
    /** The account's SES maximum send rate (messages per second). */
    sendRatePerSecond: inRange(SETTINGS.emailPerSecond),
  })
  .superRefine((email, ctx) => {
    const address = addressOf(email.fromAddress);
    if (!address || !EmailSchema.safeParse(address).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['fromAddress'],
        message: 'must be an address, optionally with a display name: Clinic <reminders@clinic.example>',
      });
      return;
    }
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    const identity = email.identity.toLowerCase();
    const sendable = identity.includes('@')
      ? address.toLowerCase() === identity
      : domain === identity || domain.endsWith(`.${identity}`);
    if (!sendable) {
      ctx.addIssue({
        code: 'custom',
        path: ['fromAddress'],
        message: `must be an address of the SES identity ${email.identity}`,
      });
    }
  });

const AlarmConfigSchema = z.strictObject({
  /** Who receives alarm notifications (an SNS email subscription to confirm once). */
  email: EmailSchema,
  /** Alarm when the 99th percentile of due-to-sent lag stays above this. */
  sendLagSeconds: z.int().min(30).max(3600).default(300),
  /** Alarm when this many messages fail for good within 15 minutes. */
  failedMessages: z.int().min(1).max(10_000).default(5),
});

const PREFIX_LIST_ID = /^pl-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

const VpcConfigSchema = z.strictObject({
  vpcId: z
    .string()
    .regex(/^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'must be a VPC id such as vpc-0abc1234def567890'),
  /**
   * The functions' only way out: HTTPS to these endpoints and nothing else.
   * `prefixListIds`: the AWS-managed prefix lists of the gateway endpoints
   * (DynamoDB, and S3 if you use it), `com.amazonaws.<region>.dynamodb`.
   * `securityGroupIds`: the security groups of the interface endpoints
   * (SQS, SNS, SES, EventBridge).
   */
  endpoints: z.strictObject({
    prefixListIds: z
      .array(z.string().regex(PREFIX_LIST_ID, 'must be a prefix list id such as pl-02cd2c6b'))
      .min(1, 'must name the DynamoDB gateway endpoint prefix list')
      .max(5),
    securityGroupIds: z
      .array(z.string().regex(SECURITY_GROUP_ID, 'must be a security group id such as sg-0abc1234'))
      .min(1, 'must name the security group of the interface endpoints (SQS, SNS, SES, EventBridge)')
      .max(5),
  }),
  /** Private subnets with the endpoints above: DynamoDB (gateway), SQS, SNS, SES, EventBridge. */
  subnetIds: z
    .array(
      z
        .string()
        .regex(/^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, 'must be a subnet id such as subnet-0abc1234'),
    )
    .min(1)
    .max(16)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat a subnet' }),
});

const SendingConfigSchema = z
  .strictObject({
    /**
     * Seconds one sender spends on one message (reads, provider call,
     * writes, event). Sizes the sender's concurrency; see sender-concurrency.ts.
     */
    secondsPerSend: z.number().min(0.05).max(5).default(0.25),
    maxAttempts: inRange(SETTINGS.maxSendAttempts).default(SETTINGS.maxSendAttempts.default),
    backoffBaseSeconds: inRange(SETTINGS.backoffBaseSeconds).default(SETTINGS.backoffBaseSeconds.default),
    backoffMaxSeconds: inRange(SETTINGS.backoffMaxSeconds).default(SETTINGS.backoffMaxSeconds.default),
    /** How long a claimed message stays reserved for its queued send. */
    leaseMinutes: inRange(SETTINGS.leaseMinutes).default(SETTINGS.leaseMinutes.default),
  })
  .superRefine((sending, ctx) => {
    if (sending.backoffMaxSeconds < sending.backoffBaseSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['backoffMaxSeconds'],
        message: 'must be at least backoffBaseSeconds',
      });
    }
  });

const SENDING_DEFAULTS = SendingConfigSchema.parse({});

const StaffApiConfigSchema = z
  .strictObject({
    /** Steady requests per second the API's stage accepts, over every route and caller together. */
    ratePerSecond: z.number().positive('must be more than 0').max(10_000).default(50),
    /** Requests the stage accepts at once above the steady rate (API Gateway's token bucket size). */
    burst: z.int().min(1).max(5000).default(100),
    /**
     * Reserved concurrency of the staff-api function: a runaway client meets
     * 429s and this cap, never the account's whole Lambda pool.
     */
    concurrency: z.int().min(2).max(1000).default(20),
    /**
     * The most patients a broadcast by a `staff` user may reach; a larger
     * one needs a `clinic-admin` (docs/deploy.md, "Roles").
     */
    staffBroadcastMaxRecipients: inRange(SETTINGS.staffBroadcastMaxRecipients).default(
      SETTINGS.staffBroadcastMaxRecipients.default,
    ),
    /** What one SMS part costs the clinic (a broadcast preview's estimate; docs/deploy.md). */
    smsPricePerSegment: inRange(SETTINGS.smsPricePerSegment).default(SETTINGS.smsPricePerSegment.default),
  })
  .superRefine((api, ctx) => {
    if (api.burst < api.ratePerSecond) {
      ctx.addIssue({
        code: 'custom',
        path: ['burst'],
        message: 'must be at least ratePerSecond (a smaller bucket caps the rate at the burst)',
      });
    }
  });

const STAFF_API_DEFAULTS = StaffApiConfigSchema.parse({});

export const DeploymentConfigSchema = z
  .strictObject({
    /** Names the stacks (`ClinicReminders-<name>-Stateful`); lowercase, short. */
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,23}$/,
        'must be 1–24 lowercase letters, digits or hyphens, starting with a letter',
      ),
    /** Pins the deployment to one account; otherwise the CLI's credentials decide. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** Pins the region; otherwise AWS_REGION / the CLI profile decides. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as us-east-1')
      .optional(),
    clinics: z.array(ClinicConfigSchema).min(1, 'must list at least one clinic').max(100),
    sms: SmsConfigSchema,
    email: EmailConfigSchema,
    alarms: AlarmConfigSchema,
    /** The functions' logs; a year unless the config says otherwise. */
    logRetentionDays: logRetention().default(DEFAULT_LOG_RETENTION_DAYS),
    /** The staff API's access logs and the staff sign-in events. */
    auditLogRetentionDays: logRetention().default(AUDIT_LOG_RETENTION_DAYS),
    /**
     * Roles that may use the data key directly (kms:Decrypt outside
     * DynamoDB, SQS, SNS, CloudWatch Logs and EventBridge): a break-glass or
     * backup role. Every other principal, administrators included, can use
     * the key only through those services.
     */
    keyAdminRoleArns: z
      .array(
        z.string().regex(ROLE_ARN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/KeyAdmin'),
      )
      .max(10)
      .refine((arns) => new Set(arns).size === arns.length, { message: 'must not repeat a role' })
      .default([]),
    /** Days a finished message is kept before DynamoDB's TTL removes it. */
    messageRetentionDays: inRange(SETTINGS.messageRetentionDays).default(
      SETTINGS.messageRetentionDays.default,
    ),
    vpc: VpcConfigSchema.optional(),
    sending: SendingConfigSchema.default(SENDING_DEFAULTS),
    /** The staff API's throttling and concurrency (docs/deploy.md, "Staff users and the API"). */
    staffApi: StaffApiConfigSchema.default(STAFF_API_DEFAULTS),
  })
  .superRefine((config, ctx) => {
    // One clinic per id, and one clinic per origination number and identity:
    // an inbound text names only the number it was sent to, so a number two
    // clinics shared could not tell whose patient wrote.
    const unique = (path: string, keyOf: (clinic: ClinicConfig) => string | undefined) => {
      const firstIndex = new Map<string, number>();
      config.clinics.forEach((clinic, index) => {
        const value = keyOf(clinic);
        if (value === undefined) return;
        const first = firstIndex.get(value);
        if (first === undefined) firstIndex.set(value, index);
        else {
          ctx.addIssue({
            code: 'custom',
            path: ['clinics', index, ...path.split('.')],
            message: `repeats clinics.${first}.${path} (${value})`,
          });
        }
      });
    };
    unique('clinicId', (clinic) => clinic.clinicId);
    unique('originationIdentity.number', (clinic) => clinic.originationIdentity?.number);
    unique('originationIdentity.id', (clinic) => clinic.originationIdentity?.id);
    const lanes = smsLanesOf(config);
    // handle-inbound carries both lists in its environment.
    const numbers = inboundNumbersOf(config);
    if (lanes.length <= SMS_LANES_MAX_LENGTH && lanes.length + numbers.length > SMS_LANES_MAX_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['clinics'],
        message: `list the two-way numbers and the sweep's lanes in ${lanes.length + numbers.length} characters; Lambda's environment allows at most ${SMS_LANES_MAX_LENGTH}: use shorter clinic ids`,
      });
    }
    if (lanes.length > SMS_LANES_MAX_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['clinics'],
        message: `list the sweep's numbers in ${lanes.length} characters (clinicId=rate for each clinic with its own number); Lambda's environment allows at most ${SMS_LANES_MAX_LENGTH}: use shorter clinic ids`,
      });
    }
  });

/**
 * Each clinic's own number with its rate, for the sweep (SMS_LANES): the
 * configured `partsPerSecond`, else its number type's default; `~shared`
 * when the clinic's number is the deployment's shared one, whose budget it
 * then shares.
 *
 * @param config - the deployment config (its clinics and shared number)
 */
export function ownNumbersOf(config: {
  clinics: readonly ClinicConfig[];
  sms: { originationNumber?: string | undefined };
}): { clinicId: string; partsPerSecond: OwnNumberRate }[] {
  return config.clinics.flatMap((clinic) => {
    const identity = clinic.originationIdentity;
    if (!identity) return [];
    const partsPerSecond =
      identity.number === config.sms.originationNumber ? SHARED_LANE : partsPerSecondOf(identity);
    return [{ clinicId: clinic.clinicId, partsPerSecond }];
  });
}

/**
 * handle-inbound's INBOUND_NUMBERS for this config: each clinic's own
 * number (`originationIdentity.number`, unique across clinics) and its clinic.
 *
 * @param config - the deployment config's clinics
 */
export function inboundNumbersOf(config: { clinics: readonly ClinicConfig[] }): string {
  return formatInboundNumbers(
    config.clinics.flatMap((clinic) =>
      clinic.originationIdentity
        ? [{ number: clinic.originationIdentity.number, clinicId: clinic.clinicId }]
        : [],
    ),
  );
}

/** The sweep's SMS_LANES variable for this config. */
export function smsLanesOf(config: Parameters<typeof ownNumbersOf>[0]): string {
  return formatSmsLanes(ownNumbersOf(config));
}

/**
 * Every number the deployment texts from with its rate: the shared one
 * (`~shared`) and each clinic's own that is not the shared one.
 *
 * @param config - the deployment config
 */
export function smsLanesWithRates(config: {
  clinics: readonly ClinicConfig[];
  sms: { originationNumber?: string | undefined; sendRatePerSecond: number };
}): { lane: string; partsPerSecond: number }[] {
  return [
    { lane: SHARED_LANE, partsPerSecond: config.sms.sendRatePerSecond },
    ...ownNumbersOf(config).flatMap(({ clinicId, partsPerSecond }) =>
      partsPerSecond === SHARED_LANE ? [] : [{ lane: clinicId, partsPerSecond }],
    ),
  ];
}

/**
 * Parts a second the deployment may send in all: the shared number's rate
 * and every clinic's own number's (what the sender's concurrency is sized for).
 *
 * @param config - the deployment config
 */
export function totalSmsPartsPerSecond(config: Parameters<typeof smsLanesWithRates>[0]): number {
  return smsLanesWithRates(config).reduce((sum, lane) => sum + lane.partsPerSecond, 0);
}

export type DeploymentConfig = z.output<typeof DeploymentConfigSchema>;
export type DeploymentConfigInput = z.input<typeof DeploymentConfigSchema>;
