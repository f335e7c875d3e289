import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  InvalidParameterValueException,
  KMSThrottlingException,
  OptedOutException,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { classifySesError } from '../../../shared/adapters/aws/ses-email-sender';
import { classifySnsError } from '../../../shared/adapters/aws/sns-sms-sender';
import { PermanentDeliveryError, TransientDeliveryError } from '../../../shared/domain/errors';

const answered = (status: number) => ({ message: 'refused', $metadata: { httpStatusCode: status } });
const numberRefused = {
  message: 'Invalid parameter: PhoneNumber Reason: not a valid number',
  $metadata: { httpStatusCode: 400 },
};
const attributeRefused = {
  message: 'Invalid parameter: MessageAttributes Reason: origination number not in this account',
  $metadata: { httpStatusCode: 400 },
};

function outcome(error: unknown): string {
  if (error instanceof TransientDeliveryError) return `transient:${error.providerCode}`;
  if (error instanceof PermanentDeliveryError) return `permanent:${error.reason}`;
  return 'unknown';
}

describe('SNS errors', () => {
  it.each([
    [new ThrottledException(answered(400)), 'transient:ThrottledException'],
    [new KMSThrottlingException(answered(400)), 'transient:KMSThrottlingException'],
    [new InternalErrorException(answered(500)), 'transient:InternalErrorException'],
    [
      Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      }),
      'transient:ServiceUnavailable',
    ],
    [new OptedOutException(answered(400)), 'permanent:opted-out'],
    [new InvalidParameterException(numberRefused), 'permanent:invalid-address'],
    [new InvalidParameterValueException(numberRefused), 'permanent:invalid-address'],
    // A refused origination number is the account's problem, not the patient's number.
    [new InvalidParameterException(attributeRefused), 'permanent:rejected'],
    [new AuthorizationErrorException(answered(403)), 'transient:AuthorizationErrorException'],
    [
      Object.assign(new Error('Key disabled'), {
        name: 'KMSDisabledException',
        $metadata: { httpStatusCode: 400 },
      }),
      'transient:KMSDisabledException',
    ],
    [
      Object.assign(new Error('Bad request'), {
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      }),
      'permanent:rejected',
    ],
    [Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'unknown'],
  ])('classifies %s as %s', (error, expected) => {
    expect(outcome(classifySnsError(error))).toBe(expected);
  });

  it('never copies the provider’s message, which can echo the phone number', () => {
    const classified = classifySnsError(
      new InvalidParameterException({
        message: 'Invalid parameter: PhoneNumber Reason: +14155552671',
        $metadata: {},
      }),
    ) as Error;
    expect(classified.message).not.toContain('+1415');
  });
});

describe('SES errors', () => {
  it.each([
    [new TooManyRequestsException(answered(429)), 'transient:TooManyRequestsException'],
    [new LimitExceededException(answered(400)), 'transient:LimitExceededException'],
    [new SendingPausedException(answered(400)), 'transient:SendingPausedException'],
    [new AccountSuspendedException(answered(400)), 'transient:AccountSuspendedException'],
    [new InternalServiceErrorException(answered(500)), 'transient:InternalServiceErrorException'],
    [new BadRequestException(answered(400)), 'permanent:invalid-address'],
    [new MessageRejected(answered(400)), 'permanent:rejected'],
    [new MailFromDomainNotVerifiedException(answered(400)), 'permanent:rejected'],
    [
      Object.assign(new Error('AccessDenied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
      'transient:AccessDeniedException',
    ],
    [Object.assign(new Error('ECONNRESET'), { name: 'Error' }), 'unknown'],
  ])('classifies %s as %s', (error, expected) => {
    expect(outcome(classifySesError(error))).toBe(expected);
  });
});
