import type { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type Appointment, type Clinic, DEFAULT_POLICY, type Patient } from '../../../../shared/domain/model';
import {
  type OtherMessage,
  type PlannedMessage,
  plan,
  SURVEY_VALIDITY_HOURS,
} from '../../../../shared/domain/planning';
import { parseUtc, toUtcIso } from '../../../../shared/domain/time';
import { makeAppointment, makeClinic, makePatient, TEST_NOW } from '../../../support/factories';
import { localInstant, localIso, wallClock } from '../support/local-time';

interface Setup {
  appointment?: Partial<Appointment>;
  patient?: Partial<Patient>;
  policy?: Partial<Clinic['policy']>;
  now?: DateTime;
  others?: OtherMessage[];
}

function planFor(setup: Setup = {}): PlannedMessage[] {
  return plan({
    appointment: makeAppointment(setup.appointment),
    patient: makePatient(setup.patient),
    clinic: makeClinic({ policy: setup.policy ?? {} }),
    now: setup.now ?? parseUtc(TEST_NOW),
    otherMessages: setup.others ?? [],
  }).messages;
}

/** Planned messages by `kind#offset`. */
function byKey(planned: PlannedMessage[]): Record<string, PlannedMessage> {
  return Object.fromEntries(planned.map((message) => [`${message.kind}#${message.offset ?? '-'}`, message]));
}

const NO_QUIET_HOURS = { quietHours: { ...DEFAULT_POLICY.quietHours, enabled: false } };
const NO_CAP = { frequencyCap: { ...DEFAULT_POLICY.frequencyCap, enabled: false } };

function otherReminder(
  dueAt: string,
  status: OtherMessage['status'] = 'pending',
  kind: OtherMessage['kind'] = 'reminder',
) {
  return {
    messageId: `a-9#${kind}#1d#v1`,
    appointmentId: 'a-9',
    kind,
    dueAt,
    notAfter: toUtcIso(parseUtc(dueAt).plus({ days: 1 })),
    status,
    priority: 'high',
  } as const;
}

describe('plan: a booked visit', () => {
  it('confirms at booking and reminds 3 days, 1 day and 2 hours before the visit', () => {
    // Booked Tuesday 1 December 10:00 for Tuesday 8 December 10:00, New York.
    const planned = planFor();
    expect(planned.map(({ messageId, status, dueAt }) => ({ messageId, status, dueAt }))).toEqual([
      { messageId: 'a-1#confirmation#-#v1', status: 'pending', dueAt: TEST_NOW },
      { messageId: 'a-1#reminder#3d#v1', status: 'pending', dueAt: localIso('2026-12-05 10:00') },
      { messageId: 'a-1#reminder#1d#v1', status: 'pending', dueAt: localIso('2026-12-07 10:00') },
      // 08:00 is when quiet hours end, so it stays.
      { messageId: 'a-1#reminder#2h#v1', status: 'pending', dueAt: localIso('2026-12-08 08:00') },
    ]);
    for (const message of planned) {
      expect(message).toMatchObject({
        appointmentId: 'a-1',
        priority: 'high',
        channel: 'sms',
        language: 'en',
        notAfter: '2026-12-08T15:00:00.000Z',
        plannedAt: message.dueAt,
      });
    }
  });

  it("uses the offsets set for the appointment type, else the clinic's default", () => {
    const policy = { reminderOffsets: { default: ['1d'], byType: { 'new-patient': ['2d', '4h'] } } };
    expect(Object.keys(byKey(planFor({ policy, appointment: { type: 'new-patient' } })))).toEqual([
      'confirmation#-',
      'reminder#2d',
      'reminder#4h',
    ]);
    expect(Object.keys(byKey(planFor({ policy })))).toEqual(['confirmation#-', 'reminder#1d']);
  });

  it('moves a 2 h reminder out of quiet hours to the evening before', () => {
    const planned = byKey(
      planFor({
        appointment: { startAt: localIso('2026-12-08 09:00') },
        policy: { reminderOffsets: { default: ['2h'], byType: {} } },
      }),
    );
    expect(planned['reminder#2h']).toMatchObject({
      status: 'pending',
      plannedAt: localIso('2026-12-08 07:00'),
      dueAt: localIso('2026-12-07 20:45'),
      reason: 'quiet-hours',
    });
  });

  it('records quiet-hours as the reason of every move, and no reason on a message at its planned time', () => {
    // The report's case: New York, visit 2027-11-08T14:00Z (09:00 EST).
    const planned = byKey(planFor({ appointment: { startAt: '2027-11-08T14:00:00.000Z' }, policy: NO_CAP }));
    expect(planned['reminder#2h']).toMatchObject({
      status: 'pending',
      plannedAt: '2027-11-08T12:00:00.000Z',
      dueAt: '2027-11-08T01:45:00.000Z',
      reason: 'quiet-hours',
    });
    expect(planned['reminder#1d']).toMatchObject({ status: 'pending', dueAt: '2027-11-07T14:00:00.000Z' });
    expect(planned['reminder#1d']?.reason).toBeUndefined();
    expect(planned['confirmation#-']?.reason).toBeUndefined();
  });

  it('records quiet-hours on a confirmation moved at plan time (London, booked 22:01Z, sent at 08:00)', () => {
    const booked = '2026-12-01T22:01:00.000Z';
    const planned = byKey(
      planFor({
        appointment: { createdAt: booked, updatedAt: booked },
        patient: { timeZone: 'Europe/London' },
        now: parseUtc(booked),
      }),
    );
    expect(planned['confirmation#-']).toMatchObject({
      status: 'pending',
      plannedAt: booked,
      dueAt: '2026-12-02T08:00:00.000Z',
      reason: 'quiet-hours',
    });
  });

  it('keeps the local wall-clock time of day reminders across the spring-forward change', () => {
    // Monday 9 March 2026 09:30 EDT; clocks went forward on Sunday 8 March.
    const planned = byKey(
      planFor({
        appointment: {
          startAt: localIso('2026-03-09 09:30'),
          createdAt: localIso('2026-03-01 09:00'),
          updatedAt: localIso('2026-03-01 09:00'),
        },
        policy: { reminderOffsets: { default: ['3d', '1d'], byType: {} } },
        now: localInstant('2026-03-01 09:00'),
      }),
    );
    expect(wallClock(planned['reminder#1d']?.dueAt ?? '')).toBe('2026-03-08 09:30 -04:00');
    expect(wallClock(planned['reminder#3d']?.dueAt ?? '')).toBe('2026-03-06 09:30 -05:00');
  });

  it('keeps the wall-clock time across the fall-back change, and counts 2 hours as elapsed time', () => {
    const booked = { createdAt: localIso('2026-10-20 09:00'), updatedAt: localIso('2026-10-20 09:00') };
    const days = byKey(
      planFor({
        appointment: { startAt: localIso('2026-11-02 09:30'), ...booked },
        policy: { reminderOffsets: { default: ['3d', '1d'], byType: {} } },
        now: localInstant('2026-10-20 09:00'),
      }),
    );
    expect(wallClock(days['reminder#1d']?.dueAt ?? '')).toBe('2026-11-01 09:30 -05:00');
    expect(wallClock(days['reminder#3d']?.dueAt ?? '')).toBe('2026-10-30 09:30 -04:00');
    // 02:30 EST on the fall-back night: 2 h earlier is 01:30 EDT, one hour earlier on the wall clock.
    const hours = byKey(
      planFor({
        appointment: { startAt: '2026-11-01T07:30:00.000Z', ...booked },
        policy: { ...NO_QUIET_HOURS, reminderOffsets: { default: ['2h'], byType: {} } },
        now: localInstant('2026-10-20 09:00'),
      }),
    );
    expect(wallClock('2026-11-01T07:30:00.000Z')).toBe('2026-11-01 02:30 -05:00');
    expect(wallClock(hours['reminder#2h']?.dueAt ?? '')).toBe('2026-11-01 01:30 -04:00');
  });

  it('moves a day reminder whose wall time the spring-forward change skips to the same distance past the gap', () => {
    const planned = byKey(
      planFor({
        appointment: {
          startAt: '2026-03-09T06:30:00.000Z',
          createdAt: localIso('2026-03-01 09:00'),
          updatedAt: localIso('2026-03-01 09:00'),
        },
        policy: { ...NO_QUIET_HOURS, reminderOffsets: { default: ['1d'], byType: {} } },
        now: localInstant('2026-03-01 09:00'),
      }),
    );
    expect(wallClock('2026-03-09T06:30:00.000Z')).toBe('2026-03-09 02:30 -04:00');
    expect(wallClock(planned['reminder#1d']?.dueAt ?? '')).toBe('2026-03-08 03:30 -04:00');
  });

  it('plans a day reminder on a repeated wall time once, at the occurrence with the visit offset', () => {
    const planned = planFor({
      appointment: {
        startAt: '2026-11-02T06:30:00.000Z',
        createdAt: localIso('2026-10-20 09:00'),
        updatedAt: localIso('2026-10-20 09:00'),
      },
      policy: { ...NO_QUIET_HOURS, reminderOffsets: { default: ['1d'], byType: {} } },
      now: localInstant('2026-10-20 09:00'),
    });
    const reminders = planned.filter((message) => message.kind === 'reminder');
    expect(reminders).toHaveLength(1);
    expect(wallClock(reminders[0]?.dueAt ?? '')).toBe('2026-11-01 01:30 -05:00');
  });

  it('skips reminders whose time has already passed as too-late', () => {
    const planned = byKey(planFor({ appointment: { startAt: localIso('2026-12-02 09:00') } }));
    expect(planned['reminder#3d']).toMatchObject({ status: 'skipped', reason: 'too-late' });
    expect(planned['reminder#1d']).toMatchObject({ status: 'skipped', reason: 'too-late' });
    // 07:00 is quiet, and the evening before (20:45) is still ahead of now.
    expect(planned['reminder#2h']).toMatchObject({ status: 'pending', dueAt: localIso('2026-12-01 20:45') });
  });

  it('skips a reminder when quiet hours leave no moment between now and its time', () => {
    const now = localIso('2026-12-07 20:50');
    const planned = byKey(
      planFor({
        appointment: { startAt: localIso('2026-12-08 09:00'), createdAt: now, updatedAt: now },
        now: parseUtc(now),
      }),
    );
    expect(planned['reminder#2h']).toMatchObject({ status: 'skipped', reason: 'quiet-hours-no-window' });
    expect(planned['confirmation#-']).toMatchObject({ status: 'pending', dueAt: now });
  });

  it('does not confirm a visit booked with less than the minimum lead time', () => {
    const booked = localIso('2026-12-08 09:31');
    const planned = byKey(
      planFor({ appointment: { createdAt: booked, updatedAt: booked }, now: parseUtc(booked) }),
    );
    expect(planned['confirmation#-']).toMatchObject({ status: 'skipped', reason: 'too-close-to-visit' });
  });

  it('holds a confirmation booked during quiet hours until they end', () => {
    const booked = localIso('2026-12-01 22:30');
    const planned = byKey(
      planFor({ appointment: { createdAt: booked, updatedAt: booked }, now: parseUtc(booked) }),
    );
    expect(planned['confirmation#-']).toMatchObject({
      status: 'pending',
      plannedAt: booked,
      dueAt: localIso('2026-12-02 08:00'),
    });
  });

  it('skips a confirmation when quiet hours end only after the visit', () => {
    const booked = localIso('2026-12-01 22:30');
    const planned = byKey(
      planFor({
        appointment: { startAt: localIso('2026-12-02 07:45'), createdAt: booked, updatedAt: booked },
        now: parseUtc(booked),
      }),
    );
    expect(planned['confirmation#-']).toMatchObject({ status: 'skipped', reason: 'quiet-hours-no-window' });
  });

  it('skips the confirmation of a visit that started before planning caught up', () => {
    const planned = byKey(planFor({ now: localInstant('2026-12-08 10:05') }));
    expect(planned['confirmation#-']).toMatchObject({ status: 'skipped', reason: 'visit-already-past' });
  });

  it('confirms nothing when confirmations are off', () => {
    const planned = byKey(planFor({ policy: { confirmation: { enabled: false, minLeadMinutes: 60 } } }));
    expect(planned['confirmation#-']).toBeUndefined();
  });
});

describe('plan: a changed visit', () => {
  it('after a move, plans reminders of the new schedule version and one reschedule notice at once, and no confirmation', () => {
    const planned = planFor({
      appointment: { version: 3, scheduleVersion: 3, createdAt: '2026-11-20T15:00:00.000Z' },
    });
    expect(planned.map((message) => message.messageId)).toEqual([
      'a-1#reschedule#-#v3',
      'a-1#reminder#3d#v3',
      'a-1#reminder#1d#v3',
      'a-1#reminder#2h#v3',
    ]);
    expect(planned[0]).toMatchObject({
      status: 'pending',
      dueAt: TEST_NOW,
      notAfter: '2026-12-08T15:00:00.000Z',
    });
  });

  it('keeps the schedule version in reminder ids when something else changed', () => {
    const planned = planFor({ appointment: { version: 4, scheduleVersion: 2 } });
    expect(planned.map((message) => message.messageId)).toContain('a-1#reminder#1d#v2');
    expect(planned.map((message) => message.messageId)).toContain('a-1#reschedule#-#v2');
  });

  it('sends a reschedule notice at once, even in quiet hours, for a visit within 12 hours', () => {
    const moved = localIso('2026-12-07 22:00');
    const planned = byKey(
      planFor({
        appointment: {
          startAt: localIso('2026-12-08 09:00'),
          version: 2,
          scheduleVersion: 2,
          updatedAt: moved,
        },
        now: parseUtc(moved),
      }),
    );
    expect(planned['reschedule#-']).toMatchObject({ status: 'pending', dueAt: moved });
  });

  it('holds a reschedule notice for a visit more than 12 hours away until quiet hours end', () => {
    const moved = localIso('2026-12-01 22:00');
    const planned = byKey(
      planFor({ appointment: { version: 2, scheduleVersion: 2, updatedAt: moved }, now: parseUtc(moved) }),
    );
    expect(planned['reschedule#-']).toMatchObject({ status: 'pending', dueAt: localIso('2026-12-02 08:00') });
  });

  it('announces a cancellation by the clinic once, and nothing else', () => {
    const planned = planFor({ appointment: { status: 'cancelled', cancelledBy: 'clinic', version: 2 } });
    expect(planned).toEqual([
      expect.objectContaining({
        messageId: 'a-1#cancellation#-#v2',
        status: 'pending',
        dueAt: TEST_NOW,
        priority: 'high',
      }),
    ]);
  });

  it('says nothing when the patient cancelled, and announces a cancellation whose canceller is unknown', () => {
    expect(planFor({ appointment: { status: 'cancelled', cancelledBy: 'patient', version: 2 } })).toEqual([]);
    expect(planFor({ appointment: { status: 'cancelled', version: 2 } }).map((m) => m.kind)).toEqual([
      'cancellation',
    ]);
  });

  it('sends the cancellation of tomorrow morning visit at once, even late at night', () => {
    const cancelled = localIso('2026-12-07 23:00');
    const planned = planFor({
      appointment: {
        startAt: localIso('2026-12-08 09:00'),
        status: 'cancelled',
        cancelledBy: 'clinic',
        version: 2,
        updatedAt: cancelled,
      },
      now: parseUtc(cancelled),
    });
    expect(planned[0]).toMatchObject({ status: 'pending', dueAt: cancelled });
  });

  it('skips the cancellation notice of a visit that already started', () => {
    const late = localIso('2026-12-08 10:10');
    const planned = planFor({
      appointment: { status: 'cancelled', cancelledBy: 'clinic', version: 2, updatedAt: late },
      now: parseUtc(late),
    });
    expect(planned[0]).toMatchObject({ status: 'skipped', reason: 'visit-already-past' });
  });
});

describe('plan: after the visit', () => {
  const completed = (startLocal: string, at: string) =>
    ({ startAt: localIso(startLocal), status: 'completed', version: 2, updatedAt: localIso(at) }) as const;

  it('plans a survey 2 hours after a completed visit ends', () => {
    const planned = planFor({
      appointment: completed('2026-12-08 10:00', '2026-12-08 10:40'),
      now: localInstant('2026-12-08 10:40'),
    });
    expect(planned).toEqual([
      expect.objectContaining({
        messageId: 'a-1#survey#2h#v2',
        offset: '2h',
        priority: 'medium',
        status: 'pending',
        dueAt: localIso('2026-12-08 12:30'),
        notAfter: localIso('2026-12-09 12:30'),
      }),
    ]);
    expect(SURVEY_VALIDITY_HOURS).toBe(24);
  });

  it('moves a survey that falls in quiet hours to the next morning', () => {
    const planned = planFor({
      appointment: completed('2026-12-08 19:00', '2026-12-08 19:40'),
      now: localInstant('2026-12-08 19:40'),
    });
    expect(planned[0]).toMatchObject({
      plannedAt: localIso('2026-12-08 21:30'),
      dueAt: localIso('2026-12-09 08:00'),
    });
  });

  it('skips the survey of a visit marked completed more than a day after the survey was due', () => {
    const planned = planFor({
      appointment: completed('2026-12-08 10:00', '2026-12-10 09:00'),
      now: localInstant('2026-12-10 09:00'),
    });
    expect(planned[0]).toMatchObject({ status: 'skipped', reason: 'too-late' });
  });

  it('plans nothing after a no-show, nor a survey when surveys are off', () => {
    expect(planFor({ appointment: { status: 'no-show', version: 2 } })).toEqual([]);
    const off = { survey: { ...DEFAULT_POLICY.survey, enabled: false } };
    expect(planFor({ appointment: completed('2026-12-08 10:00', '2026-12-08 10:40'), policy: off })).toEqual(
      [],
    );
  });
});

describe('plan: one survey per visit', () => {
  it('plans exactly one survey for a completed visit, with the same id when planned again', () => {
    const visit = {
      startAt: localIso('2026-12-08 10:00'),
      status: 'completed',
      version: 2,
      updatedAt: localIso('2026-12-08 10:40'),
    } as const;
    const first = planFor({ appointment: visit, now: localInstant('2026-12-08 10:40') });
    const again = planFor({ appointment: visit, now: localInstant('2026-12-08 11:00') });
    expect(first.filter((message) => message.kind === 'survey')).toHaveLength(1);
    expect(again.map((message) => message.messageId)).toEqual(first.map((message) => message.messageId));
  });

  it('plans no survey after a cancellation, whoever cancelled', () => {
    for (const cancelledBy of ['clinic', 'patient'] as const) {
      const planned = planFor({ appointment: { status: 'cancelled', cancelledBy, version: 2 } });
      expect(planned.some((message) => message.kind === 'survey')).toBe(false);
    }
  });
});

describe('plan: channel, language and zone', () => {
  it('writes on the first channel the patient has not opted out of', () => {
    const optedOut = { sms: { at: TEST_NOW, source: 'patient-keyword' as const } };
    const planned = planFor({ patient: { optOuts: optedOut } });
    expect(new Set(planned.map((message) => message.channel))).toEqual(new Set(['email']));
  });

  it('plans every message pending on the preferred channel when the patient opted out of all: the send-time decision skips them opted-out, or sends them once the patient opts back in', () => {
    // An opt-out is not forever (START, staff lifting it): a visit booked meanwhile must still be reminded after.
    const optedOut = {
      sms: { at: TEST_NOW, source: 'patient-keyword' as const },
      email: { at: TEST_NOW, source: 'email-unsubscribe' as const },
    };
    const planned = planFor({ patient: { optOuts: optedOut } });
    expect(planned).toHaveLength(4);
    for (const message of planned) expect(message).toMatchObject({ status: 'pending', channel: 'sms' });
  });

  it("writes in the patient's language when the clinic offers it, else in the clinic's default", () => {
    const language = (patientLanguage: string) =>
      planFor({ patient: { language: patientLanguage } })[0]?.language;
    expect(language('es')).toBe('es');
    expect(language('es-MX')).toBe('es');
    expect(language('fr')).toBe('en');
  });

  it("reads quiet hours in the patient's own zone when it differs from the clinic's", () => {
    // 10:00 in New York is 07:00 in Los Angeles, where a 2 h reminder at 05:00 is quiet.
    const policy = { reminderOffsets: { default: ['2h'], byType: {} } };
    const traveller = byKey(planFor({ patient: { timeZone: 'America/Los_Angeles' }, policy }));
    expect(wallClock(traveller['reminder#2h']?.dueAt ?? '', 'America/Los_Angeles')).toBe(
      '2026-12-07 20:45 -08:00',
    );
    const local = byKey(planFor({ policy }));
    expect(local['reminder#2h']?.dueAt).toBe(localIso('2026-12-08 08:00'));
  });

  it('plans the same messages when replayed, and the same ids whatever the planning time', () => {
    expect(planFor()).toEqual(planFor());
    const later = planFor({ now: localInstant('2026-12-07 12:00') });
    expect(later.map((m) => m.messageId)).toEqual(planFor().map((m) => m.messageId));
  });
});

describe('plan: frequency cap', () => {
  it('allows one reminder a day, keeping the one nearest the visit', () => {
    // The 2 h reminder moves to 20:45 the evening before, the same day as the 1-day one.
    const planned = byKey(planFor({ appointment: { startAt: localIso('2026-12-08 09:00') } }));
    expect(planned['reminder#2h']).toMatchObject({ status: 'pending', dueAt: localIso('2026-12-07 20:45') });
    expect(planned['reminder#1d']).toMatchObject({ status: 'skipped', reason: 'frequency-cap' });
    expect(planned['reminder#3d']).toMatchObject({ status: 'pending' });
  });

  it("never takes another visit's only reminder: the new one loses that day", () => {
    const planned = byKey(planFor({ others: [otherReminder(localIso('2026-12-07 12:00'))] }));
    expect(planned['reminder#1d']).toMatchObject({ status: 'skipped', reason: 'frequency-cap' });
    expect(planned['reminder#3d']).toMatchObject({ status: 'pending' });
  });

  it('takes a pending reminder of a visit that has two, farthest ahead first, so the new visit gets one', () => {
    const reminderOf = (visit: string, offset: string, due: string, start: string) => ({
      ...otherReminder(localIso(due)),
      messageId: `${visit}#reminder#${offset}#v1`,
      appointmentId: visit,
      notAfter: localIso(start),
    });
    const planWith = (others: OtherMessage[], frequencyCap = DEFAULT_POLICY.frequencyCap) =>
      plan({
        appointment: makeAppointment(),
        patient: makePatient(),
        clinic: makeClinic({ policy: { reminderOffsets: { default: ['2h'], byType: {} }, frequencyCap } }),
        now: parseUtc(TEST_NOW),
        otherMessages: others,
      });

    // Week: a-9 (Thursday) has 3 d and 2 h pending; with 2 a week, a-1 (Tuesday) takes the 3-day one's place.
    const week = planWith(
      [
        reminderOf('a-9', '3d', '2026-12-07 12:00', '2026-12-10 12:00'),
        reminderOf('a-9', '2h', '2026-12-10 10:00', '2026-12-10 12:00'),
      ],
      { enabled: true, perDay: 1, perWeek: 2 },
    );
    expect(week.capWithdrawals).toEqual(['a-9#reminder#3d#v1']);
    expect(byKey(week.messages)['reminder#2h']).toMatchObject({ status: 'pending' });

    // Day: a-9 (Tuesday 12:00) shares Tuesday with a-1; only its 2 h reminder's place makes room, and it keeps its 1 d.
    const day = planWith([
      reminderOf('a-9', '1d', '2026-12-07 12:00', '2026-12-08 12:00'),
      reminderOf('a-9', '2h', '2026-12-08 10:00', '2026-12-08 12:00'),
    ]);
    expect(day.capWithdrawals).toEqual(['a-9#reminder#2h#v1']);
    expect(byKey(day.messages)['reminder#2h']).toMatchObject({ status: 'pending' });
  });

  it('counts a reminder the patient already got for an earlier time of the same visit, but not its own stored copy', () => {
    // The visit (a-1) moved: its 1 d reminder of schedule v1 went out on the 7th.
    const earlier = {
      ...otherReminder(localIso('2026-12-07 12:00'), 'sent'),
      messageId: 'a-1#reminder#1d#v1',
      appointmentId: 'a-1',
    };
    const moved = byKey(planFor({ others: [earlier], appointment: { version: 2, scheduleVersion: 2 } }));
    expect(moved['reminder#1d']).toMatchObject({ status: 'skipped', reason: 'frequency-cap' });
    // A replay passes this plan's own stored reminder: it is not counted twice.
    const own = { ...earlier, messageId: 'a-1#reminder#1d#v2' };
    const replay = byKey(planFor({ others: [own], appointment: { version: 2, scheduleVersion: 2 } }));
    expect(replay['reminder#1d']).toMatchObject({ status: 'pending' });
  });

  it('counts only reminders that may still reach the patient', () => {
    const day = localIso('2026-12-07 12:00');
    const others = [
      otherReminder(day, 'skipped'),
      otherReminder(day, 'failed'),
      otherReminder(day, 'sent', 'confirmation'),
    ];
    expect(byKey(planFor({ others }))['reminder#1d']).toMatchObject({ status: 'pending' });
    for (const status of ['queued', 'sending', 'sent', 'unknown'] as const) {
      expect(byKey(planFor({ others: [otherReminder(day, status)] }))['reminder#1d']?.reason, status).toBe(
        'frequency-cap',
      );
    }
  });

  it('allows at most 3 reminders in any 7 days', () => {
    const others = [otherReminder(localIso('2026-12-03 12:00')), otherReminder(localIso('2026-12-04 12:00'))];
    const planned = byKey(planFor({ others }));
    expect(planned['reminder#2h']).toMatchObject({ status: 'pending' });
    expect(planned['reminder#1d']).toMatchObject({ status: 'skipped', reason: 'frequency-cap' });
    expect(planned['reminder#3d']).toMatchObject({ status: 'skipped', reason: 'frequency-cap' });
    // Eight days earlier they no longer count.
    const older = [otherReminder(localIso('2026-11-27 12:00')), otherReminder(localIso('2026-11-28 12:00'))];
    expect(planFor({ others: older }).every((message) => message.status === 'pending')).toBe(true);
  });

  it('never caps confirmations or change notices, and caps nothing when the cap is off', () => {
    const busy = [1, 2, 3].map((hour) => otherReminder(localIso(`2026-12-01 1${hour}:00`)));
    expect(byKey(planFor({ others: busy }))['confirmation#-']?.status).toBe('pending');
    const moved = byKey(planFor({ others: busy, appointment: { version: 2, scheduleVersion: 2 } }));
    expect(moved['reschedule#-']?.status).toBe('pending');
    const uncapped = planFor({ others: [otherReminder(localIso('2026-12-07 12:00'))], policy: NO_CAP });
    expect(uncapped.every((message) => message.status === 'pending')).toBe(true);
  });
});
