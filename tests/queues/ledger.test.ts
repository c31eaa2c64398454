import type { RedisClient } from '../../queues/connection.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedis } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import { SlidingWindowLimiter } from '../../queues/limits.js';
import { toArticle } from '../../src/article/schema.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** The ledger's one-round-trip operations (Lua): publish's save-and-claim, begin with budgets, settle, markState. */
describe('ledger', () => {
  let prefix: string;
  let redis: RedisClient;
  let ledger: Ledger;

  beforeEach(() => {
    prefix = uniquePrefix('ledger');
    redis = createRedis(REDIS_URL);
    ledger = new Ledger(redis, prefix);
  });

  afterEach(async () => {
    redis.disconnect();
    await deletePrefix(prefix);
  });

  const article = toArticle({ url: 'https://news.example/ledger/1', title: 'Ledger story' });
  const targets = [
    { id: 'chan', platform: 'telegram' },
    { id: 'x', platform: 'twitter' },
  ];

  it('should store the article and claim every target once, reporting the states it found', async () => {
    expect(await ledger.saveAndClaim(article, targets)).toEqual({ action: 'publish', states: [undefined, undefined], behind: [false, false] });
    expect(await ledger.getArticle(article.id)).toEqual(article);
    expect((await ledger.getAll(article.id)).map((r) => [r.target, r.state, r.platform, r.attempts])).toEqual([
      ['chan', 'queued', 'telegram', 0],
      ['x', 'queued', 'twitter', 0],
    ]);
    await ledger.markState(article.id, 'x', 'retrying');
    expect(await ledger.saveAndClaim(article, targets)).toEqual({ action: 'same', states: ['queued', 'retrying'], behind: [false, false] });
  });

  it('should start a queued delivery once: mark it sending with one more attempt, and leave it to a second caller', async () => {
    await ledger.saveAndClaim(article, targets);
    const first = await ledger.begin(article.id, 'chan', 'telegram');
    expect(first.started).toBe(true);
    expect(first.record).toMatchObject({ state: 'sending', attempts: 1 });
    expect(await ledger.get(article.id, 'chan')).toMatchObject({ state: 'sending', attempts: 1 });
    const second = await ledger.begin(article.id, 'chan', 'telegram');
    expect(second.started).toBe(false);
    expect(second.record.state).toBe('sending');
  });

  it('should go on when the same begin reaches Redis twice (sent again after a dropped connection), and still stop another attempt', async () => {
    await ledger.saveAndClaim(article, targets);
    const scripts = redis as unknown as { crierLedgerBegin: (...args: unknown[]) => Promise<unknown> };
    const once = scripts.crierLedgerBegin.bind(redis);
    // The first answer is lost with the connection; ioredis sends the command again.
    scripts.crierLedgerBegin = async (...args) => {
      await once(...args);
      return once(...args);
    };
    const begun = await ledger.begin(article.id, 'chan', 'telegram');
    expect(begun.started).toBe(true);
    expect(begun.record).toMatchObject({ state: 'sending', attempts: 1 });
    expect(await ledger.get(article.id, 'chan')).toMatchObject({ state: 'sending', attempts: 1 });
    scripts.crierLedgerBegin = once;
    const other = await ledger.begin(article.id, 'chan', 'telegram');
    expect(other.started).toBe(false);
    expect(other.record.state).toBe('sending');
  });

  it('should create a missing record when beginning, and never start a final or held one', async () => {
    const fresh = await ledger.begin('no-claim', 'chan', 'telegram');
    expect(fresh.started).toBe(true);
    expect((await ledger.getAll('no-claim')).map((r) => r.target)).toEqual(['chan']);
    for (const state of ['delivered', 'duplicate', 'skipped', 'failed', 'unknown'] as const) {
      await ledger.saveAndClaim(article, targets);
      await ledger.markState(article.id, 'chan', 'retrying');
      await ledger.markState(article.id, 'chan', state);
      const outcome = await ledger.begin(article.id, 'chan', 'telegram');
      expect(outcome.started).toBe(false);
      expect(outcome.record.state).toBe(state);
      await redis.del(`${prefix}:ledger:${article.id}:chan`);
    }
  });

  it('should never overwrite a final state, and keep the states it is told to', async () => {
    await ledger.saveAndClaim(article, targets);
    await ledger.markDelivered(article.id, 'chan', { remoteId: '42', url: 'https://t.me/c/42' });
    expect(await ledger.markState(article.id, 'chan', 'retrying', 'late error')).toBe('delivered');
    expect(await ledger.get(article.id, 'chan')).toMatchObject({ state: 'delivered', remoteId: '42' });
    await ledger.markState(article.id, 'x', 'unknown');
    expect(await ledger.markState(article.id, 'x', 'retrying', 'prepare failed', ['unknown', 'sending'])).toBe('unknown');
    expect(await ledger.markState(article.id, 'x', 'failed', 'gave up')).toBeUndefined();
    expect(await ledger.get(article.id, 'x')).toMatchObject({ state: 'failed', lastError: 'gave up' });
  });

  it('should take a slot in every budget or in none, and say how long to wait when one is full', async () => {
    const chat = new SlidingWindowLimiter(redis, `${prefix}:budget:chat`, 2, 1000);
    const token = new SlidingWindowLimiter(redis, `${prefix}:budget:token`, 3, 1000);
    const ids = ['a', 'b', 'c'];
    const outcomes = [];
    for (const id of ids) outcomes.push(await ledger.begin(id, 'chan', 'telegram', [chat, token]));
    expect(outcomes.map((o) => o.started)).toEqual([true, true, false]);
    const full = outcomes[2]!;
    expect(full.waitMs).toBeGreaterThan(0);
    expect(full.waitMs).toBeLessThanOrEqual(1000 + 5 + 1);
    // Nothing was taken for the refused one: not in the chat window, not in the token window, not marked sending.
    expect(await redis.zcard(`${prefix}:budget:chat`)).toBe(2);
    expect(await redis.zcard(`${prefix}:budget:token`)).toBe(2);
    expect(await ledger.get('c', 'chan')).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('should date a settled slot from when the platform answered', async () => {
    const chat = new SlidingWindowLimiter(redis, `${prefix}:budget:chat`, 5, 60_000);
    const { slot } = await ledger.begin('a', 'chan', 'telegram', [chat]);
    expect(slot).toBeDefined();
    const [, taken] = await redis.zrange(`${prefix}:budget:chat`, 0, 0, 'WITHSCORES');
    await new Promise((r) => setTimeout(r, 30));
    await ledger.markDelivered('a', 'chan', { remoteId: '1' }, slot);
    const [, settled] = await redis.zrange(`${prefix}:budget:chat`, 0, 0, 'WITHSCORES');
    expect(Number(settled)).toBeGreaterThanOrEqual(Number(taken) + 25);
    expect(await ledger.get('a', 'chan')).toMatchObject({ state: 'delivered', remoteId: '1' });
  });
});

describe('ledger error text', () => {
  it('should never store a bot token or a URL password in lastError', async () => {
    const { Redis } = await import('ioredis');
    const { Ledger } = await import('../../queues/ledger.js');
    const { uniquePrefix, deletePrefix, REDIS_URL } = await import('../helpers/redis.js');
    const prefix = uniquePrefix('ledger-redact');
    const redis = new Redis(REDIS_URL);
    try {
      const ledger = new Ledger(redis, prefix);
      await ledger.saveAndClaim(toArticle({ id: 'a1', url: 'https://news.example/a1', title: 'Quay works' }), [{ id: 't', platform: 'telegram' }]);
      await ledger.markState('a1', 't', 'retrying', 'request to https://api.telegram.org/bot123456789:AAHsecretsecretsecretsecretsecret00/sendMessage failed via redis://user:hunter2@cache:6379');
      const record = await ledger.get('a1', 't');
      expect(record?.lastError).toBe('request to https://api.telegram.org/bot[REDACTED]/sendMessage failed via redis://user:[REDACTED]@cache:6379');
    } finally {
      redis.disconnect();
      await deletePrefix(prefix);
    }
  });
});
