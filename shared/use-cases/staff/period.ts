import { DateTime } from 'luxon';
import { type FieldIssue, ValidationError } from '../../domain/errors';
import { isUtcIso, parseUtc, toUtcIso } from '../../domain/time';

export interface Period {
  /** Inclusive start, UTC storage format. */
  from: string;
  /** Exclusive end, UTC storage format. */
  to: string;
}

/** One bound: a UTC instant as given, or midnight of a local date in `zone`. */
function resolveBound(text: string, zone: string, path: string, issues: FieldIssue[]): DateTime | undefined {
  if (isUtcIso(text)) return parseUtc(text);
  const local = DateTime.fromISO(text, { zone });
  if (!local.isValid) {
    issues.push({ path, message: 'is not a calendar date' });
    return undefined;
  }
  return local.startOf('day').toUTC();
}

/**
 * The half-open period [from, to) of a query. Each bound is a UTC instant
 * or a local date, read as midnight at the start of that day in the
 * clinic's zone (so `from=2026-12-01&to=2026-12-02` is the clinic's 1 December).
 *
 * @param query - the `from` and `to` texts (already shape-checked)
 * @param zone - the clinic's zone
 * @param maxDays - the longest period allowed
 */
export function resolvePeriod(query: { from: string; to: string }, zone: string, maxDays: number): Period {
  const issues: FieldIssue[] = [];
  const from = resolveBound(query.from, zone, 'from', issues);
  const to = resolveBound(query.to, zone, 'to', issues);
  if (from && to) {
    if (to <= from) issues.push({ path: 'to', message: 'must be after from' });
    // Days counted in the clinic's zone: 92 local days across a DST change are 92 days and an hour.
    else if (to.setZone(zone).diff(from.setZone(zone), 'days').days > maxDays) {
      issues.push({ path: 'to', message: `must be at most ${maxDays} days after from` });
    }
  }
  if (issues.length > 0 || !from || !to) throw new ValidationError(issues);
  return { from: toUtcIso(from), to: toUtcIso(to) };
}
