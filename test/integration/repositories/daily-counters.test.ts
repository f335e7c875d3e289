import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { countedPartitionOf, DynamoDailyCounters } from '../../../shared/adapters/dynamodb/daily-counters';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
let counters: DynamoDailyCounters;

beforeAll(() => {
  counters = new DynamoDailyCounters(tables.clients.doc, tables.names.messages, async () => {});
});

const event = (clinicId: string, eventId: string, day: string, counts: Record<string, number>) => ({
  clinicId,
  eventId,
  day,
  counts,
});

describe('daily counters on DynamoDB Local', () => {
  it('adds an event once however often it is recorded, and reads the days of a period in order', async () => {
    const clinic = 'c-counters';
    const first = event(clinic, 'msg#p-1#a-1#reminder#1d#v1', '2026-12-07', { 'msg:sent:sms:reminder': 1 });
    expect(await counters.record(first)).toBe(true);
    // A duplicated delivery, and a retry after a crash, bring the same id.
    expect(await counters.record(first)).toBe(false);
    expect(await counters.record({ ...first, counts: { 'msg:sent:sms:reminder': 5 } })).toBe(false);
    await counters.record(
      event(clinic, 'msg#p-2#a-2#reminder#1d#v1', '2026-12-07', { 'msg:sent:sms:reminder': 1 }),
    );
    await counters.record(event(clinic, 'visit#a-2#outcome', '2026-12-09', { 'visit:completed': 1 }));
    await counters.record(event(clinic, 'visit#a-3#outcome', '2026-12-20', { 'visit:completed': 1 }));
    await counters.record(event('c-other', 'visit#a-2#outcome', '2026-12-09', { 'visit:completed': 1 }));

    expect(await counters.readDays(clinic, '2026-12-01', '2026-12-09')).toEqual([
      { day: '2026-12-07', counts: { 'msg:sent:sms:reminder': 2 } },
      { day: '2026-12-09', counts: { 'visit:completed': 1 } },
    ]);
    const marker = await tables.clients.doc.send(
      new GetCommand({
        TableName: tables.names.messages,
        Key: { pk: countedPartitionOf(clinic), sk: first.eventId },
      }),
    );
    expect(marker.Item?.expiresAt).toBeGreaterThan(Date.parse('2026-12-07') / 1000);
  });

  it('stays exact when many events of one day are recorded at once (transaction conflicts retried)', async () => {
    const clinic = 'c-concurrent';
    const events = Array.from({ length: 30 }, (_, index) =>
      event(clinic, `msg#p-${index % 20}#m`, '2026-12-07', { 'msg:sent:email:survey': 1 }),
    );
    const added = await Promise.all(events.map((one) => counters.record(one)));
    expect(added.filter(Boolean)).toHaveLength(20);
    expect(await counters.readDays(clinic, '2026-12-07', '2026-12-07')).toEqual([
      { day: '2026-12-07', counts: { 'msg:sent:email:survey': 20 } },
    ]);
  });
});
