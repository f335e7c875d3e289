/** The appointment routes: booking and changes, status changes, lists by period, message timelines. */
import type { z } from 'zod';
import {
  AppointmentBodySchema,
  AppointmentPageSchema,
  AppointmentViewSchema,
  CancelBodySchema,
  EmptyBodySchema,
  ListAppointmentsQuerySchema,
  TimelineSchema,
} from '../../api/schemas';
import { parseOrThrow } from '../../domain/validation';
import {
  appointmentTimeline,
  changeAppointmentStatusView,
  getAppointment,
  listAppointments,
  saveAppointmentView,
} from '../../use-cases/staff/appointments';
import { expectedVersionOf, jsonBody, queryOf } from '../request';
import { ERRORS, pathClinicId, pathIds, type StaffRoute, savedResponse, withEtag } from './context';

/** The status-change routes share one shape. */
function statusRoute(
  action: 'cancel' | 'complete' | 'no-show',
  summary: string,
  change: (body: unknown) => Parameters<typeof changeAppointmentStatusView>[2],
  bodySchema: z.ZodType,
): StaffRoute {
  return {
    method: 'POST',
    path: `/v1/clinics/{clinicId}/appointments/{appointmentId}/${action}`,
    role: 'staff',
    doc: {
      operationId: `${action === 'no-show' ? 'markNoShow' : action === 'cancel' ? 'cancelAppointment' : 'completeAppointment'}`,
      summary,
      description:
        'Repeating the same change returns the appointment unchanged (a retried cancel sends no second notice). ' +
        'If-Match is optional here; when sent, a stale version is refused with 409.',
      tag: 'Appointments',
      body: { required: false, content: { 'application/json': { schema: bodySchema } } },
      ifMatch: 'optional',
      responses: {
        200: { description: 'The appointment after the change', schema: AppointmentViewSchema, etag: true },
        ...ERRORS,
        409: { description: 'The appointment cannot take this status (or If-Match is stale)' },
      },
    },
    async handle({ deps, event, headers }, params) {
      const appointment = pathIds(params, 'appointmentId');
      const body = jsonBody(event, deps.config.jsonMaxBytes, { emptyAllowed: true });
      const result = await changeAppointmentStatusView(
        deps,
        appointment,
        change(body),
        expectedVersionOf(headers),
      );
      return withEtag(result.record);
    },
  };
}

export const APPOINTMENT_ROUTES: readonly StaffRoute[] = [
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}/appointments/{appointmentId}',
    role: 'staff',
    doc: {
      operationId: 'putAppointment',
      summary: 'Book an appointment or change a booked one',
      description:
        '`startAt` is a UTC instant. A new booking must start in the future; a change needs If-Match with ' +
        'the version read (ETag). Moving the start, duration, location or video link withdraws the messages ' +
        'of the old time and plans new ones.',
      tag: 'Appointments',
      body: { required: true, content: { 'application/json': { schema: AppointmentBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: AppointmentViewSchema, etag: true },
        201: { description: 'Booked', schema: AppointmentViewSchema, etag: true },
        ...ERRORS,
        409: { description: 'Stale If-Match, or the appointment is no longer booked' },
      },
    },
    async handle({ deps, event, headers }, params) {
      const appointment = pathIds(params, 'appointmentId');
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return savedResponse(await saveAppointmentView(deps, appointment, body, expectedVersionOf(headers)));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/appointments/{appointmentId}',
    role: 'staff',
    doc: {
      operationId: 'getAppointment',
      summary: 'An appointment',
      tag: 'Appointments',
      responses: {
        200: { description: 'The appointment', schema: AppointmentViewSchema, etag: true },
        ...ERRORS,
      },
    },
    async handle({ deps }, params) {
      return withEtag(await getAppointment(deps, pathIds(params, 'appointmentId')));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/appointments',
    role: 'staff',
    doc: {
      operationId: 'listAppointments',
      summary: 'Appointments starting in a period, in start order',
      description:
        '`from` and `to` are each a UTC instant (`2026-12-01T14:00:00Z`) or a local date (`2026-12-01`) read ' +
        'as midnight at the start of that day in the clinic’s zone. The period is [from, to), at most 366 days. ' +
        'Pages hold up to `limit` items; pass `cursor` back, with the same from and to, for the next page.',
      tag: 'Appointments',
      query: ListAppointmentsQuerySchema,
      responses: { 200: { description: 'One page', schema: AppointmentPageSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await listAppointments(deps, pathClinicId(params), queryOf(event)) };
    },
  },
  statusRoute(
    'cancel',
    'Cancel an appointment',
    (body) => {
      const { cancelledBy } = parseOrThrow(CancelBodySchema, body);
      return { to: 'cancelled', by: cancelledBy };
    },
    CancelBodySchema,
  ),
  statusRoute(
    'complete',
    'Mark an appointment completed (from an hour before its start)',
    (body) => {
      parseOrThrow(EmptyBodySchema, body);
      return { to: 'completed' };
    },
    EmptyBodySchema,
  ),
  statusRoute(
    'no-show',
    'Mark an appointment a no-show (after its start)',
    (body) => {
      parseOrThrow(EmptyBodySchema, body);
      return { to: 'no-show' };
    },
    EmptyBodySchema,
  ),
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/appointments/{appointmentId}/messages',
    role: 'staff',
    doc: {
      operationId: 'getAppointmentMessages',
      summary: 'Every message planned for an appointment, with status and reason',
      description:
        'Pending, queued, sent, skipped (with the reason: appointment-moved, opted-out, quiet-hours, …), ' +
        'failed and unknown messages, in due order. Times are given in UTC, in the zone the message is ' +
        'planned in (the patient’s if set, else the clinic’s) and in the clinic’s zone.',
      tag: 'Appointments',
      responses: { 200: { description: 'The timeline', schema: TimelineSchema }, ...ERRORS },
    },
    async handle({ deps }, params) {
      return { status: 200, body: await appointmentTimeline(deps, pathIds(params, 'appointmentId')) };
    },
  },
];
