import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { sampleVisitStart } from '../../../local/sample-booking';
import { DEFAULT_POLICY } from '../../../shared/domain/model';
import { plan } from '../../../shared/domain/planning';
import { toUtcIso } from '../../../shared/domain/time';
import { makeAppointment, makeClinic, makePatient } from '../../support/factories';

describe("the banner's sample booking", () => {
  it('shows every default reminder planned, none too-late or moved, whenever local mode starts', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2028-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          // Prepare: the demo clinic (default policy, New York) and the banner's patient, booked now.
          const now = DateTime.fromJSDate(date, { zone: 'utc' }).startOf('second');
          const at = toUtcIso(now);
          const appointment = makeAppointment({
            startAt: toUtcIso(sampleVisitStart(now)),
            createdAt: at,
            updatedAt: at,
          });
          const clinic = makeClinic({ timeZone: 'America/New_York', policy: DEFAULT_POLICY });

          // Act
          const { messages } = plan({ appointment, patient: makePatient(), clinic, now, otherMessages: [] });

          // Assess
          const reminders = messages.filter((message) => message.kind === 'reminder');
          expect(reminders.map((message) => message.offset).sort()).toEqual(
            [...DEFAULT_POLICY.reminderOffsets.default].sort(),
          );
          for (const message of reminders) {
            expect(message.status, message.messageId).toBe('pending');
            expect(message.reason, message.messageId).toBeUndefined();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
