/**
 * The booking the local banner suggests to a newcomer. It is far enough
 * ahead that every default reminder (72 h, 24 h, 2 h) is still to come, and
 * at an hour where none of them falls in the default quiet hours, so the
 * first timeline a newcomer reads shows each message planned, none
 * `too-late` or moved.
 */
import type { DateTime } from 'luxon';

/** The demo clinic's zone, in which the sample visit is at a round hour. */
export const SAMPLE_ZONE = 'America/New_York';

/** How far the banner's clock command moves: past the visit, so every message has gone out. */
export const SAMPLE_ADVANCE = '6d';

/**
 * The sample visit's start: 11:00 in the clinic's zone, five days after
 * `now`. Its 72 h reminder is then at least four days off (never
 * too-late), and its 2 h reminder is at 09:00 local, after quiet hours end.
 *
 * @param now - the local clock's current instant
 */
export function sampleVisitStart(now: DateTime): DateTime {
  return now
    .setZone(SAMPLE_ZONE)
    .plus({ days: 5 })
    .set({ hour: 11, minute: 0, second: 0, millisecond: 0 })
    .toUTC();
}
