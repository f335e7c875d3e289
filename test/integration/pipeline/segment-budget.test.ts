import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../shared/domain/model';
import { countSegments, render } from '../../../shared/domain/templates';
import { ORIGINATION_NUMBER, type PipelineRig, sesInput, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();
// Tuesday 8 Dec 2026 10:00 New York, a week after the rig's "now".
const VISIT = '2026-12-08T15:00:00Z';
const CONFIRMED_BY = '2026-12-01T15:05:00Z';

/** A clinic's own confirmation that shows the location outside a section: the guard cannot leave it out. */
const BARE_LOCATION = {
  sms: '{{clinicName}}: see you {{localDate}} at {{localTime}} at {{location}}. Reply STOP to opt out.',
  emailSubject: 'Your visit at {{clinicName}}',
  emailBody: 'Hi {{firstName}}, see you {{localDate}} at {{location}}.',
};

/** A clinic with that wording, a patient on `channels`, and a visit whose location no SMS part can hold. */
async function bookTooLongForSms(rig: PipelineRig, channels: Channel[]) {
  const clinic = await rig.seedClinic({
    policy: { languages: ['en'], templates: { confirmation: { en: BARE_LOCATION } } },
  });
  const patient = await rig.seedPatient({ channels });
  const appointment = await rig.book(`a-long-place-${channels.join('-')}`, {
    patientId: patient.patientId,
    startAt: VISIT,
    durationMinutes: 30,
    location: `Riverside Medical Plaza, ${'East Wing '.repeat(15)}`.trim(),
  });
  return { clinic, patient, appointment };
}

describe('the render-time segment guard in send-message', () => {
  it('sends a confirmation in one part to a patient whose first name is 50 emoji, without the name', async () => {
    // Prepare
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient({ firstName: '😀'.repeat(50), channels: ['sms'] });
    const appointment = await rig.book('a-emoji', {
      patientId: patient.patientId,
      startAt: VISIT,
      durationMinutes: 30,
      location: 'Suite 3',
    });

    // Act
    await rig.advanceTo(CONFIRMED_BY);

    // Assess: the name left out ("Hi,"), the place kept, GSM-7 in one part.
    const text =
      'Riverside Clinic: Hi, you are booked for Tue, Dec 8 at 10:00 AM, Suite 3. ' +
      'Reply C to confirm, R to reschedule, STOP to opt out. Call (202) 555-0143';
    expect(countSegments(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(rig.snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        PhoneNumber: patient.phone,
        Message: text,
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: ORIGINATION_NUMBER },
          'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' },
        },
      },
    ]);
    const [confirmation] = await rig.messagesOf(appointment);
    expect(confirmation).toMatchObject({ kind: 'confirmation', status: 'sent', channel: 'sms' });
    expect(rig.telemetry.total('SmsShortened')).toBe(1);
  });

  it('skips an SMS that nothing can make fit with the reason over-segment-budget, counts it and sends nothing', async () => {
    // Prepare
    const rig = rigFor();
    const { appointment } = await bookTooLongForSms(rig, ['sms']);

    // Act
    await rig.advanceTo(CONFIRMED_BY);

    // Assess
    const [confirmation] = await rig.messagesOf(appointment);
    expect(confirmation).toMatchObject({
      kind: 'confirmation',
      status: 'skipped',
      reason: 'over-segment-budget',
    });
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(rig.telemetry.total('OverSegmentBudget')).toBe(1);
    expect(rig.events().filter((event) => event.detailType === 'MessageSkipped')).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          messageId: confirmation?.messageId,
          reason: 'over-segment-budget',
        }),
      }),
    ]);
  });

  it('sends by email instead when the patient allows it, with the exact SES input and the reason', async () => {
    // Prepare
    const rig = rigFor();
    const { clinic, patient, appointment } = await bookTooLongForSms(rig, ['sms', 'email']);

    // Act
    await rig.advanceTo(CONFIRMED_BY);

    // Assess
    const [confirmation] = await rig.messagesOf(appointment);
    expect(confirmation).toMatchObject({
      status: 'sent',
      channel: 'email',
      reason: 'fallback-after-sms-over-segment-budget',
    });
    expect(rig.snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    const email = render({
      kind: 'confirmation',
      language: 'en',
      channel: 'email',
      clinic,
      patient,
      appointment,
    });
    expect(rig.sesMock.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toEqual([
      sesInput({
        to: patient.email ?? '',
        ...email,
        messageIdTag: confirmation?.messageId.replaceAll('#', '@23') ?? '',
      }),
    ]);
    expect(rig.telemetry.total('OverSegmentBudget')).toBe(1);
  });
});
