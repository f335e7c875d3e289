import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ImportedAppointment, ImportedPatient } from '../../../shared/api/import/rows';
import { bucketOf, COUNTER, histogramQuantile, LAG_SECOND_BUCKETS } from '../../../shared/domain/counters';
import { ConflictError, ValidationError } from '../../../shared/domain/errors';
import {
  mergeImportedPatient,
  nextImportedAppointment,
} from '../../../shared/use-cases/staff/import-appointments';
import { resolvePeriod } from '../../../shared/use-cases/staff/period';
import { makeAppointment, makeClinic, makePatient, TEST_NOW } from '../../support/factories';

const NOW = DateTime.fromISO(TEST_NOW, { zone: 'utc' });

const imported = (overrides: Partial<ImportedPatient> = {}): ImportedPatient => ({
  patientId: 'p-1',
  firstName: 'Ana',
  lastName: 'Rivera',
  phone: '+14155552671',
  email: 'ana.rivera@example.com',
  channels: ['sms', 'email'],
  language: 'en',
  timeZone: undefined,
  optOuts: {},
  ...overrides,
});

const booking = (overrides: Partial<ImportedAppointment> = {}): ImportedAppointment => ({
  appointmentId: 'a-1',
  patientId: 'p-1',
  startAt: '2026-12-08T15:00:00.000Z',
  durationMinutes: 30,
  type: 'default',
  location: '12 River Road, Suite 3',
  videoLink: undefined,
  status: 'booked',
  ...overrides,
});

describe('import merge', () => {
  it('changes nothing when the file says what is stored', () => {
    const stored = makePatient();

    const next = mergeImportedPatient(makeClinic(), stored, imported(), NOW);

    expect({ ...next, version: 1, updatedAt: stored.updatedAt }).toEqual(stored);
  });

  it('keeps opt-outs and consent, adds an import opt-out once, and never lifts one', () => {
    const stored = makePatient({
      optOuts: { email: { at: '2026-01-01T00:00:00.000Z', source: 'patient-keyword' } },
    });

    const next = mergeImportedPatient(makeClinic(), stored, imported({ optOuts: { sms: true } }), NOW);

    expect(next.optOuts).toEqual({
      email: { at: '2026-01-01T00:00:00.000Z', source: 'patient-keyword' },
      sms: { at: TEST_NOW, source: 'import' },
    });
  });

  it("uses the clinic's default language for an empty cell and drops channels without an address", () => {
    const clinic = makeClinic({ policy: { languages: ['en', 'es'], defaultLanguage: 'es' } });

    const next = mergeImportedPatient(
      clinic,
      makePatient(),
      imported({ language: null, email: null, channels: undefined }),
      NOW,
    );

    expect(next).toMatchObject({ language: 'es', channels: ['sms'] });
    expect(next.email).toBeUndefined();
  });

  it('refuses a patient with no way to reach them', () => {
    expect(() =>
      mergeImportedPatient(
        makeClinic(),
        undefined,
        imported({ phone: null, email: null, channels: undefined }),
        NOW,
      ),
    ).toThrow(ValidationError);
  });

  it('returns the stored appointment itself when the row changes nothing', () => {
    const stored = makeAppointment();

    expect(nextImportedAppointment('demo-clinic', stored, booking(), NOW)).toBe(stored);
  });

  it('applies only the status of a cancelled row, keeping the stored schedule', () => {
    const stored = makeAppointment();

    const next = nextImportedAppointment(
      'demo-clinic',
      stored,
      booking({ status: 'cancelled', cancelledBy: 'patient', startAt: '2026-12-09T15:00:00.000Z' }),
      NOW,
    );

    expect(next).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'patient',
      startAt: stored.startAt,
      version: 2,
    });
  });

  it('refuses a cancelled row for an appointment that does not exist, and rebooking a cancelled one', () => {
    const cancelled = makeAppointment({ status: 'cancelled', cancelledBy: 'clinic', version: 2 });

    expect(() =>
      nextImportedAppointment('demo-clinic', undefined, booking({ status: 'cancelled' }), NOW),
    ).toThrow(/only imported as booked/);
    expect(() => nextImportedAppointment('demo-clinic', cancelled, booking(), NOW)).toThrow(ConflictError);
  });
});

describe('metrics figures', () => {
  it('takes p99 of a bucketed send lag by nearest rank: the bound of the bucket holding it', () => {
    // 98 sends within a second, one at 200 s, one at 2 hours.
    const counts = {
      [COUNTER.sendLag(bucketOf(0.5, LAG_SECOND_BUCKETS))]: 98,
      [COUNTER.sendLag(bucketOf(200, LAG_SECOND_BUCKETS))]: 1,
      [COUNTER.sendLag(bucketOf(7200, LAG_SECOND_BUCKETS))]: 1,
    };
    expect(histogramQuantile(counts, COUNTER.sendLag, LAG_SECOND_BUCKETS, 0.5)).toBe(1);
    expect(histogramQuantile(counts, COUNTER.sendLag, LAG_SECOND_BUCKETS, 0.99)).toBe(300);
    expect(histogramQuantile(counts, COUNTER.sendLag, LAG_SECOND_BUCKETS, 1)).toBe(21600);
    expect(histogramQuantile({}, COUNTER.sendLag, LAG_SECOND_BUCKETS, 0.99)).toBeNull();
  });
});

describe('query periods', () => {
  it('reads local dates as midnight in the zone, across a DST change', () => {
    expect(resolvePeriod({ from: '2026-03-08', to: '2026-03-09' }, 'America/New_York', 31)).toEqual({
      from: '2026-03-08T05:00:00.000Z',
      to: '2026-03-09T04:00:00.000Z',
    });
  });

  it('refuses a reversed or too long period on `to`', () => {
    expect(() => resolvePeriod({ from: '2026-03-09', to: '2026-03-08' }, 'UTC', 31)).toThrow(
      /to: must be after from/,
    );
    expect(() => resolvePeriod({ from: '2026-01-01', to: '2026-03-08' }, 'UTC', 31)).toThrow(
      /at most 31 days/,
    );
  });

  it('counts the longest period in local days across a DST change', () => {
    expect(resolvePeriod({ from: '2026-09-01', to: '2026-12-02' }, 'America/New_York', 92)).toEqual({
      from: '2026-09-01T04:00:00.000Z',
      to: '2026-12-02T05:00:00.000Z',
    });
    expect(() => resolvePeriod({ from: '2026-09-01', to: '2026-12-03' }, 'America/New_York', 92)).toThrow(
      /to: must be at most 92 days after from/,
    );
  });
});
