/**
 * Local mode's inbound texts: what a patient's phone sends, in the shape AWS
 * hands it to handle-inbound (End User Messaging's JSON inside the SNS
 * envelope, as one SQS record), so the text runs through the same decoder
 * and handler as in Lambda. `POST /local/inbound` takes
 * `{"from": "+14155552671", "body": "C"}`; `to` defaults to the demo
 * clinic's number; `inboundMessageId` (a second delivery) and `at` (the
 * envelope Timestamp: replies out of order) are for trying what AWS may do.
 */
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { isUtcIso } from '../shared/domain/time';

export const LocalInboundSchema = z.strictObject({
  /** Not checked here: a number that is not E.164 is set aside by the handler, as in AWS. */
  from: z.string().min(1, 'is required (the patient number, E.164)'),
  body: z.string(),
  to: z.string().min(1).optional(),
  inboundMessageId: z.string().min(1).max(200).optional(),
  at: z.string().refine(isUtcIso, 'must be a UTC instant such as 2026-12-01T15:00:00Z').optional(),
  previousPublishedMessageId: z.string().min(1).max(200).optional(),
});
export type LocalInbound = z.infer<typeof LocalInboundSchema>;

/**
 * The SQS event handle-inbound gets for one text.
 *
 * @param text - the text with its number, destination, id and envelope time filled in
 */
export function inboundEvent(
  text: LocalInbound & { to: string; inboundMessageId: string; at: string },
): SQSEvent {
  const payload = {
    originationNumber: text.from,
    destinationNumber: text.to,
    messageKeyword: null,
    messageBody: text.body,
    inboundMessageId: text.inboundMessageId,
    previousPublishedMessageId: text.previousPublishedMessageId ?? null,
  };
  const id = `local-sqs-${text.inboundMessageId}`;
  return {
    Records: [
      {
        messageId: id,
        receiptHandle: id,
        body: JSON.stringify({
          Type: 'Notification',
          MessageId: `local-sns-${text.inboundMessageId}`,
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:local-inbound-sms',
          Message: JSON.stringify(payload),
          Timestamp: text.at,
        }),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.parse(text.at)),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.parse(text.at)),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:local-inbound',
        awsRegion: 'us-east-1',
      },
    ],
  };
}
