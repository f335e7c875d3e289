import { PermanentDeliveryError, TransientDeliveryError } from '../../domain/errors';

/**
 * A provider error that carries an HTTP response, i.e. the provider answered
 * and the outcome is known. Errors without one (timeouts, resets) leave the
 * outcome unknown and must not be retried blindly.
 */
export function answeredStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** Only the error's class and status, never its message (providers echo numbers and addresses). */
export function errorCode(error: unknown): string {
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}

/**
 * An access or encryption-key refusal (403, or any `KMS…`/`Authorization…`
 * error): a problem of the account's configuration, not of the message.
 */
export function isAccountProblem(error: unknown): boolean {
  const name = errorCode(error);
  return (
    answeredStatus(error) === 403 ||
    name.startsWith('KMS') ||
    name.startsWith('Authorization') ||
    name === 'AccessDeniedException'
  );
}

/**
 * What an answered provider error says by its HTTP status alone: 429 and 5xx
 * are transient (retry later); any other 4xx is a refusal of the account or
 * the request (access denied, a bad parameter): known not sent, and a retry
 * would not help. Undefined when the provider never answered: the outcome is
 * unknown.
 *
 * @param error - the SDK error
 * @param provider - `SNS` or `SES`, for the message
 */
export function classifyByStatus(
  error: unknown,
  provider: string,
): TransientDeliveryError | PermanentDeliveryError | undefined {
  const status = answeredStatus(error);
  const code = errorCode(error);
  if (status === undefined) return undefined;
  if (status >= 500 || status === 429)
    return new TransientDeliveryError(`${provider} answered ${status}`, code);
  if (status >= 400)
    return new PermanentDeliveryError(`${provider} refused the request (${status})`, 'rejected', code);
  return undefined;
}
