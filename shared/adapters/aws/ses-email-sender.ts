import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  type SESv2Client,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { PermanentDeliveryError, TransientDeliveryError } from '../../domain/errors';
import type { EmailRequest, EmailSender, ProviderReceipt } from '../../ports/outbound';
import { classifyByStatus, errorCode, isAccountProblem } from './provider-errors';

export interface SesEmailOptions {
  /** Verified identity to send from (`Riverside Clinic <reminders@clinic.example>`). */
  fromAddress: string;
  /** Configuration set that records deliveries, bounces and complaints. */
  configurationSet: string;
}

/** SES tag values allow letters, digits, `_`, `-`, `.`, `@`. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);
}

/**
 * Sends email through SES v2 `SendEmail` from the configured identity and
 * configuration set. As with SMS, the client must not retry on its own.
 */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly options: SesEmailOptions,
  ) {}

  async send(request: EmailRequest): Promise<ProviderReceipt> {
    try {
      const { MessageId } = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.fromAddress,
          Destination: { ToAddresses: [request.to] },
          Content: {
            Simple: {
              Subject: { Data: request.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: request.text, Charset: 'UTF-8' } },
            },
          },
          ConfigurationSetName: this.options.configurationSet,
          EmailTags: [
            { Name: 'clinicId', Value: tagValue(request.clinicId) },
            { Name: 'messageId', Value: tagValue(request.messageId) },
          ],
        }),
      );
      if (!MessageId)
        throw new TransientDeliveryError('SES accepted the message without an id', 'NoMessageId');
      return { providerMessageId: MessageId };
    } catch (error) {
      throw classifySesError(error);
    }
  }
}

/** Known refusals become delivery errors; anything else keeps an unknown outcome. */
export function classifySesError(error: unknown): unknown {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  const code = errorCode(error);
  if (isAccountProblem(error)) {
    return new TransientDeliveryError('SES refused the account (access or key)', code);
  }
  if (error instanceof BadRequestException) {
    return new PermanentDeliveryError(
      'SES refused the address or message as invalid',
      'invalid-address',
      code,
    );
  }
  if (
    error instanceof MessageRejected ||
    error instanceof MailFromDomainNotVerifiedException ||
    error instanceof NotFoundException
  ) {
    return new PermanentDeliveryError('SES rejected the message', 'rejected', code);
  }
  if (
    error instanceof TooManyRequestsException ||
    error instanceof LimitExceededException ||
    error instanceof SendingPausedException ||
    error instanceof AccountSuspendedException
  ) {
    return new TransientDeliveryError('SES is not accepting messages from this account right now', code);
  }
  if (error instanceof InternalServiceErrorException)
    return new TransientDeliveryError('SES had an internal error', code);
  return classifyByStatus(error, 'SES') ?? error;
}
