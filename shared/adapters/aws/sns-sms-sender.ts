import {
  InternalErrorException,
  InvalidParameterException,
  InvalidParameterValueException,
  KMSThrottlingException,
  type MessageAttributeValue,
  OptedOutException,
  PublishCommand,
  type SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { PermanentDeliveryError, ThrottledDeliveryError, TransientDeliveryError } from '../../domain/errors';
import type { ProviderReceipt, SmsRequest, SmsSender } from '../../ports/outbound';
import { classifyByStatus, errorCode, isAccountProblem } from './provider-errors';

export interface SnsSmsOptions {
  /** Origination number (E.164) registered for this account, if any. */
  originationNumber?: string;
  /** Alphanumeric sender id where the destination country supports one. */
  senderId?: string;
  /** Highest price in USD the account will pay for one message. */
  maxPriceUsd?: string;
}

/**
 * Sends SMS through SNS `Publish` to a phone number, always as
 * Transactional (reminders are time-critical). The SNS client must be built
 * with `maxAttempts: 1`: a Publish that timed out may have been delivered,
 * so retries belong to the pipeline, which retries only known failures.
 */
export class SnsSmsSender implements SmsSender {
  private readonly attributes: Record<string, MessageAttributeValue>;

  constructor(
    private readonly sns: SNSClient,
    options: SnsSmsOptions,
  ) {
    this.attributes = {
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      ...(options.originationNumber
        ? { 'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: options.originationNumber } }
        : {}),
      ...(options.senderId
        ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: options.senderId } }
        : {}),
      ...(options.maxPriceUsd
        ? { 'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: options.maxPriceUsd } }
        : {}),
    };
  }

  async send(request: SmsRequest): Promise<ProviderReceipt> {
    try {
      const { MessageId } = await this.sns.send(
        new PublishCommand({
          PhoneNumber: request.to,
          Message: request.text,
          MessageAttributes: this.attributes,
        }),
      );
      if (!MessageId)
        throw new TransientDeliveryError('SNS accepted the message without an id', 'NoMessageId');
      return { providerMessageId: MessageId };
    } catch (error) {
      throw classifySnsError(error);
    }
  }
}

/**
 * Known refusals become Transient/PermanentDeliveryError: throttling and 5xx
 * are transient, an invalid or opted-out number permanent, any other answered
 * refusal permanent too. Anything else (a timeout with no answer) is returned
 * unchanged: its outcome is unknown.
 */
export function classifySnsError(error: unknown): unknown {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  const code = errorCode(error);
  if (error instanceof OptedOutException) {
    return new PermanentDeliveryError('the number opted out of SMS from this account', 'opted-out', code);
  }
  if (error instanceof InvalidParameterException || error instanceof InvalidParameterValueException) {
    // SNS names the parameter it refused; only a refused PhoneNumber is the
    // patient's address. Any other (a misconfigured origination number or
    // sender id) is the account's problem.
    const aboutNumber = /PhoneNumber/i.test(error.message);
    return new PermanentDeliveryError(
      aboutNumber ? 'SNS refused the phone number as invalid' : 'SNS refused a parameter of the request',
      aboutNumber ? 'invalid-address' : 'rejected',
      code,
    );
  }
  if (error instanceof ThrottledException)
    return new ThrottledDeliveryError('SNS throttled the request', code);
  // The key's request rate, not the number's: retried, but no reason to slow the number.
  if (error instanceof KMSThrottlingException)
    return new TransientDeliveryError('KMS throttled the request', code);
  if (isAccountProblem(error)) {
    // Access or key configuration: nothing to do with this patient, and an
    // operator can fix it; retry within the attempt budget (and alarm).
    return new TransientDeliveryError('SNS refused the account (access or key)', code);
  }
  if (error instanceof InternalErrorException)
    return new TransientDeliveryError('SNS had an internal error', code);
  return classifyByStatus(error, 'SNS') ?? error;
}
