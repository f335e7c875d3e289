import {
  ConflictException,
  InternalServerException,
  type PinpointSMSVoiceV2Client,
  ResourceNotFoundException,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { PermanentDeliveryError, ThrottledDeliveryError, TransientDeliveryError } from '../../domain/errors';
import type { ProviderReceipt, SmsRequest, SmsSender } from '../../ports/outbound';
import { classifyByStatus, errorCode, isAccountProblem } from './provider-errors';

export interface EndUserMessagingSmsOptions {
  /** The deployment's End User Messaging configuration set: its event destination carries the receipts. */
  configurationSetName: string;
  /** Highest price in USD the account will pay for one message part. */
  maxPriceUsd?: string;
}

/**
 * Context keys of every text: the receipt names the message by them
 * (shared/lambda/receipt-queue.ts reads them back). Ids only: End User
 * Messaging writes the context into every event it publishes.
 */
export const SMS_CONTEXT_KEYS = {
  clinicId: 'clinicId',
  patientId: 'patientId',
  messageId: 'messageId',
} as const;

/**
 * Sends SMS through End User Messaging `SendTextMessage` from the clinic's
 * origination identity, as TRANSACTIONAL, with the deployment's
 * configuration set and our ids as context, so every text's delivery
 * receipt comes back to the receipts function. The client must be built
 * with `maxAttempts: 1`, as for SNS: retries belong to the pipeline.
 */
export class EndUserMessagingSmsSender implements SmsSender {
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly options: EndUserMessagingSmsOptions,
  ) {}

  async send(request: SmsRequest): Promise<ProviderReceipt> {
    if (!request.originationIdentity) {
      // A programming error, not a provider outcome: nothing was sent.
      throw new PermanentDeliveryError(
        'no origination identity for End User Messaging',
        'rejected',
        'NoOriginationIdentity',
      );
    }
    try {
      const { MessageId } = await this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: request.to,
          OriginationIdentity: request.originationIdentity,
          MessageBody: request.text,
          MessageType: 'TRANSACTIONAL',
          ConfigurationSetName: this.options.configurationSetName,
          Context: {
            [SMS_CONTEXT_KEYS.clinicId]: request.clinicId,
            [SMS_CONTEXT_KEYS.patientId]: request.patientId,
            [SMS_CONTEXT_KEYS.messageId]: request.messageId,
          },
          ...(this.options.maxPriceUsd ? { MaxPrice: this.options.maxPriceUsd } : {}),
        }),
      );
      if (!MessageId)
        throw new TransientDeliveryError('End User Messaging accepted the text without an id', 'NoMessageId');
      return { providerMessageId: MessageId };
    } catch (error) {
      throw classifyEndUserMessagingError(error);
    }
  }
}

/** Conflict reasons that say the destination number, not our setup, refuses the text. */
const DESTINATION_REFUSED: ReadonlySet<string> = new Set([
  'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
  'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
  'DESTINATION_PHONE_NUMBER_NOT_VERIFIED',
]);

/** Validation reasons about where the text goes, not about our request's form. */
const DESTINATION_INVALID: ReadonlySet<string> = new Set([
  'DESTINATION_COUNTRY_BLOCKED',
  'COUNTRY_CODE_MISMATCH',
  'INVALID_IDENTITY_FOR_DESTINATION_COUNTRY',
  'COUNTRY_NOT_ENABLED',
  'INTERNATIONAL_SENDING_NOT_SUPPORTED',
]);

/**
 * Known refusals of SendTextMessage become delivery errors, as for SNS:
 * throttling, a spend or quota limit, a 5xx and an access or key problem
 * are transient (retried within the attempt budget, then the next channel);
 * an opted-out number is permanent `opted-out` (recorded as a carrier
 * opt-out); a destination number refused is `invalid-address`; any other
 * answered refusal (a missing configuration set or identity, a bad
 * parameter, MaxPrice exceeded) is permanent `rejected`. An error without an
 * answer is returned unchanged: its outcome is unknown.
 *
 * @param error - what the client threw
 */
export function classifyEndUserMessagingError(error: unknown): unknown {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  const code = errorCode(error);
  if (error instanceof ThrottlingException)
    return new ThrottledDeliveryError('End User Messaging throttled the request', code);
  if (error instanceof ServiceQuotaExceededException) {
    // The monthly spend limit or a quota: the account's state, which an
    // operator (or the next month) changes; meanwhile the next channel.
    return new TransientDeliveryError(
      `End User Messaging refused on a limit (${error.Reason ?? 'quota'})`,
      `${code}:${error.Reason ?? 'UNKNOWN'}`,
    );
  }
  if (error instanceof InternalServerException)
    return new TransientDeliveryError('End User Messaging had an internal error', code);
  if (isAccountProblem(error)) {
    return new TransientDeliveryError('End User Messaging refused the account (access or key)', code);
  }
  if (error instanceof ConflictException) {
    const reason = error.Reason ?? '';
    if (reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT')
      return new PermanentDeliveryError('the number opted out of texts from this account', 'opted-out', code);
    if (DESTINATION_REFUSED.has(reason))
      return new PermanentDeliveryError(
        'End User Messaging refused the destination number',
        'invalid-address',
        code,
      );
    return new PermanentDeliveryError(
      `End User Messaging refused the request (${reason || 'conflict'})`,
      'rejected',
      code,
    );
  }
  if (error instanceof ValidationException) {
    const reason = error.Reason ?? '';
    const aboutNumber =
      DESTINATION_INVALID.has(reason) ||
      (error.Fields ?? []).some((field) => field.Name === 'DestinationPhoneNumber');
    return new PermanentDeliveryError(
      aboutNumber
        ? 'End User Messaging refused the phone number'
        : `End User Messaging refused a parameter (${reason || 'validation'})`,
      aboutNumber ? 'invalid-address' : 'rejected',
      code,
    );
  }
  if (error instanceof ResourceNotFoundException) {
    return new PermanentDeliveryError(
      `End User Messaging has no such ${error.ResourceType ?? 'resource'} (origination identity or configuration set)`,
      'rejected',
      code,
    );
  }
  return classifyByStatus(error, 'End User Messaging') ?? error;
}

/**
 * Chooses the SMS provider per text: End User Messaging when the clinic has
 * an origination identity (two-way number, receipts), SNS otherwise (the
 * simplest deployment: account-level settings, no receipts).
 */
export class RoutingSmsSender implements SmsSender {
  constructor(
    private readonly endUserMessaging: SmsSender,
    private readonly sns: SmsSender,
  ) {}

  send(request: SmsRequest): Promise<ProviderReceipt> {
    return request.originationIdentity ? this.endUserMessaging.send(request) : this.sns.send(request);
  }
}
