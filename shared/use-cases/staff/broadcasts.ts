/**
 * Broadcasts through the staff API (issue 14): preview, create or change
 * while scheduled, read with progress, list, cancel. Nothing here plans a
 * recipient's message: the fan-out does that in pages in the pipeline
 * (shared/use-cases/fan-out-broadcasts.ts); the request only counts.
 */
import {
  BroadcastBodySchema,
  BroadcastListQuerySchema,
  type BroadcastPage,
  type BroadcastPreview,
} from '../../api/schemas';
import {
  type Broadcast,
  type BroadcastFields,
  BroadcastSchema,
  broadcastLanguageFor,
  checkBroadcastText,
  RECIPIENT_SKIP_REASONS,
  recipientVerdict,
  renderBroadcastSms,
} from '../../domain/broadcasts';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../../domain/errors';
import type { Clinic } from '../../domain/model';
import { roleForBroadcast } from '../../domain/roles';
import { type Clock, parseUtc, toUtcIso } from '../../domain/time';
import { parseOrThrow } from '../../domain/validation';
import type { BroadcastRepository, ClinicRepository } from '../../ports/repositories';
import { type AudienceDeps, audiencePage } from '../broadcast-audience';
import { checkExpectedVersion, loadClinic, type Saved, sameContent } from './common';

export interface BroadcastDeps extends AudienceDeps {
  clinics: ClinicRepository;
  broadcasts: BroadcastRepository;
  clock: Clock;
}

/** The staff API's limits a broadcast request reads. */
export interface BroadcastLimits {
  staffBroadcastMaxRecipients: number;
  smsPricePerSegment: number;
}

interface Tally {
  total: number;
  sms: number;
  email: number;
  smsSegments: number;
  skipped: Record<string, number>;
}

/**
 * Counts who of the audience a broadcast reaches, page by page; stops
 * early once `enough` recipients are counted (a create needs only to know
 * the audience is not empty and whether it is over the staff role's limit).
 */
async function tallyAudience(
  deps: AudienceDeps,
  clinic: Clinic,
  fields: BroadcastFields,
  enough = Number.POSITIVE_INFINITY,
): Promise<Tally> {
  const tally: Tally = { total: 0, sms: 0, email: 0, smsSegments: 0, skipped: {} };
  for (const reason of RECIPIENT_SKIP_REASONS) tally.skipped[reason] = 0;
  if (fields.audience.patientIds) tally.skipped['unknown-patient'] = 0;
  // A patient with two visits in a closure's dates is one recipient.
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await audiencePage(deps, clinic, fields.audience, cursor);
    if (fields.audience.patientIds) {
      tally.skipped['unknown-patient'] = (tally.skipped['unknown-patient'] ?? 0) + page.unknown;
    }
    for (const patient of page.patients) {
      if (seen.has(patient.patientId)) continue;
      seen.add(patient.patientId);
      const verdict = recipientVerdict(patient, fields.audience);
      if ('skip' in verdict) {
        tally.skipped[verdict.skip] = (tally.skipped[verdict.skip] ?? 0) + 1;
        continue;
      }
      tally.total += 1;
      if (verdict.channel === 'sms') {
        tally.sms += 1;
        const language = broadcastLanguageFor(fields.text, patient, clinic.policy);
        const text = fields.text[language] ?? '';
        tally.smsSegments += renderBroadcastSms(text, language, clinic, patient.firstName).count.segments;
      } else {
        tally.email += 1;
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined && tally.total < enough);
  return tally;
}

/** Body checks beyond the schema: every language within budget, a send time still ahead. */
function checkFields(fields: BroadcastFields, clinic: Clinic, clock: Clock) {
  const { issues, samples } = checkBroadcastText(fields.text, clinic);
  if (parseUtc(fields.sendAt) <= clock.now()) {
    issues.push({ path: 'sendAt', message: `must be in the future (now is ${toUtcIso(clock.now())})` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return samples;
}

/**
 * What a broadcast would do, writing nothing: recipients by channel, the
 * audience's skips by reason, each language's sample with its parts, and
 * the SMS parts and their cost over every SMS recipient.
 *
 * Primary course:
 * 1. Parse the body as for a create; check the text and the send time.
 * 2. Read the whole audience in pages and decide each patient.
 * 3. Add up the parts of each SMS recipient's own text.
 *
 * @param deps - repositories and clock
 * @param clinicId - the clinic
 * @param body - the request body
 * @param limits - the price per SMS part, the staff role's recipient limit
 */
export async function previewBroadcast(
  deps: BroadcastDeps,
  clinicId: string,
  body: unknown,
  limits: Pick<BroadcastLimits, 'smsPricePerSegment' | 'staffBroadcastMaxRecipients'>,
): Promise<BroadcastPreview> {
  const fields = parseOrThrow(BroadcastBodySchema, body);
  const clinic = await loadClinic(deps.clinics, clinicId);
  const samples = checkFields(fields, clinic, deps.clock);
  const tally = await tallyAudience(deps, clinic, fields);
  return {
    recipients: { total: tally.total, sms: tally.sms, email: tally.email },
    skipped: tally.skipped,
    samples,
    estimate: {
      smsSegments: tally.smsSegments,
      pricePerSegment: limits.smsPricePerSegment,
      cost: Math.round(tally.smsSegments * limits.smsPricePerSegment * 10_000) / 10_000,
    },
    // Said before saving, so staff learn it from the preview rather than from a refused save.
    requiredRole: roleForBroadcast(tally.total, limits.staffBroadcastMaxRecipients),
    staffMaxRecipients: limits.staffBroadcastMaxRecipients,
  };
}

/**
 * Creates a broadcast, or changes one that has not started.
 *
 * Primary course:
 * 1. Parse the body; check the text in every language against the clinic's
 *    budget and that the send time is ahead.
 * 2. Read the stored broadcast: a change must name its version (If-Match)
 *    and is refused (409) once the fan-out started or it was cancelled.
 * 3. Count the audience (up to what decides): nobody is a 400; more than
 *    a staff user may reach needs a clinic admin (403).
 * 4. Write it `scheduled`; the fan-out plans it shortly before its send time.
 *
 * @param deps - repositories and clock
 * @param ids - clinic and broadcast id
 * @param body - the request body
 * @param expectedVersion - the If-Match version
 * @param actor - the caller's subject and a check of the role the audience needs
 * @param limits - the staff role's recipient limit
 */
export async function saveBroadcast(
  deps: BroadcastDeps,
  ids: { clinicId: string; broadcastId: string },
  body: unknown,
  expectedVersion: number | undefined,
  actor: {
    subject: string;
    /** Refuses (403) unless the caller has the role; `action` names what needs it. */
    requireRole: (role: ReturnType<typeof roleForBroadcast>, action: string) => void;
  },
  limits: Pick<BroadcastLimits, 'staffBroadcastMaxRecipients'>,
): Promise<Saved<Broadcast>> {
  const fields = parseOrThrow(BroadcastBodySchema, body);
  const clinic = await loadClinic(deps.clinics, ids.clinicId);
  checkFields(fields, clinic, deps.clock);
  const current = await deps.broadcasts.get(ids.clinicId, ids.broadcastId);
  if (current && current.status !== 'scheduled') {
    throw new ConflictError(
      `broadcast ${ids.broadcastId} is ${current.status}: it can change only before its fan-out starts`,
      current.version,
    );
  }
  checkExpectedVersion(`broadcast ${ids.broadcastId}`, current, expectedVersion);

  const tally = await tallyAudience(deps, clinic, fields, limits.staffBroadcastMaxRecipients + 1);
  if (tally.total === 0) {
    const skips = Object.entries(tally.skipped)
      .filter(([, count]) => count > 0)
      .map(([reason, count]) => `${count} ${reason}`);
    const issue: FieldIssue = {
      path: 'audience',
      message: `selects nobody who can get it${skips.length > 0 ? ` (skipped: ${skips.join(', ')})` : ''}`,
    };
    throw new ValidationError([issue]);
  }
  const max = limits.staffBroadcastMaxRecipients;
  // The tally stops at one past the staff limit: past it, the count is "more than".
  actor.requireRole(
    roleForBroadcast(tally.total, max),
    `a broadcast to more than ${max} patients (staff may send to ${max} at most: the deployment's staffBroadcastMaxRecipients)`,
  );

  const at = toUtcIso(deps.clock.now());
  const next = parseOrThrow(BroadcastSchema, {
    ...fields,
    clinicId: ids.clinicId,
    broadcastId: ids.broadcastId,
    status: 'scheduled',
    createdBy: current?.createdBy ?? actor.subject.slice(0, 128),
    fanOut: { pages: 0 },
    planned: 0,
    sent: 0,
    failed: 0,
    skipped: {},
    version: current ? current.version + 1 : 1,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
  });
  if (current && sameContent(next, current)) return { record: current, outcome: 'unchanged' };
  await deps.broadcasts.put(next, current?.version ?? null);
  return { record: next, outcome: current ? 'updated' : 'created' };
}

/**
 * A broadcast with its status and counts.
 *
 * @param deps - repositories
 * @param ids - clinic and broadcast id
 * @throws NotFoundError when the clinic or the broadcast does not exist
 */
export async function getBroadcast(
  deps: Pick<BroadcastDeps, 'clinics' | 'broadcasts'>,
  ids: { clinicId: string; broadcastId: string },
): Promise<Broadcast> {
  await loadClinic(deps.clinics, ids.clinicId);
  const broadcast = await deps.broadcasts.get(ids.clinicId, ids.broadcastId);
  if (!broadcast)
    throw new NotFoundError(`broadcast ${ids.broadcastId} does not exist in clinic ${ids.clinicId}`);
  return broadcast;
}

/**
 * A clinic's broadcasts, a page at a time.
 *
 * @param deps - repositories
 * @param clinicId - the clinic
 * @param query - the request's query (limit, cursor)
 */
export async function listBroadcasts(
  deps: Pick<BroadcastDeps, 'clinics' | 'broadcasts'>,
  clinicId: string,
  query: unknown,
): Promise<BroadcastPage> {
  const { limit, cursor } = parseOrThrow(BroadcastListQuerySchema, query);
  await loadClinic(deps.clinics, clinicId);
  const page = await deps.broadcasts.list(clinicId, { limit, ...(cursor ? { cursor } : {}) });
  return { items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/**
 * Cancels a broadcast at any point: the fan-out plans no further page, and
 * every message not sent yet is skipped `broadcast-cancelled` when its
 * time comes (the sender reads the broadcast). Idempotent.
 *
 * @param deps - repositories and clock
 * @param ids - clinic and broadcast id
 */
export async function cancelBroadcast(
  deps: Pick<BroadcastDeps, 'clinics' | 'broadcasts' | 'clock'>,
  ids: { clinicId: string; broadcastId: string },
): Promise<Broadcast> {
  await loadClinic(deps.clinics, ids.clinicId);
  const cancelled = await deps.broadcasts.cancel(ids.clinicId, ids.broadcastId, toUtcIso(deps.clock.now()));
  if (!cancelled)
    throw new NotFoundError(`broadcast ${ids.broadcastId} does not exist in clinic ${ids.clinicId}`);
  return cancelled;
}
