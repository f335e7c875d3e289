import { PublishCommand } from '@aws-sdk/client-sns';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DynamoInboundRepository } from '../../../shared/adapters/dynamodb/inbound-repository';
import { renderSms, smsNameOf } from '../../../shared/domain/templates';
import { savePatient } from '../../../shared/use-cases/staff/patients';
import { ORIGINATION_NUMBER, usePipelineRig } from '../../support/pipeline-rig';

const rigFor = usePipelineRig();
const NY = 'America/New_York';

/** Local wall time of an ISO instant, for readable assertions. */
function local(iso: string, zone = NY): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
}

describe('a booked appointment', () => {
  it('sends its confirmation at once and each reminder at its local time, by SMS with the exact SNS input', async () => {
    // Prepare: Tuesday 1 Dec 2026 10:00 New York; visit Tuesday 8 Dec 10:00.
    const rig = rigFor();
    const clinic = await rig.seedClinic();
    const patient = await rig.seedPatient();
    const appointment = await rig.book('a-life-1', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
      location: '12 River Road, Suite 3',
    });

    // Act
    await rig.advanceTo('2026-12-09T00:00:00Z');

    // Assess: one SMS per message, at the planned local times.
    expect(rig.calls.map((call) => [local(call.at), call.channel])).toEqual([
      ['2026-12-01 10:00', 'sms'],
      ['2026-12-05 10:00', 'sms'],
      ['2026-12-07 10:00', 'sms'],
      ['2026-12-08 08:00', 'sms'],
    ]);
    const first = rig.snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(first).toEqual({
      PhoneNumber: '+14155552671',
      Message: renderSms({ kind: 'confirmation', language: 'en', clinic, patient, appointment }).text,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: ORIGINATION_NUMBER },
        'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.50' },
      },
    });
    expect(first?.Message).toContain(smsNameOf(clinic));
    expect(first?.Message).toMatch(/STOP/);
    const stored = await rig.messagesOf(appointment);
    expect(stored.map((m) => [m.kind, m.offset ?? '-', m.status])).toEqual([
      ['confirmation', '-', 'sent'],
      ['reminder', '1d', 'sent'],
      ['reminder', '2h', 'sent'],
      ['reminder', '3d', 'sent'],
    ]);
    expect(rig.events().filter((e) => e.detailType === 'MessageSent')).toHaveLength(4);
  });

  it('lands each send within seconds of its due time, not on the minute of the sweep', async () => {
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    // A visit at 10:17:30 local, so the 2 h reminder is due at 08:17:30.
    await rig.book('a-life-2', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:17:30Z',
      durationMinutes: 20,
    });

    await rig.advanceTo('2026-12-08T14:00:00Z');

    const reminder = rig.calls.find((call) => local(call.at) === '2026-12-08 08:17');
    expect(reminder?.at).toBe('2026-12-08T13:17:30.000Z');
  });
});

describe('a message moved out of quiet hours', () => {
  it('says why it moved (quiet-hours) while it waits and after it is sent', async () => {
    // Visit Tuesday 8 Dec 09:00 New York: the 2 h reminder (07:00) moves to 20:45 the evening before.
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const appointment = await rig.book('a-quiet', {
      patientId: patient.patientId,
      startAt: '2026-12-08T14:00:00Z',
      durationMinutes: 30,
    });

    await rig.advanceTo('2026-12-02T00:00:00Z');
    const waiting = (await rig.messagesOf(appointment)).find((m) => m.messageId === 'a-quiet#reminder#2h#v1');
    await rig.advanceTo('2026-12-08T14:00:00Z');
    const sent = (await rig.messagesOf(appointment)).find((m) => m.messageId === 'a-quiet#reminder#2h#v1');

    expect(waiting).toMatchObject({ status: 'pending', reason: 'quiet-hours' });
    expect(local(waiting?.plannedAt ?? '')).toBe('2026-12-08 07:00');
    expect(local(waiting?.dueAt ?? '')).toBe('2026-12-07 20:45');
    expect(sent).toMatchObject({ status: 'sent', reason: 'quiet-hours' });
    const confirmation = (await rig.messagesOf(appointment)).find((m) => m.kind === 'confirmation');
    expect(confirmation).toMatchObject({ status: 'sent' });
    expect(confirmation?.reason).toBeUndefined();
  });
});

describe('recurring visits under the frequency cap', () => {
  it('reminds as many of five daily visits as the weekly cap allows, each its nearest reminder, instead of three for the first', async () => {
    // Visits Monday 7 to Friday 11 Dec at 10:00 New York, booked on Tuesday 1 Dec; the cap is 1 a day, 3 a week.
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const visits = [];
    for (const day of [7, 8, 9, 10, 11]) {
      visits.push(
        await rig.book(`a-daily-${day}`, {
          patientId: patient.patientId,
          startAt: `2026-12-${String(day).padStart(2, '0')}T15:00:00Z`,
          durationMinutes: 45,
        }),
      );
    }

    await rig.advanceTo('2026-12-12T00:00:00Z');

    const reminders = (await Promise.all(visits.map((visit) => rig.messagesOf(visit))))
      .flat()
      .filter((m) => m.kind === 'reminder');
    const sent = reminders.filter((m) => m.status === 'sent').map((m) => m.messageId);
    expect(sent.sort()).toEqual([
      'a-daily-7#reminder#2h#v1',
      'a-daily-8#reminder#2h#v1',
      'a-daily-9#reminder#2h#v1',
    ]);
    expect(reminders.filter((m) => m.status !== 'sent').map((m) => m.reason)).toEqual(
      Array(12).fill('frequency-cap'),
    );
    // The first visit's far-ahead reminders gave way after they were planned.
    expect(reminders.find((m) => m.messageId === 'a-daily-7#reminder#3d#v1')).toMatchObject({
      status: 'skipped',
      reason: 'frequency-cap',
      planVersion: 1,
    });
  });
});

describe('room the frequency cap gets back', () => {
  it('gives a capped visit its reminder back when another visit is cancelled, and closes the cancelled visit’s capped ones', async () => {
    // The five daily 10:00 visits of the test above (1 a day, 3 a week): 7, 8 and 9 Dec keep their 2 h reminders.
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const visits = [];
    for (const day of [7, 8, 9, 10, 11]) {
      visits.push(
        await rig.book(`a-room-${day}`, {
          patientId: patient.patientId,
          startAt: `2026-12-${String(day).padStart(2, '0')}T15:00:00Z`,
          durationMinutes: 45,
        }),
      );
    }
    await rig.advanceTo('2026-12-02T12:00:00Z');
    const tuesday = visits[1];
    if (!tuesday) throw new Error('no visit on the 8th');
    await rig.changeStatus(tuesday, { to: 'cancelled', by: 'clinic' });
    await rig.advanceTo('2026-12-12T00:00:00Z');

    const reminders = (await Promise.all(visits.map((visit) => rig.messagesOf(visit))))
      .flat()
      .filter((m) => m.kind === 'reminder');
    const sent = reminders.filter((m) => m.status === 'sent').map((m) => m.messageId);
    // The week's third slot goes to the 10th, the earliest visit left without one.
    expect(sent.sort()).toEqual([
      'a-room-10#reminder#2h#v1',
      'a-room-7#reminder#2h#v1',
      'a-room-9#reminder#2h#v1',
    ]);
    // The cancelled visit's reminders, sent none, are closed for its cancellation, capped ones too.
    expect(
      reminders.filter((m) => m.appointmentId === 'a-room-8').map((m) => [m.messageId, m.status, m.reason]),
    ).toEqual([
      ['a-room-8#reminder#1d#v1', 'skipped', 'appointment-cancelled'],
      ['a-room-8#reminder#2h#v1', 'skipped', 'appointment-cancelled'],
      ['a-room-8#reminder#3d#v1', 'skipped', 'appointment-cancelled'],
    ]);
    // One provider call per message sent: the five confirmations, the cancellation notice, three reminders.
    const everySent = (await Promise.all(visits.map((visit) => rig.messagesOf(visit))))
      .flat()
      .filter((m) => m.status === 'sent');
    expect(everySent).toHaveLength(9);
    expect(rig.calls).toHaveLength(9);
  });
});

describe('a change after planning', () => {
  it('withdraws the old reminders on a reschedule, sends one reschedule notice and the new reminders only', async () => {
    const rig = rigFor();
    await rig.seedClinic({ policy: { frequencyCap: { enabled: false, perDay: 1, perWeek: 3 } } });
    const patient = await rig.seedPatient();
    const booked = await rig.book('a-move', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
    });
    await rig.advanceTo('2026-12-05T16:00:00Z'); // confirmation and the 3 d reminder went out

    const moved = await rig.update(booked, { startAt: '2026-12-10T19:00:00Z' });
    await rig.advanceTo('2026-12-11T00:00:00Z');

    const sent = (await rig.messagesOf(moved)).filter((m) => m.status === 'sent').map((m) => m.messageId);
    expect(sent.sort()).toEqual(
      [
        'a-move#confirmation#-#v1',
        'a-move#reminder#3d#v1',
        'a-move#reschedule#-#v2',
        'a-move#reminder#3d#v2',
        'a-move#reminder#1d#v2',
        'a-move#reminder#2h#v2',
      ].sort(),
    );
    const withdrawn = (await rig.messagesOf(moved)).filter((m) => m.status === 'skipped');
    expect(withdrawn.map((m) => [m.messageId, m.reason])).toEqual([
      ['a-move#reminder#1d#v1', 'appointment-moved'],
      ['a-move#reminder#2h#v1', 'appointment-moved'],
    ]);
    // Nothing went out at the old reminder times after the move.
    expect(
      rig.calls.filter(
        (c) =>
          c.at > '2026-12-05T16:00:00.000Z' && local(c.at).endsWith('10:00') && c.at.startsWith('2026-12-07'),
      ),
    ).toEqual([]);
    expect(rig.calls).toHaveLength(6);
  });

  it('counts reminders already sent for the old time against the weekly cap after a move', async () => {
    // Visit Saturday 5 Dec 10:00; the 3 d and 1 d reminders go out Wednesday and Friday.
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const booked = await rig.book('a-cap', {
      patientId: patient.patientId,
      startAt: '2026-12-05T15:00:00Z',
      durationMinutes: 30,
    });
    await rig.advanceTo('2026-12-04T17:00:00Z');

    // Friday noon the visit moves to Monday 7 Dec 10:00.
    const moved = await rig.update(booked, { startAt: '2026-12-07T15:00:00Z' });
    await rig.advanceTo('2026-12-08T00:00:00Z');

    const reminders = (await rig.messagesOf(moved)).filter((m) => m.kind === 'reminder');
    const sentTimes = reminders
      .filter((m) => m.status === 'sent')
      .map((m) => DateTime.fromISO(m.finishedAt ?? ''));
    for (const at of sentTimes) {
      const inWeek = sentTimes.filter((other) => other >= at && other.diff(at, 'days').days < 7);
      expect(inWeek.length, `reminders in the week from ${at.toISO()}`).toBeLessThanOrEqual(3);
    }
    expect(reminders.filter((m) => m.reason === 'frequency-cap')).toHaveLength(1);
    expect(reminders.find((m) => m.messageId === 'a-cap#reminder#3d#v2')?.reason).toBe('too-late');
  });

  it('sends the cancellation notice (held until quiet hours end) and nothing after it', async () => {
    const rig = rigFor();
    await rig.seedClinic();
    const patient = await rig.seedPatient();
    const booked = await rig.book('a-cancel', {
      patientId: patient.patientId,
      startAt: '2026-12-08T15:00:00Z',
      durationMinutes: 30,
    });
    await rig.advanceTo('2026-12-02T12:00:00Z');

    // Cancelled at 07:00 local, inside quiet hours, for a visit six days away.
    const cancelled = await rig.changeStatus(booked, { to: 'cancelled', by: 'clinic' });
    await rig.advanceTo('2026-12-09T00:00:00Z');

    expect(rig.calls.map((c) => local(c.at))).toEqual(['2026-12-01 10:00', '2026-12-02 08:00']);
    const stored = await rig.messagesOf(cancelled);
    expect(stored.filter((m) => m.status === 'pending' || m.status === 'queued')).toEqual([]);
    expect(stored.find((m) => m.kind === 'cancellation')?.status).toBe('sent');
    expect(stored.filter((m) => m.kind === 'reminder').map((m) => m.reason)).toEqual([
      'appointment-cancelled',
      'appointment-cancelled',
      'appointment-cancelled',
    ]);
  });
});

describe('a number that texted STOP before any patient had it', () => {
  it('stops the patients given that number later: nothing is sent to it, a pending reminder is skipped opted-out at send time', async () => {
    // Prepare: handle-inbound's record of STOP from a number no patient had; a patient booked on another number.
    const rig = rigFor();
    await rig.seedClinic();
    const inbound = new DynamoInboundRepository(rig.clients.doc, rig.names.inbound);
    const stopped = '+14155550177';
    const stop = { kind: 'opt-out' as const, at: '2026-12-01T14:00:00.000Z', inboundMessageId: 'in-stop-9' };
    await inbound.putNumberOptState(
      {
        clinicId: 'demo-clinic',
        number: stopped,
        state: {
          optOut: { at: stop.at, source: 'patient', inboundMessageId: stop.inboundMessageId },
          lastReply: stop,
        },
        version: 1,
        updatedAt: stop.at,
      },
      null,
    );
    const deps = {
      clinics: rig.repos.clinics,
      patients: rig.repos.patients,
      inbound,
      counters: rig.repos.counters,
      clock: rig.clock,
    };
    const staff = { subject: 'staff-user-1' };
    const contact = { firstName: 'Luis', channels: ['sms'], language: 'es' };
    await savePatient(
      deps,
      { clinicId: 'demo-clinic', patientId: 'p-moved' },
      { ...contact, phone: '+14155550178' },
      undefined,
      staff,
    );
    const visit = { startAt: '2026-12-08T15:00:00Z', durationMinutes: 30, location: '12 River Road' };
    const moved = await rig.book('a-moved-1', { patientId: 'p-moved', ...visit });
    await rig.advanceTo('2026-12-01T15:05:00Z');

    // Act: staff register a new patient with the number, and give it to the booked one.
    await savePatient(
      deps,
      { clinicId: 'demo-clinic', patientId: 'p-late' },
      { ...contact, phone: stopped },
      undefined,
      staff,
    );
    const late = await rig.book('a-late-1', { patientId: 'p-late', ...visit });
    await savePatient(
      deps,
      { clinicId: 'demo-clinic', patientId: 'p-moved' },
      { ...contact, phone: stopped },
      1,
      staff,
    );
    await rig.advanceTo('2026-12-05T16:00:00Z');

    // Assess: only the booked patient's confirmation went, before the change, to the old number.
    expect(rig.calls.map((call) => call.to)).toEqual(['+14155550178']);
    expect((await rig.messagesOf(moved)).find((message) => message.offset === '3d')).toMatchObject({
      status: 'skipped',
      reason: 'opted-out',
    });
    // The new patient's messages are planned (an opt-out can be lifted by START), and each is skipped
    // opted-out when it comes due; those not due yet wait pending.
    const lateMessages = await rig.messagesOf(late);
    expect(lateMessages.length).toBeGreaterThan(0);
    for (const message of lateMessages) {
      if (message.dueAt <= '2026-12-05T16:00:00.000Z')
        expect(message, message.messageId).toMatchObject({ status: 'skipped', reason: 'opted-out' });
      else expect(message, message.messageId).toMatchObject({ status: 'pending' });
    }
    expect(lateMessages.some((message) => message.status === 'skipped')).toBe(true);
    expect((await rig.repos.patients.get('demo-clinic', 'p-late'))?.optOuts.sms).toEqual({
      at: stop.at,
      source: 'patient',
    });
  });
});
