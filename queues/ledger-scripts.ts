import type { RedisClient } from './connection.js';

/**
 * The ledger's Lua scripts, registered on the connection with ioredis `defineCommand`
 * (EVALSHA, falling back to EVAL once per connection). Each makes one read-then-write
 * atomic and costs one round trip. The record hash and the article's target set share
 * the `{prefix}` hash tag on Redis Cluster, so both keys live in one slot.
 */

/**
 * After a send settled. KEYS: the budgets' sorted sets. ARGV: the slot's member, then each
 * budget's window (ms) → the slot re-dated to now (only later, only if still there).
 */
const SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  if redis.call('ZADD', KEYS[i], 'XX', 'GT', 'CH', now, ARGV[1]) == 1 then
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i + 1]) + 1000)
  end
end
return 0`;

/**
 * Publishing. KEYS: article, article's target set, then one record per target.
 * ARGV: article JSON, its TTL (s), now, then target id and platform per target →
 * per target the state found, or '' when this call created the record (queued).
 */
const SAVE_AND_CLAIM = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local found = {}
for i = 3, #KEYS do
  local target, platform = ARGV[2 * i - 2], ARGV[2 * i - 1]
  local state = redis.call('HGET', KEYS[i], 'state')
  if state then
    found[#found + 1] = state
  else
    redis.call('HSET', KEYS[i], 'state', 'queued', 'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'platform', platform, 'attempts', '0')
    redis.call('SADD', KEYS[2], target)
    found[#found + 1] = ''
  end
end
return found`;

/**
 * Before a send. KEYS: record, article's target set, the article, then one sorted set per
 * budget (sliding windows). ARGV: target id, platform, now, claim (this attempt's unique
 * token, also its slot member), then max and window (ms) per budget → {outcome, fields,
 * wait ms, article JSON or false}:
 * outcome 1 when marked sending (attempts + 1, the claim kept) and a slot taken in every
 * budget (fields as they were before); 3 when the record is already `sending` under this
 * very claim — the same call run again (a client sends a command again when the connection
 * dropped before the answer, as after a failover), so this attempt goes on (fields as they
 * are); 0 when left alone: final (delivered/duplicate/skipped), held (failed/unknown) or
 * in doubt (sending, another attempt's); 2 when a budget is full (nothing taken). The
 * article comes back unless the record is final, so the delivery job need not carry it.
 * Slots are all taken or none, at Redis's clock, so every worker process agrees.
 */
const BEGIN = `
local h = redis.call('HGETALL', KEYS[1])
local state, attempts, claim
for i = 1, #h, 2 do
  if h[i] == 'state' then state = h[i + 1] elseif h[i] == 'attempts' then attempts = h[i + 1] elseif h[i] == 'claim' then claim = h[i + 1] end
end
if not state then
  h = {'state', 'queued', 'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'platform', ARGV[2], 'attempts', '0'}
  redis.call('HSET', KEYS[1], unpack(h))
  redis.call('SADD', KEYS[2], ARGV[1])
  state = 'queued'
end
if state == 'delivered' or state == 'duplicate' or state == 'skipped' then
  return {0, h, 0, false}
end
local article = redis.call('GET', KEYS[3])
if state == 'sending' and claim == ARGV[4] then
  return {3, h, 0, article}
end
if state == 'failed' or state == 'unknown' or state == 'sending' then
  return {0, h, 0, article}
end
if #KEYS > 3 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local wait = 0
  for i = 4, #KEYS do
    local max, window = tonumber(ARGV[2 * i - 3]), tonumber(ARGV[2 * i - 2])
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
    local count = redis.call('ZCARD', KEYS[i])
    if count >= max then
      local freeing = redis.call('ZRANGE', KEYS[i], count - max, count - max, 'WITHSCORES')
      local w = tonumber(freeing[2]) + window - now + 1
      if w < 1 then w = 1 end
      if w > wait then wait = w end
    end
  end
  if wait > 0 then return {2, h, wait, false} end
  for i = 4, #KEYS do
    redis.call('ZADD', KEYS[i], now, ARGV[4])
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i - 2]) + 1000)
  end
end
redis.call('HSET', KEYS[1], 'state', 'sending', 'updatedAt', ARGV[3], 'attempts', (tonumber(attempts) or 0) + 1, 'claim', ARGV[4])
return {1, h, 0, article}`;

/**
 * A claim taken back before anything was sent (its replicas did not confirm it). KEYS:
 * record, then the budgets the claim took a slot in. ARGV: claim, the state and attempts to
 * restore, now → 1 when restored; 0 when the record is no longer `sending` under this claim.
 */
const UNCLAIM = `
if redis.call('HGET', KEYS[1], 'state') ~= 'sending' or redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'attempts', ARGV[3], 'updatedAt', ARGV[4])
redis.call('HDEL', KEYS[1], 'claim')
for i = 2, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1`;

/**
 * KEYS: record. ARGV: states that protect the record (space-separated), then field, value, … →
 * nil when written, else the protecting state the record is in (left alone).
 */
const MARK = `
local state = redis.call('HGET', KEYS[1], 'state')
if state then
  for s in string.gmatch(ARGV[1], '%S+') do if s == state then return state end end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return false`;

export interface LedgerScripts {
  crierLedgerSaveAndClaim(numberOfKeys: number, ...keysAndArgs: Array<string | Buffer>): Promise<string[]>;
  crierLedgerBegin(numberOfKeys: number, ...keysAndArgs: string[]): Promise<[number, string[], number, string | null]>;
  crierLedgerSettle(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  crierLedgerUnclaim(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  crierLedgerMark(record: string, protectedStates: string, ...fieldsAndValues: string[]): Promise<string | null>;
}

/** Register the scripts on a connection (once) and return it typed with them. */
export function defineLedgerScripts(redis: RedisClient): LedgerScripts {
  const r = redis as RedisClient & Partial<LedgerScripts>;
  if (r.crierLedgerBegin === undefined) {
    redis.defineCommand('crierLedgerSaveAndClaim', { lua: SAVE_AND_CLAIM });
    redis.defineCommand('crierLedgerBegin', { lua: BEGIN });
    redis.defineCommand('crierLedgerMark', { numberOfKeys: 1, lua: MARK });
    redis.defineCommand('crierLedgerSettle', { lua: SETTLE });
    redis.defineCommand('crierLedgerUnclaim', { lua: UNCLAIM });
  }
  return redis as unknown as LedgerScripts;
}
