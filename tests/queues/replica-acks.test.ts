import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import type { TargetConfig } from '../../config/schema.js';
import { createRedis, type RedisClient } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import { SlidingWindowLimiter } from '../../queues/limits.js';
import { publish } from '../../queues/publish.js';
import { QueueSet } from '../../queues/queue-set.js';
import { NotReplicatedError, ReplicaAcks } from '../../queues/replica-acks.js';
import { toArticle } from '../../src/article/schema.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { startReplicaPair, type ReplicaPair } from '../helpers/redis-ha.js';

const article = (n: number) => toArticle({ url: `https://gazette.example/acks/${n}`, title: `Harbour dredging update number ${n}` });

describe('ReplicaAcks on a master with a replica', () => {
  let pair: ReplicaPair;
  let redis: RedisClient;
  let prefix: string;

  beforeAll(async () => {
    pair = await startReplicaPair();
  }, 30_000);

  afterAll(async () => {
    await pair?.stop();
  });

  beforeEach(async (context) => {
    prefix = uniquePrefix('acks');
    redis = createRedis(pair.url);
    context.onTestFinished(async () => {
      pair.replica.child?.kill('SIGCONT');
      redis.disconnect();
      await deletePrefix(prefix, pair.url);
    });
  });

  const acks = (timeoutMs = 2000) => new ReplicaAcks(redis, { replicas: 1, timeoutMs, key: prefix });

  it('should wait for the replica to confirm the writes made since the ticket', async () => {
    const a = acks();
    const ticket = a.ticket();
    await redis.set(`${prefix}:k`, 'v');
    expect(await a.confirm(ticket)).toEqual({ wanted: 1, acked: 1 });
    expect(await pair.replica.command('GET', `${prefix}:k`)).toBe('v');
  });

  it('should send one WAIT for writes that finish while it is in flight', async () => {
    const a = acks();
    // The first call learns the replica count; count the WAITs after that.
    await a.confirm(a.ticket());
    const node = redis as unknown as { wait: (...args: unknown[]) => Promise<number> };
    const wait = node.wait.bind(redis);
    let waits = 0;
    node.wait = (...args) => {
      waits++;
      return wait(...args);
    };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const ticket = a.ticket();
        await redis.set(`${prefix}:k${i}`, String(i));
        return a.confirm(ticket);
      }),
    );
    expect(outcomes.every((o) => o?.acked === 1)).toBe(true);
    expect(waits).toBeLessThan(20);
    expect(waits).toBeGreaterThanOrEqual(1);
  });

  it('should count writes as unconfirmed when the replica does not answer in time', async () => {
    const a = acks(200);
    await a.confirm(a.ticket()); // the replica was seen
    pair.replica.child?.kill('SIGSTOP');
    const ticket = a.ticket();
    await redis.set(`${prefix}:k`, 'v');
    expect(await a.confirm(ticket)).toEqual({ wanted: 1, acked: 0 });
  });

  it('should count writes that straddled a reconnect as unconfirmed', async () => {
    const a = acks();
    await a.confirm(a.ticket());
    const ticket = a.ticket();
    await redis.set(`${prefix}:k`, 'v');
    await new Promise<void>((resolve) => {
      redis.once('ready', () => resolve());
      (redis as unknown as { disconnect(reconnect: boolean): void }).disconnect(true);
    });
    expect(await a.confirm(ticket)).toEqual({ wanted: 1, acked: 0 });
  });

  it("should refuse to acknowledge a publish no replica confirmed, so the caller sends it again", async () => {
    const config = buildConfig({ redis: { url: pair.url, prefix }, targets: [{ id: 'chan', platform: 'telegram', botToken: '1:x', chat: '@chan' }] }, {});
    const queues = new QueueSet(redis, prefix);
    const ledger = new Ledger(redis, prefix);
    const deps = { queues, ledger, targets: config.targets, acks: acks(200) };
    try {
      expect((await publish(article(1), deps)).replicated).toEqual({ wanted: 1, acked: 1 });
      pair.replica.child?.kill('SIGSTOP');
      const refused = publish(article(2), deps);
      await expect(refused).rejects.toThrow(NotReplicatedError);
      await expect(refused).rejects.toThrow(/^publishing u[0-9a-f]{20}: 0 of 1 Redis replica\(s\) confirmed it in time$/);
      pair.replica.child?.kill('SIGCONT');
      // Publishing again is safe: the same article, the same claim.
      const again = await publish(article(2), deps);
      expect(again.outcomes.map((o) => o.state)).toEqual(['queued']);
    } finally {
      await queues.close();
    }
  });

  it('should give a claim back, budget slot included, when no replica confirmed it before the send', async () => {
    const ledger = new Ledger(redis, prefix, acks(200));
    const budget = new SlidingWindowLimiter(redis, `${prefix}:budget:chat:chan`, 20, 60_000);
    await ledger.begin('a1', 'chan', 'telegram', [budget]); // creates the record and learns the replica
    await ledger.markState('a1', 'chan', 'retrying', 'earlier failure', []);
    const slotsBefore = await redis.zcard(budget.key);
    pair.replica.child?.kill('SIGSTOP');
    const begun = await ledger.begin('a1', 'chan', 'telegram', [budget]);
    expect(begun).toMatchObject({ started: false, waitMs: 1000, record: { state: 'retrying', attempts: 1 } });
    expect(begun.slot).toBeUndefined();
    pair.replica.child?.kill('SIGCONT');
    const record = await ledger.get('a1', 'chan');
    expect({ state: record?.state, attempts: record?.attempts }).toEqual({ state: 'retrying', attempts: 1 });
    expect(await redis.zcard(budget.key)).toBe(slotsBefore);
    // Confirmed this time: the send may go ahead.
    expect(await ledger.begin('a1', 'chan', 'telegram', [budget])).toMatchObject({ started: true, record: { state: 'sending', attempts: 2 } });
  });

  it('should not count a delivered record as written until a replica has it', async () => {
    const ledger = new Ledger(redis, prefix, acks(200));
    await ledger.begin('a2', 'chan', 'telegram');
    pair.replica.child?.kill('SIGSTOP');
    await expect(ledger.markDelivered('a2', 'chan', { remoteId: '42' })).rejects.toThrow(NotReplicatedError);
    pair.replica.child?.kill('SIGCONT');
    await ledger.markDelivered('a2', 'chan', { remoteId: '42' });
    expect((await ledger.get('a2', 'chan'))?.state).toBe('delivered');
  });
});

describe('ReplicaAcks on a single server', () => {
  it('should not wait at all when the master has no replica', async () => {
    const redis = createRedis(REDIS_URL);
    const prefix = uniquePrefix('acks-single');
    try {
      const a = new ReplicaAcks(redis, { replicas: 1, timeoutMs: 5000, key: prefix });
      const ticket = a.ticket();
      await redis.set(`${prefix}:k`, 'v');
      expect(await a.confirm(ticket)).toBeUndefined();
      const off = new ReplicaAcks(redis, { replicas: 0, timeoutMs: 5000, key: prefix });
      expect(off.ticket()).toBeUndefined();
      expect(await off.confirm(undefined)).toBeUndefined();
    } finally {
      redis.disconnect();
      await deletePrefix(prefix);
    }
  });

  it('should treat a publish on a server without replicas as acknowledged', async () => {
    const redis = createRedis(REDIS_URL);
    const prefix = uniquePrefix('acks-single');
    const queues = new QueueSet(redis, prefix);
    const target = buildConfig({ targets: [{ id: 'chan', platform: 'telegram', botToken: '1:x', chat: '@chan' }] }, {}).targets[0] as TargetConfig;
    try {
      const result = await publish(article(3), { queues, ledger: new Ledger(redis, prefix), targets: [target], acks: new ReplicaAcks(redis, { replicas: 1, timeoutMs: 5000, key: prefix }) });
      expect(result.replicated).toBeUndefined();
      expect(result.outcomes.map((o) => o.enqueued)).toEqual([true]);
    } finally {
      await queues.close();
      redis.disconnect();
      await deletePrefix(prefix);
    }
  });
});
