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
 * Publishing. KEYS: article, article's target set, the article's meta (revision, rev,
 * retracted, title hash per rev), its history list, then one record per target. ARGV:
 * article JSON (carrying its rev), its TTL (s), now, the rev the caller read (0: unknown
 * article), revision hash, title hash, who publishes, force ('1' lets a retracted article
 * be published again), ifKnown ('skip': a known article stays as it is — a feed listing
 * a story the webhook already brought is not a correction), the action the caller planned
 * (and added the jobs of), the article's updatedAt in epoch ms ('' when it has none; the
 * meta keeps the newest as `updated`), then target id and platform per target →
 * {action, then per target the state found, or '' when this call created (or, publishing
 * a retracted article again, reset) the record}. action: 'publish' (new), 'same' (same
 * revision), 'update' (new revision), 'outdated' (a new revision the CMS changed before
 * the published one: nothing written but the claims), 'republish' (retracted, forced), 'retracted'
 * (refused, nothing written) or 'stale' (not what the caller planned — the rev changed since
 * it read it, or it guessed: nothing written, read again). An article stored before revisions existed counts as rev 1.
 */
const SAVE_AND_CLAIM = `
local m = redis.call('HMGET', KEYS[3], 'revision', 'rev', 'retracted', 'updated')
local rev = tonumber(m[2]) or 0
if rev == 0 and redis.call('EXISTS', KEYS[1]) == 1 then rev = 1 end
if rev ~= tonumber(ARGV[4]) then return {'stale'} end
local retracted = m[3] == '1'
if retracted and ARGV[8] ~= '1' then return {'retracted'} end
local action = 'update'
if rev == 0 then action = 'publish' elseif retracted then action = 'republish' elseif m[1] == ARGV[5] or ARGV[9] == 'skip' then action = 'same' end
-- Changed in the CMS before the published revision (a webhook retried late): not applied.
local given, seen = tonumber(ARGV[11]), tonumber(m[4])
if action == 'update' and given and seen and given < seen then action = 'outdated' end
-- The caller added the jobs of the action it planned: any other, and nothing may be written.
if action ~= ARGV[10] then return {'stale'} end
if action == 'publish' then
  -- The first revision's history entry is its meta (at, by): a list only for what follows.
  redis.call('HSET', KEYS[3], 'revision', ARGV[5], 'rev', 1, 't:1', ARGV[6], 'at', ARGV[3], 'by', ARGV[7])
  redis.call('EXPIRE', KEYS[3], ARGV[2])
elseif action ~= 'same' and action ~= 'outdated' then
  local next = rev + 1
  redis.call('HSET', KEYS[3], 'revision', ARGV[5], 'rev', next, 't:' .. next, ARGV[6])
  if retracted then redis.call('HDEL', KEYS[3], 'retracted', 'retractedAt', 'reason') end
  redis.call('RPUSH', KEYS[4], cjson.encode({rev = next, action = action, at = ARGV[3], by = ARGV[7]}))
  redis.call('LTRIM', KEYS[4], -50, -1)
  redis.call('EXPIRE', KEYS[3], ARGV[2])
  redis.call('EXPIRE', KEYS[4], ARGV[2])
end
if given and action ~= 'outdated' and (not seen or given > seen) then redis.call('HSET', KEYS[3], 'updated', ARGV[11]) end
-- The same revision (or an outdated one) keeps the article stored (only its time to live is renewed).
if action == 'same' or action == 'outdated' then redis.call('EXPIRE', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
local found = {action}
for i = 5, #KEYS do
  local target, platform = ARGV[2 * i + 2], ARGV[2 * i + 3]
  local state = redis.call('HGET', KEYS[i], 'state')
  if state == 'retracted' and action == 'republish' then
    local fields = redis.call('HKEYS', KEYS[i])
    local gone = {}
    for _, f in ipairs(fields) do
      if f ~= 'createdAt' and f ~= 'platform' then gone[#gone + 1] = f end
    end
    if #gone > 0 then redis.call('HDEL', KEYS[i], unpack(gone)) end
    state = nil
  end
  if state then
    -- The same revision again, and this target's post shows an older one (a correction sent
    -- to other targets only): marked '<' so the caller brings it up to date.
    if action == 'same' and m[1] == ARGV[5] and (state == 'delivered' or state == 'duplicate') and (tonumber(redis.call('HGET', KEYS[i], 'rev')) or 1) < rev then
      state = '<' .. state
    end
    found[#found + 1] = state
  else
    redis.call('HSET', KEYS[i], 'state', 'queued', 'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'platform', platform, 'attempts', '0')
    redis.call('SADD', KEYS[2], target)
    found[#found + 1] = ''
  end
end
return found`;

/**
 * Before a send. KEYS: record, article's target set, the article, its meta, then one sorted
 * set per budget (sliding windows). ARGV: target id, platform, now, claim (this attempt's
 * unique token: its lease on the send and its slot member), lease (ms), the revision of the
 * article the caller holds ('' for none), then max and window (ms) per budget → {outcome,
 * fields, wait ms, article JSON, or 1 when the caller's revision is the stored one, or false}:
 * outcome 1 when marked sending (attempts + 1, the claim kept, its lease running) and a slot
 * taken in every budget (fields as they were before); 3 when the record is already
 * `sending` under this very claim — the same call run again (a client sends a command again
 * when the connection dropped before the answer, as after a failover), so this attempt goes
 * on (fields as they are); 4 when another attempt still holds the lease of a send in flight
 * (wait ms: until it expires); 0 when left alone: final (delivered/duplicate/skipped/
 * retracted), held (failed/unknown) or in doubt (sending, its lease expired: taken over, so
 * this attempt alone reconciles); 2 when a budget is full (nothing taken). The
 * article comes back unless the record is final, so the delivery job need not carry it.
 * Slots and leases are at Redis's clock, so every worker process agrees.
 */
const BEGIN = `
local function stored()
  if ARGV[6] ~= '' and redis.call('HGET', KEYS[4], 'rev') == ARGV[6] and redis.call('EXISTS', KEYS[3]) == 1 then return 1 end
  return redis.call('GET', KEYS[3])
end
local h = redis.call('HGETALL', KEYS[1])
local state, attempts, leaseUntil, claim
for i = 1, #h, 2 do
  local f = h[i]
  if f == 'state' then state = h[i + 1] elseif f == 'attempts' then attempts = h[i + 1] elseif f == 'leaseUntil' then leaseUntil = tonumber(h[i + 1]) elseif f == 'claim' then claim = h[i + 1] end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not state then
  h = {'state', 'queued', 'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'platform', ARGV[2], 'attempts', '0'}
  redis.call('HSET', KEYS[1], unpack(h))
  redis.call('SADD', KEYS[2], ARGV[1])
  state = 'queued'
end
if state == 'delivered' or state == 'duplicate' or state == 'skipped' or state == 'retracted' then
  return {0, h, 0, false}
end
if state == 'sending' and claim == ARGV[4] then
  return {3, h, 0, stored()}
end
if state == 'sending' and leaseUntil and leaseUntil > now then
  return {4, h, leaseUntil - now, false}
end
local article = stored()
if state == 'sending' then
  redis.call('HSET', KEYS[1], 'claim', ARGV[4], 'leaseUntil', now + tonumber(ARGV[5]))
end
if state == 'failed' or state == 'unknown' or state == 'sending' then
  return {0, h, 0, article}
end
if #KEYS > 4 then
  local wait = 0
  for i = 5, #KEYS do
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
  for i = 5, #KEYS do
    redis.call('ZADD', KEYS[i], now, ARGV[4])
    redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i - 2]) + 1000)
  end
end
redis.call('HSET', KEYS[1], 'state', 'sending', 'updatedAt', ARGV[3], 'attempts', (tonumber(attempts) or 0) + 1, 'claim', ARGV[4], 'leaseUntil', now + tonumber(ARGV[5]))
return {1, h, 0, article}`;

/**
 * Retracting an article. KEYS: its meta, its history, the article, then one record per target. ARGV:
 * now, reason, who → {'unknown'} for an article never published here, else {'retracted' or
 * 'already', then per target: 'cancelled' (it had not gone out: marked retracted at once, so
 * its pending job sends nothing), 'retracting' (delivered, in flight or in doubt: the
 * retract job takes it down), 'done' (already retracted) or 'none' (no record)}.
 */
const RETRACT = `
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev == 0 and redis.call('EXISTS', KEYS[3]) == 0 then return {'unknown'} end
local out = {'retracted'}
if redis.call('HGET', KEYS[1], 'retracted') == '1' then
  out[1] = 'already'
else
  redis.call('HSET', KEYS[1], 'retracted', '1', 'retractedAt', ARGV[1], 'reason', ARGV[2])
  if rev == 0 then redis.call('HSET', KEYS[1], 'rev', 1) end
  redis.call('RPUSH', KEYS[2], cjson.encode({rev = math.max(rev, 1), action = 'retract', at = ARGV[1], by = ARGV[3], reason = ARGV[2]}))
  redis.call('LTRIM', KEYS[2], -50, -1)
end
for i = 4, #KEYS do
  local state = redis.call('HGET', KEYS[i], 'state')
  if not state then
    out[#out + 1] = 'none'
  elseif state == 'retracted' then
    out[#out + 1] = 'done'
  elseif state == 'delivered' or state == 'duplicate' or state == 'sending' or state == 'unknown' then
    out[#out + 1] = 'retracting'
  else
    redis.call('HSET', KEYS[i], 'state', 'retracted', 'retraction', 'never_posted', 'updatedAt', ARGV[1])
    out[#out + 1] = 'cancelled'
  end
end
return out`;

/**
 * Before an update or a retraction of an article's post on one target. KEYS: record, the
 * article's meta, the article. ARGV: kind ('update' | 'retract'), the job's rev, lease
 * token, lease (ms), now → {outcome, detail or wait ms, fields, article JSON or false, and
 * with outcome 1 the title hash of the revision the post shows}:
 * 1 go ahead (the op is marked on the record under this attempt's lease; detail '1' when an
 * earlier attempt of the same op died or lost its answer: in doubt); 0 nothing to do
 * (detail says why: superseded, up to date, not delivered, not retracted…); 2 retracted
 * without a post (it had not gone out: marked retracted); 3 wait this long (a send or
 * another op in flight); 4 marked retracted but a post may be visible (it was in doubt).
 */
const OP_BEGIN = `
local raw = redis.call('HGETALL', KEYS[1])
local h = {}
for i = 1, #raw, 2 do h[raw[i]] = raw[i + 1] end
if not h.state then return {0, 'not published here', raw, false} end
local m = redis.call('HMGET', KEYS[2], 'rev', 'retracted')
local current = tonumber(m[1]) or 1
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local leaseUntil = tonumber(h.leaseUntil or 0) or 0
local state = h.state
-- A first post in flight: look again soon (a send settles in well under its lease).
if state == 'sending' then
  return {3, tostring(math.max(250, math.min(leaseUntil - now, 1000))), raw, false}
end
if ARGV[1] == 'update' then
  if m[2] == '1' then return {0, 'retracted', raw, false} end
  if tonumber(ARGV[2]) < current then return {0, 'superseded by revision ' .. current, raw, false} end
  if state ~= 'delivered' and state ~= 'duplicate' then return {0, 'not delivered (' .. state .. '): its first post will carry the newest revision', raw, false} end
  if (tonumber(h.rev) or 1) >= current then return {0, 'up to date', raw, false} end
else
  if m[2] ~= '1' then return {0, 'published again since', raw, false} end
  if state == 'retracted' then return {0, 'already retracted', raw, false} end
  if state == 'unknown' then
    redis.call('HSET', KEYS[1], 'state', 'retracted', 'updatedAt', ARGV[5], 'retraction', 'in_doubt')
    return {4, 'in doubt', raw, false}
  end
  if state ~= 'delivered' and state ~= 'duplicate' then
    redis.call('HSET', KEYS[1], 'state', 'retracted', 'updatedAt', ARGV[5], 'retraction', 'never_posted')
    return {2, state, raw, false}
  end
end
if h.op and h.op ~= '' and h.claim ~= ARGV[3] and leaseUntil > now then
  return {3, tostring(math.min(leaseUntil - now, 2000)), raw, false}
end
local doubt = '0'
if h.op == ARGV[1] then doubt = '1' end
redis.call('HSET', KEYS[1], 'op', ARGV[1], 'claim', ARGV[3], 'leaseUntil', now + tonumber(ARGV[4]), 'opRev', current)
return {1, doubt, raw, redis.call('GET', KEYS[3]), redis.call('HGET', KEYS[2], 't:' .. (h.rev or '1')) or ''}`;

/**
 * After an update or a retraction went through. KEYS: record. ARGV: lease token, history
 * entry (JSON), then field, value, … → 1 when written (the op cleared, the entry added to
 * the record's last 20); 0 when this attempt no longer holds the op (taken over).
 */
const OP_FINISH = `
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
local history = {}
local stored = redis.call('HGET', KEYS[1], 'history')
if stored then history = cjson.decode(stored) end
history[#history + 1] = cjson.decode(ARGV[2])
while #history > 20 do table.remove(history, 1) end
redis.call('HSET', KEYS[1], 'history', cjson.encode(history), 'op', '', 'leaseUntil', 0)
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
return 1`;

/**
 * The lease of a send (or an update, a retraction) in flight. KEYS: record. ARGV: lease
 * token, lease (ms) → 1 when this token holds the record's lease and it now runs `lease` ms
 * from Redis's clock (0 ms: released, so the next attempt need not wait for it), else 0 (lost).
 */
const LEASE = `
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
local until_ = 0
if tonumber(ARGV[2]) > 0 then
  local t = redis.call('TIME')
  until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
end
redis.call('HSET', KEYS[1], 'leaseUntil', until_)
return 1`;

/**
 * A claim taken back before anything was sent (its replicas did not confirm it). KEYS:
 * record, then the budgets the claim took a slot in. ARGV: claim, the state and attempts to
 * restore, now → 1 when restored; 0 when the record is no longer `sending` under this claim.
 */
const UNCLAIM = `
if redis.call('HGET', KEYS[1], 'state') ~= 'sending' or redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'attempts', ARGV[3], 'updatedAt', ARGV[4])
redis.call('HDEL', KEYS[1], 'claim', 'leaseUntil')
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
  crierLedgerBegin(numberOfKeys: number, ...keysAndArgs: string[]): Promise<[number, string[], number, string | number | null]>;
  crierLedgerSettle(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  crierLedgerUnclaim(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  crierLedgerMark(record: string, protectedStates: string, ...fieldsAndValues: string[]): Promise<string | null>;
  crierLedgerLease(record: string, token: string, leaseMs: string): Promise<number>;
  crierLedgerRetract(numberOfKeys: number, ...keysAndArgs: string[]): Promise<string[]>;
  crierLedgerOpBegin(numberOfKeys: number, ...keysAndArgs: string[]): Promise<[number, string, string[], string | null, string?]>;
  crierLedgerOpFinish(record: string, token: string, entry: string, ...fieldsAndValues: string[]): Promise<number>;
}

/** Register the scripts on a connection (once) and return it typed with them. */
export function defineLedgerScripts(redis: RedisClient): LedgerScripts {
  const r = redis as RedisClient & Partial<LedgerScripts>;
  if (r.crierLedgerBegin === undefined) {
    redis.defineCommand('crierLedgerSaveAndClaim', { lua: SAVE_AND_CLAIM });
    redis.defineCommand('crierLedgerBegin', { lua: BEGIN });
    redis.defineCommand('crierLedgerMark', { numberOfKeys: 1, lua: MARK });
    redis.defineCommand('crierLedgerSettle', { lua: SETTLE });
    redis.defineCommand('crierLedgerLease', { numberOfKeys: 1, lua: LEASE });
    redis.defineCommand('crierLedgerOpBegin', { lua: OP_BEGIN });
    redis.defineCommand('crierLedgerRetract', { lua: RETRACT });
    redis.defineCommand('crierLedgerOpFinish', { numberOfKeys: 1, lua: OP_FINISH });
    redis.defineCommand('crierLedgerUnclaim', { lua: UNCLAIM });
  }
  return redis as unknown as LedgerScripts;
}
