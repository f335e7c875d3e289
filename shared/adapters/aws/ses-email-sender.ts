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

/** Tag names of every email: the receipt names the message by them (shared/lambda/receipt-queue.ts). */
export const EMAIL_TAG_NAMES = {
  clinicId: 'clinicId',
  patientId: 'patientId',
  messageId: 'messageId',
} as const;

/** Longest SES tag value. */
const TAG_VALUE_MAX = 256;

/**
 * An id as an SES tag value, reversibly: tag values allow only letters,
 * digits, `_`, `-`, `.` and `@`, and our message ids hold `#` (and replies'
 * contact ids `~`), so every other character, and `@` itself, is written as
 * `@` and its UTF-8 bytes in hex (`#` → `@23`). Undefined when the result
 * would be longer than SES allows: the email then carries no such tag and
 * its receipts cannot be matched (no id of ours comes near that length).
 *
 * @param value - the id
 */
export function encodeTagValue(value: string): string | undefined {
  const utf8 = new TextEncoder();
  let encoded = '';
  for (const char of value) {
    if (/^[A-Za-z0-9_.-]$/.test(char)) encoded += char;
    else for (const byte of utf8.encode(char)) encoded += `@${byte.toString(16).padStart(2, '0')}`;
  }
  return encoded.length <= TAG_VALUE_MAX ? encoded : undefined;
}

/**
 * Reads a tag value written by {@link encodeTagValue}; undefined for any
 * value it cannot have written.
 *
 * @param encoded - the tag value as an SES event carries it
 */
export function decodeTagValue(encoded: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_.-]|@[0-9a-f]{2})*$/.test(encoded)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; ) {
    if (encoded[i] === '@') {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(encoded.charCodeAt(i));
      i += 1;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

function tags(request: EmailRequest): { Name: string; Value: string }[] {
  return (['clinicId', 'patientId', 'messageId'] as const).flatMap((key) => {
    const value = encodeTagValue(request[key]);
    return value === undefined ? [] : [{ Name: EMAIL_TAG_NAMES[key], Value: value }];
  });
}

/**
 * Sends email through SES v2 `SendEmail` from the configured identity and
 * configuration set, tagged with our ids so the set's Delivery, Bounce and
 * Complaint events name the message. As with SMS, the client must not retry
 * on its own.
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
          EmailTags: tags(request),
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
