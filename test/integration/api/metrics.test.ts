import { beforeAll, describe, expect, it } from 'vitest';
import { MetricsSchema } from '../../../shared/api/schemas';
import { makeAppointment, makeClinic, makeMessage, makePatient } from '../../support/factories';
import { issuePaths, useStaffApi } from './harness';

const api = useStaffApi();
const BASE = '/v1/clinics/demo-clinic/metrics';

/** A sent message of appointment `appointmentId`, accepted `lagSeconds` after it was due. */
function sent(
  appointmentId: string,
  patientId: string,
  kind: 'reminder' | 'confirmation',
  lagSeconds: number,
  n: number,
) {
  const dueAt = `2026-11-2${n}T15:00:00.000Z`;
  return makeMessage({
    appointmentId,
    patientId,
    messageId: `${appointmentId}#${kind}#${n}`,
    kind,
    status: 'sent',
    dueAt,
    plannedAt: dueAt,
    finishedAt: new Date(Date.parse(dueAt) + lagSeconds * 1000).toISOString(),
  });
}

beforeAll(() =>
  api.seed({
    clinics: [makeClinic()],
    patients: [
      makePatient({
        patientId: 'p-1',
        optOuts: { sms: { at: '2026-11-25T12:00:00.000Z', source: 'patient-keyword' } },
      }),
      makePatient({
        patientId: 'p-2',
        optOuts: { email: { at: '2026-10-01T12:00:00.000Z', source: 'staff' } },
      }),
    ],
    appointments: [
      makeAppointment({
        appointmentId: 'm-1',
        patientId: 'p-1',
        startAt: '2026-11-24T15:00:00.000Z',
        status: 'completed',
        version: 2,
      }),
      makeAppointment({
        appointmentId: 'm-2',
        patientId: 'p-2',
        startAt: '2026-11-25T15:00:00.000Z',
        status: 'no-show',
        version: 2,
      }),
      makeAppointment({
        appointmentId: 'm-3',
        patientId: 'p-2',
        startAt: '2026-11-26T15:00:00.000Z',
        status: 'completed',
        version: 2,
      }),
      makeAppointment({
        appointmentId: 'm-4',
        patientId: 'p-1',
        startAt: '2026-11-27T15:00:00.000Z',
        status: 'cancelled',
        cancelledBy: 'clinic',
        version: 2,
      }),
      makeAppointment({ appointmentId: 'outside', patientId: 'p-1', startAt: '2026-12-20T15:00:00.000Z' }),
    ],
    messages: [
      sent('m-1', 'p-1', 'confirmation', 2, 1),
      sent('m-1', 'p-1', 'reminder', 4, 2),
      sent('m-2', 'p-2', 'reminder', 6, 3),
      sent('m-3', 'p-2', 'reminder', 120, 4),
      makeMessage({
        appointmentId: 'm-4',
        patientId: 'p-1',
        messageId: 'm-4#reminder#1d#v1',
        status: 'skipped',
        reason: 'appointment-cancelled',
        channel: 'email',
      }),
      makeMessage({ appointmentId: 'outside', patientId: 'p-1', messageId: 'outside#reminder#1d#v1' }),
    ],
  }),
);

describe('GET /v1/clinics/{clinicId}/metrics', () => {
  it('counts the messages of appointments in the period by kind, channel and status', async () => {
    // Act
    const answer = await api.call({ method: 'GET', url: `${BASE}?from=2026-11-20&to=2026-11-30` });

    // Assess
    const metrics = MetricsSchema.parse(answer.body);
    expect(metrics.messages.total).toBe(5);
    expect(metrics.messages.byKind).toMatchObject({ confirmation: 1, reminder: 4, survey: 0 });
    expect(metrics.messages.byChannel).toEqual({ sms: 4, email: 1 });
    expect(metrics.messages.byStatus).toMatchObject({ sent: 4, skipped: 1, pending: 0 });
    expect(metrics.messages.breakdown).toContainEqual({
      kind: 'reminder',
      channel: 'sms',
      status: 'sent',
      count: 3,
    });
  });

  it('gives the no-show rate over visits with an outcome, and opt-outs recorded in the period', async () => {
    const answer = await api.call({ method: 'GET', url: `${BASE}?from=2026-11-20&to=2026-11-30` });

    expect(answer.body.appointments).toEqual({
      total: 4,
      byStatus: { booked: 0, cancelled: 1, completed: 2, 'no-show': 1 },
      noShowRate: 1 / 3,
    });
    expect(answer.body.optOuts).toEqual({ sms: 1, email: 0, patients: 1 });
  });

  it('gives the median and nearest-rank p99 of send lag over sent messages', async () => {
    const answer = await api.call({ method: 'GET', url: `${BASE}?from=2026-11-20&to=2026-11-30` });

    expect(answer.body.sendLagSeconds).toEqual({ count: 4, median: 5, p99: 120 });
    expect(answer.body.method).toMatch(/sentAt\) − dueAt/);
  });

  it('answers null figures for an empty period, and 400 for a period that is too long or unnamed', async () => {
    // Act
    const empty = await api.call({ method: 'GET', url: `${BASE}?from=2025-01-01&to=2025-01-02` });
    const long = await api.call({ method: 'GET', url: `${BASE}?from=2026-01-01&to=2026-12-31` });
    const unnamed = await api.call({ method: 'GET', url: BASE });

    // Assess
    expect(empty.body.appointments.noShowRate).toBeNull();
    expect(empty.body.sendLagSeconds).toEqual({ count: 0, median: null, p99: null });
    expect(issuePaths(long)).toEqual(['to']);
    expect(issuePaths(unnamed).sort()).toEqual(['from', 'to']);
  });
});
