import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  ResourceNotFoundException,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  classifyEndUserMessagingError,
  EndUserMessagingSmsSender,
  RoutingSmsSender,
} from '../../../shared/adapters/aws/eum-sms-sender';
import { PermanentDeliveryError, TransientDeliveryError } from '../../../shared/domain/errors';
import type { SmsRequest } from '../../../shared/ports/outbound';

const eum = mockClient(PinpointSMSVoiceV2Client);
afterEach(() => eum.reset());

const request: SmsRequest = {
  to: '+14155552671',
  text: 'Riverside Clinic: reminder for Ana, Tue Dec 8 10:00 AM. Reply C to confirm, R to reschedule, STOP to opt out.',
  clinicId: 'riverside',
  patientId: 'p-1',
  messageId: 'a-1#reminder#1d#v1',
  originationIdentity: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
};

function sender(maxPriceUsd?: string) {
  return new EndUserMessagingSmsSender(
    new PinpointSMSVoiceV2Client({ region: 'us-east-1', maxAttempts: 1 }),
    {
      configurationSetName: 'clinic-reminders-riverside',
      ...(maxPriceUsd ? { maxPriceUsd } : {}),
    },
  );
}

const answered = (status: number) => ({ message: 'refused', $metadata: { httpStatusCode: status } });

function outcome(error: unknown): string {
  if (error instanceof TransientDeliveryError) return `transient:${error.providerCode}`;
  if (error instanceof PermanentDeliveryError) return `permanent:${error.reason}`;
  return 'unknown';
}

describe('End User Messaging sender', () => {
  it('sends from the clinic’s identity, transactional, with the configuration set, our ids as context and MaxPrice', async () => {
    // Prepare
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-1' });

    // Act
    const receipt = await sender('0.05').send(request);

    // Assess
    expect(receipt).toEqual({ providerMessageId: 'eum-1' });
    expect(eum.commandCalls(SendTextMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        DestinationPhoneNumber: '+14155552671',
        OriginationIdentity: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        MessageBody: request.text,
        MessageType: 'TRANSACTIONAL',
        ConfigurationSetName: 'clinic-reminders-riverside',
        Context: { clinicId: 'riverside', patientId: 'p-1', messageId: 'a-1#reminder#1d#v1' },
        MaxPrice: '0.05',
      },
    ]);
  });

  it('leaves MaxPrice out when the deployment sets none', async () => {
    eum.on(SendTextMessageCommand).resolves({ MessageId: 'eum-2' });
    await sender().send(request);
    expect(eum.commandCalls(SendTextMessageCommand)[0]?.args[0].input).not.toHaveProperty('MaxPrice');
  });

  it('calls nothing for a text without an origination identity', async () => {
    const { originationIdentity: _, ...withoutIdentity } = request;
    await expect(sender().send(withoutIdentity)).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(eum.commandCalls(SendTextMessageCommand)).toHaveLength(0);
  });

  it('calls an accepted text without an id a transient failure, not a send', async () => {
    eum.on(SendTextMessageCommand).resolves({});
    await expect(sender().send(request)).rejects.toBeInstanceOf(TransientDeliveryError);
  });
});

describe('End User Messaging errors', () => {
  it.each([
    [new ThrottlingException(answered(429)), 'transient:ThrottlingException'],
    [new InternalServerException(answered(500)), 'transient:InternalServerException'],
    [
      new ServiceQuotaExceededException({ ...answered(402), Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT' }),
      'transient:ServiceQuotaExceededException:MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
    ],
    [new AccessDeniedException(answered(403)), 'transient:AccessDeniedException'],
    [
      Object.assign(new Error('Key disabled'), {
        name: 'KMSDisabledException',
        $metadata: { httpStatusCode: 400 },
      }),
      'transient:KMSDisabledException',
    ],
    [
      new ConflictException({ ...answered(409), Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' }),
      'permanent:opted-out',
    ],
    [
      new ConflictException({
        ...answered(409),
        Reason: 'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
      }),
      'permanent:invalid-address',
    ],
    // The number is not active yet (registration pending): our setup, not the patient's number.
    [new ConflictException({ ...answered(409), Reason: 'RESOURCE_NOT_ACTIVE' }), 'permanent:rejected'],
    [
      new ValidationException({
        ...answered(400),
        Reason: 'INVALID_PARAMETER',
        Fields: [{ Name: 'DestinationPhoneNumber', Message: 'bad' }],
      }),
      'permanent:invalid-address',
    ],
    [
      new ValidationException({ ...answered(400), Reason: 'DESTINATION_COUNTRY_BLOCKED' }),
      'permanent:invalid-address',
    ],
    [new ValidationException({ ...answered(400), Reason: 'PRICE_OVER_THRESHOLD' }), 'permanent:rejected'],
    [
      new ResourceNotFoundException({ ...answered(404), ResourceType: 'configuration-set' }),
      'permanent:rejected',
    ],
    [
      Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      }),
      'transient:ServiceUnavailable',
    ],
    [Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'unknown'],
  ])('classifies %s as %s', (error, expected) => {
    expect(outcome(classifyEndUserMessagingError(error))).toBe(expected);
  });

  it('never copies the provider’s message, which can echo the phone number', () => {
    const classified = classifyEndUserMessagingError(
      new ValidationException({
        message: 'Invalid DestinationPhoneNumber +14155552671',
        $metadata: { httpStatusCode: 400 },
        Reason: 'INVALID_PARAMETER',
        Fields: [{ Name: 'DestinationPhoneNumber', Message: '+14155552671' }],
      }),
    ) as Error;
    expect(classified.message).not.toContain('+1415');
  });

  it('passes a send that failed with no answer through as an unknown outcome', async () => {
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    eum.on(SendTextMessageCommand).rejects(timeout);
    await expect(sender().send(request)).rejects.toBe(timeout);
  });
});

describe('choosing the SMS provider', () => {
  it('texts through End User Messaging when the clinic has an origination identity, else through SNS', async () => {
    const used: string[] = [];
    const recording = (name: string) => ({
      send: async () => {
        used.push(name);
        return { providerMessageId: `${name}-1` };
      },
    });
    const router = new RoutingSmsSender(recording('eum'), recording('sns'));
    const { originationIdentity: _, ...viaSns } = request;
    await router.send(request);
    await router.send(viaSns);
    expect(used).toEqual(['eum', 'sns']);
  });
});
