import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/staff-api/handler';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { toApiEvent } from '../../../shared/http/events';
import { LAMBDA_CONTEXT, useShippedHandlerEnvironment } from '../../support/shipped';

const tables = useShippedHandlerEnvironment('staff-api');

/** An API Gateway HTTP API event as the JWT authorizer hands it over. */
function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  return toApiEvent({
    method,
    url,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    claims: { sub: 'staff-1', 'custom:clinics': 'shipped-clinic' },
  });
}

async function call(method: string, url: string, body?: unknown, headers?: Record<string, string>) {
  const result = await handler(request(method, url, body, headers), LAMBDA_CONTEXT);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(String(result.body)) };
}

describe('the shipped staff-api handler', () => {
  it('creates a clinic and a patient, reads the patient back with its ETag, and refuses another clinic', async () => {
    // Act
    const clinic = await call('PUT', '/v1/clinics/shipped-clinic', {
      name: 'Shipped Clinic',
      timeZone: 'America/Chicago',
      contactPhone: '+13125550110',
    });
    const patient = await call('PUT', '/v1/clinics/shipped-clinic/patients/p-1', {
      firstName: 'Ana',
      phone: '+14155552671',
      channels: ['sms'],
    });
    const read = await call('GET', '/v1/clinics/shipped-clinic/patients/p-1');
    const foreign = await call('GET', '/v1/clinics/other-clinic/patients/p-1');

    // Assess
    expect([clinic.status, patient.status, read.status, foreign.status]).toEqual([201, 201, 200, 403]);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toMatchObject({ clinicId: 'shipped-clinic', patientId: 'p-1', phone: '+14155552671' });
    const stored = await makeRepositories(tables.clients.doc, tables.names).patients.get(
      'shipped-clinic',
      'p-1',
    );
    expect(stored?.version).toBe(1);
  });
});
