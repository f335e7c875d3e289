import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/staff-api/handler';
import { makeRepositories } from '../../../shared/adapters/dynamodb/repositories';
import { toApiEvent } from '../../../shared/http/events';
import { makePatient } from '../../support/factories';
import { LAMBDA_CONTEXT, useShippedHandlerEnvironment } from '../../support/shipped';

const tables = useShippedHandlerEnvironment('staff-api');

/** An API Gateway HTTP API event as the JWT authorizer hands it over. */
function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  return toApiEvent({
    method,
    url,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    claims: { sub: 'staff-1', 'custom:clinics': 'shipped-clinic', 'cognito:groups': '[clinic-admin]' },
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

  it('serves a patient whose stored phone the current metadata rejects, and a PUT with a valid number fixes it', async () => {
    // Prepare: a record from before a metadata update, written straight into DynamoDB Local
    // (+11234567890 has the E.164 shape, but no US area code 123 exists).
    const old = { ...makePatient({ clinicId: 'shipped-clinic', patientId: 'p-old' }), phone: '+11234567890' };
    await tables.clients.doc.send(
      new PutCommand({
        TableName: tables.names.patients,
        Item: { ...old, phoneKey: `shipped-clinic#${old.phone}` },
      }),
    );

    // Act
    const read = await call('GET', '/v1/clinics/shipped-clinic/patients/p-old');
    const samePhone = await call(
      'PUT',
      '/v1/clinics/shipped-clinic/patients/p-old',
      { firstName: 'Ana', phone: '+11234567890', channels: ['sms'] },
      { 'if-match': '"1"' },
    );
    const fixed = await call(
      'PUT',
      '/v1/clinics/shipped-clinic/patients/p-old',
      { firstName: 'Ana', phone: '+14155552671', channels: ['sms'] },
      { 'if-match': '"1"' },
    );

    // Assess: readable (200); the edge still refuses the old number in new input (400, naming phone); fixed.
    expect(read.status).toBe(200);
    expect(read.body.phone).toBe('+11234567890');
    expect(samePhone.status).toBe(400);
    expect(samePhone.body.error.issues.map((issue: { path: string }) => issue.path)).toEqual(['phone']);
    expect(fixed.status).toBe(200);
    const stored = await makeRepositories(tables.clients.doc, tables.names).patients.get(
      'shipped-clinic',
      'p-old',
    );
    expect(stored).toMatchObject({ phone: '+14155552671', version: 2 });
  });
});
