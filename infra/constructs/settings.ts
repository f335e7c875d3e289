import { Duration } from 'aws-cdk-lib';
import { SEND_ATTEMPT_WINDOW_SECONDS } from '../../shared/config/settings';

/**
 * Timings that two stacks must agree on. The send queue (stateful) hides a
 * received message for six times the sender's timeout, as Lambda advises
 * for SQS event sources, so a slow batch is never delivered twice at once.
 */
export const SEND_FUNCTION_TIMEOUT = Duration.seconds(30);
export const SEND_QUEUE_VISIBILITY = Duration.seconds(SEND_FUNCTION_TIMEOUT.toSeconds() * 6);

// send-message waits out an attempt that may still be running for this long
// before it calls the outcome unknown; it must fit between the two.
if (
  SEND_ATTEMPT_WINDOW_SECONDS <= SEND_FUNCTION_TIMEOUT.toSeconds() ||
  SEND_ATTEMPT_WINDOW_SECONDS >= SEND_QUEUE_VISIBILITY.toSeconds()
) {
  throw new RangeError(
    'SEND_ATTEMPT_WINDOW_SECONDS must lie between the sender timeout and the queue visibility',
  );
}

/**
 * replan-failed-changes may run a minute per entry (it reads the stream and
 * plans); the retry queue hides an entry six times that, as Lambda advises.
 */
export const REPLAN_FUNCTION_TIMEOUT = Duration.seconds(60);
export const PLAN_RETRY_VISIBILITY = Duration.seconds(REPLAN_FUNCTION_TIMEOUT.toSeconds() * 6);

/** Receives of one failed change before SQS moves it, unread, to the planning dead-letter queue. */
export const PLAN_RETRY_MAX_RECEIVES = 3;

/**
 * handle-receipts applies a batch in seconds; the receipts queue hides a
 * received receipt six times its timeout, as Lambda advises.
 */
export const RECEIPT_FUNCTION_TIMEOUT = Duration.seconds(30);
export const RECEIPT_QUEUE_VISIBILITY = Duration.seconds(RECEIPT_FUNCTION_TIMEOUT.toSeconds() * 6);

/**
 * Receives of one receipt before SQS moves it to the receipts dead-letter
 * queue. A receipt can come back only because its message is still
 * `sending` (the provider answered before the sender stored `sent`) or a
 * write failed; five receives, three minutes apart, outlast the sender's
 * attempt window, after which the message is `sent` or `unknown` and the
 * receipt applies.
 */
export const RECEIPT_MAX_RECEIVES = 5;

/** Receives of one send request before SQS moves it to the send dead-letter queue. */
export const SEND_MAX_RECEIVES = 5;

/**
 * handle-inbound applies a batch of texts in seconds; the inbound queue
 * hides a received text six times its timeout, as Lambda advises.
 */
export const INBOUND_FUNCTION_TIMEOUT = Duration.seconds(30);
export const INBOUND_QUEUE_VISIBILITY = Duration.seconds(INBOUND_FUNCTION_TIMEOUT.toSeconds() * 6);

/**
 * Receives of one inbound text before SQS moves it to the inbound
 * dead-letter queue: every effect is idempotent, so retries are safe, and a
 * text that fails five times is not going to apply by itself.
 */
export const INBOUND_MAX_RECEIVES = 5;

/** Dead-letter queues keep what they hold for the longest time SQS allows. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Powertools `service` dimension of each function (the name passed to makeObservability). */
export const SERVICE = {
  planMessages: 'plan-messages',
  dispatchDue: 'dispatch-due',
  sendMessage: 'send-message',
  replanFailedChanges: 'replan-failed-changes',
} as const;

/**
 * Every log group of a deployment is named under this prefix, so the data
 * key lets CloudWatch Logs encrypt exactly these groups and no other of the
 * account (stateful-stack.ts).
 *
 * @param deploymentName - the config's name
 */
export function logGroupPrefix(deploymentName: string): string {
  return `/clinic-reminders/${deploymentName}/`;
}

/**
 * The SSM SecureString parameter holding a deployment's survey link secret
 * (HMAC-SHA256 key of the email survey links). The operator puts it once,
 * before the first deploy (docs/deploy.md); the preflight checks it; the
 * stack grants send-message and staff-api ssm:GetParameter on it only.
 *
 * @param deploymentName - the config's name
 */
export function surveyLinkParameterName(deploymentName: string): string {
  return `/clinic-reminders/${deploymentName}/survey-link-secret`;
}

/** Alarm names start with this, so only these alarms may publish to the encrypted alarm topic. */
export function alarmNamePrefix(deploymentName: string): string {
  return `clinic-reminders-${deploymentName}-`;
}

/**
 * The End User Messaging configuration set of a deployment: every text from
 * a clinic's own number names it, and its event destination publishes the
 * delivery receipts to the receipts topic.
 *
 * @param deploymentName - the config's name
 */
export function smsConfigurationSetName(deploymentName: string): string {
  return `clinic-reminders-${deploymentName}`;
}
