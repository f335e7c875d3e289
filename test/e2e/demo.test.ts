import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { REASON_WORDS } from '../../local/demo-report';
import { spawnScript } from './support/processes';

/** The demo's week is in December 2026; rows name the weekday, day and month, not the year. */
const YEAR = 2026;
const NAMES = ['Ana', 'Lucía', 'Priya', 'Tom', 'Mele', 'James'];

interface Block {
  header: string;
  zone: string;
  rows: string[];
}

let output: string;
let blocks: Block[];
let legend: string[];

beforeAll(async () => {
  const demo = spawnScript('local/demo.ts', []);
  const { code } = await demo.exited;
  output = demo.output();
  expect(code, output).toBe(0);
  const lines = output.split('\n');
  const legendAt = lines.findIndex((line) => line.startsWith('Why'));
  const twoWayAt = lines.findIndex((line) => line.startsWith('Two-way SMS:'));
  legend = lines.slice(legendAt + 1, twoWayAt).filter((line) => line.trim() !== '');
  blocks = [];
  for (const line of lines.slice(0, legendAt)) {
    const header = /^(\S+) · (\S+) \(/.exec(line);
    if (header && NAMES.includes(header[1] ?? '')) {
      blocks.push({ header: line, zone: header[2] ?? '', rows: [] });
    } else if (line.startsWith('    ') && blocks.length > 0) {
      blocks.at(-1)?.rows.push(line.trim());
    }
  }
});

describe('npm run demo, read by a clinic manager', () => {
  it('groups the timeline by patient and lists each patient’s messages in the order they read them', () => {
    expect(blocks.map((block) => block.header.split(' ')[0])).toEqual(NAMES);
    for (const block of blocks) {
      expect(block.rows.length, block.header).toBeGreaterThan(0);
      const times = block.rows.map((row) => {
        const stamp = row.split(/\s{2,}/)[0] ?? '';
        const at = DateTime.fromFormat(
          `${stamp.split(' ').slice(0, 4).join(' ')} ${YEAR}`,
          'ccc dd LLL HH:mm yyyy',
          {
            zone: block.zone,
            locale: 'en-US',
          },
        );
        expect(at.isValid, row).toBe(true);
        return at.toMillis();
      });
      expect(times, block.header).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it('writes zone abbreviations people use: IST for Kolkata, GMT for London, EST and PST', () => {
    const zoneOf = (name: string) => blocks.find((block) => block.header.startsWith(name));

    expect(zoneOf('Priya')?.header).toContain('Asia/Kolkata (IST)');
    expect(zoneOf('Priya')?.rows.every((row) => / IST\s/.test(row))).toBe(true);
    expect(zoneOf('Tom')?.rows.every((row) => / GMT\s/.test(row))).toBe(true);
    expect(zoneOf('Ana')?.rows.every((row) => / EST\s/.test(row))).toBe(true);
    expect(zoneOf('James')?.rows.every((row) => / PST\s/.test(row))).toBe(true);
    expect(output).not.toMatch(/GMT[+-]\d/);
  });

  it('explains in plain words each reason that occurs, and only those', () => {
    const inRows = new Set(
      blocks.flatMap((block) =>
        block.rows.flatMap((row) => {
          const why =
            /\s(?:sent|delivered|undeliverable|skipped|failed|unknown|pending|queued)\s+([A-Za-z_-]+)/.exec(
              row,
            );
          return why?.[1] ? [why[1]] : [];
        }),
      ),
    );
    const explained = legend.map((line) => line.trim().split(/\s+/)[0]);

    expect([...inRows].sort()).toEqual([...explained].sort());
    expect(explained).toEqual(expect.arrayContaining(['too-late', 'frequency-cap', 'quiet-hours']));
    for (const line of legend) {
      const reason = line.trim().split(/\s+/)[0] ?? '';
      expect(line).toContain(REASON_WORDS[reason]);
    }
  });

  it('runs a confirm, HELP, STOP then START, a reschedule request and a question through local mode, and counts them', () => {
    expect(output).toMatch(
      /^10 replies: confirmed 1, reschedule-requested 1, opted-out 1, opted-in 1, help 1, score-recorded 3, survey-comment 1, free-text 1$/m,
    );
    expect(output).toMatch(/^answered at once 10, left open in the staff inbox 3$/m);
    const twoWay = output.slice(output.indexOf('Two-way SMS:'), output.indexOf('Summary'));
    expect(twoWay).toMatch(/Ana\s+texted "C"\s+confirmed\s+answered at once$/m);
    expect(twoWay).toMatch(
      /Ana\s+texted "Is there parking near the clinic\?"\s+free-text\s+answered at once, inbox open$/m,
    );
    expect(twoWay).toMatch(
      /Lucía\s+texted "CAMBIAR"\s+reschedule-requested\s+answered at once, inbox open$/m,
    );
    // Each answer is an outbox message on the patient's timeline.
    const mele = blocks.find((block) => block.header.startsWith('Mele'))?.rows ?? [];
    // HELP, STOP, START, then the survey's follow-up question and the thanks for the comment.
    expect(mele.filter((row) => /keyword-reply\s+sms\s+sent/.test(row))).toHaveLength(5);
    // STOP: the next reminder is skipped opted-out; START: the ones after it go again.
    const stopAt = mele.findIndex((row) => /reminder 3d\s+sms\s+skipped\s+opted-out/.test(row));
    expect(stopAt).toBeGreaterThan(0);
    expect(mele.slice(stopAt + 1).some((row) => /reminder \S+\s+sms\s+sent/.test(row))).toBe(true);
  });

  it('sends the email copy of a text the carrier blocked, and counts the receipt', () => {
    expect(output).toMatch(/^1 receipt: TEXT_CARRIER_BLOCKED 1; 1 copy sent on the next channel$/m);
    const tom = blocks.find((block) => block.header.startsWith('Tom'))?.rows ?? [];
    expect(tom).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/a-104\s+confirmation\s+sms\s+undeliverable\s+TEXT_CARRIER_BLOCKED$/),
        expect.stringMatching(/a-104\s+confirmation\s+email\s+sent$/),
      ]),
    );
  });

  it('answers the week’s surveys: a promoter and a passive by text, a detractor whose comment lands on a case staff acknowledge and resolve, an email survey through its link; prints NPS, response rate and confirmation rate', () => {
    const surveys = output.slice(output.indexOf('Surveys: answers by text and through the email link'));
    expect(surveys).toMatch(/^ {2}Lucía\s+8 passive\s+by sms$/m);
    expect(surveys).toMatch(/^ {2}Ana\s+10 promoter\s+by sms$/m);
    expect(surveys).toMatch(/^ {2}Priya\s+9 promoter\s+by email, comment \(24 characters\)$/m);
    expect(surveys).toMatch(/^ {2}Mele\s+3 detractor\s+by sms, comment \(48 characters\)$/m);
    // (2 promoters − 1 detractor) ÷ 4 answers; 4 answered of the 4 surveys sent; Ana's C of the visits reminded.
    expect(surveys).toMatch(/^NPS 25 \(promoters 2, passives 1, detractors 1\)$/m);
    expect(surveys).toMatch(/^response rate 100% \(4 answered of 4 surveys sent\)$/m);
    expect(surveys).toMatch(/^confirmation rate [\d.]+% \(1 visit confirmed by reply of \d+ reminded\)$/m);
    expect(surveys).toMatch(/^feedback case survey-a-105:survey:2h:v\d+ \(detractor-score\): resolved$/m);
    // The comment's words stay out of the report (PHI); only its length shows.
    expect(surveys).not.toContain('nobody told us why');
  });

  it('ends with the summary', () => {
    expect(output).toMatch(/Summary\nkind\s+sent\s+undeliverable\s+skipped/);
    expect(output).toMatch(/sent by SMS \d+, by email \d+/);
  });
});
