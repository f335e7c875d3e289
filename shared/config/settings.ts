/**
 * Every setting a deployment may choose, with its range and default, and
 * every value derived from one (the sweep's per-minute budget, the send
 * configuration), defined once. The functions' environment schemas
 * (env.ts), the deployment config schema (infra/config/schema.ts) and local
 * mode all read these, so a range or a default cannot differ between them.
 * Plain data and pure functions: no zod, no I/O.
 */

export interface Range {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only. */
  readonly int: boolean;
  /** What a deployment that sets nothing gets (absent: the setting is required). */
  readonly default?: number;
  /** Said when a value is below `min`, where the bare number would not explain it. */
  readonly tooSmall?: string;
}

const SEND_RATE_TOO_SMALL = 'must allow at least one message a minute (1/60 per second)';

export const SETTINGS = {
  /** Days a finished message is kept before DynamoDB's TTL removes it. */
  messageRetentionDays: { min: 1, max: 3650, int: true, default: 365 },
  /** How long a claimed message stays reserved for its queued send. */
  leaseMinutes: { min: 2, max: 60, int: true, default: 15 },
  /** Provider tries of one message before it fails (or falls back). */
  maxSendAttempts: { min: 1, max: 20, int: true, default: 5 },
  backoffBaseSeconds: { min: 1, max: 900, int: true, default: 30 },
  backoffMaxSeconds: { min: 1, max: 3600, int: true, default: 900 },
  /** The origination identity's messages per second (its MPS). */
  smsPerSecond: { min: 1 / 60, max: 3000, int: false, tooSmall: SEND_RATE_TOO_SMALL },
  /** The account's SES maximum send rate. */
  emailPerSecond: { min: 1 / 60, max: 10_000, int: false, tooSmall: SEND_RATE_TOO_SMALL },
  /** How long a warm function keeps clinic settings (local mode: 0, edits apply at once). */
  clinicCacheSeconds: { min: 0, max: 3600, int: true, default: 60 },
  /**
   * The most patients a broadcast by a `staff` user may reach; a larger one
   * needs a `clinic-admin` (shared/domain/roles.ts, roleForBroadcast). 0:
   * every broadcast needs an admin.
   */
  staffBroadcastMaxRecipients: { min: 0, max: 1_000_000, int: true, default: 100 },
} as const satisfies Record<string, Range>;

/** Text rules shared the same way. */
export const PATTERNS = {
  /** An E.164 number by shape (the deployment config also checks it against the numbering plan). */
  e164: { pattern: /^\+[1-9]\d{6,14}$/, message: 'must be an E.164 number' },
  /** SNS alphanumeric sender id: 1–11 letters or digits, at least one letter. */
  senderId: {
    pattern: /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/,
    message: 'must be 1–11 letters or digits with at least one letter',
  },
  maxPriceUsd: { pattern: /^\d+(\.\d{1,5})?$/, message: 'must be a price in USD such as 0.50' },
} as const;

/**
 * The sweep runs every minute (the schedule is `rate(1 minute)`), so each
 * takes what is due within the next minute and hands it to SQS with a delay.
 */
export const SWEEP_LOOKAHEAD_SECONDS = 60;

/**
 * How long after send-message marked a message `sending` that attempt may
 * still be running. Must be longer than the function's timeout and shorter
 * than the send queue's visibility timeout (infra/constructs/settings.ts
 * checks both), so a duplicate delivery waits for the first attempt instead
 * of calling its outcome unknown.
 */
export const SEND_ATTEMPT_WINDOW_SECONDS = 90;

/**
 * Messages a channel may send in one sweep: a minute of its rate, rounded
 * down so the provider never sees more than the rate (the rounding forgives
 * binary fractions: 0.05 × 60 is 3, not 2.999…).
 *
 * @param ratePerSecond - the channel's send rate
 */
export function budgetPerMinute(ratePerSecond: number): number {
  return Math.floor(Math.round(ratePerSecond * 60 * 1e6) / 1e6);
}

/** The sweep's configuration from the deployment's settings. */
export function dispatchSettings(settings: {
  smsPerSecond: number;
  emailPerSecond: number;
  leaseMinutes: number;
}) {
  return {
    budgetPerMinute: {
      sms: budgetPerMinute(settings.smsPerSecond),
      email: budgetPerMinute(settings.emailPerSecond),
    },
    lookaheadSeconds: SWEEP_LOOKAHEAD_SECONDS,
    leaseMinutes: settings.leaseMinutes,
  };
}

/**
 * The share of a channel's minute that may be sent at once, outside the
 * sweep (shared/use-cases/enqueue-due-now.ts argues why it is not taken
 * from the sweep's budget). A rate too low to leave one message for it
 * sends everything through the sweep.
 */
export const SEND_NOW_SHARE = 0.1;

/** The immediate-send settings (confirmations, change notices, replies) from the deployment's settings. */
export function sendNowSettings(settings: {
  smsPerSecond: number;
  emailPerSecond: number;
  leaseMinutes: number;
}) {
  const share = (ratePerSecond: number) => Math.floor(budgetPerMinute(ratePerSecond) * SEND_NOW_SHARE);
  return {
    perMinute: { sms: share(settings.smsPerSecond), email: share(settings.emailPerSecond) },
    leaseMinutes: settings.leaseMinutes,
  };
}

/** The sender's retry configuration from the deployment's settings. */
export function sendSettings(settings: {
  maxSendAttempts: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
}) {
  return {
    maxAttempts: settings.maxSendAttempts,
    attemptWindowSeconds: SEND_ATTEMPT_WINDOW_SECONDS,
    backoffBaseSeconds: settings.backoffBaseSeconds,
    backoffMaxSeconds: settings.backoffMaxSeconds,
  };
}
