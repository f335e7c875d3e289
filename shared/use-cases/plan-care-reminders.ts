/**
 * The planning of care reminders (issue 14 item 3), in the pipeline: each
 * per-minute run of dispatch-due plans the care reminders whose planning
 * is due (the `~care` partition of the due index: right after staff saved
 * or stopped one, and at the end of each due date of a repeating one, to
 * roll it forward). The staff request only stores the reminder.
 *
 * Like the visit planner it reconciles: the messages the current due date
 * calls for (deterministic ids: reminder, due date, offset) are created
 * with conditional puts, so a second run or a crash halfway creates nothing
 * twice; stored ones no longer called for (a new due date or kind, a stop)
 * are withdrawn if they have not gone yet. The reminder is then saved with
 * its rolled due date and next planning time, conditional on the version
 * read: a staff change meanwhile wins, and the next run plans that.
 */
import type { DateTime } from 'luxon';
import {
  type CareReminder,
  careMessagePrefix,
  careWithdrawReason,
  currentDueDate,
  dueDateEnds,
  planCareDueDate,
} from '../domain/care/reminder';
import { ConflictError } from '../domain/errors';
import type { Clinic, Message, MessageStatus, Patient } from '../domain/model';
import { zoneFor } from '../domain/planning/rules';
import { type Clock, parseUtc, toUtcIso } from '../domain/time';
import type { AppLogger, Telemetry } from '../ports/outbound';
import {
  type CareReminderKey,
  type CareReminderRepository,
  type MessageRepository,
  MessageTransitionError,
} from '../ports/repositories';

/** Most care reminders one run plans; the rest stay due for the next minute. */
export const CARE_PLAN_BATCH = 100;

export interface CarePlanDeps {
  careReminders: CareReminderRepository;
  clinics: { get(clinicId: string): Promise<Clinic | undefined> };
  patients: { get(clinicId: string, patientId: string): Promise<Patient | undefined> };
  messages: MessageRepository;
  clock: Clock;
  logger: AppLogger;
  telemetry: Telemetry;
}

export interface CarePlanSummary {
  /** Care reminders planned by this run. */
  reminders: number;
  created: number;
  withdrawn: number;
  /** Due dates rolled forward. */
  rolled: number;
  /** Changed by staff while being planned: the next run plans the change. */
  changedMeanwhile: number;
}

/** Statuses a withdrawal may still stop. */
const WITHDRAWABLE: ReadonlySet<MessageStatus> = new Set(['pending', 'queued']);

function emptySummary(): CarePlanSummary {
  return { reminders: 0, created: 0, withdrawn: 0, rolled: 0, changedMeanwhile: 0 };
}

/** The reminder as it stands after this planning: the due date in force, and when to plan next. */
function afterPlanning(
  reminder: CareReminder,
  current: { dueOn: string; occurrence: number },
  zone: string | undefined,
  at: string,
): CareReminder {
  const { planAt: _done, ...rest } = reminder;
  // A repeating reminder is planned again when this due date is over; any other is done until staff change it.
  const rollAt =
    reminder.status === 'active' && reminder.repeat && zone
      ? toUtcIso(dueDateEnds(current.dueOn, zone))
      : undefined;
  // The version (the staff API's ETag) moves only when what staff see changes: a roll to the next due
  // date. Marking it planned is bookkeeping, and must not make the ETag a staff user holds stale.
  const rolled = current.dueOn !== reminder.dueOn || current.occurrence !== reminder.occurrence;
  return {
    ...rest,
    dueOn: current.dueOn,
    occurrence: current.occurrence,
    plannedAt: at,
    ...(rollAt ? { planAt: rollAt } : {}),
    ...(rolled ? { version: reminder.version + 1, updatedAt: at } : {}),
  };
}

async function withdrawObsolete(
  deps: CarePlanDeps,
  stored: readonly Message[],
  reminder: CareReminder,
  wanted: ReadonlySet<string>,
  at: string,
): Promise<number> {
  let withdrawn = 0;
  for (const message of stored) {
    if (!WITHDRAWABLE.has(message.status)) continue;
    const reason = careWithdrawReason(message.messageId, reminder, wanted);
    if (!reason) continue;
    try {
      await deps.messages.withdraw(message, { reason, at });
      withdrawn += 1;
    } catch (error) {
      // Claimed meanwhile: the send-time check reads the reminder and skips it.
      if (!(error instanceof MessageTransitionError)) throw error;
    }
  }
  return withdrawn;
}

/**
 * Plans one care reminder.
 *
 * Primary course:
 * 1. Read the reminder; nothing to do when it is gone or its planning time is still ahead.
 * 2. Read the clinic, the patient and the patient's stored messages.
 * 3. Roll a repeating reminder's due date forward past every date already over.
 * 4. Plan the messages of that due date (none for a stopped reminder) and
 *    create the missing ones; withdraw this reminder's stored messages that
 *    are no longer called for and have not gone.
 * 5. Save the rolled due date and the next planning time (the end of the
 *    due date when it repeats), conditional on the version read.
 *
 * @param deps - repositories, clock, logger, telemetry
 * @param key - the care reminder
 * @param now - the planning instant
 * @param summary - where this run's counts are added
 */
export async function planCareReminder(
  deps: CarePlanDeps,
  key: CareReminderKey,
  now: DateTime,
  summary: CarePlanSummary = emptySummary(),
): Promise<CarePlanSummary> {
  const at = toUtcIso(now);
  const reminder = await deps.careReminders.get(key);
  if (!reminder?.planAt || parseUtc(reminder.planAt) > now) return summary;
  const [clinic, patient] = await Promise.all([
    deps.clinics.get(key.clinicId),
    deps.patients.get(key.clinicId, key.patientId),
  ]);
  if (!clinic || !patient)
    deps.logger.error('care reminder of a clinic or patient that does not exist', { ...key });
  const prefix = careMessagePrefix(key.reminderId);
  const stored = patient
    ? (await deps.messages.listForPatient(key.clinicId, key.patientId)).filter(
        (message) => message.kind === 'care-reminder',
      )
    : [];
  const zone = clinic && patient ? zoneFor(patient, clinic) : undefined;
  const current =
    zone && reminder.status === 'active'
      ? currentDueDate(reminder, zone, now)
      : { dueOn: reminder.dueOn, occurrence: reminder.occurrence };
  const desired =
    clinic && patient && reminder.status === 'active'
      ? planCareDueDate({ reminder, dueOn: current.dueOn, patient, clinic, now, stored })
      : [];

  const mine = stored.filter((message) => message.messageId.startsWith(prefix));
  const storedIds = new Set(mine.map((message) => message.messageId));
  let created = 0;
  for (const message of desired) {
    if (storedIds.has(message.messageId)) continue;
    if (await deps.messages.create(message)) created += 1;
  }
  const wanted = new Set(desired.map((message) => message.messageId));
  const withdrawn = await withdrawObsolete(
    deps,
    mine,
    clinic && patient ? reminder : { ...reminder, status: 'stopped' },
    wanted,
    at,
  );

  try {
    const next = afterPlanning(reminder, current, zone, at);
    if (next.version === reminder.version) await deps.careReminders.putPlanned(next);
    else await deps.careReminders.put(next, reminder.version);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    summary.changedMeanwhile += 1;
  }
  summary.reminders += 1;
  summary.created += created;
  summary.withdrawn += withdrawn;
  if (current.dueOn !== reminder.dueOn) summary.rolled += 1;
  deps.telemetry.count('CareRemindersPlanned', created);
  deps.logger.info('care reminder planned', {
    ...key,
    dueOn: current.dueOn,
    created,
    withdrawn,
  });
  return summary;
}

/**
 * Plans every care reminder whose planning is due, up to a batch.
 *
 * @param deps - repositories, clock, logger, telemetry
 */
export async function planDueCareReminders(deps: CarePlanDeps): Promise<CarePlanSummary> {
  const now = deps.clock.now();
  const summary = emptySummary();
  for (const key of await deps.careReminders.dueForPlanning(toUtcIso(now), CARE_PLAN_BATCH)) {
    await planCareReminder(deps, key, now, summary);
  }
  return summary;
}
