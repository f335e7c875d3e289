/** The staff inbox routes: the patients' texts that need a person, marking one done, a patient's conversation. */
import * as z from 'zod';
import {
  ConversationSchema,
  EmptyBodySchema,
  InboxItemIdSchema,
  InboxItemSchema,
  InboxPageSchema,
  InboxQuerySchema,
} from '../../api/schemas';
import { ClinicIdSchema } from '../../domain/model';
import { parseOrThrow } from '../../domain/validation';
import { listInbox, markInboxItemDone, patientConversation } from '../../use-cases/staff/inbox';
import { jsonBody, queryOf } from '../request';
import { ERRORS, pathClinicId, pathIds, type StaffRoute } from './context';

const ItemPathSchema = z.object({ clinicId: ClinicIdSchema, itemId: InboxItemIdSchema });

export const INBOX_ROUTES: readonly StaffRoute[] = [
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/inbox',
    role: 'staff',
    doc: {
      operationId: 'listInbox',
      summary: 'Texts from patients (and unknown numbers) that need a person, newest first',
      description:
        'Reschedule and cancel requests, free text and texts no patient matched. `status` is `open` (default) ' +
        'or `done`. Pages hold up to `limit` items; pass `cursor` back, with the same status, for the next page. ' +
        'Texts are patients’ words: the API returns them to staff of the clinic only and never logs them.',
      tag: 'Inbox',
      query: InboxQuerySchema,
      responses: { 200: { description: 'One page', schema: InboxPageSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await listInbox(deps, pathClinicId(params), queryOf(event)) };
    },
  },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/inbox/{itemId}/done',
    role: 'staff',
    doc: {
      operationId: 'markInboxItemDone',
      summary: 'Mark an inbox text dealt with',
      description:
        'Idempotent: marking a done text done again returns it unchanged (with who and when from the first time). ' +
        'A text that never needed a person (a confirm, STOP, HELP) is not in the inbox: 409.',
      tag: 'Inbox',
      body: { required: false, content: { 'application/json': { schema: EmptyBodySchema } } },
      responses: {
        200: { description: 'The text, done', schema: InboxItemSchema },
        ...ERRORS,
        409: { description: 'The text is not in the inbox, or changed meanwhile (try again)' },
      },
    },
    async handle({ deps, event, principal }, params) {
      const ids = parseOrThrow(ItemPathSchema, params);
      parseOrThrow(EmptyBodySchema, jsonBody(event, deps.config.jsonMaxBytes, { emptyAllowed: true }));
      return { status: 200, body: await markInboxItemDone(deps, ids, principal.subject) };
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/patients/{patientId}/conversation',
    role: 'staff',
    doc: {
      operationId: 'getConversation',
      summary: 'A patient’s texts and the messages sent to them, in time order',
      description:
        'Inbound texts (as in the inbox, with their intent and state) and every outbound message (kind, ' +
        'channel, status, reason, time), oldest first, for as long as the deployment keeps them. A staff ' +
        'reply shows the text that was sent (`textSource: stored`).',
      tag: 'Inbox',
      responses: { 200: { description: 'The conversation', schema: ConversationSchema }, ...ERRORS },
    },
    async handle({ deps }, params) {
      return { status: 200, body: await patientConversation(deps, pathIds(params, 'patientId')) };
    },
  },
];
