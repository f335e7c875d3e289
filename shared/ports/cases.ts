/**
 * What the case use cases need from storage (feedback cases, issue 13).
 * Every write is conditional; a lost race is a ConflictError.
 */

import type { CaseCategory, CaseStatus, FeedbackCase } from '../domain/cases/case';
import type { Priority } from '../domain/constants';
import type { Page } from './repositories';

/** The list filters of GET …/cases, all optional. */
export interface CaseFilter {
  status?: CaseStatus;
  priority?: Priority;
  category?: CaseCategory;
  /** Only cases past a due time at `now` (true), or only those that are not (false). */
  overdue?: boolean;
  /** The instant `overdue` is judged at (UTC ISO). */
  now: string;
}

export interface CaseRepository {
  get(clinicId: string, caseId: string): Promise<FeedbackCase | undefined>;
  /** Stores a new case (version 1); false when a case with its id exists already (a second delivery). */
  create(record: FeedbackCase): Promise<boolean>;
  /** Writes `record` (at the next version) if the stored one is at `expectedVersion`; ConflictError otherwise. */
  put(record: FeedbackCase, expectedVersion: number): Promise<void>;
  /**
   * One page of a clinic's cases. With a status: open and acknowledged
   * cases soonest due first, resolved ones newest first; without: by id.
   * A page may hold fewer than `limit` cases when filters drop some: follow the cursor.
   */
  list(
    clinicId: string,
    filter: CaseFilter,
    page?: { limit?: number; cursor?: string },
  ): Promise<Page<FeedbackCase>>;
  /** Every open or acknowledged case of a clinic (the metrics' open cases and overdue count). */
  listUnresolved(clinicId: string): Promise<FeedbackCase[]>;
  /** Cases of every clinic with an unreported due time at or before `until`, soonest first (the overdue sweep). */
  listDue(until: string, limit: number): Promise<FeedbackCase[]>;
  /** The soonest unreported due time of any clinic's case (local mode's driver schedules its sweep by it). */
  earliestDueAt(): Promise<string | undefined>;
}
