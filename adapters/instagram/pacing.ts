import type { RedisClient } from '../../queues/connection.js';
import { RateLimitedError } from '../errors.js';

/**
 * Account-level pacing the BullMQ limiter cannot express, kept in Redis so every worker
 * sees it: a cap on posts per 24 h (window starts at the first post) and a random pause
 * (0..jitterMs) after each post. Both answer with RateLimitedError, which re-queues the
 * job without spending an attempt.
 */

export interface Pacing {
  /** Take a slot or throw RateLimitedError; the returned function gives the slot back (nothing was posted). */
  reserve(): Promise<() => Promise<void>>;
  /** After a post: start the random pause before the next one. */
  posted(): Promise<void>;
}

export interface PacingOptions {
  dailyCap: number;
  jitterMs: number;
  windowMs?: number;
  random?: () => number;
}

const WINDOW_MS = 24 * 60 * 60 * 1000;

// KEYS[1] = counter, ARGV = cap, window ms → count taken, or -(ms until the window resets).
const RESERVE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) ttl = tonumber(ARGV[2]) end
  return -ttl
end
return n`;

export function pacingKeys(keyPrefix: string, targetId: string): { daily: string; next: string } {
  return { daily: `${keyPrefix}:ig:daily:${targetId}`, next: `${keyPrefix}:ig:next:${targetId}` };
}

export function redisPacing(redis: RedisClient, keyPrefix: string, targetId: string, options: PacingOptions): Pacing {
  const keys = pacingKeys(keyPrefix, targetId);
  const windowMs = options.windowMs ?? WINDOW_MS;
  const random = options.random ?? Math.random;
  return {
    async reserve() {
      const wait = await redis.pttl(keys.next);
      if (wait > 0) throw new RateLimitedError(`instagram: pausing between posts (${Math.ceil(wait / 1000)} s left)`, wait, { platform: 'instagram' });
      if (options.dailyCap <= 0) return async () => undefined;
      const taken = Number(await redis.eval(RESERVE, 1, keys.daily, String(options.dailyCap), String(windowMs)));
      if (taken < 0) {
        throw new RateLimitedError(`instagram: daily cap of ${options.dailyCap} posts reached`, -taken, { platform: 'instagram', code: 'daily_cap' });
      }
      return async () => {
        await redis.decr(keys.daily);
      };
    },
    async posted() {
      const pause = Math.floor(random() * options.jitterMs);
      if (pause > 0) await redis.set(keys.next, '1', 'PX', pause);
    },
  };
}

/** Per-process pacing for runs without Redis (preview, one-off CLI sends). */
export function memoryPacing(options: PacingOptions, now: () => number = Date.now): Pacing {
  const windowMs = options.windowMs ?? WINDOW_MS;
  const random = options.random ?? Math.random;
  let windowStart = 0;
  let count = 0;
  let nextAt = 0;
  return {
    async reserve() {
      const t = now();
      if (nextAt > t) throw new RateLimitedError('instagram: pausing between posts', nextAt - t, { platform: 'instagram' });
      if (options.dailyCap <= 0) return async () => undefined;
      if (t - windowStart >= windowMs) {
        windowStart = t;
        count = 0;
      }
      if (count >= options.dailyCap) {
        throw new RateLimitedError(`instagram: daily cap of ${options.dailyCap} posts reached`, windowStart + windowMs - t, { platform: 'instagram', code: 'daily_cap' });
      }
      count++;
      return async () => {
        count = Math.max(0, count - 1);
      };
    },
    async posted() {
      nextAt = now() + Math.floor(random() * options.jitterMs);
    },
  };
}
