import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoBroadcastRepository } from '../../../shared/adapters/dynamodb/broadcast-repository';
import { DynamoCareReminderRepository } from '../../../shared/adapters/dynamodb/care-reminder-repository';
import { ConflictError } from '../../../shared/domain/errors';
import { makeBroadcast, makeCareReminder } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
let repo: DynamoCareReminderRepository;
let broadcasts: DynamoBroadcastRepository;

beforeAll(() => {
  repo = new DynamoCareReminderRepository(tables.clients.doc, tables.names.messages);
  broadcasts = new DynamoBroadcastRepository(tables.clients.doc, tables.names.messages);
});

describe('care reminder repository', () => {
  it('stores the planner’s bookkeeping at the version read, and refuses it after a staff change', async () => {
    // Prepare: saved by staff (version 1), due for planning.
    const saved = makeCareReminder({
      clinicId: 'c-plan',
      reminderId: 'rx-p',
      planAt: '2027-03-01T15:00:00.000Z',
    });
    await repo.put(saved, null);
    const key = { clinicId: 'c-plan', patientId: saved.patientId, reminderId: 'rx-p' };

    // Act: planned, the version kept.
    const { planAt: _planned, ...rest } = saved;
    await repo.putPlanned({ ...rest, plannedAt: '2027-03-01T15:00:30.000Z' });

    // Assess: version 1 still, out of the planning shard.
    expect(await repo.get(key)).toMatchObject({ version: 1, plannedAt: '2027-03-01T15:00:30.000Z' });
    expect((await repo.get(key))?.planAt).toBeUndefined();
    expect(await repo.dueForPlanning('2099-01-01T00:00:00.000Z', 100)).not.toContainEqual(key);

    // A staff change (version 2) meanwhile: a planner that read version 1 loses.
    await repo.put({ ...saved, dueOn: '2027-03-20', version: 2 }, 1);
    await expect(repo.putPlanned({ ...rest, plannedAt: '2027-03-01T15:01:00.000Z' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(await repo.get(key)).toMatchObject({ version: 2, dueOn: '2027-03-20' });
  });

  it('tells the soonest planning due and the soonest fan-out due (local mode schedules its sweep by them)', async () => {
    // Prepare: two reminders and a broadcast waiting in the due index.
    await repo.put(
      makeCareReminder({ clinicId: 'c-soon', reminderId: 'rx-a', planAt: '2027-05-02T10:00:00.000Z' }),
      null,
    );
    await repo.put(
      makeCareReminder({ clinicId: 'c-soon', reminderId: 'rx-b', planAt: '2027-05-01T10:00:00.000Z' }),
      null,
    );
    await broadcasts.put(
      makeBroadcast({ clinicId: 'c-soon', broadcastId: 'b-soon', sendAt: '2027-05-03T15:00:00.000Z' }),
      null,
    );

    // Act + Assess: the soonest of each, whatever the clinic (other tests' items count too, so at or before).
    const plan = await repo.earliestPlanAt();
    const fanOut = await broadcasts.earliestFanOutAt();
    expect(plan && plan <= '2027-05-01T10:00:00.000Z').toBe(true);
    expect(fanOut && fanOut <= '2027-05-03T14:45:00.000Z').toBe(true);
  });
});
