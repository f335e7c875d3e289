/** The broadcast routes (issue 14): preview, create or change, read with progress, list, cancel. */
import * as z from 'zod';
import {
  BroadcastBodySchema,
  BroadcastIdSchema,
  BroadcastListQuerySchema,
  BroadcastPageSchema,
  BroadcastPreviewSchema,
  BroadcastResponseSchema,
  EmptyBodySchema,
} from '../../api/schemas';
import { ClinicIdSchema } from '../../domain/model';
import { parseOrThrow } from '../../domain/validation';
import {
  cancelBroadcast,
  getBroadcast,
  listBroadcasts,
  previewBroadcast,
  saveBroadcast,
} from '../../use-cases/staff/broadcasts';
import { requireRole } from '../auth';
import { expectedVersionOf, jsonBody, queryOf } from '../request';
import { ERRORS, pathClinicId, type StaffRoute, savedResponse, withEtag } from './context';

const BroadcastPathSchema = z.object({ clinicId: ClinicIdSchema, broadcastId: BroadcastIdSchema });

const AUDIENCE =
  'Audience, exactly one of: `{"patientIds": […]}` (at most 10,000), `{"appointmentsOn": {"from": "YYYY-MM-DD", ' +
  '"to": "YYYY-MM-DD"}}` (patients with a booked visit on those local dates, both included, at most 31 days: a ' +
  'closure) or `{"topic": "updates"}` (every patient who consented to health updates). Every audience but a ' +
  'closure needs the patient’s `updates` consent (skipped `no-consent`). Text: per language, variables ' +
  '`{{firstName}}`, `{{clinicName}}`, `{{clinicPhone}}` only; the opt-out line is always added; each language ' +
  'must fit `policy.segmentBudget.other` parts with a 12-character first name.';

export const BROADCAST_ROUTES: readonly StaffRoute[] = [
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/broadcasts/preview',
    role: 'staff',
    doc: {
      operationId: 'previewBroadcast',
      summary: 'What a broadcast would do, with nothing written',
      description: `The same body as a create. Recipients by channel, skips by reason, a sample per language with its SMS parts, and the SMS parts and cost over every recipient (the deployment's price per part). An audience that selects nobody answers 200 with 0. ${AUDIENCE}`,
      tag: 'Broadcasts',
      body: { required: true, content: { 'application/json': { schema: BroadcastBodySchema } } },
      responses: { 200: { description: 'The preview', schema: BroadcastPreviewSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return { status: 200, body: await previewBroadcast(deps, pathClinicId(params), body, deps.config) };
    },
  },
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}/broadcasts/{broadcastId}',
    role: 'staff',
    doc: {
      operationId: 'putBroadcast',
      summary: 'Create a broadcast, or change one whose fan-out has not started',
      description: `Saved \`scheduled\`; the pipeline plans its recipients in pages from 15 minutes before \`sendAt\` (status \`planning\`, then \`planned\`) and sends them by the priority sweep, in each patient's zone outside quiet hours. A change needs If-Match and is refused with 409 once the fan-out started. An audience that selects nobody is a 400; more recipients than the deployment lets a staff user reach need a clinic admin (403). ${AUDIENCE}`,
      tag: 'Broadcasts',
      body: { required: true, content: { 'application/json': { schema: BroadcastBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: BroadcastResponseSchema, etag: true },
        201: { description: 'Created', schema: BroadcastResponseSchema, etag: true },
        ...ERRORS,
        409: { description: 'The fan-out started (or the broadcast was cancelled), or If-Match is stale' },
      },
    },
    async handle({ deps, event, headers, principal }, params) {
      const ids = parseOrThrow(BroadcastPathSchema, params);
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      const actor = {
        subject: principal.subject,
        requireRole: (role: Parameters<typeof requireRole>[1], action: string) =>
          requireRole(principal, role, action),
      };
      return savedResponse(
        await saveBroadcast(deps, ids, body, expectedVersionOf(headers), actor, deps.config),
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/broadcasts/{broadcastId}',
    role: 'staff',
    doc: {
      operationId: 'getBroadcast',
      summary: 'A broadcast with its status and progress',
      description:
        'Counts: `planned` (recipients given a message), `sent`, `failed`, and `skipped` by reason: the ' +
        'audience’s skips when planned (opted-out, no-consent, no-usable-channel, unknown-patient, quiet-hours) and ' +
        'the sender’s (broadcast-cancelled, opted-out, …).',
      tag: 'Broadcasts',
      responses: {
        200: { description: 'The broadcast', schema: BroadcastResponseSchema, etag: true },
        ...ERRORS,
      },
    },
    async handle({ deps }, params) {
      return withEtag(await getBroadcast(deps, parseOrThrow(BroadcastPathSchema, params)));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/broadcasts',
    role: 'staff',
    doc: {
      operationId: 'listBroadcasts',
      summary: 'A clinic’s broadcasts',
      tag: 'Broadcasts',
      query: BroadcastListQuerySchema,
      responses: { 200: { description: 'One page', schema: BroadcastPageSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await listBroadcasts(deps, pathClinicId(params), queryOf(event)) };
    },
  },
  {
    method: 'POST',
    path: '/v1/clinics/{clinicId}/broadcasts/{broadcastId}/cancel',
    role: 'staff',
    doc: {
      operationId: 'cancelBroadcast',
      summary: 'Cancel a broadcast, at any point',
      description:
        'No further recipient is planned, and every message not sent yet is skipped `broadcast-cancelled` when ' +
        'its time comes. Idempotent: cancelling again returns it as it is.',
      tag: 'Broadcasts',
      body: { required: false, content: { 'application/json': { schema: EmptyBodySchema } } },
      responses: {
        200: { description: 'The broadcast, cancelled', schema: BroadcastResponseSchema },
        ...ERRORS,
      },
    },
    async handle({ deps, event }, params) {
      const ids = parseOrThrow(BroadcastPathSchema, params);
      parseOrThrow(EmptyBodySchema, jsonBody(event, deps.config.jsonMaxBytes, { emptyAllowed: true }));
      return withEtag(await cancelBroadcast(deps, ids));
    },
  },
];
