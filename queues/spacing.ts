import type { RedisClient } from './connection.js';

/**
 * Spacing between posts on one target (minGapMinutes), shared by every worker process: one
 * key per target holds the earliest time the next post may go out. A delivery reserves the
 * earliest free slot — now, or the end of the last reservation — and pushes the key one gap
 * further, so a burst of N posts gets N slots a gap apart, in the order they asked. Time
 * comes from Redis, so processes on different machines agree. One round trip, and only for
 * targets that set a gap.
 */
const SLOT = `
local key = KEYS[1]
local gap = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', key) or '0')
if ARGV[2] == 'pass' then
  if free < now + gap then redis.call('SET', key, now + gap, 'PX', gap + 60000) end
  return 0
end
local at = now
if free > now then at = free end
redis.call('SET', key, at + gap, 'PX', at + gap - now + 60000)
return at - now
`;

/**
 * Count a post that went without waiting (breaking news, an editor's send now): the next
 * slot is a gap after it, unless one is already later, so the posts after it still keep
 * their distance from it.
 */
export async function passSlot(redis: RedisClient, key: string, gapMs: number): Promise<void> {
  await redis.eval(SLOT, 1, key, gapMs, 'pass');
}

/** A target's minimum gap between posts in ms (minGapMinutes), undefined when it sets none. */
export function gapMsOf(target: { minGapMinutes?: number | undefined }): number | undefined {
  return target.minGapMinutes === undefined ? undefined : Math.round(target.minGapMinutes * 60_000);
}

/** The Redis key of a target's spacing reservation. */
export function spacingKey(prefix: string, targetId: string): string {
  return `${prefix}:gap:${targetId}`;
}

/** Reserve the next slot on a target: 0 when this post may go now, else how many ms from now its slot is. */
export async function reserveSlot(redis: RedisClient, key: string, gapMs: number): Promise<number> {
  return Number(await redis.eval(SLOT, 1, key, gapMs, 'reserve'));
}

/**
 * A held post taken away (unscheduled, retracted) gives its slot back when it was the last
 * one reserved: the next post need not wait a gap behind a post that will not go. A slot
 * with later ones behind it stays (they keep their times; the gap it leaves is not filled).
 */
const RELEASE = `
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local gap = tonumber(ARGV[2])
if math.abs(free - (tonumber(ARGV[1]) + gap)) > tonumber(ARGV[3]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local back = free - gap
if back > now then redis.call('SET', KEYS[1], back, 'PX', back - now + 60000) else redis.call('DEL', KEYS[1]) end
return 1`;

/**
 * Give back the slot at `slot` (epoch ms, as the job recorded it on its process's clock) on a
 * target if it is the last reserved: true when given back. The job's clock and Redis's may
 * differ a little, so the match allows for it (well under half a gap, so never the wrong slot).
 */
export async function releaseSlot(redis: RedisClient, key: string, slot: number, gapMs: number): Promise<boolean> {
  const tolerance = Math.min(Math.floor(gapMs / 3), 5000);
  return (await redis.eval(RELEASE, 1, key, String(slot), String(gapMs), String(tolerance))) === 1;
}

/** After removing a first-post job that held a spacing slot: give the slot back (see releaseSlot). */
export async function releaseJobSlot(redis: RedisClient, prefix: string, target: { id: string; minGapMinutes?: number | undefined }, slot: number | undefined): Promise<void> {
  const gapMs = gapMsOf(target);
  if (slot === undefined || gapMs === undefined) return;
  await releaseSlot(redis, spacingKey(prefix, target.id), slot, gapMs).catch(() => undefined);
}
