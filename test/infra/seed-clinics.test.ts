import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type CfnResponse, makeHandler, SEED_PHYSICAL_ID } from '../../infra/seed/handler';
import { seedClinics } from '../../infra/seed/seed-clinics';
import { ConflictError, ValidationError } from '../../shared/domain/errors';
import type { Clinic } from '../../shared/domain/model';
import { fixedClock } from '../../shared/domain/time';
import type { ClinicRepository, ExpectedVersion } from '../../shared/ports/repositories';

const NOW = '2026-03-02T14:00:00.000Z';

const IDENTITY = {
  id: 'phone-0123456789abcdef0123456789abcdef',
  number: '+18885550123',
  numberType: 'toll-free',
} as const;

/** Clinics in memory, with the repository's conditional-write rules. */
class MemoryClinics implements ClinicRepository {
  readonly stored = new Map<string, Clinic>();
  /** Records another writer stores between our read and our write. */
  readonly racing = new Map<string, Clinic>();

  async get(clinicId: string): Promise<Clinic | undefined> {
    return this.stored.get(clinicId);
  }

  async put(clinic: Clinic, expectedVersion: ExpectedVersion): Promise<void> {
    const racer = this.racing.get(clinic.clinicId);
    if (racer) {
      // Another writer gets there first: its record is stored, ours refused.
      this.racing.delete(clinic.clinicId);
      this.stored.set(clinic.clinicId, racer);
      throw new ConflictError(`clinic ${clinic.clinicId} changed`, racer.version);
    }
    const current = this.stored.get(clinic.clinicId);
    if ((current?.version ?? null) !== expectedVersion) throw new ConflictError('stale', current?.version);
    this.stored.set(clinic.clinicId, clinic);
  }
}

function makeConfigured(clinicId: string, name = 'Clinic') {
  return { clinicId, name, timeZone: 'America/Chicago', contactPhone: '+13125550110' };
}

function makeStored(clinicId: string): Clinic {
  return {
    ...makeConfigured(clinicId, 'Renamed by staff'),
    country: 'US',
    policy: {
      reminderOffsets: { default: ['1d'], byType: {} },
      quietHours: { enabled: true, start: '20:00', end: '09:00' },
      frequencyCap: { enabled: true, perDay: 1, perWeek: 3 },
      segmentBudget: { exempt: 3, other: 3 },
      languages: ['en'],
      defaultLanguage: 'en',
      confirmation: { enabled: true, minLeadMinutes: 60 },
      survey: { enabled: false, delay: '2h' },
      templates: {},
      replies: { synonyms: {}, answerWindowDays: 7 },
    },
    version: 4,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

function makeEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  clinics: unknown[] = [makeConfigured('north')],
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:seed',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/response',
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/s/1',
    RequestId: 'req-1',
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

function makeRig() {
  const clinics = new MemoryClinics();
  const responses: { url: string; response: CfnResponse }[] = [];
  const handler = makeHandler({
    clinics,
    clock: fixedClock(NOW),
    respond: async (url, response) => {
      responses.push({ url, response });
    },
    log: () => undefined,
  });
  return { clinics, responses, handler };
}

describe('seedClinics', () => {
  it('creates a configured clinic that does not exist, at version 1 with the defaults filled in', async () => {
    // Prepare
    const clinics = new MemoryClinics();

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      makeConfigured('north', 'North'),
    ]);

    // Assess
    expect(outcome).toEqual({ created: ['north'], updated: [], kept: [] });
    expect(clinics.stored.get('north')).toMatchObject({
      clinicId: 'north',
      name: 'North',
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
      country: 'US',
      policy: { reminderOffsets: { default: ['3d', '1d', '2h'] } },
    });
  });

  it('never overwrites a clinic that staff have edited since', async () => {
    // Prepare
    const clinics = new MemoryClinics();
    clinics.stored.set('north', makeStored('north'));

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      makeConfigured('north', 'North from config'),
      makeConfigured('south'),
    ]);

    // Assess
    expect(outcome).toEqual({ created: ['south'], updated: [], kept: ['north'] });
    expect(clinics.stored.get('north')).toEqual(makeStored('north'));
  });

  it('keeps a clinic that appears between the read and the write', async () => {
    // Prepare
    const clinics = new MemoryClinics();
    clinics.racing.set('north', makeStored('north'));

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [makeConfigured('north')]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: [], kept: ['north'] });
    expect(clinics.stored.get('north')).toEqual(makeStored('north'));
  });

  it("sets a stored clinic's origination identity to the configured one and changes nothing else", async () => {
    // Prepare
    const clinics = new MemoryClinics();
    clinics.stored.set('north', makeStored('north'));

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north', 'North from config'), originationIdentity: IDENTITY },
    ]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: ['north'], kept: [] });
    expect(clinics.stored.get('north')).toEqual({
      ...makeStored('north'),
      originationIdentity: IDENTITY,
      version: 5,
      updatedAt: NOW,
    });
  });

  it('removes the origination identity from a stored clinic when the config no longer names one', async () => {
    // Prepare
    const clinics = new MemoryClinics();
    clinics.stored.set('north', { ...makeStored('north'), originationIdentity: IDENTITY });

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [makeConfigured('north')]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: ['north'], kept: [] });
    expect(clinics.stored.get('north')).toEqual({ ...makeStored('north'), version: 5, updatedAt: NOW });
  });

  it('keeps a stored clinic whose origination identity is already the configured one', async () => {
    // Prepare
    const clinics = new MemoryClinics();
    clinics.stored.set('north', { ...makeStored('north'), originationIdentity: IDENTITY });

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north'), originationIdentity: IDENTITY },
    ]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: [], kept: ['north'] });
    expect(clinics.stored.get('north')?.version).toBe(4);
  });

  it('reads a clinic again when staff save it between the read and the write, keeping their edit', async () => {
    // Prepare
    const clinics = new MemoryClinics();
    clinics.stored.set('north', makeStored('north'));
    clinics.racing.set('north', { ...makeStored('north'), name: 'Saved meanwhile', version: 5 });

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north'), originationIdentity: IDENTITY },
    ]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: ['north'], kept: [] });
    expect(clinics.stored.get('north')).toMatchObject({
      name: 'Saved meanwhile',
      originationIdentity: IDENTITY,
      version: 6,
    });
  });

  it('refuses an invalid clinic with the bad field named, writing nothing', async () => {
    // Prepare
    const clinics = new MemoryClinics();

    // Act
    const attempt = seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north'), timeZone: 'Nowhere' },
    ]);

    // Assess
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/clinics\.0\.timeZone/);
    expect(clinics.stored.size).toBe(0);
  });
});

describe('seed-clinics custom resource handler', () => {
  it.each(['Create', 'Update'] as const)(
    'seeds on %s and reports success to CloudFormation',
    async (type) => {
      // Prepare
      const { clinics, responses, handler } = makeRig();

      // Act
      await handler(makeEvent(type), { logStreamName: 'stream' });

      // Assess
      expect(clinics.stored.has('north')).toBe(true);
      expect(responses).toEqual([
        {
          url: 'https://cloudformation-custom-resource-response.example/response',
          response: expect.objectContaining({
            Status: 'SUCCESS',
            PhysicalResourceId: SEED_PHYSICAL_ID,
            RequestId: 'req-1',
            LogicalResourceId: 'ConfiguredClinics',
            Data: { Created: 'north', Updated: '', Kept: '' },
          }),
        },
      ]);
    },
  );

  it('keeps every clinic on Delete', async () => {
    // Prepare
    const { clinics, responses, handler } = makeRig();
    clinics.stored.set('north', makeStored('north'));

    // Act
    await handler(makeEvent('Delete'), { logStreamName: 'stream' });

    // Assess
    expect(clinics.stored.get('north')).toEqual(makeStored('north'));
    expect(responses[0]?.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SEED_PHYSICAL_ID });
  });

  it('answers FAILED with the reason instead of leaving the deployment waiting', async () => {
    // Prepare
    const { responses, handler } = makeRig();

    // Act
    await handler(makeEvent('Create', [{ clinicId: 'North!' }]), { logStreamName: 'stream' });

    // Assess
    expect(responses).toHaveLength(1);
    expect(responses[0]?.response.Status).toBe('FAILED');
    expect(responses[0]?.response.Reason).toContain('clinics.0.clinicId');
  });

  it('answers FAILED when the table cannot be reached', async () => {
    // Prepare
    const responses: CfnResponse[] = [];
    const handler = makeHandler({
      clinics: {
        get: async () => {
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        },
        put: async () => undefined,
      },
      clock: fixedClock(NOW),
      respond: async (_url, response) => {
        responses.push(response);
      },
      log: () => undefined,
    });

    // Act
    await handler(makeEvent('Create'), { logStreamName: 'stream' });

    // Assess
    expect(responses).toEqual([
      expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('TimeoutError') }),
    ]);
  });
});
