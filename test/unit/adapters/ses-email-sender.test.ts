import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeTagValue,
  encodeTagValue,
  SesEmailSender,
} from '../../../shared/adapters/aws/ses-email-sender';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

describe('SES sender', () => {
  it('tags each email with our ids, written so that SES accepts them and the receipt reads them back', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const sender = new SesEmailSender(new SESv2Client({ region: 'us-east-1', maxAttempts: 1 }), {
      fromAddress: 'Riverside Family Clinic <reminders@clinic.example>',
      configurationSet: 'riverside-reminders',
    });

    // Act
    const receipt = await sender.send({
      to: 'ana.rivera@example.com',
      subject: 'Your visit tomorrow',
      text: 'See you at 10:00.',
      clinicId: 'riverside',
      patientId: 'p_1.a',
      messageId: 'a-1#reminder#1d#v1',
    });

    // Assess
    expect(receipt).toEqual({ providerMessageId: 'ses-1' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: 'Riverside Family Clinic <reminders@clinic.example>',
      Destination: { ToAddresses: ['ana.rivera@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Your visit tomorrow', Charset: 'UTF-8' },
          Body: { Text: { Data: 'See you at 10:00.', Charset: 'UTF-8' } },
        },
      },
      ConfigurationSetName: 'riverside-reminders',
      EmailTags: [
        { Name: 'clinicId', Value: 'riverside' },
        { Name: 'patientId', Value: 'p_1.a' },
        { Name: 'messageId', Value: 'a-1@23reminder@231d@23v1' },
      ],
    });
  });
});

describe('SES tag values', () => {
  it('keep letters, digits, _ - . and escape the rest, @ included', () => {
    expect(encodeTagValue('a-1#reminder#1d#v1')).toBe('a-1@23reminder@231d@23v1');
    expect(encodeTagValue('~abc@x')).toBe('@7eabc@40x');
    expect(encodeTagValue('é')).toBe('@c3@a9');
  });

  it('read back exactly what was written, for any id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: 'grapheme' }), (id) => {
        const encoded = encodeTagValue(id);
        if (encoded === undefined) return;
        expect(encoded).toMatch(/^[A-Za-z0-9_.@-]*$/);
        expect(decodeTagValue(encoded)).toBe(id);
      }),
      { numRuns: 500 },
    );
  });

  it('give up on a value SES could not hold, and refuse to read what they never wrote', () => {
    expect(encodeTagValue('#'.repeat(100))).toBeUndefined();
    expect(decodeTagValue('a#b')).toBeUndefined();
    expect(decodeTagValue('@zz')).toBeUndefined();
    expect(decodeTagValue('@c3')).toBeUndefined();
  });
});
