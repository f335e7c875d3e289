/** The clinic routes: a clinic's settings (zone, policy, templates). */
import { ClinicBodySchema, ClinicResponseSchema } from '../../api/schemas';
import { getClinic, saveClinic } from '../../use-cases/staff/clinics';
import { expectedVersionOf, jsonBody } from '../request';
import { ERRORS, pathClinicId, type StaffRoute, savedResponse, withEtag } from './context';

export const CLINIC_ROUTES: readonly StaffRoute[] = [
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}',
    role: 'clinic-admin',
    doc: {
      operationId: 'putClinic',
      summary: 'Create a clinic or replace its settings',
      description:
        'Every template the clinic would send (its own and the built-in ones, in each of its languages) is ' +
        'rendered with worst-case values; one over the SMS segment budget or with an unknown variable is ' +
        'refused with 400 naming the template (`policy.templates.reminder.es.sms`) and its length.',
      tag: 'Clinics',
      body: { required: true, content: { 'application/json': { schema: ClinicBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: ClinicResponseSchema, etag: true },
        201: { description: 'Created', schema: ClinicResponseSchema, etag: true },
        ...ERRORS,
        409: { description: 'If-Match names a version that is not the stored one' },
      },
    },
    async handle({ deps, event, headers }, params) {
      const id = pathClinicId(params);
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return savedResponse(await saveClinic(deps, id, body, expectedVersionOf(headers)));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}',
    role: 'staff',
    doc: {
      operationId: 'getClinic',
      summary: 'A clinic’s settings',
      tag: 'Clinics',
      responses: { 200: { description: 'The clinic', schema: ClinicResponseSchema, etag: true }, ...ERRORS },
    },
    async handle({ deps }, params) {
      return withEtag(await getClinic(deps, pathClinicId(params)));
    },
  },
];
