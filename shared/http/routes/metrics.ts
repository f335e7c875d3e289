/** The metrics route: a clinic's figures for a period. */
import { MetricsQuerySchema, MetricsSchema } from '../../api/schemas';
import { clinicMetrics } from '../../use-cases/staff/metrics';
import { queryOf } from '../request';
import { ERRORS, pathClinicId, type StaffRoute } from './context';

export const METRICS_ROUTES: readonly StaffRoute[] = [
  {
    method: 'GET',
    path: '/v1/clinics/{clinicId}/metrics',
    role: 'staff',
    doc: {
      operationId: 'getClinicMetrics',
      summary: 'Messages by kind, channel and status; no-show rate; opt-outs; send lag',
      description:
        'Computed on request from the appointments that start in [from, to) (same bounds as the list, at ' +
        'most 92 days and 2000 appointments) and every message planned for them. `method` in the response ' +
        'states exactly how, and what is not counted.',
      tag: 'Clinics',
      query: MetricsQuerySchema,
      responses: { 200: { description: 'The figures', schema: MetricsSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await clinicMetrics(deps, pathClinicId(params), queryOf(event)) };
    },
  },
];
