/** The preflight's checklist as the terminal (and docs/deploy.md) shows it. */
import type { CheckResult, CheckStatus } from './preflight';

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** Line width of the checklist: readable in a terminal and in the guide. */
export const REPORT_WIDTH = 100;

function wrap(text: string, indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The checklist: one entry per check with what was found, the fix under
 * every warning and failure, and a last line that says whether to deploy.
 *
 * @param results - the checks, in order
 * @param about - the deployment's name and region, for the heading
 */
export function formatReport(
  results: readonly CheckResult[],
  about: { name: string; region: string },
): string {
  const lines = [`clinic-reminders preflight: deployment ${about.name} in ${about.region}`, ''];
  for (const result of results) {
    lines.push(`${MARK[result.status]}  ${result.title}`);
    lines.push(...wrap(result.detail, '      ', REPORT_WIDTH));
    if (result.fix) lines.push(...wrap(`fix: ${result.fix}`, '      ', REPORT_WIDTH));
  }
  const failed = results.filter((result) => result.status === 'fail').length;
  const warned = results.filter((result) => result.status === 'warn').length;
  const passed = results.length - failed - warned;
  const tally = [
    count(passed, 'ok', 'ok'),
    count(warned, 'warning', 'warnings'),
    count(failed, 'failed', 'failed'),
  ];
  lines.push(
    '',
    failed
      ? `${tally.join(', ')}: fix what failed, then run the preflight again.`
      : `${tally.join(', ')}: ready to deploy${warned ? ' (read the warnings first)' : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}
