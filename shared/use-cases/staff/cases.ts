/**
 * Feedback cases as staff work them: open one by hand, list with filters,
 * read one, change it (status one step forward, assignee, priority,
 * category) at the version read, and add notes.
 */
import type { DateTime } from 'luxon';
import * as z from 'zod';
import type { CaseCreateBody, CasePage, CaseView } from '../../api/case-schemas';
import {
  CaseCreateBodySchema,
  CaseNoteBodySchema,
  CasePatchBodySchema,
  CaseQuerySchema,
} from '../../api/case-schemas';
import {
  addCaseNote,
  CaseIdSchema,
  changeCase,
  type FeedbackCase,
  openCase,
  overdueStages,
} from '../../domain/cases/case';
import { caseChangeEvents } from '../../domain/counters';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../../domain/errors';
import type { Clinic } from '../../domain/model';
import { type Clock, toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type { CaseRepository } from '../../ports/cases';
import type { DailyCounters } from '../../ports/counters';
import type { AppointmentRepository, ClinicRepository, PatientRepository } from '../../ports/repositories';
import { recordEvents } from '../count-events';
import { checkExpectedVersion } from '../versions';
import { loadClinic, localIso } from './common';

export interface StaffCaseDeps {
  clinics: ClinicRepository;
  cases: CaseRepository;
  /** Daily counters: cases opened, acknowledged, resolved (after the write; see docs/architecture.md for the limit). */
  counters: DailyCounters;
  newId: () => string;
  clock: Clock;
}

/** Opening a case by hand also reads the patient and the visit it links to. */
export interface CaseCreateDeps extends StaffCaseDeps {
  patients: Pick<PatientRepository, 'get'>;
  appointments: Pick<AppointmentRepository, 'get'>;
}

/** The clinic and case of a case route. */
export interface CaseIds {
  clinicId: string;
  caseId: string;
}

/** Tries of a note's read-append-write before the other writer wins. */
const NOTE_TRIES = 3;

/**
 * A case as staff see it: whether it is overdue now, and its due times on the clinic's clock.
 *
 * @param record - the stored case
 * @param clinic - its clinic (the zone)
 * @param now - the instant "overdue" is judged at
 */
export function toCaseView(record: FeedbackCase, clinic: Pick<Clinic, 'timeZone'>, now: DateTime): CaseView {
  const stages = overdueStages(record, now);
  return {
    ...record,
    overdue: stages.length > 0,
    overdueStages: stages,
    timeZone: clinic.timeZone,
    acknowledgeDueLocal: localIso(record.acknowledgeDueAt, clinic.timeZone),
    resolveDueLocal: localIso(record.resolveDueAt, clinic.timeZone),
  };
}

/** The path's case id, checked. */
export function caseIdOf(caseId: string | undefined): string {
  return parseOrThrow(z.object({ caseId: CaseIdSchema }), { caseId }).caseId;
}

async function loadCase(deps: StaffCaseDeps, ids: CaseIds): Promise<FeedbackCase> {
  const record = await deps.cases.get(ids.clinicId, ids.caseId);
  if (!record) throw new NotFoundError(`case ${ids.caseId} does not exist in clinic ${ids.clinicId}`);
  return record;
}

/**
 * A case's links as stored: those given, and the patient of a visit linked
 * alone (so the case shows whose visit it was, and its events carry the
 * patient's id); or why they may not be stored: a patient or a visit the
 * clinic does not have, or a visit of another patient than the one linked
 * (named by id only). Every problem at once.
 */
async function checkLinks(
  deps: CaseCreateDeps,
  clinicId: string,
  links: CaseCreateBody['links'],
): Promise<{ issues: FieldIssue[]; links: CaseCreateBody['links'] }> {
  const { patientId, appointmentId } = links;
  const [patient, appointment] = await Promise.all([
    patientId === undefined ? undefined : deps.patients.get(clinicId, patientId),
    appointmentId === undefined ? undefined : deps.appointments.get(clinicId, appointmentId),
  ]);
  const issues: FieldIssue[] = [];
  if (patientId !== undefined && !patient) {
    issues.push({ path: 'links.patientId', message: `no patient ${patientId} in clinic ${clinicId}` });
  }
  if (appointmentId !== undefined && !appointment) {
    issues.push({
      path: 'links.appointmentId',
      message: `no appointment ${appointmentId} in clinic ${clinicId}`,
    });
  } else if (appointment && patientId !== undefined && appointment.patientId !== patientId) {
    issues.push({
      path: 'links.appointmentId',
      message: `is an appointment of patient ${appointment.patientId}, not of ${patientId}`,
    });
  }
  return {
    issues,
    links: appointment && patientId === undefined ? { ...links, patientId: appointment.patientId } : links,
  };
}

/**
 * Opens a case by hand (a complaint by phone or at the desk).
 *
 * Primary course:
 * 1. Validate the body (summary required; priority high and category other by default).
 * 2. Load the clinic (its zone and business hours set the due times).
 * 3. Check the links: the patient and the visit exist in the clinic, and the
 *    visit is that patient's; otherwise a ValidationError naming each link,
 *    nothing written. A visit linked alone brings its patient's link.
 * 4. Open the case under a fresh id and store it.
 *
 * @param deps - repositories, id source, clock
 * @param clinicId - the clinic in the path
 * @param body - the raw body
 * @param by - the staff user's subject
 */
export async function createCase(
  deps: CaseCreateDeps,
  clinicId: string,
  body: unknown,
  by: string,
): Promise<CaseView> {
  const input = parseOrThrow(CaseCreateBodySchema, body);
  const clinic = await loadClinic(deps.clinics, clinicId);
  const { issues, links } = await checkLinks(deps, clinicId, input.links);
  if (issues.length > 0) throw new ValidationError(issues);
  const now = deps.clock.now();
  const record = openCase(
    clinic,
    {
      caseId: deps.newId(),
      source: 'staff',
      priority: input.priority,
      category: input.category,
      summary: input.summary,
      ...(input.assignee ? { assignee: input.assignee } : {}),
      links,
      by,
    },
    now,
  );
  if (!(await deps.cases.create(record))) {
    throw new ConflictError(`case ${record.caseId} exists already; try again`);
  }
  await recordEvents(deps.counters, caseChangeEvents(undefined, record, clinic.timeZone));
  return toCaseView(record, clinic, now);
}

/**
 * One page of a clinic's cases, filtered by status, priority, category and overdue.
 *
 * @param deps - repositories and clock
 * @param clinicId - the clinic in the path
 * @param query - the raw query
 */
export async function listCases(
  deps: StaffCaseDeps,
  clinicId: string,
  query: Record<string, string>,
): Promise<CasePage> {
  const { limit, cursor, ...filters } = parseOrThrow(CaseQuerySchema, query);
  const clinic = await loadClinic(deps.clinics, clinicId);
  const now = deps.clock.now();
  const page = await deps.cases.list(
    clinicId,
    {
      ...(filters.status ? { status: filters.status } : {}),
      ...(filters.priority ? { priority: filters.priority } : {}),
      ...(filters.category ? { category: filters.category } : {}),
      ...(filters.overdue === undefined ? {} : { overdue: filters.overdue }),
      now: toUtcIso(now),
    },
    { limit, ...(cursor ? { cursor } : {}) },
  );
  return {
    items: page.items.map((record) => toCaseView(record, clinic, now)),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/**
 * One case.
 *
 * @param deps - repositories and clock
 * @param ids - the clinic and the case
 */
export async function getCase(deps: StaffCaseDeps, ids: CaseIds): Promise<CaseView> {
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  return toCaseView(await loadCase(deps, ids), clinic, deps.clock.now());
}

/**
 * Changes a case at the version the caller read.
 *
 * Primary course:
 * 1. Validate the body; load the clinic and the case.
 * 2. Check the expected version (required: the case exists).
 * 3. Apply the change (status one step forward, a resolution note to resolve).
 * 4. Store it conditionally on the version read; an unchanged case is not written.
 *
 * @param deps - repositories and clock
 * @param ids - the clinic and the case
 * @param body - the raw body
 * @param expectedVersion - the version the caller read (If-Match)
 * @param by - the staff user's subject
 */
export async function changeCaseAtVersion(
  deps: StaffCaseDeps,
  ids: CaseIds,
  body: unknown,
  expectedVersion: number | undefined,
  by: string,
): Promise<CaseView> {
  const patch = parseOrThrow(CasePatchBodySchema, body);
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  const current = await loadCase(deps, ids);
  checkExpectedVersion(`case ${ids.caseId}`, current, expectedVersion);
  const now = deps.clock.now();
  const next = changeCase(current, patch, by, now);
  if (next !== current) {
    await deps.cases.put(next, current.version);
    await recordEvents(deps.counters, caseChangeEvents(current, next, clinic.timeZone));
  }
  return toCaseView(next, clinic, now);
}

/**
 * Adds a note to a case's history. Notes only append, so no version is
 * needed: a write that loses a race reads the case again and appends again.
 *
 * @param deps - repositories and clock
 * @param ids - the clinic and the case
 * @param body - the raw body (`text`)
 * @param by - the author's subject
 */
export async function addNote(
  deps: StaffCaseDeps,
  ids: CaseIds,
  body: unknown,
  by: string,
): Promise<CaseView> {
  const { text } = parseOrThrow(CaseNoteBodySchema, body);
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  for (let attempt = 1; ; attempt++) {
    const current = await loadCase(deps, ids);
    const now = deps.clock.now();
    const next = addCaseNote(current, text, by, now);
    try {
      await deps.cases.put(next, current.version);
      return toCaseView(next, clinic, now);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= NOTE_TRIES) throw error;
    }
  }
}
