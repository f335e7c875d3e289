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
  const summaryAt = lines.indexOf('Summary');
  legend = lines.slice(legendAt + 1, summaryAt).filter((line) => line.trim() !== '');
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
          const why = /\s(?:sent|skipped|failed|unknown|pending|queued)\s+([a-z-]+)/.exec(row);
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

  it('ends with the summary', () => {
    expect(output).toMatch(/Summary\nkind\s+sent\s+skipped/);
    expect(output).toMatch(/sent by SMS \d+, by email \d+/);
  });
});
