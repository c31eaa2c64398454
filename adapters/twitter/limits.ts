import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../queues/connection.js';
import type { TwitterRateLimit } from 'twitter-api-v2';
import { RateLimitedError } from '../errors.js';

/**
 * X posting caps per account, so crier slows down before X answers 429:
 * - the configured caps (target.caps per15min / per24h), as a sliding log of posts;
 * - what X's response headers say (x-rate-limit-remaining/-reset and the 24-hour
 *   x-user-/x-app-limit-24hour-*): when a window is spent, wait for its reset.
 * Kept in Redis when there is one (`${keyPrefix}:x:posts:${id}`, `${keyPrefix}:x:block:${id}`),
 * so every worker process sees the same counts; in memory otherwise.
 */

const MIN = 60_000;
const WINDOW_15M = 15 * MIN;
const WINDOW_24H = 24 * 60 * MIN;
const RESET_MARGIN_MS = 1000;

export interface TwitterCaps {
  per15min: number;
  per24h: number;
}

export interface LimitsOptions {
  targetId: string;
  caps: TwitterCaps;
  redis?: RedisClient;
  keyPrefix?: string;
  now?: () => number;
}

/** Take a post slot, atomically. Returns {0} when taken, else {wait ms, which limit}. */
const ACQUIRE = `
local posts, block = KEYS[1], KEYS[2]
local now, cap15, cap24, member = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local w15, w24 = ${WINDOW_15M}, ${WINDOW_24H}
local blocked = tonumber(redis.call('GET', block) or '0')
if blocked > now then return {blocked - now, 'headers'} end
redis.call('ZREMRANGEBYSCORE', posts, '-inf', now - w24)
local n24 = redis.call('ZCARD', posts)
if n24 >= cap24 then
  local e = redis.call('ZRANGE', posts, n24 - cap24, n24 - cap24, 'WITHSCORES')
  return {tonumber(e[2]) + w24 - now, '24h'}
end
local since = string.format('(%d', now - w15)
local n15 = redis.call('ZCOUNT', posts, since, '+inf')
if n15 >= cap15 then
  local e = redis.call('ZRANGEBYSCORE', posts, since, '+inf', 'WITHSCORES', 'LIMIT', n15 - cap15, 1)
  return {tonumber(e[2]) + w15 - now, '15min'}
end
redis.call('ZADD', posts, now, member)
redis.call('PEXPIRE', posts, w24)
return {0, ''}
`;

/** Block until `until` (epoch ms), keeping the later of two blocks. */
const BLOCK = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local target, now = tonumber(ARGV[1]), tonumber(ARGV[2])
if target > current and target > now then redis.call('SET', KEYS[1], string.format('%d', target), 'PX', string.format('%d', target - now)) end
return 0
`;

export class TwitterLimits {
  private readonly now: () => number;
  private readonly postsKey: string;
  private readonly blockKey: string;
  private readonly memory = { posts: [] as number[], blockedUntil: 0 };

  constructor(private readonly options: LimitsOptions) {
    this.now = options.now ?? Date.now;
    const prefix = options.keyPrefix ?? 'crier';
    this.postsKey = `${prefix}:x:posts:${options.targetId}`;
    this.blockKey = `${prefix}:x:block:${options.targetId}`;
  }

  /** Count one post against the caps, or throw RateLimitedError (ms until a slot frees) without posting. */
  async acquire(): Promise<void> {
    const now = this.now();
    const [waitMs, which] = this.options.redis ? await this.acquireRedis(now) : this.acquireMemory(now);
    if (waitMs <= 0) return;
    const what = which === 'headers' ? 'X reported the window spent' : `cap of ${which === '24h' ? `${this.options.caps.per24h} posts per 24 h` : `${this.options.caps.per15min} posts per 15 min`} reached`;
    throw new RateLimitedError(`X posting limit for ${this.options.targetId}: ${what}; wait ${Math.ceil(waitMs / 1000)} s`, Math.max(1, waitMs), {
      platform: 'twitter',
      code: 'cap',
    });
  }

  /** Learn from X's rate-limit headers (on a success or an error of POST /2/tweets). */
  async observe(rateLimit: TwitterRateLimit | undefined): Promise<void> {
    if (rateLimit === undefined) return;
    const spent = [rateLimit, rateLimit.userDay, rateLimit.day].filter(
      (w): w is NonNullable<typeof w> => w !== undefined && w.remaining === 0 && Number.isFinite(w.reset),
    );
    if (spent.length === 0) return;
    const until = Math.max(...spent.map((w) => w.reset * 1000)) + RESET_MARGIN_MS;
    await this.block(until);
  }

  /** Wait until `until` (epoch ms) before posting again: a 429 told us so. */
  async block(until: number): Promise<void> {
    const now = this.now();
    if (until <= now) return;
    if (this.options.redis) await this.options.redis.eval(BLOCK, 1, this.blockKey, until, now);
    else this.memory.blockedUntil = Math.max(this.memory.blockedUntil, until);
  }

  /** Forget everything (tests, an editor resetting the target). */
  async clear(): Promise<void> {
    this.memory.posts = [];
    this.memory.blockedUntil = 0;
    if (this.options.redis) await this.options.redis.del(this.postsKey, this.blockKey);
  }

  private async acquireRedis(now: number): Promise<[number, string]> {
    const redis = this.options.redis as RedisClient;
    const member = `${now}-${randomBytes(6).toString('hex')}`;
    const result = (await redis.eval(ACQUIRE, 2, this.postsKey, this.blockKey, now, this.options.caps.per15min, this.options.caps.per24h, member)) as [number, string];
    return [Number(result[0]), String(result[1])];
  }

  private acquireMemory(now: number): [number, string] {
    const m = this.memory;
    if (m.blockedUntil > now) return [m.blockedUntil - now, 'headers'];
    m.posts = m.posts.filter((t) => t > now - WINDOW_24H);
    const { per15min, per24h } = this.options.caps;
    if (m.posts.length >= per24h) return [(m.posts[m.posts.length - per24h] as number) + WINDOW_24H - now, '24h'];
    const recent = m.posts.filter((t) => t > now - WINDOW_15M);
    if (recent.length >= per15min) return [(recent[recent.length - per15min] as number) + WINDOW_15M - now, '15min'];
    m.posts.push(now);
    return [0, ''];
  }
}
