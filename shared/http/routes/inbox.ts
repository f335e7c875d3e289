/**
 * The staff inbox routes: the patients' texts that need a person, assigning
 * one, marking one done, a patient's conversation, and a staff member's reply by SMS.
 */
import * as z from 'zod';
import {
  ConversationQuerySchema,
  ConversationSchema,
  EmptyBodySchema,
  IdempotencyKeySchema,
  InboxAssignBodySchema,
  InboxItemIdSchema,
  InboxItemSchema,
  InboxPageSchema,
  InboxQuerySchema,
  StaffReplyAcceptedSchema,
  StaffReplyBodySchema,
} from '../../api/schemas';
import { ClinicIdSchema } from '../../domain/model';
import { parseOrThrow } from '../../domain/validation';
import {
  assignInboxItem,
  listInbox,
  markInboxItemDone,
  patientConversation,
} from '../../use-cases/staff/inbox';
import { sendStaffReply } from '../../use-cases/staff/replies';
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
    method: 'POST',
    path: '/v1/clinics/{clinicId}/inbox/{itemId}/assign',
    role: 'staff',
    doc: {
      operationId: 'assignInboxItem',
      summary: 'Assign an open inbox text to a staff user, or unassign it',
      description:
        '`{"assignee": "<staff user id>"}` (the token subject of the user who will deal with it) or ' +
        '`{"assignee": null}` to unassign. Assigning it as it already is returns it unchanged. A text done ' +
        'already, or one that never needed a person, is a 409.',
      tag: 'Inbox',
      body: { required: true, content: { 'application/json': { schema: InboxAssignBodySchema } } },
      responses: {
        200: {
          description: 'The text, with assignedTo and assignedAt (absent once unassigned)',
          schema: InboxItemSchema,
        },
        ...ERRORS,
        409: { description: 'The text is done, not in the inbox, or changed meanwhile (try again)' },
      },
    },
    async handle({ deps, event }, params) {
      const ids = parseOrThrow(ItemPathSchema, params);
      const { assignee } = parseOrThrow(InboxAssignBodySchema, jsonBody(event, deps.config.jsonMaxBytes));
      return { status: 200, body: await assignInboxItem(deps, ids, assignee) };
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/patients/{patientId}/conversation',
    role: 'staff',
    doc: {
      operationId: 'getConversation',
      summary: 'A patient’s texts and the messages sent to them, in time order, latest page first',
      description:
        'Inbound texts (as in the inbox, with their intent and state) and every outbound message (kind, ' +
        'channel, status, reason, time, words), oldest first within a page, for as long as the deployment keeps ' +
        'them. The first page holds the latest `limit` items (default 50, at most 100); pass its `cursor` back ' +
        'for the items just before them, and so on (no `cursor`: nothing earlier). A staff reply shows the words ' +
        'sent (`textSource: stored`); other kinds are rendered again as they would be sent now ' +
        '(`textSource: rendered`).',
      tag: 'Inbox',
      query: ConversationQuerySchema,
      responses: {
        200: { description: 'One page of the conversation', schema: ConversationSchema },
        ...ERRORS,
      },
    },
    async handle({ deps, event }, params) {
      return {
        status: 200,
        body: await patientConversation(deps, pathIds(params, 'patientId'), queryOf(event)),
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/patients/{patientId}/replies',
    role: 'staff',
    doc: {
      operationId: 'sendStaffReply',
      summary: 'Text a patient a staff member’s own words, at once',
      description:
        'Free text (any script and emoji, line breaks allowed; no control characters, 400 names the position), ' +
        'at most the clinic’s SMS budget for staff replies (`policy.segmentBudget.other` parts; 400 says the parts ' +
        'and the budget). Stored with the outbox message (kind `staff-reply`) and handed to the send queue at once. ' +
        'It goes as written when the patient texted the clinic in the last 24 hours (an answer); otherwise it starts ' +
        'a new message and is sent with the clinic’s SMS name before the words and the opt-out line of the ' +
        'patient’s language after them (`opensConversation: true`), and the budget counts those words too. A patient who opted out of SMS, or has no phone, gets 409 and nothing is ' +
        'stored. With an `Idempotency-Key` header, a retry by the same user answers 202 with the same message and ' +
        'sends nothing more; the same key with other words is refused (409 on `Idempotency-Key`) and sends nothing.',
      tag: 'Inbox',
      idempotencyKey:
        'Optional. A key of your own for this reply (a fresh one per draft): a retry with the same key by the ' +
        'same user answers 202 with the first message (`replayed: true`) and sends nothing more.',
      body: { required: true, content: { 'application/json': { schema: StaffReplyBodySchema } } },
      responses: {
        202: {
          description: 'Accepted: stored, and queued or left for the next sweep',
          schema: StaffReplyAcceptedSchema,
        },
        ...ERRORS,
        409: {
          description:
            'The patient opted out of SMS or has no phone number, or the Idempotency-Key was used for another reply',
        },
      },
    },
    async handle({ deps, event, headers, principal }, params) {
      const ids = pathIds(params, 'patientId');
      const idempotencyKey =
        headers['idempotency-key'] === undefined
          ? undefined
          : parseOrThrow(z.object({ 'Idempotency-Key': IdempotencyKeySchema }), {
              'Idempotency-Key': headers['idempotency-key'],
            })['Idempotency-Key'];
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      const accepted = await sendStaffReply(
        { ...deps, ...deps.sendNow },
        { ...ids, body, by: principal.subject, idempotencyKey },
      );
      return { status: 202, body: accepted };
    },
  },
];
