/**
 * Every setting a deployment may choose, with its range and default, and
 * every value derived from one (the sweep's per-minute budget, the send
 * configuration), defined once. The functions' environment schemas
 * (env.ts), the deployment config schema (infra/config/schema.ts) and local
 * mode all read these, so a range or a default cannot differ between them.
 * Plain data and pure functions: no zod, no I/O.
 */
import type { OriginationNumberType } from '../domain/constants';

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
  /** The shared origination identity's parts per second (its MPS), for clinics without a number of their own. */
  smsPerSecond: { min: 1 / 60, max: 3000, int: false, tooSmall: SEND_RATE_TOO_SMALL },
  /** A clinic's own number's parts per second (issue 19); its type decides the default. */
  partsPerSecond: { min: 1 / 60, max: 3000, int: false, tooSmall: SEND_RATE_TOO_SMALL },
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
  /**
   * What one SMS part costs, in the currency the clinic is billed in (US
   * dollars by default: End User Messaging's US toll-free price plus carrier
   * fees, late 2026); a broadcast's preview multiplies its parts by it.
   */
  smsPricePerSegment: { min: 0, max: 10, int: false, default: 0.0083 },
} as const satisfies Record<string, Range>;

/**
 * Parts a second a number may send when its config names no rate, by its
 * type: what carriers and End User Messaging allow a new number of that kind
 * (toll-free 3; 10DLC 1 until its campaign's throughput is configured; short
 * code 100; a non-US long code 1; the simulator numbers 1).
 */
export const DEFAULT_PARTS_PER_SECOND: Record<OriginationNumberType, number> = {
  'toll-free': 3,
  '10dlc': 1,
  'short-code': 100,
  'long-code': 1,
  simulator: 1,
};

/**
 * A number's send rate: the configured one, else its type's default.
 *
 * @param identity - the clinic's origination identity as configured
 */
export function partsPerSecondOf(identity: {
  numberType: OriginationNumberType;
  partsPerSecond?: number | undefined;
}): number {
  return identity.partsPerSecond ?? DEFAULT_PARTS_PER_SECOND[identity.numberType];
}

/**
 * The send lane of clinics without a number of their own: the deployment's
 * shared origination number (or sender id), at `sms.sendRatePerSecond`.
 * `~` cannot start a clinic id, so no clinic's own lane has this name.
 */
export const SHARED_LANE = '~shared';

/**
 * The lane a clinic's texts leave by: its own number's (named by the clinic
 * id), or the shared one.
 *
 * @param clinic - its id and origination identity, if it has one
 */
export function smsLaneOf(clinic: { clinicId: string; originationIdentity?: unknown }): string {
  return clinic.originationIdentity ? clinic.clinicId : SHARED_LANE;
}

/**
 * The sweep's lanes as one environment variable: `clinicId=rate` for each
 * clinic with a number of its own, comma-separated (`north=3,south=1`), and
 * `clinicId=~shared` for a clinic whose own number is the deployment's
 * shared one (they share its budget). Lambda allows 4 KB of environment in
 * all, so the config refuses a list longer than this.
 */
export const SMS_LANES_MAX_LENGTH = 3000;

/** What a clinic's texts are paced on: its own number's rate, or the shared number's budget. */
export type OwnNumberRate = number | typeof SHARED_LANE;

/**
 * Encodes the clinics' own numbers' rates for the sweep's environment.
 *
 * @param lanes - clinic id and parts per second (or `~shared`) of each clinic with its own number
 */
export function formatSmsLanes(
  lanes: readonly { clinicId: string; partsPerSecond: OwnNumberRate }[],
): string {
  return lanes.map((lane) => `${lane.clinicId}=${lane.partsPerSecond}`).join(',');
}

/**
 * Reads {@link formatSmsLanes}' text back; undefined when it is malformed
 * (a clinic twice, a rate out of range, a part without `=`).
 *
 * @param text - the variable's value (empty: no clinic has its own number)
 */
export function parseSmsLanes(text: string): Map<string, OwnNumberRate> | undefined {
  const lanes = new Map<string, OwnNumberRate>();
  if (text.trim() === '') return lanes;
  const range = SETTINGS.partsPerSecond;
  for (const part of text.split(',')) {
    const match = /^([a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?)=(~shared|\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(
      part.trim(),
    );
    if (!match) return undefined;
    const [, clinicId = '', rateText = ''] = match;
    if (lanes.has(clinicId)) return undefined;
    if (rateText === SHARED_LANE) {
      lanes.set(clinicId, SHARED_LANE);
      continue;
    }
    const rate = Number(rateText);
    if (!(rate >= range.min - 1e-12 && rate <= range.max)) return undefined;
    lanes.set(clinicId, rate);
  }
  return lanes;
}

/** Text rules shared the same way. */
/**
 * The deployment's two-way numbers as one environment variable for
 * handle-inbound: `+E164=clinicId` for each clinic with a number of its
 * own, comma-separated. An inbound text to a number not in it is set aside
 * (`unknown-destination`).
 *
 * @param numbers - each clinic's own number (originationIdentity.number) and clinic id
 */
export function formatInboundNumbers(numbers: readonly { number: string; clinicId: string }[]): string {
  return numbers.map((entry) => `${entry.number}=${entry.clinicId}`).join(',');
}

/**
 * Reads {@link formatInboundNumbers}' text back; undefined when it is
 * malformed (a part without `=`, a number that is not E.164, a number twice).
 *
 * @param text - the variable's value (empty: no clinic can be texted back)
 */
export function parseInboundNumbers(text: string): Map<string, string> | undefined {
  const numbers = new Map<string, string>();
  if (text.trim() === '') return numbers;
  for (const part of text.split(',')) {
    const match = /^(\+[1-9]\d{6,14})=([a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?)$/.exec(part.trim());
    if (!match) return undefined;
    const [, number = '', clinicId = ''] = match;
    if (numbers.has(number)) return undefined;
    numbers.set(number, clinicId);
  }
  return numbers;
}

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

/** The sweep's configuration from the deployment's settings. */
export function dispatchSettings(settings: {
  smsPerSecond: number;
  emailPerSecond: number;
  leaseMinutes: number;
  /** Parts per second of each clinic's own number (or `~shared`), by clinic id. */
  smsLanes?: ReadonlyMap<string, OwnNumberRate>;
}) {
  return {
    perSecond: { sms: settings.smsPerSecond, email: settings.emailPerSecond },
    ownNumbers: new Map(settings.smsLanes ?? []),
    lookaheadSeconds: SWEEP_LOOKAHEAD_SECONDS,
    leaseMinutes: settings.leaseMinutes,
    sendNowEvery: SEND_NOW_EVERY,
  };
}

/**
 * The share of each number's (and the email account's) parts that is kept
 * for immediate sends, outside the sweep: one part in SEND_NOW_EVERY,
 * numbered from the UTC day's start (shared/domain/pacing.ts, reservedAt).
 * The sweep leaves those parts free in every second and the immediate
 * sends take only those, so the two together never exceed a number's rate
 * in any second (shared/use-cases/enqueue-due-now.ts). A number slower than
 * SEND_NOW_EVERY parts a minute keeps none: it sends everything through the
 * sweep.
 */
export const SEND_NOW_EVERY = 10;
export const SEND_NOW_SHARE = 1 / SEND_NOW_EVERY;

/**
 * The immediate-send settings (confirmations, change notices, replies) from
 * the deployment's settings: the rate of each number, so that a clinic with
 * its own number sends at once from that number's kept parts.
 */
export function sendNowSettings(settings: {
  smsPerSecond: number;
  emailPerSecond: number;
  leaseMinutes: number;
  /** Parts per second of each clinic's own number (or `~shared`), by clinic id. */
  smsLanes?: ReadonlyMap<string, OwnNumberRate>;
}) {
  const ownNumbers = new Map<string, number>();
  for (const [clinicId, rate] of settings.smsLanes ?? [])
    if (rate !== SHARED_LANE) ownNumbers.set(clinicId, rate);
  return {
    perSecond: { sms: settings.smsPerSecond, email: settings.emailPerSecond },
    ownNumbers,
    every: SEND_NOW_EVERY,
    windowSeconds: SWEEP_LOOKAHEAD_SECONDS,
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
