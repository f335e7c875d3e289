import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DynamoMessageRepository,
  dueShardKey,
  partitionKey,
  shardOf,
} from '../../../shared/adapters/dynamodb/message-repository';
import { ValidationError } from '../../../shared/domain/errors';
import type { Message } from '../../../shared/domain/model';
import { type MessageKey, MessageTransitionError } from '../../../shared/ports/repositories';
import { DUE_SHARDS } from '../../../shared/tables';
import { makeMessage } from '../../support/factories';
import { useTestTables } from '../../support/tables';

const tables = useTestTables();
const outbox = () =>
  new DynamoMessageRepository(tables.clients.doc, tables.names.messages, { retentionDays: 30 });

const AT = '2026-12-07T15:00:05.000Z';
let counter = 0;

/** A pending message with a fresh patient, so tests never share a partition. */
async function storedMessage(
  overrides: Partial<Message> = {},
): Promise<{ message: Message; key: MessageKey }> {
  counter += 1;
  const message = makeMessage({ patientId: `p-msg-${counter}`, ...overrides });
  expect(await outbox().create(message)).toBe(true);
  return {
    message,
    key: { clinicId: message.clinicId, patientId: message.patientId, messageId: message.messageId },
  };
}

async function rawItem(key: MessageKey): Promise<Record<string, unknown> | undefined> {
  const { Item } = await tables.clients.doc.send(
    new GetCommand({
      TableName: tables.names.messages,
      Key: { pk: partitionKey(key.clinicId, key.patientId), sk: key.messageId },
    }),
  );
  return Item;
}

async function inDueIndex(message: Message): Promise<boolean> {
  const { items: entries } = await outbox().queryDue(
    message.channel === 'sms' && message.ownNumber
      ? { channel: 'sms', priority: message.priority, clinicId: message.clinicId }
      : { channel: message.channel, priority: message.priority, shard: shardOf(message.messageId) },
    '9999-12-31T00:00:00.000Z',
    1000,
  );
  return entries.some(
    (entry) => entry.key.messageId === message.messageId && entry.key.patientId === message.patientId,
  );
}

async function transitionError(promise: Promise<unknown>): Promise<MessageTransitionError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MessageTransitionError);
  return error as MessageTransitionError;
}

async function claimed(overrides: Partial<Message> = {}, token = 'token-1') {
  const stored = await storedMessage(overrides);
  await outbox().claim(stored.key, 1, { token, leaseUntil: '2026-12-07T15:15:00.000Z', at: AT });
  return stored;
}

describe('creating messages', () => {
  it('stores a pending message in the due index, and a replay of the same id changes nothing', async () => {
    const { message, key } = await storedMessage();

    expect(await outbox().create({ ...message, dueAt: '2026-12-07T20:00:00.000Z' })).toBe(false);

    expect(await outbox().get(key)).toEqual(message);
    expect(await inDueIndex(message)).toBe(true);
  });

  it('keeps a message skipped at planning out of the due index, with a retention time', async () => {
    const { message, key } = await storedMessage({
      status: 'skipped',
      reason: 'frequency-cap',
      finishedAt: '2026-12-01T15:00:00.000Z',
    });

    expect(await inDueIndex(message)).toBe(false);
    const item = await rawItem(key);
    expect(item?.expiresAt).toBe(Date.parse('2026-12-31T15:00:00.000Z') / 1000);
  });

  it('rejects a message with a due time that is not UTC and stores nothing', async () => {
    const bad = { ...makeMessage({ patientId: 'p-msg-bad' }), dueAt: '2026-12-07 10:00' };
    const error = await outbox()
      .create(bad)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['message.dueAt']);
    expect(await outbox().listForPatient('demo-clinic', 'p-msg-bad')).toEqual([]);
  });
});

describe('listing', () => {
  it('lists one appointment’s messages apart from the patient’s other appointments', async () => {
    const patientId = 'p-list';
    for (const messageId of [
      'a-10#confirmation#-#v1',
      'a-10#reminder#1d#v1',
      'a-1#reminder#1d#v1',
      'a-11#reminder#2h#v1',
    ]) {
      await outbox().create(makeMessage({ patientId, appointmentId: messageId.split('#')[0], messageId }));
    }

    const forA10 = await outbox().listForAppointment('demo-clinic', patientId, 'a-10');
    const all = await outbox().listForPatient('demo-clinic', patientId);

    expect(forA10.map((m) => m.messageId)).toEqual(['a-10#confirmation#-#v1', 'a-10#reminder#1d#v1']);
    expect(all).toHaveLength(4);
  });
});

describe('the due index', () => {
  it('returns a shard’s due entries oldest first, up to a time and a limit', async () => {
    // Same shard: find three ids that hash to shard 0.
    const ids: string[] = [];
    for (let i = 0; ids.length < 3; i++)
      if (shardOf(`due-order-${i}#reminder#1d#v1`) === 0) ids.push(`due-order-${i}#reminder#1d#v1`);
    const dues = ['2030-01-01T10:02:00.000Z', '2030-01-01T10:00:00.000Z', '2030-01-01T10:05:00.000Z'];
    for (const [index, messageId] of ids.entries()) {
      await outbox().create(
        makeMessage({
          patientId: 'p-due',
          messageId,
          channel: 'email',
          priority: 'low',
          dueAt: dues[index] as string,
        }),
      );
    }

    const { items: entries } = await outbox().queryDue(
      { channel: 'email', priority: 'low', shard: 0 },
      '2030-01-01T10:03:00.000Z',
      10,
    );
    const limited = await outbox().queryDue(
      { channel: 'email', priority: 'low', shard: 0 },
      '2030-01-01T10:03:00.000Z',
      1,
    );

    expect(entries.map((e) => e.dueAt)).toEqual(['2030-01-01T10:00:00.000Z', '2030-01-01T10:02:00.000Z']);
    expect(entries[0]).toMatchObject({
      channel: 'email',
      priority: 'low',
      rev: 1,
      key: { clinicId: 'demo-clinic', patientId: 'p-due' },
    });
    expect(limited.items).toHaveLength(1);
    const rest = await outbox().queryDue(
      { channel: 'email', priority: 'low', shard: 0 },
      '2030-01-01T10:03:00.000Z',
      1,
      limited.cursor,
    );
    expect(rest.items.map((e) => e.dueAt)).toEqual(['2030-01-01T10:02:00.000Z']);
  });

  it('merges every shard into one oldest-first sequence, read a page at a time', async () => {
    // Prepare: ids spread over the shards, due times out of id order.
    const dues = Array.from({ length: 9 }, (_, i) => `2031-01-01T10:0${(i * 7) % 9}:00.000Z`);
    const ids = dues.map((_, i) => `a-merge-${i}#reminder#1d#v1`);
    expect(new Set(ids.map(shardOf)).size).toBeGreaterThan(1);
    for (const [index, messageId] of ids.entries()) {
      await storedMessage({ messageId, channel: 'sms', priority: 'medium', dueAt: dues[index] as string });
    }

    // Act
    const seen: string[] = [];
    const shared = { channel: 'sms', lane: 'shared' } as const;
    for await (const entry of outbox().dueOldestFirst([shared], 'medium', '2031-01-01T10:08:00.000Z', 2)) {
      if (entry.key.messageId.startsWith('a-merge-')) seen.push(entry.dueAt);
    }

    // Assess: everything before the bound, in due order, none twice.
    expect(seen).toEqual([...dues].sort().filter((due) => due < '2031-01-01T10:08:00.000Z'));
    expect(await outbox().earliestDueAt([shared])).toBeDefined();
  });

  it('spreads ids over every shard and names the partition by channel, priority and shard', () => {
    const seen = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`a-${i}#reminder#1d#v1`)));
    expect(seen.size).toBe(DUE_SHARDS);
    const text = { channel: 'sms', priority: 'medium', messageId: 'x', clinicId: 'north' } as const;
    expect(dueShardKey(text)).toMatch(/^sms#2#\d$/);
    expect(dueShardKey({ ...text, channel: 'email', ownNumber: true })).toMatch(/^email#2#\d$/);
  });

  it('keeps a clinic’s own number’s texts in one partition per priority, apart from the shared number’s', async () => {
    // Prepare
    const { message: own } = await storedMessage({
      clinicId: 'c-own',
      messageId: 'a-own-1#reminder#1d#v1',
      ownNumber: true,
      dueAt: '2031-02-01T10:00:00.000Z',
    });
    const { message: shared } = await storedMessage({
      clinicId: 'c-own',
      messageId: 'a-own-2#reminder#1d#v1',
      dueAt: '2031-02-01T10:00:00.000Z',
    });
    const upTo = '2031-02-01T10:01:00.000Z';
    const read = async (source: Parameters<DynamoMessageRepository['dueOldestFirst']>[0][number]) => {
      const ids: string[] = [];
      for await (const entry of outbox().dueOldestFirst([source], 'high', upTo, 10))
        if (entry.key.clinicId === 'c-own') ids.push(`${entry.key.messageId} ${entry.ownNumber}`);
      return ids;
    };

    // Act
    const ownLane = await read({ channel: 'sms', lane: 'own', clinicId: 'c-own' });
    const sharedLane = await read({ channel: 'sms', lane: 'shared' });

    // Assess
    expect(dueShardKey(own)).toBe('sms@c-own#1');
    expect(ownLane).toEqual([`${own.messageId} true`]);
    expect(sharedLane).toEqual([`${shared.messageId} false`]);
    expect(await outbox().earliestDueAt([{ channel: 'sms', lane: 'own', clinicId: 'c-own' }])).toBe(
      own.dueAt,
    );
  });
});

describe('claiming', () => {
  it('claims a pending item at the expected revision, keeps it in the index, and records the lease', async () => {
    const { message, key } = await claimed();

    const stored = await outbox().get(key);
    expect(stored).toMatchObject({
      status: 'queued',
      claimToken: 'token-1',
      leaseUntil: '2026-12-07T15:15:00.000Z',
      rev: 1,
      queuedAt: AT,
    });
    expect(await inDueIndex(message)).toBe(true);
  });

  it('refuses a second claim while the lease runs, and a claim at another revision', async () => {
    const { key } = await claimed();

    const second = await transitionError(
      outbox().claim(key, 1, { token: 'token-2', leaseUntil: '2026-12-07T15:20:00.000Z', at: AT }),
    );
    expect(second.current?.claimToken).toBe('token-1');

    const { key: other } = await storedMessage();
    await transitionError(
      outbox().claim(other, 7, { token: 'token-3', leaseUntil: '2026-12-07T15:20:00.000Z', at: AT }),
    );
    expect((await outbox().get(other))?.status).toBe('pending');
  });

  it('lets a new claim take over once the lease ran out (a dispatcher crashed before enqueueing)', async () => {
    const { key } = await claimed();

    await outbox().claim(key, 1, {
      token: 'token-late',
      leaseUntil: '2026-12-07T15:45:00.000Z',
      at: '2026-12-07T15:16:00.000Z',
    });

    expect((await outbox().get(key))?.claimToken).toBe('token-late');
  });

  it('reports a missing item as a lost race with no current item', async () => {
    const error = await transitionError(
      outbox().claim({ clinicId: 'demo-clinic', patientId: 'nobody', messageId: 'x#reminder#1d#v1' }, 1, {
        token: 't',
        leaseUntil: AT,
        at: AT,
      }),
    );
    expect(error.current).toBeUndefined();
  });
});

describe('sending', () => {
  it('marks a claimed item sending for the token holder only, counting the attempt, in the index under its lease until the attempt ends', async () => {
    const { message, key } = await claimed();

    await transitionError(
      outbox().markSending(key, { token: 'someone-else', attemptId: 'attempt-1', at: AT }),
    );
    const sending = await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });

    // rev is projected into the index: not bumped, so marking sending writes no index entry.
    expect(sending).toMatchObject({ status: 'sending', attempts: 1, rev: 1, sendingAt: AT });
    expect(sending.leaseUntil).toBe('2026-12-07T15:15:00.000Z');
    expect(await inDueIndex(message)).toBe(true);
    await outbox().markSent(key, 'token-1', { providerMessageId: 'sns-1', channel: 'sms', at: AT });
    expect(await inDueIndex(message)).toBe(false);
    expect((await outbox().get(key))?.leaseUntil).toBeUndefined();
  });

  it('takes back a sending item only once its lease lapsed, for the same token, once', async () => {
    const { key } = await claimed();
    await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });
    const lease = { leaseUntil: '2026-12-07T15:31:00.000Z', at: '2026-12-07T15:16:00.000Z' };

    // Inside the lease, or with another token: refused.
    await transitionError(
      outbox().retakeLapsedAttempt(key, 'token-1', { ...lease, at: '2026-12-07T15:14:59.000Z' }),
    );
    await transitionError(outbox().retakeLapsedAttempt(key, 'token-2', lease));
    const retaken = await outbox().retakeLapsedAttempt(key, 'token-1', lease);
    const second = await transitionError(
      outbox().retakeLapsedAttempt(key, 'token-1', { leaseUntil: '2026-12-07T15:32:00.000Z', at: lease.at }),
    );

    expect(retaken).toMatchObject({ status: 'sending', claimToken: 'token-1', attemptId: 'attempt-1' });
    expect(retaken.leaseUntil).toBe(lease.leaseUntil);
    // A second sweep in the same minute finds the new lease and leaves it.
    expect(second.current?.leaseUntil).toBe(lease.leaseUntil);
  });

  it('refuses to mark sending twice: a redelivered attempt finds its own token in sending', async () => {
    const { key } = await claimed();
    await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });

    const again = await transitionError(
      outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-2', at: AT }),
    );

    expect(again.current).toMatchObject({ status: 'sending', claimToken: 'token-1', attemptId: 'attempt-1' });
  });

  it('treats a retried write that had already committed as done, not as a lost race', async () => {
    // The SDK retries a request whose answer was lost; the retry finds its own change.
    const { key } = await claimed();
    const first = await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });

    const redo = await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });
    const claimRedo = outbox().claim(key, 1, {
      token: 'token-1',
      leaseUntil: '2026-12-07T15:15:00.000Z',
      at: AT,
    });

    expect(redo).toEqual(first);
    // The claim is not redone by a later state: it is a lost race again.
    await transitionError(claimRedo);
  });

  it('records sent with the provider id and the channel used, once', async () => {
    const { key } = await claimed();
    await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });

    const sent = await outbox().markSent(key, 'token-1', {
      providerMessageId: 'sns-123',
      channel: 'sms',
      at: AT,
    });
    await transitionError(
      outbox().markSent(key, 'token-1', { providerMessageId: 'sns-456', channel: 'sms', at: AT }),
    );

    expect(sent).toMatchObject({ status: 'sent', providerMessageId: 'sns-123', finishedAt: AT, rev: 2 });
    expect((await rawItem(key))?.expiresAt).toBe(Date.parse('2027-01-06T15:00:05.000Z') / 1000);
  });

  it('finishes an attempt as unknown, failed or skipped only from the allowed states', async () => {
    const { key } = await claimed();
    await transitionError(
      outbox().finish(key, 'token-1', { status: 'unknown', reason: 'x', at: AT }, ['sending']),
    );
    await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });

    const unknown = await outbox().finish(
      key,
      'token-1',
      { status: 'unknown', reason: 'earlier-attempt-interrupted', at: AT },
      ['sending'],
    );

    expect(unknown).toMatchObject({ status: 'unknown', reason: 'earlier-attempt-interrupted' });
  });

  it('skips a queued item at send time without it ever entering sending', async () => {
    const { message, key } = await claimed();

    const skipped = await outbox().finish(
      key,
      'token-1',
      { status: 'skipped', reason: 'opted-out', at: AT },
      ['queued'],
    );

    expect(skipped.status).toBe('skipped');
    expect(await inDueIndex(message)).toBe(false);
  });

  it('puts an attempt back into the due index on another channel for a fallback or retry', async () => {
    const { message, key } = await claimed();
    await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });

    const again = await outbox().reschedule(
      key,
      'token-1',
      {
        dueAt: '2026-12-07T15:01:00.000Z',
        channel: 'email',
        priority: 'high',
        reason: 'fallback:invalid-address',
        at: AT,
      },
      ['sending'],
    );

    expect(again).toMatchObject({ status: 'pending', channel: 'email', rev: 2, attempts: 1 });
    expect(again.claimToken).toBeUndefined();
    expect(await inDueIndex({ ...message, channel: 'email' })).toBe(true);
    expect(await inDueIndex(message)).toBe(false);
  });
});

describe('withdrawing', () => {
  it('withdraws a pending or queued message with a reason and the version that withdrew it', async () => {
    const pending = await storedMessage();
    const queued = await claimed();

    const a = await outbox().withdraw(pending.key, { reason: 'appointment-moved', planVersion: 2, at: AT });
    const b = await outbox().withdraw(queued.key, {
      reason: 'appointment-cancelled',
      planVersion: 3,
      at: AT,
    });

    expect(a).toMatchObject({ status: 'skipped', reason: 'appointment-moved', planVersion: 2 });
    expect(b).toMatchObject({ status: 'skipped', reason: 'appointment-cancelled', planVersion: 3 });
    expect(b.claimToken).toBeUndefined();
    expect(await inDueIndex(pending.message)).toBe(false);
  });

  it('cannot withdraw a message that is already being sent', async () => {
    const { key } = await claimed();
    await outbox().markSending(key, { token: 'token-1', attemptId: 'attempt-1', at: AT });

    const error = await transitionError(
      outbox().withdraw(key, { reason: 'appointment-moved', planVersion: 2, at: AT }),
    );

    expect(error.current?.status).toBe('sending');
    expect((await outbox().get(key))?.status).toBe('sending');
  });
});
