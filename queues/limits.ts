import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';

/**
 * A sliding-window limiter in Redis, shared by every worker process: at most `max`
 * events in any `windowMs`. Used for budgets that span several queues (Telegram's
 * global messages-per-second per bot token), where BullMQ's per-queue limiter cannot help.
 * Time comes from Redis, so processes on different machines agree.
 */
const SCRIPT = `
local key = KEYS[1]
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local member = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < max then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now + 1
if wait < 1 then wait = 1 end
return wait
`;

let counter = 0;

/**
 * Slack added to the window: a slot is taken here a few milliseconds before the request
 * reaches the platform, and concurrent requests may arrive out of order, so a window
 * exactly as long as the platform's would now and then let one request too many through.
 */
export function windowMargin(windowMs: number): number {
  return Math.min(250, Math.max(50, Math.round(windowMs * 0.01)));
}

/**
 * Slack for a window whose slots are settled after the send (Ledger.begin → markDelivered):
 * a slot is re-dated to when the platform answered, so a later send can only be let through
 * a full period after the earlier one certainly arrived, and the slack only has to absorb
 * millisecond rounding.
 */
export function settledMargin(periodMs: number): number {
  return Math.min(250, Math.max(5, Math.round(periodMs * 0.005)));
}

/** What a sliding window is: a sorted set of slot times under `key`, at most `max` in any `periodMs`. */
export interface SlidingWindow {
  readonly key: string;
  readonly max: number;
  /** The platform's period, without any margin. */
  readonly periodMs: number;
}

/** A member name no other slot has (the sorted set needs distinct members). */
export function slotMember(): string {
  return `${process.pid}-${Date.now()}-${counter++}-${Math.random().toString(36).slice(2, 8)}`;
}

export class SlidingWindowLimiter implements SlidingWindow {
  /** The window `acquire` uses: the period with its margin. */
  readonly windowMs: number;

  constructor(
    private readonly redis: RedisClient,
    readonly key: string,
    readonly max: number,
    readonly periodMs: number,
  ) {
    this.windowMs = periodMs + windowMargin(periodMs);
  }

  /** Take one slot: 0 when allowed now, else the milliseconds to wait before trying again. */
  async acquire(): Promise<number> {
    if (this.max <= 0) return 0;
    const wait = await this.redis.eval(SCRIPT, 1, this.key, this.max, this.windowMs, slotMember());
    return Number(wait);
  }
}

/** The Redis key of a bot token's global Telegram budget: channel posts and broadcasts share it. */
export function telegramBudgetKey(prefix: string, token: string): string {
  return `${prefix}:budget:tg:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}
