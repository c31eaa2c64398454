import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { memoryPacing, pacingKeys, redisPacing } from '../../../adapters/instagram/pacing.js';
import { memorySessionStore, redisSessionStore, sessionKey } from '../../../adapters/instagram/session-store.js';
import { RateLimitedError } from '../../../adapters/errors.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../../helpers/redis.js';

let redis: Redis;
const prefixes: string[] = [];
const fresh = () => {
  const p = uniquePrefix('ig-pacing');
  prefixes.push(p);
  return p;
};

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterEach(async () => {
  for (const p of prefixes.splice(0)) await deletePrefix(p);
});
afterAll(() => redis.disconnect());

describe('redisPacing', () => {
  it('should allow dailyCap posts per window across instances, then rate limit until it resets', async () => {
    const prefix = fresh();
    const a = redisPacing(redis, prefix, 'ig', { dailyCap: 2, jitterMs: 0, windowMs: 60_000 });
    const b = redisPacing(redis, prefix, 'ig', { dailyCap: 2, jitterMs: 0, windowMs: 60_000 });
    await a.reserve();
    await b.reserve();
    const error = await a.reserve().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect((error as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(await redis.get(pacingKeys(prefix, 'ig').daily)).toBe('2');
  });

  it('should give a slot back when nothing was posted', async () => {
    const prefix = fresh();
    const pacing = redisPacing(redis, prefix, 'ig', { dailyCap: 1, jitterMs: 0 });
    const release = await pacing.reserve();
    await release();
    await expect(pacing.reserve()).resolves.toBeTypeOf('function');
  });

  it('should pause a random time after a post', async () => {
    const prefix = fresh();
    const pacing = redisPacing(redis, prefix, 'ig', { dailyCap: 0, jitterMs: 60_000, random: () => 0.5 });
    await pacing.reserve();
    await pacing.posted();
    const error = await pacing.reserve().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(30_000);
  });
});

describe('memoryPacing', () => {
  it('should cap posts per window and reopen after it', async () => {
    let now = 1_000_000;
    const pacing = memoryPacing({ dailyCap: 1, jitterMs: 0, windowMs: 1000 }, () => now);
    await pacing.reserve();
    await expect(pacing.reserve()).rejects.toBeInstanceOf(RateLimitedError);
    now += 1000;
    await expect(pacing.reserve()).resolves.toBeTypeOf('function');
  });
});

describe('session stores', () => {
  it('should store the state without constants and read it back', async () => {
    const prefix = fresh();
    const store = redisSessionStore(redis, prefix, 'ig', 'https://i.instagram.com');
    expect(await store.load()).toBeUndefined();
    await store.save('quay', { constants: { APP_VERSION: '1' }, authorization: 'Bearer IGT:2:abc', deviceId: 'android-1' });
    const loaded = await store.load();
    expect(loaded).toMatchObject({ username: 'quay', state: { authorization: 'Bearer IGT:2:abc', deviceId: 'android-1' } });
    expect(loaded?.state).not.toHaveProperty('constants');
    // A session belongs to the server that issued it.
    expect(await redisSessionStore(redis, prefix, 'ig', 'http://127.0.0.1:40001').load()).toBeUndefined();
    await redis.set(sessionKey(prefix, 'ig'), 'not json');
    expect(await store.load()).toBeUndefined();
    await store.clear();
    expect(await redis.exists(sessionKey(prefix, 'ig'))).toBe(0);
    const memory = memorySessionStore();
    await memory.save('quay', { constants: {}, a: 1 });
    expect((await memory.load())?.state).toEqual({ a: 1 });
  });
});
