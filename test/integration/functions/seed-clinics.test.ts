import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnResponse } from '../../../functions/seed-clinics/compose';
import { makeHandler, SEED_PHYSICAL_ID, handler as shipped } from '../../../functions/seed-clinics/handler';
import { DynamoClinicRepository } from '../../../shared/adapters/dynamodb/record-repositories';
import { fixedClock } from '../../../shared/domain/time';
import type { ClinicRepository } from '../../../shared/ports/repositories';
import { makeClinic } from '../../support/factories';
import { LAMBDA_CONTEXT, useShippedHandlerEnvironment } from '../../support/shipped';

const tables = useShippedHandlerEnvironment('seed-clinics');
const NOW = '2026-03-02T14:00:00.000Z';

/** CloudFormation's pre-signed response URL, on this machine: every PUT it receives. */
const responses: { contentType: string | undefined; body: CfnResponse }[] = [];
let server: Server;
let responseUrl: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      responses.push({
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as CfnResponse,
      });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function configured(clinicId: string, name = 'Clinic') {
  return { clinicId, name, timeZone: 'America/Chicago', contactPhone: '+13125550110' };
}

function makeEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  clinics: unknown[] = [configured('north')],
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:seed',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/s/1',
    RequestId: `req-${responses.length + 1}`,
    LogicalResourceId: 'ConfiguredClinics',
    ResourceType: 'Custom::ConfiguredClinics',
    ResourceProperties: { ServiceToken: 'token', Clinics: JSON.stringify(clinics) },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') {
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: SEED_PHYSICAL_ID,
      OldResourceProperties: { ServiceToken: 'token' },
    };
  }
  return { ...common, RequestType: 'Delete', PhysicalResourceId: SEED_PHYSICAL_ID };
}

const clinics = () => new DynamoClinicRepository(tables.clients.doc, tables.names.clinics);

/** The handler composed as shipped but on a fixed clock, with a repository a test may wrap. */
function handlerWith(repository: ClinicRepository) {
  return makeHandler({
    clinics: repository,
    clock: fixedClock(NOW),
    respond: async (url, response) => {
      await fetch(url, { method: 'PUT', headers: { 'content-type': '' }, body: JSON.stringify(response) });
    },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

describe('the shipped seed-clinics custom resource', () => {
  it('creates the configured clinics with the defaults filled in and answers CloudFormation with an empty content type', async () => {
    // Act
    await shipped(makeEvent('Create', [configured('north', 'North'), configured('south')]), LAMBDA_CONTEXT);

    // Assess
    const north = await clinics().get('north');
    expect(north).toMatchObject({ name: 'North', version: 1, country: 'US' });
    expect(north?.policy.reminderOffsets.default).toEqual(['3d', '1d', '2h']);
    expect(responses.at(-1)).toEqual({
      contentType: '',
      body: expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: SEED_PHYSICAL_ID,
        LogicalResourceId: 'ConfiguredClinics',
        Data: { Created: 'north,south', Updated: '', Kept: '' },
      }),
    });
  });

  it('never overwrites a clinic that staff have edited since, on Update', async () => {
    // Prepare
    const edited = makeClinic({ clinicId: 'edited', name: 'Renamed by staff', version: 1 });
    await clinics().put(edited, null);

    // Act
    await shipped(
      makeEvent('Update', [configured('edited', 'From config'), configured('west')]),
      LAMBDA_CONTEXT,
    );

    // Assess
    expect(await clinics().get('edited')).toEqual(edited);
    expect(responses.at(-1)?.body).toMatchObject({
      Status: 'SUCCESS',
      Data: { Created: 'west', Kept: 'edited' },
    });
  });

  it('keeps a clinic that another writer creates between the read and the write', async () => {
    // Prepare: the clinic is written after our read said it was missing (the conditional put then loses).
    const real = clinics();
    let reads = 0;
    const racing: ClinicRepository = {
      get: async (clinicId) => (reads++ === 0 ? undefined : real.get(clinicId)),
      put: async (clinic, expected) => {
        await real
          .put(makeClinic({ clinicId: clinic.clinicId, name: 'Other writer' }), null)
          .catch(() => undefined);
        await real.put(clinic, expected);
      },
    };

    // Act
    await handlerWith(racing)(makeEvent('Create', [configured('raced')]), LAMBDA_CONTEXT);

    // Assess
    expect((await real.get('raced'))?.name).toBe('Other writer');
    expect(responses.at(-1)?.body).toMatchObject({
      Status: 'SUCCESS',
      Data: { Created: '', Updated: '', Kept: 'raced' },
    });
  });

  it('keeps every clinic on Delete', async () => {
    // Act
    await shipped(makeEvent('Delete'), LAMBDA_CONTEXT);

    // Assess
    expect(await clinics().get('north')).toMatchObject({ name: 'North' });
    expect(responses.at(-1)?.body).toMatchObject({ Status: 'SUCCESS', Reason: 'clinic records are kept' });
  });

  it('answers FAILED with the bad field named, writing nothing', async () => {
    // Act
    await shipped(makeEvent('Create', [{ ...configured('bad'), timeZone: 'Nowhere' }]), LAMBDA_CONTEXT);

    // Assess
    expect(await clinics().get('bad')).toBeUndefined();
    expect(responses.at(-1)?.body.Status).toBe('FAILED');
    expect(responses.at(-1)?.body.Reason).toContain('clinics.0.timeZone');
  });

  it('answers FAILED, naming the error, when the table cannot be reached', async () => {
    // Prepare: a table that does not exist.
    const missing = new DynamoClinicRepository(tables.clients.doc, `${tables.names.clinics}-missing`);

    // Act
    await handlerWith(missing)(makeEvent('Create'), LAMBDA_CONTEXT);

    // Assess
    expect(responses.at(-1)?.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('ResourceNotFoundException'),
    });
  });
});
