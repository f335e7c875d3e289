import { PublishCommand } from '@aws-sdk/client-sns';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { makeCareReminder, makeClinic, makePatient } from '../../support/factories';
import { ORIGINATION_NUMBER, type PipelineRig, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();
const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

async function careMessages(rig: PipelineRig) {
  return (await rig.repos.messages.listForPatient('demo-clinic', 'p-1')).filter(
    (message) => message.kind === 'care-reminder',
  );
}

describe('care reminders through the shipped handlers (DynamoDB Local)', () => {
  it('plans a refill in the next sweep, sends each reminder at 10:00 New York across the DST change with the built-in text, and plans nothing twice', async () => {
    // Prepare: saved on 1 March; due 15 March 2027, the day after New York's clocks go forward.
    const rig = rigFor();
    rig.clock.set(at('2027-03-01T15:00:00Z'));
    await rig.repos.clinics.put(makeClinic(), null);
    await rig.repos.patients.put(makePatient({ channels: ['sms'] }), null);
    await rig.repos.careReminders.put(makeCareReminder({ planAt: '2027-03-01T15:00:00.000Z' }), null);

    // Act
    await rig.sweep();
    await rig.sweep();
    const planned = await careMessages(rig);
    const reminder = await rig.repos.careReminders.get({
      clinicId: 'demo-clinic',
      patientId: 'p-1',
      reminderId: 'rx-1',
    });
    rig.clock.set(at('2027-03-08T14:59:00Z'));
    await rig.advanceTo('2027-03-08T15:01:00Z');
    rig.clock.set(at('2027-03-14T13:59:00Z'));
    await rig.advanceTo('2027-03-14T14:01:00Z');

    // Assess
    expect(rig.sweepErrors).toEqual([]);
    expect(planned.map((message) => [message.messageId, message.dueAt, message.status])).toEqual([
      ['~care#rx-1#refill#2027-03-15#1d', '2027-03-14T14:00:00.000Z', 'pending'],
      ['~care#rx-1#refill#2027-03-15#7d', '2027-03-08T15:00:00.000Z', 'pending'],
    ]);
    // Planned once, nothing left to do (it does not repeat); still the version staff saved (their ETag holds).
    expect(reminder).toMatchObject({ plannedAt: '2027-03-01T15:00:00.000Z', version: 1 });
    expect(reminder?.planAt).toBeUndefined();
    const text =
      'Riverside Clinic: Hi Ana, a prescription refill is due Mon, Mar 15. Reply C to request it. Call (202) 555-0143. STOP to opt out.';
    expect(rig.snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        PhoneNumber: '+14155552671',
        Message: text,
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: ORIGINATION_NUMBER },
          'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' },
        },
      },
      expect.objectContaining({ PhoneNumber: '+14155552671', Message: text }),
    ]);
    expect(rig.calls.map((call) => call.at.slice(0, 16))).toEqual(['2027-03-08T15:00', '2027-03-14T14:00']);
    expect((await careMessages(rig)).map((message) => message.status)).toEqual(['sent', 'sent']);
  });

  it('rolls a monthly repeat from 31 January to 28 February once the due date is over, then a stop withdraws what waits', async () => {
    // Prepare: saved the evening before its due date, too late for both reminders of 31 January.
    const rig = rigFor();
    rig.clock.set(at('2027-01-31T01:00:00Z'));
    await rig.repos.clinics.put(makeClinic(), null);
    await rig.repos.patients.put(makePatient({ channels: ['sms'] }), null);
    const key = { clinicId: 'demo-clinic', patientId: 'p-1', reminderId: 'rx-1' };
    await rig.repos.careReminders.put(
      makeCareReminder({
        dueOn: '2027-01-31',
        anchorDay: 31,
        repeat: { every: 'P1M' },
        planAt: '2027-01-31T01:00:00.000Z',
      }),
      null,
    );

    // Act: plan, then the first sweep after midnight of 31 January in New York (05:00 UTC).
    await rig.sweep();
    const first = await rig.repos.careReminders.get(key);
    rig.clock.set(at('2027-02-01T05:00:00Z'));
    await rig.sweep();
    const rolled = await rig.repos.careReminders.get(key);
    const afterRoll = await careMessages(rig);
    const current = rolled ?? first;
    if (!current) throw new Error('the reminder is gone');
    await rig.repos.careReminders.put(
      {
        ...current,
        status: 'stopped',
        stoppedAt: '2027-02-01T05:00:30.000Z',
        planAt: '2027-02-01T05:00:30.000Z',
        version: current.version + 1,
      },
      current.version,
    );
    rig.clock.set(at('2027-02-01T05:01:00Z'));
    await rig.sweep();

    // Assess
    expect(rig.sweepErrors).toEqual([]);
    expect(first).toMatchObject({ dueOn: '2027-01-31', occurrence: 1, planAt: '2027-02-01T05:00:00.000Z' });
    expect(rolled).toMatchObject({ dueOn: '2027-02-28', occurrence: 2, planAt: '2027-03-01T05:00:00.000Z' });
    expect(afterRoll.map((message) => [message.messageId, message.status, message.reason])).toEqual([
      ['~care#rx-1#refill#2027-01-31#1d', 'skipped', 'too-late'],
      ['~care#rx-1#refill#2027-01-31#7d', 'skipped', 'too-late'],
      ['~care#rx-1#refill#2027-02-28#1d', 'pending', undefined],
      ['~care#rx-1#refill#2027-02-28#7d', 'pending', undefined],
    ]);
    const stopped = await careMessages(rig);
    expect(
      stopped
        .filter((message) => message.messageId.includes('2027-02-28'))
        .map((message) => [message.status, message.reason]),
    ).toEqual([
      ['skipped', 'care-reminder-stopped'],
      ['skipped', 'care-reminder-stopped'],
    ]);
    expect((await rig.repos.careReminders.get(key))?.planAt).toBeUndefined();
    expect(rig.calls).toEqual([]);
  });
});
