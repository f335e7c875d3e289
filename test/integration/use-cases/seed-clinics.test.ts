import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DynamoClients, makeDynamoClients } from '../../../shared/adapters/dynamodb/client';
import { createTableInput } from '../../../shared/adapters/dynamodb/create-tables';
import { DynamoClinicRepository } from '../../../shared/adapters/dynamodb/record-repositories';
import { DEFAULT_CASE_POLICY } from '../../../shared/domain/cases/policy';
import { ValidationError } from '../../../shared/domain/errors';
import { type Clinic, DEFAULT_POLICY } from '../../../shared/domain/model';
import { fixedClock } from '../../../shared/domain/time';
import type { ClinicRepository, ExpectedVersion } from '../../../shared/ports/repositories';
import { TABLES } from '../../../shared/tables';
import { seedClinics } from '../../../shared/use-cases/seed-clinics';

const NOW = '2026-03-02T14:00:00.000Z';

const IDENTITY = {
  id: 'phone-0123456789abcdef0123456789abcdef',
  number: '+18885550123',
  numberType: 'toll-free',
} as const;

let clients: DynamoClients;
const created: string[] = [];
beforeAll(() => {
  clients = makeDynamoClients({ endpoint: inject('dynamoEndpoint') });
});
afterAll(async () => {
  for (const table of created) await clients.raw.send(new DeleteTableCommand({ TableName: table }));
  clients.raw.destroy();
});

/**
 * A clinics table of its own in DynamoDB Local, read and written by the real
 * repository. `stored` reads and plants records directly; `racing` holds
 * records another writer stores between our read and our write (the real
 * conditional put then refuses ours).
 */
class LocalClinics implements ClinicRepository {
  readonly racing = new Map<string, Clinic>();
  private constructor(
    private readonly table: string,
    private readonly real: DynamoClinicRepository,
  ) {}

  static async create(): Promise<LocalClinics> {
    const table = `seed-${randomUUID().slice(0, 8)}-clinics`;
    await clients.raw.send(new CreateTableCommand(createTableInput(TABLES.clinics, table)));
    created.push(table);
    return new LocalClinics(table, new DynamoClinicRepository(clients.doc, table));
  }

  readonly stored = {
    get: (clinicId: string) => this.real.get(clinicId),
    has: async (clinicId: string) => (await this.real.get(clinicId)) !== undefined,
    set: async (_clinicId: string, clinic: Clinic) => {
      await clients.doc.send(new PutCommand({ TableName: this.table, Item: clinic }));
    },
    size: async () => (await clients.doc.send(new ScanCommand({ TableName: this.table }))).Items?.length ?? 0,
  };

  get(clinicId: string): Promise<Clinic | undefined> {
    return this.real.get(clinicId);
  }

  async put(clinic: Clinic, expectedVersion: ExpectedVersion): Promise<void> {
    const racer = this.racing.get(clinic.clinicId);
    if (racer) {
      this.racing.delete(clinic.clinicId);
      await this.stored.set(clinic.clinicId, racer);
    }
    await this.real.put(clinic, expectedVersion);
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
      survey: { ...DEFAULT_POLICY.survey, enabled: false },
      templates: {},
      replies: { synonyms: {}, answerWindowDays: 7 },
      careReminders: DEFAULT_POLICY.careReminders,
      cases: DEFAULT_CASE_POLICY,
    },
    version: 4,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('seedClinics', () => {
  it('creates a configured clinic that does not exist, at version 1 with the defaults filled in', async () => {
    // Prepare
    const clinics = await LocalClinics.create();

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      makeConfigured('north', 'North'),
    ]);

    // Assess
    expect(outcome).toEqual({ created: ['north'], updated: [], kept: [] });
    expect(await clinics.stored.get('north')).toMatchObject({
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
    const clinics = await LocalClinics.create();
    await clinics.stored.set('north', makeStored('north'));

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      makeConfigured('north', 'North from config'),
      makeConfigured('south'),
    ]);

    // Assess
    expect(outcome).toEqual({ created: ['south'], updated: [], kept: ['north'] });
    expect(await clinics.stored.get('north')).toEqual(makeStored('north'));
  });

  it('keeps a clinic that appears between the read and the write', async () => {
    // Prepare
    const clinics = await LocalClinics.create();
    clinics.racing.set('north', makeStored('north'));

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [makeConfigured('north')]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: [], kept: ['north'] });
    expect(await clinics.stored.get('north')).toEqual(makeStored('north'));
  });

  it("sets a stored clinic's origination identity to the configured one and changes nothing else", async () => {
    // Prepare
    const clinics = await LocalClinics.create();
    await clinics.stored.set('north', makeStored('north'));

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north', 'North from config'), originationIdentity: IDENTITY },
    ]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: ['north'], kept: [] });
    expect(await clinics.stored.get('north')).toEqual({
      ...makeStored('north'),
      originationIdentity: IDENTITY,
      version: 5,
      updatedAt: NOW,
    });
  });

  it('removes the origination identity from a stored clinic when the config no longer names one', async () => {
    // Prepare
    const clinics = await LocalClinics.create();
    await clinics.stored.set('north', { ...makeStored('north'), originationIdentity: IDENTITY });

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [makeConfigured('north')]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: ['north'], kept: [] });
    expect(await clinics.stored.get('north')).toEqual({ ...makeStored('north'), version: 5, updatedAt: NOW });
  });

  it('keeps a stored clinic whose origination identity is already the configured one', async () => {
    // Prepare
    const clinics = await LocalClinics.create();
    await clinics.stored.set('north', { ...makeStored('north'), originationIdentity: IDENTITY });

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north'), originationIdentity: IDENTITY },
    ]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: [], kept: ['north'] });
    expect((await clinics.stored.get('north'))?.version).toBe(4);
  });

  it('reads a clinic again when staff save it between the read and the write, keeping their edit', async () => {
    // Prepare
    const clinics = await LocalClinics.create();
    await clinics.stored.set('north', makeStored('north'));
    clinics.racing.set('north', { ...makeStored('north'), name: 'Saved meanwhile', version: 5 });

    // Act
    const outcome = await seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north'), originationIdentity: IDENTITY },
    ]);

    // Assess
    expect(outcome).toEqual({ created: [], updated: ['north'], kept: [] });
    expect(await clinics.stored.get('north')).toMatchObject({
      name: 'Saved meanwhile',
      originationIdentity: IDENTITY,
      version: 6,
    });
  });

  it('refuses an invalid clinic with the bad field named, writing nothing', async () => {
    // Prepare
    const clinics = await LocalClinics.create();

    // Act
    const attempt = seedClinics({ clinics, clock: fixedClock(NOW) }, [
      { ...makeConfigured('north'), timeZone: 'Nowhere' },
    ]);

    // Assess
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/clinics\.0\.timeZone/);
    expect(await clinics.stored.size()).toBe(0);
  });
});
