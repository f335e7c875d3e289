/**
 * The kinds of care reminder (issue 14 item 3) and their defaults, as plain
 * data: the policy schema (model.ts), the stored shape (stored.ts) and the
 * planning (care/reminder.ts) all read them from here.
 */

/**
 * What a care reminder is about, never more precisely: `refill` (a
 * prescription refill is due), `recall` (a check-up is due), `vaccine` (a
 * vaccination is due), `custom` (something to arrange with the clinic).
 */
export const CARE_KINDS = ['refill', 'recall', 'vaccine', 'custom'] as const;
export type CareKind = (typeof CARE_KINDS)[number];

/**
 * Offsets before the due date, per kind (`7d`: the same local time seven
 * days before). A recall gives more notice: a check-up has to be booked.
 */
export const DEFAULT_CARE_OFFSETS: Record<CareKind, string[]> = {
  refill: ['7d', '1d'],
  recall: ['14d', '3d'],
  vaccine: ['7d', '1d'],
  custom: ['3d'],
};

/**
 * The care reminders' own allowance beside the visit reminders' cap: at most
 * this many care reminders a local day and in any 7 × 24 hours per patient.
 */
export const DEFAULT_CARE_CAP = { enabled: true, perDay: 1, perWeek: 2 } as const;

/** The local time on the due date that the offsets count back from. */
export const DEFAULT_CARE_SEND_TIME = '10:00';

/** A clinic that sets nothing gets these. */
export const DEFAULT_CARE_POLICY = {
  offsets: DEFAULT_CARE_OFFSETS,
  sendTime: DEFAULT_CARE_SEND_TIME,
  frequencyCap: { ...DEFAULT_CARE_CAP },
};
