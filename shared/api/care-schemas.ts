/**
 * The request and response shapes of the care reminder routes (issue 14
 * item 3), beside schemas.ts: the OpenAPI document is built from the same
 * zod schemas that validate the requests.
 */
import * as z from 'zod';
import { CareReminderFieldsSchema, CareReminderSchema } from '../domain/care/reminder';
import { EntityIdSchema } from '../domain/model';

/** PUT …/care-reminders/{reminderId}: what staff send. */
export const CareReminderBodySchema = CareReminderFieldsSchema;

export const CareReminderIdSchema = EntityIdSchema;

/** A care reminder with its current due date, status and next planning time. */
export const CareReminderResponseSchema = CareReminderSchema;

export const CareReminderListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2000).optional(),
});
export type CareReminderListQuery = z.output<typeof CareReminderListQuerySchema>;

export const CareReminderPageSchema = z.object({
  items: z.array(CareReminderSchema).describe('in reminder id order'),
  cursor: z.string().optional().describe('pass back as ?cursor= for the next page; absent on the last'),
});
