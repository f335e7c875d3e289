/**
 * Provider events as they reach the receipts queue (SNS raw delivery): an
 * End User Messaging SMS event and SES Delivery, Bounce and Complaint
 * events, in the shapes the services document, with our ids in the SMS
 * context and the email tags.
 */
import { encodeTagValue } from '../../shared/adapters/aws/ses-email-sender';

export interface MessageIds {
  clinicId: string;
  patientId: string;
  messageId: string;
}

/**
 * An End User Messaging SMS event for one of our texts.
 *
 * @param ids - the ids SendTextMessage put in the context
 * @param eventType - `TEXT_DELIVERED`, `TEXT_CARRIER_BLOCKED`, …
 * @param at - when the event happened, UTC ISO
 */
export function smsEvent(ids: MessageIds, eventType: string, at: string, providerMessageId = 'eum-1') {
  return {
    eventType,
    eventVersion: '1.0',
    eventTimestamp: Date.parse(at),
    isFinal: true,
    originationPhoneNumber: '+18885550123',
    destinationPhoneNumber: '+14155552671',
    isInternationalSend: false,
    mcc: '310',
    mnc: '800',
    messageId: providerMessageId,
    messageRequestTimestamp: Date.parse(at) - 2000,
    messageEncoding: 'GSM',
    messageType: 'TRANSACTIONAL',
    messageStatus: eventType.replace(/^TEXT_/, ''),
    messageStatusDescription: 'as the carrier reported it',
    context: { ...ids },
    totalMessageParts: 1,
    totalMessagePrice: 0.00581,
    totalCarrierFee: 0.0025,
  };
}

function mail(ids: MessageIds, to: string, providerMessageId: string) {
  const tag = (value: string) => [encodeTagValue(value) ?? ''];
  return {
    timestamp: '2026-12-07T15:00:00.000Z',
    source: 'Riverside Family Clinic <reminders@clinic.example>',
    sendingAccountId: '123456789012',
    messageId: providerMessageId,
    destination: [to],
    headersTruncated: false,
    tags: {
      'ses:configuration-set': ['riverside-reminders'],
      'ses:from-domain': ['clinic.example'],
      clinicId: tag(ids.clinicId),
      patientId: tag(ids.patientId),
      messageId: tag(ids.messageId),
    },
  };
}

/**
 * An SES event publishing record for one of our emails.
 *
 * @param ids - the ids SendEmail tagged it with
 * @param kind - Delivery, a Bounce of a type, or a Complaint
 * @param to - the recipient the event names
 * @param at - when the event happened, UTC ISO
 */
export function emailEvent(
  ids: MessageIds,
  kind: 'Delivery' | { bounce: 'Permanent' | 'Transient' | 'Undetermined' } | 'Complaint',
  to: string,
  at: string,
  providerMessageId = 'ses-1',
) {
  if (kind === 'Delivery') {
    return {
      eventType: 'Delivery',
      mail: mail(ids, to, providerMessageId),
      delivery: {
        timestamp: at,
        processingTimeMillis: 546,
        recipients: [to],
        smtpResponse: '250 ok',
        reportingMTA: 'a8-70.smtp-out.amazonses.com',
      },
    };
  }
  if (kind === 'Complaint') {
    return {
      eventType: 'Complaint',
      mail: mail(ids, to, providerMessageId),
      complaint: {
        complainedRecipients: [{ emailAddress: to }],
        timestamp: at,
        feedbackId: 'feedback-1',
        userAgent: 'Mozilla/5.0',
        complaintFeedbackType: 'abuse',
        arrivalDate: at,
      },
    };
  }
  return {
    eventType: 'Bounce',
    mail: mail(ids, to, providerMessageId),
    bounce: {
      bounceType: kind.bounce,
      bounceSubType: kind.bounce === 'Permanent' ? 'General' : 'MailboxFull',
      bouncedRecipients: [
        {
          emailAddress: to,
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      timestamp: at,
      feedbackId: 'feedback-2',
      reportingMTA: 'dsn; mta.example.com',
    },
  };
}
