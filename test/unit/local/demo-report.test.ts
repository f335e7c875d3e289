import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  counted,
  describeReason,
  KNOWN_REASONS,
  legendLines,
  REASON_WORDS,
  type ReportPatient,
  summaryLines,
  surveyLines,
  timelineLines,
  twoWayLines,
  twoWaySummaryLines,
  ZONE_ABBREVIATIONS,
  zoneAbbreviation,
} from '../../../local/demo-report';
import type { Message } from '../../../shared/domain/model';

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);

function message(overrides: Partial<Message> & Pick<Message, 'messageId' | 'patientId' | 'dueAt'>): Message {
  const offset = overrides.messageId.split('#')[2];
  return {
    ...(offset && offset !== '-' ? { offset } : {}),
    clinicId: 'demo-clinic',
    appointmentId: overrides.messageId.split('#')[0] ?? 'a-1',
    kind: 'reminder',
    priority: 'high',
    channel: 'sms',
    language: 'en',
    plannedAt: overrides.dueAt,
    notAfter: '2026-12-31T00:00:00.000Z',
    status: 'sent',
    attempts: 1,
    planVersion: 1,
    rev: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    ...overrides,
  } as Message;
}

const PATIENTS: ReportPatient[] = [
  { patientId: 'p-priya', name: 'Priya', zone: 'Asia/Kolkata', channels: ['email'] },
  { patientId: 'p-ana', name: 'Ana', zone: 'America/New_York', channels: ['sms', 'email'] },
];

describe('zone abbreviations in the demo', () => {
  it('writes IST for Kolkata where Intl gives only GMT+5:30', () => {
    const kolkata = at('2026-12-07T13:00:00Z', 'Asia/Kolkata');

    expect(kolkata.setLocale('en-US').toFormat('ZZZZ')).toBe('GMT+5:30');
    expect(zoneAbbreviation(kolkata)).toBe('IST');
  });

  it('follows summer time: GMT and BST in London, CET and CEST in Paris, AEDT and AEST in Sydney', () => {
    expect(zoneAbbreviation(at('2026-12-07T13:00:00Z', 'Europe/London'))).toBe('GMT');
    expect(zoneAbbreviation(at('2027-07-07T13:00:00Z', 'Europe/London'))).toBe('BST');
    expect(zoneAbbreviation(at('2026-12-07T13:00:00Z', 'Europe/Paris'))).toBe('CET');
    expect(zoneAbbreviation(at('2027-07-07T13:00:00Z', 'Europe/Paris'))).toBe('CEST');
    expect(zoneAbbreviation(at('2027-01-07T13:00:00Z', 'Australia/Sydney'))).toBe('AEDT');
    expect(zoneAbbreviation(at('2027-07-07T13:00:00Z', 'Australia/Sydney'))).toBe('AEST');
    expect(zoneAbbreviation(at('2027-07-07T13:00:00Z', 'Europe/Dublin'))).toBe('IST');
    expect(zoneAbbreviation(at('2026-12-07T13:00:00Z', 'Europe/Dublin'))).toBe('GMT');
  });

  it('keeps what Intl says where it already is the common name, and the offset where there is none', () => {
    expect(zoneAbbreviation(at('2026-12-07T13:00:00Z', 'America/New_York'))).toBe('EST');
    expect(zoneAbbreviation(at('2027-07-07T13:00:00Z', 'America/New_York'))).toBe('EDT');
    expect(zoneAbbreviation(at('2026-12-07T13:00:00Z', 'America/Los_Angeles'))).toBe('PST');
    expect(zoneAbbreviation(at('2026-12-07T13:00:00Z', 'Asia/Kathmandu'))).toBe('GMT+5:45');
  });

  it('lists only real IANA zones, and gives a summer name only to zones that have summer time', () => {
    for (const [zone, names] of Object.entries(ZONE_ABBREVIATIONS)) {
      expect(IANAZone.isValidZone(zone), zone).toBe(true);
      const winter = at('2027-01-15T12:00:00Z', zone);
      const summer = at('2027-07-15T12:00:00Z', zone);
      const hasSummerTime = winter.offset !== summer.offset;
      expect(names.daylight !== undefined, `${zone} summer name`).toBe(hasSummerTime);
      expect([zoneAbbreviation(winter), zoneAbbreviation(summer)]).toContain(names.standard);
    }
  });
});

describe('reasons in plain words', () => {
  it('has words for every reason the planner, the sender and reconcile can give', () => {
    for (const reason of KNOWN_REASONS) expect(REASON_WORDS[reason], reason).toBeDefined();
    expect(KNOWN_REASONS).toEqual(
      expect.arrayContaining(['too-late', 'frequency-cap', 'quiet-hours', 'opted-out', 'appointment-moved']),
    );
  });

  it('shows a code it has no words for as it is', () => {
    expect(describeReason('sms-carrier-blocked')).toContain('"sms-carrier-blocked"');
  });

  it('prints a legend of the reasons that occur, once each, in the order the timeline shows them', () => {
    const messages = [
      message({
        messageId: 'a-2#reminder#1d#v1',
        patientId: 'p-ana',
        dueAt: '2026-12-08T15:00:00.000Z',
        status: 'skipped',
        reason: 'frequency-cap',
      }),
      message({
        messageId: 'a-2#reminder#3d#v1',
        patientId: 'p-ana',
        dueAt: '2026-12-05T15:00:00.000Z',
        status: 'skipped',
        reason: 'too-late',
      }),
      message({
        messageId: 'a-1#reminder#2h#v1',
        patientId: 'p-priya',
        dueAt: '2026-12-07T13:00:00.000Z',
        reason: 'quiet-hours',
        plannedAt: '2026-12-07T17:00:00.000Z',
      }),
      message({
        messageId: 'a-2#reminder#2h#v1',
        patientId: 'p-ana',
        dueAt: '2026-12-09T13:00:00.000Z',
        status: 'skipped',
        reason: 'too-late',
      }),
      message({
        messageId: 'a-2#confirmation#-#v1',
        kind: 'confirmation',
        patientId: 'p-ana',
        dueAt: '2026-12-01T13:00:00.000Z',
      }),
    ];

    const legend = legendLines(PATIENTS, messages);

    expect(legend[0]).toMatch(/^Why/);
    expect(legend.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual([
      'quiet-hours',
      'too-late',
      'frequency-cap',
    ]);
    expect(legend.join('\n')).toContain(REASON_WORDS['frequency-cap']);
    expect(legendLines(PATIENTS, [messages[4] as Message])).toEqual([]);
  });
});

describe('the demo timeline', () => {
  const messages = [
    // Stored (and swept) in UTC order, which is not the order either patient reads them in.
    message({
      messageId: 'a-1#confirmation#-#v1',
      kind: 'confirmation',
      patientId: 'p-priya',
      channel: 'email',
      dueAt: '2026-12-07T13:00:00.000Z',
      finishedAt: '2026-12-07T13:00:02.000Z',
    }),
    message({
      messageId: 'a-2#confirmation#-#v1',
      kind: 'confirmation',
      patientId: 'p-ana',
      dueAt: '2026-12-07T13:00:00.000Z',
      finishedAt: '2026-12-07T13:00:01.000Z',
    }),
    message({
      messageId: 'a-1#reminder#1d#v1',
      patientId: 'p-priya',
      channel: 'email',
      dueAt: '2026-12-09T03:30:00.000Z',
    }),
    message({
      messageId: 'a-2#reminder#2h#v1',
      patientId: 'p-ana',
      dueAt: '2026-12-08T01:45:00.000Z',
      plannedAt: '2026-12-08T11:30:00.000Z',
      reason: 'quiet-hours',
    }),
    message({
      messageId: 'a-2#reminder#3d#v1',
      patientId: 'p-ana',
      dueAt: '2026-12-05T13:30:00.000Z',
      status: 'skipped',
      reason: 'too-late',
    }),
  ] satisfies Message[];
  const visits = [
    { appointmentId: 'a-1', patientId: 'p-priya', startAt: '2026-12-10T14:00:00.000Z', note: 'video visit' },
    { appointmentId: 'a-2', patientId: 'p-ana', startAt: '2026-12-08T13:30:00.000Z', note: 'early visit' },
  ];

  it('groups rows by patient, in the order given, each in the order the patient reads them', () => {
    const lines = timelineLines(PATIENTS, visits, messages);

    const priya = lines.findIndex((line) => line.startsWith('Priya'));
    const ana = lines.findIndex((line) => line.startsWith('Ana'));
    expect(priya).toBeGreaterThan(0);
    expect(ana).toBeGreaterThan(priya);
    const rowsOf = (from: number, to: number) =>
      lines
        .slice(from + 1, to)
        .filter((line) => line.startsWith('    '))
        .map((line) => line.trim().split(/\s{2,}/));
    expect(rowsOf(priya, ana).map((row) => row[0])).toEqual(['Mon 07 Dec 18:30 IST', 'Wed 09 Dec 09:00 IST']);
    expect(rowsOf(ana, lines.length).map((row) => [row[0], row[2]?.split(' ')[0]])).toEqual([
      ['Sat 05 Dec 08:30 EST', 'reminder'],
      ['Mon 07 Dec 08:00 EST', 'confirmation'],
      ['Mon 07 Dec 20:45 EST', 'reminder'],
    ]);
  });

  it('heads each patient with their zone and channels and lists their visits in their zone', () => {
    const lines = timelineLines(PATIENTS, visits, messages);

    expect(lines).toContain('Priya · Asia/Kolkata (IST) · email');
    expect(lines).toContain('  visit a-1  Thu 10 Dec 19:30 IST  video visit');
    expect(lines.join('\n')).not.toContain('GMT+5:30');
  });

  it('says why a row moved and from when, in the patient’s zone', () => {
    const moved = timelineLines(PATIENTS, visits, messages).find((line) => line.includes('reminder 2h'));

    expect(moved).toMatch(/Mon 07 Dec 20:45 EST .*sent\s+quiet-hours \(planned for Tue 06:30\)$/);
  });

  it('counts messages by kind and status, only the statuses that occur', () => {
    const summary = summaryLines(messages);

    expect(summary[1]?.trim().split(/\s+/)).toEqual(['kind', 'sent', 'skipped']);
    expect(summary).toContainEqual(expect.stringMatching(/^reminder\s+2\s+1$/));
    expect(summary).toContainEqual(expect.stringMatching(/^confirmation\s+2\s+0$/));
    expect(summary.at(-1)).toBe('sent by SMS 2, by email 2');
  });

  it('lists texts and receipts in time order in the clinic’s zone, and counts replies by outcome', () => {
    const replies = [
      {
        at: '2026-12-07T15:00:00.000Z',
        patientId: 'p-ana',
        text: 'STOP',
        outcome: 'opted-out',
        answered: true,
      },
      { at: '2026-12-07T14:00:00.000Z', patientId: 'p-ana', text: 'C', outcome: 'confirmed', answered: true },
      {
        at: '2026-12-07T16:00:00.000Z',
        text: 'hello',
        outcome: 'unmatched',
        state: 'open' as const,
        answered: false,
      },
    ];
    const receipts = [
      {
        at: '2026-12-07T13:05:00.000Z',
        patientId: 'p-ana',
        messageId: 'a-1#confirmation#-#v1',
        event: 'TEXT_CARRIER_BLOCKED',
        copy: { messageId: 'a-1#confirmation#-#v1#via-email', channel: 'email', status: 'sent' },
      },
    ];

    const lines = twoWayLines(PATIENTS, replies, receipts, 'America/New_York');
    const summary = twoWaySummaryLines(replies, receipts);

    expect(
      lines.slice(1).map((line) =>
        line
          .trim()
          .split(/\s{2,}/)
          .slice(0, 2),
      ),
    ).toEqual([
      ['Mon 07 Dec 08:05 EST', 'Ana'],
      ['Mon 07 Dec 09:00 EST', 'Ana'],
      ['Mon 07 Dec 10:00 EST', 'Ana'],
      ['Mon 07 Dec 11:00 EST', 'unknown number'],
    ]);
    expect(lines[4]).toMatch(/texted "hello"\s+unmatched\s+no answer, inbox open$/);
    expect(summary).toEqual([
      '3 replies: confirmed 1, opted-out 1, unmatched 1',
      'answered at once 2, left open in the staff inbox 1',
      '1 receipt: TEXT_CARRIER_BLOCKED 1; 1 copy sent on the next channel',
    ]);
  });
});

describe('counts in the demo summary', () => {
  const survey = (patientId: string, comment: string) =>
    message({
      messageId: `a-${patientId}#survey#2h#v1`,
      patientId,
      dueAt: '2026-12-08T16:00:00.000Z',
      kind: 'survey',
      surveyAnswer: {
        scale: 'nps',
        score: 9,
        class: 'promoter',
        answeredAt: '2026-12-08T17:00:00.000Z',
        via: 'sms',
        late: false,
        followUp: 'survey-thanks',
        comment: { text: comment, truncated: false, at: '2026-12-08T17:05:00.000Z' },
      },
    });
  const figures = (confirmedByReply: number, surveysSent: number) => ({
    nps: { score: 100, promoters: 1, passives: 0, detractors: 0, responses: 1, responseRate: 1 },
    visits: { reminded: 2, confirmedByReply, confirmationRate: confirmedByReply / 2 },
    surveysSent,
  });

  it('names a count of one in the singular and any other count, 0 included, in the plural', () => {
    expect([
      counted(0, 'visit', 'visits'),
      counted(1, 'visit', 'visits'),
      counted(2, 'visit', 'visits'),
    ]).toEqual(['0 visits', '1 visit', '2 visits']);
  });

  it('writes 1 visit, 1 survey and 1 character, never "1 visits"', () => {
    const lines = surveyLines(PATIENTS, [survey('p-ana', '!')], figures(1, 1));

    expect(lines).toContain('  Ana        9 promoter   by sms, comment (1 character)');
    expect(lines).toContain('response rate 100% (1 answered of 1 survey sent)');
    expect(lines).toContain('confirmation rate 50% (1 visit confirmed by reply of 2 reminded)');
  });

  it('writes 2 visits, 2 surveys and 2 characters in the plural', () => {
    const lines = surveyLines(PATIENTS, [survey('p-ana', 'ok')], figures(2, 2));

    expect(lines).toContain('  Ana        9 promoter   by sms, comment (2 characters)');
    expect(lines).toContain('response rate 100% (1 answered of 2 surveys sent)');
    expect(lines).toContain('confirmation rate 100% (2 visits confirmed by reply of 2 reminded)');
  });

  it('writes 1 reply and 0 copies', () => {
    const summary = twoWaySummaryLines(
      [
        {
          at: '2026-12-07T14:00:00.000Z',
          patientId: 'p-ana',
          text: 'C',
          outcome: 'confirmed',
          answered: true,
        },
      ],
      [
        {
          at: '2026-12-07T13:05:00.000Z',
          patientId: 'p-ana',
          messageId: 'a-1#confirmation#-#v1',
          event: 'TEXT_CARRIER_BLOCKED',
        },
      ],
    );

    expect(summary).toEqual([
      '1 reply: confirmed 1',
      'answered at once 1, left open in the staff inbox 0',
      '1 receipt: TEXT_CARRIER_BLOCKED 1; 0 copies sent on the next channel',
    ]);
  });
});
