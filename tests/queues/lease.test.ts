import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import { LeaseKeeper, leaseToken } from '../../queues/lease.js';
import { toArticle } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** The lease of a send in flight: renewed while the send runs, and the attempt cancelled when it cannot be kept. */
describe('LeaseKeeper', () => {
  let redis: RedisClient;
  let ledger: Ledger;
  const prefix = uniquePrefix('lease');
  const target = { id: 'chan', platform: 'telegram' };
  let n = 0;

  beforeAll(() => {
    redis = createRedis(REDIS_URL);
    ledger = new Ledger(redis, prefix);
  });

  afterAll(async () => {
    redis.disconnect();
    await deletePrefix(prefix);
  });

  /** A delivery marked sending under a lease of `ms`. */
  async function sending(ms: number): Promise<{ articleId: string; token: string }> {
    const article = toArticle({ url: `https://news.example/lease/${++n}`, title: `Lease ${n}` });
    await ledger.saveAndClaim(article, [target]);
    const token = leaseToken();
    const begun = await ledger.begin(article.id, target.id, target.platform, [], { token, ms });
    expect(begun.started).toBe(true);
    return { articleId: article.id, token };
  }
  const leaseUntil = async (articleId: string) => Number(await redis.hget(`${prefix}:ledger:${articleId}:${target.id}`, 'leaseUntil'));

  it('should keep renewing the lease of a long send, so no other attempt steps in', async () => {
    const { articleId, token } = await sending(600);
    const keeper = new LeaseKeeper(ledger, 600, silentLogger);
    const lost: string[] = [];
    const release = keeper.hold(articleId, target.id, token, Date.now(), (reason) => lost.push(reason));
    const first = await leaseUntil(articleId);
    await new Promise((r) => setTimeout(r, 1500));
    expect(lost).toEqual([]);
    expect(await leaseUntil(articleId)).toBeGreaterThan(first + 600);
    // Another attempt finds the lease running and is told to wait.
    const other = await ledger.begin(articleId, target.id, target.platform, [], { token: leaseToken(), ms: 600 });
    expect(other.heldMs).toBeGreaterThan(0);
    release();
    expect(keeper.size).toBe(0);
  });

  it('should cancel the attempt when another one took the delivery over', async () => {
    const { articleId, token } = await sending(600);
    const keeper = new LeaseKeeper(ledger, 600, silentLogger);
    const lost: string[] = [];
    keeper.hold(articleId, target.id, token, Date.now(), (reason) => lost.push(reason));
    await redis.hset(`${prefix}:ledger:${articleId}:${target.id}`, 'claim', 'someone-else');
    const reasons = await eventually(() => (lost.length > 0 ? lost : undefined), 5000, 'the lease to be lost');
    expect(reasons).toEqual(['another attempt took the delivery over']);
    expect(keeper.size).toBe(0);
  });

  it('should cancel the attempt before the lease runs out when Redis cannot be reached to renew it', async () => {
    const { articleId, token } = await sending(600);
    const unreachable = { lease: () => Promise.reject(new Error('Connection is closed.')) } as unknown as Ledger;
    const keeper = new LeaseKeeper(unreachable, 600, silentLogger);
    const lost: string[] = [];
    const heldAt = Date.now();
    keeper.hold(articleId, target.id, token, heldAt, (reason) => lost.push(reason));
    const reasons = await eventually(() => (lost.length > 0 ? lost : undefined), 5000, 'the lease to be lost');
    expect(reasons[0]).toMatch(/^lease not renewed for \d+ ms$/);
    // Given up while the lease in Redis still ran: no other attempt could have started yet.
    expect(Date.now()).toBeLessThan((await leaseUntil(articleId)) + 50);
  });
});
