/**
 * A broadcast's audience read in pages: the staff API's preview and create
 * read it to count, the fan-out reads it to plan. One page is a bounded
 * number of reads; its cursor (opaque) resumes right after it, so a fan-out
 * that crashed resumes at the page it was on.
 */
import { DateTime } from 'luxon';
import type { BroadcastAudience } from '../domain/broadcasts';
import type { Clinic, Patient } from '../domain/model';
import { toUtcIso } from '../domain/time';
import type { AppointmentRepository, PatientRepository } from '../ports/repositories';
import { mapWithConcurrency } from './staff/common';

export interface AudienceDeps {
  patients: PatientRepository;
  appointments: AppointmentRepository;
}

export interface AudiencePage {
  /** The patients of this page, each once within the page. */
  patients: Patient[];
  /** Listed patient ids with no patient record (an explicit list only). */
  unknown: number;
  /** Where the next page starts; absent on the last page. */
  cursor?: string;
}

/** Reads a page of the audience at most this many records wide (DynamoDB calls in flight at once: 16). */
export const AUDIENCE_PAGE_SIZE = 100;

/**
 * The UTC bounds of a closure's local dates in the clinic's zone: from
 * midnight of the first day to midnight after the last (half-open).
 *
 * @param range - local dates, both included
 * @param zone - the clinic's IANA zone
 */
export function closurePeriod(
  range: { from: string; to: string },
  zone: string,
): { from: string; to: string } {
  const from = DateTime.fromISO(range.from, { zone }).startOf('day');
  const to = DateTime.fromISO(range.to, { zone }).startOf('day').plus({ days: 1 });
  return { from: toUtcIso(from), to: toUtcIso(to) };
}

/**
 * One page of a broadcast's audience.
 *
 * @param deps - patients and appointments
 * @param clinic - the clinic (its zone reads a closure's dates)
 * @param audience - the broadcast's audience
 * @param cursor - from the previous page; absent for the first
 * @param pageSize - records read at most
 */
export async function audiencePage(
  deps: AudienceDeps,
  clinic: Pick<Clinic, 'clinicId' | 'timeZone'>,
  audience: BroadcastAudience,
  cursor: string | undefined,
  pageSize: number = AUDIENCE_PAGE_SIZE,
): Promise<AudiencePage> {
  const { clinicId } = clinic;
  if (audience.patientIds) {
    const start = cursor === undefined ? 0 : Number(cursor);
    const ids = audience.patientIds.slice(start, start + pageSize);
    const found = await mapWithConcurrency(ids, 16, (id) => deps.patients.get(clinicId, id));
    const patients = found.filter((patient): patient is Patient => patient !== undefined);
    const next = start + ids.length;
    return {
      patients,
      unknown: ids.length - patients.length,
      ...(next < audience.patientIds.length ? { cursor: String(next) } : {}),
    };
  }
  if (audience.appointmentsOn) {
    const page = await deps.appointments.listByStart(
      clinicId,
      closurePeriod(audience.appointmentsOn, clinic.timeZone),
      { limit: pageSize, ...(cursor ? { cursor } : {}) },
    );
    const ids = [
      ...new Set(page.items.filter((visit) => visit.status === 'booked').map((visit) => visit.patientId)),
    ];
    const found = await mapWithConcurrency(ids, 16, (id) => deps.patients.get(clinicId, id));
    return {
      patients: found.filter((patient): patient is Patient => patient !== undefined),
      unknown: 0,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  }
  const page = await deps.patients.listPage(clinicId, { limit: pageSize, ...(cursor ? { cursor } : {}) });
  return { patients: page.items, unknown: 0, ...(page.cursor ? { cursor: page.cursor } : {}) };
}
