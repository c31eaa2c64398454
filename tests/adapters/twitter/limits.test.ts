import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { TwitterLimits } from '../../../adapters/twitter/limits.js';
import { RateLimitedError } from '../../../adapters/errors.js';

const MIN = 60_000;
const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

async function rejection(promise: Promise<unknown>): Promise<RateLimitedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

for (const store of ['memory', 'redis'] as const) {
  describe(`TwitterLimits (${store})`, () => {
    const make = (clock: { t: number }, caps = { per15min: 3, per24h: 5 }) => {
      const keyPrefix = `crier-test-${randomUUID()}`;
      prefixes.push(keyPrefix);
      return new TwitterLimits({ targetId: 'x-main', caps, keyPrefix, now: () => clock.t, ...(store === 'redis' ? { redis } : {}) });
    };

    it('should allow per15min posts, then refuse until the oldest leaves the window', async () => {
      const clock = { t: 1_000_000 };
      const limits = make(clock);
      for (let i = 0; i < 3; i++) {
        await limits.acquire();
        clock.t += MIN;
      }
      const error = await rejection(limits.acquire());
      expect(error.retryAfterMs).toBe(15 * MIN - 3 * MIN);
      expect(error.message).toContain('3 posts per 15 min');
      clock.t += 12 * MIN;
      await expect(limits.acquire()).resolves.toBeUndefined();
    });

    it('should enforce the 24-hour cap across 15-minute windows', async () => {
      const clock = { t: 5_000_000 };
      const limits = make(clock);
      for (let i = 0; i < 5; i++) {
        await limits.acquire();
        clock.t += 20 * MIN;
      }
      const error = await rejection(limits.acquire());
      expect(error.message).toContain('5 posts per 24 h');
      expect(error.retryAfterMs).toBe(24 * 60 * MIN - 5 * 20 * MIN);
    });

    it('should wait for the reset X announced when its headers say the window is spent', async () => {
      const clock = { t: 1_700_000_000_000 };
      const limits = make(clock, { per15min: 100, per24h: 1000 });
      await limits.observe({ limit: 100, remaining: 4, reset: clock.t / 1000 + 300 });
      await expect(limits.acquire()).resolves.toBeUndefined();
      await limits.observe({ limit: 100, remaining: 7, reset: clock.t / 1000 + 300, userDay: { limit: 17, remaining: 0, reset: clock.t / 1000 + 3600 } });
      const error = await rejection(limits.acquire());
      expect(error.retryAfterMs).toBe(3_601_000);
      clock.t += 3_601_000;
      await expect(limits.acquire()).resolves.toBeUndefined();
    });

    it('should keep the later of two blocks', async () => {
      const clock = { t: 2_000_000 };
      const limits = make(clock);
      await limits.block(clock.t + 50_000);
      await limits.block(clock.t + 10_000);
      expect((await rejection(limits.acquire())).retryAfterMs).toBe(50_000);
    });
  });
}

describe('TwitterLimits (shared through Redis)', () => {
  it('should count posts from every worker process against the same account', async () => {
    const keyPrefix = `crier-test-${randomUUID()}`;
    prefixes.push(keyPrefix);
    const clock = { t: 9_000_000 };
    const options = { targetId: 'x-main', caps: { per15min: 2, per24h: 10 }, keyPrefix, redis, now: () => clock.t };
    const a = new TwitterLimits(options);
    const b = new TwitterLimits(options);
    await a.acquire();
    await b.acquire();
    await rejection(a.acquire());
    await rejection(b.acquire());
    expect(await redis.zcard(`${keyPrefix}:x:posts:x-main`)).toBe(2);
  });
});
