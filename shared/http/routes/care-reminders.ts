/** The care reminder routes (issue 14 item 3): create or change, read, list a patient's, stop. */
import * as z from 'zod';
import {
  CareReminderBodySchema,
  CareReminderIdSchema,
  CareReminderListQuerySchema,
  CareReminderPageSchema,
  CareReminderResponseSchema,
} from '../../api/care-schemas';
import { EmptyBodySchema } from '../../api/schemas';
import { ClinicIdSchema, EntityIdSchema } from '../../domain/model';
import { parseOrThrow } from '../../domain/validation';
import {
  getCareReminder,
  listCareReminders,
  saveCareReminder,
  stopCareReminder,
} from '../../use-cases/staff/care-reminders';
import { expectedVersionOf, jsonBody, queryOf } from '../request';
import { ERRORS, type StaffRoute, savedResponse, withEtag } from './context';

const PatientPathSchema = z.object({ clinicId: ClinicIdSchema, patientId: EntityIdSchema });
const ReminderPathSchema = PatientPathSchema.extend({ reminderId: CareReminderIdSchema });

const PLANNING =
  'Planned by the pipeline within a minute, like a visit reminder: one message per offset of its kind ' +
  '(`policy.careReminders.offsets`, at `policy.careReminders.sendTime` that many days before the due date in ' +
  'the patient’s zone), moved earlier out of quiet hours, on the patient’s channel and in their language, ' +
  'never to an opted-out channel, within the care reminders’ own cap (`policy.careReminders.frequencyCap`). ' +
  'Built-in wording per kind (en, es), one SMS part, naming no drug or diagnosis. A repeat rolls the due date ' +
  'forward once it is over: days add days; months and years keep the first due date’s day of the month, ' +
  'clamped to the month’s length (31 Jan + P1M → 28/29 Feb → 31 Mar). Needs no `updates` consent.';

export const CARE_REMINDER_ROUTES: readonly StaffRoute[] = [
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}/patients/{patientId}/care-reminders/{reminderId}',
    role: 'staff',
    doc: {
      operationId: 'putCareReminder',
      summary: 'Create or change a care reminder (refill, recall, vaccine, custom)',
      description: `Body: \`kind\`, \`dueOn\` (YYYY-MM-DD), optional \`repeat\` (\`{"every": "P30D" | "P1M" | "P1Y"}\`: an ISO duration of whole days, months or years) and \`action\` (\`{"phone": "+1…"}\` or \`{"url": "https://…"}\`, at most 40 characters). A change needs If-Match, starts again from the due date given and withdraws the messages of the old one not sent yet. An unknown patient is a 404; a due date that does not repeat may not be over. ${PLANNING}`,
      tag: 'Care reminders',
      body: { required: true, content: { 'application/json': { schema: CareReminderBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: CareReminderResponseSchema, etag: true },
        201: { description: 'Created', schema: CareReminderResponseSchema, etag: true },
        ...ERRORS,
        409: { description: 'If-Match names a version that is not the stored one' },
      },
    },
    async handle({ deps, event, headers, principal }, params) {
      const ids = parseOrThrow(ReminderPathSchema, params);
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return savedResponse(
        await saveCareReminder(deps, ids, body, expectedVersionOf(headers), principal.subject),
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/patients/{patientId}/care-reminders/{reminderId}',
    role: 'staff',
    doc: {
      operationId: 'getCareReminder',
      summary: 'A care reminder: its current due date, status and next planning time',
      tag: 'Care reminders',
      responses: {
        200: { description: 'The care reminder', schema: CareReminderResponseSchema, etag: true },
        ...ERRORS,
      },
    },
    async handle({ deps }, params) {
      return withEtag(await getCareReminder(deps, parseOrThrow(ReminderPathSchema, params)));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/patients/{patientId}/care-reminders',
    role: 'staff',
    doc: {
      operationId: 'listCareReminders',
      summary: 'A patient’s care reminders (stopped ones included)',
      tag: 'Care reminders',
      query: CareReminderListQuerySchema,
      responses: { 200: { description: 'One page', schema: CareReminderPageSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      const ids = parseOrThrow(PatientPathSchema, params);
      return { status: 200, body: await listCareReminders(deps, ids, queryOf(event)) };
    },
  },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/patients/{patientId}/care-reminders/{reminderId}/stop',
    role: 'staff',
    doc: {
      operationId: 'stopCareReminder',
      summary: 'Stop a care reminder',
      description:
        'No further due date is planned; its messages not sent yet are withdrawn (`care-reminder-stopped`), ' +
        'and the sender skips any it meets. Idempotent: stopping again returns it as it is. A PUT starts it again.',
      tag: 'Care reminders',
      body: { required: false, content: { 'application/json': { schema: EmptyBodySchema } } },
      responses: {
        200: { description: 'The care reminder, stopped', schema: CareReminderResponseSchema, etag: true },
        ...ERRORS,
      },
    },
    async handle({ deps, event, principal }, params) {
      const ids = parseOrThrow(ReminderPathSchema, params);
      parseOrThrow(EmptyBodySchema, jsonBody(event, deps.config.jsonMaxBytes, { emptyAllowed: true }));
      return withEtag(await stopCareReminder(deps, ids, principal.subject));
    },
  },
];
