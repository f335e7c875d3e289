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
      summary:
        'NPS, CSAT, confirmation and no-show rates, messages, opt-outs, send lag and cases, per period and week',
      description:
        'Read from the daily counters of the clinic: at most one item per local day of [from, to) (at most ' +
        '92 days), plus the unresolved cases for the figures now; no appointment or message is read. Each ' +
        'figure carries its `method`; `weeks` holds the same figures per week (Monday to Sunday, clinic zone).',
      tag: 'Clinics',
      query: MetricsQuerySchema,
      responses: { 200: { description: 'The figures', schema: MetricsSchema }, ...ERRORS },
    },
    async handle({ deps, event }, params) {
      return { status: 200, body: await clinicMetrics(deps, pathClinicId(params), queryOf(event)) };
    },
  },
];
