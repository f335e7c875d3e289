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
