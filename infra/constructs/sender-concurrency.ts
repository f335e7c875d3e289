/** Lambda's ceiling for an SQS event source mapping's maximum concurrency. */
export const MAX_EVENT_SOURCE_CONCURRENCY = 1000;

/** Lambda's floor for an SQS event source mapping's maximum concurrency. */
export const MIN_EVENT_SOURCE_CONCURRENCY = 2;

export interface SendRates {
  /** SMS per second the origination identity may send. */
  smsPerSecond: number;
  /** Email per second the SES account may send. */
  emailPerSecond: number;
  /** Seconds one sender spends on one message, end to end. */
  secondsPerSend: number;
}

/**
 * How many send-message instances may run at once.
 *
 * Each instance sends its batch one message after another, so it sustains
 * about `1 / secondsPerSend` messages per second. Sustaining the configured
 * rates therefore takes `(smsPerSecond + emailPerSecond) × secondsPerSend`
 * instances, rounded up; any more would only let a burst outrun the
 * provider limits (and come back as throttling retries). Lambda requires at
 * least 2 and at most 1000 for an SQS mapping.
 *
 * The dispatcher already enqueues at most one minute of each rate per sweep,
 * so this cap is about the shape of a burst within that minute, not its size.
 *
 * @param rates - configured send rates and the measured time per send
 */
export function senderConcurrency(rates: SendRates): number {
  // The epsilon keeps float noise (4.000000001) from adding an instance.
  const needed = Math.ceil((rates.smsPerSecond + rates.emailPerSecond) * rates.secondsPerSend - 1e-9);
  return Math.min(MAX_EVENT_SOURCE_CONCURRENCY, Math.max(MIN_EVENT_SOURCE_CONCURRENCY, needed));
}
