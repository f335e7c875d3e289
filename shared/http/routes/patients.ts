/** The patient routes: contact details, preferences, opt-outs and consent. */
import { PatientBodySchema, PatientResponseSchema } from '../../api/schemas';
import { getPatient, savePatient } from '../../use-cases/staff/patients';
import { expectedVersionOf, jsonBody } from '../request';
import { ERRORS, pathIds, type StaffRoute, savedResponse, withEtag } from './context';

export const PATIENT_ROUTES: readonly StaffRoute[] = [
  {
    method: 'PUT',
    path: '/v1/clinics/{clinicId}/patients/{patientId}',
    role: 'staff',
    doc: {
      operationId: 'putPatient',
      summary: 'Create a patient or replace their contact details and preferences',
      description:
        'Opt-outs and consent are kept unless named. `optOuts.sms: true` records a staff opt-out now; ' +
        '`false` lifts one that staff or an import recorded; a patient’s own STOP cannot be lifted by staff (400).',
      tag: 'Patients',
      body: { required: true, content: { 'application/json': { schema: PatientBodySchema } } },
      ifMatch: 'update',
      responses: {
        200: { description: 'Updated (or unchanged)', schema: PatientResponseSchema, etag: true },
        201: { description: 'Created', schema: PatientResponseSchema, etag: true },
        ...ERRORS,
        409: { description: 'If-Match names a version that is not the stored one' },
      },
    },
    async handle({ deps, event, headers, principal }, params) {
      const patient = pathIds(params, 'patientId');
      const body = jsonBody(event, deps.config.jsonMaxBytes);
      return savedResponse(await savePatient(deps, patient, body, expectedVersionOf(headers), principal));
    },
  },
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/patients/{patientId}',
    role: 'staff',
    doc: {
      operationId: 'getPatient',
      summary: 'A patient',
      tag: 'Patients',
      responses: {
        200: { description: 'The patient', schema: PatientResponseSchema, etag: true },
        ...ERRORS,
      },
    },
    async handle({ deps }, params) {
      return withEtag(await getPatient(deps, pathIds(params, 'patientId')));
    },
  },
];
