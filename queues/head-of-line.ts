import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.js';

/**
 * Breaking news that waited — scheduled for later (an embargo), a scheduled post an editor
 * sent now, or breaking news retried after a failed attempt — goes to the head of its queue
 * once it falls due, as breaking news published for now does.
 *
 * BullMQ puts a delayed job that falls due at the tail of the wait list whatever its
 * `lifo`, behind everything queued meanwhile. So such a job is registered here: one sorted
 * set per target, scored by when it is due. Each worker process looks at its targets'
 * sets every SURFACE_INTERVAL_MS; a registered job found waiting is moved to the head (the
 * end workers take from), one still delayed is looked at again when it is due (held back
 * again, say), and one gone — taken by a worker, sent, removed — is forgotten.
 */

export const SURFACE_INTERVAL_MS = 200;

/** The jobs of a target to bring to the head of its queue when they fall due. */
export function headOfLineKey(prefix: string, targetId: string): string {
  return `${prefix}:head:${targetId}`;
}

/** Register a job on a transaction it is part of. */
export function registerHeadOfLine(tx: ChainableCommander, prefix: string, targetId: string, jobId: string, dueAt: number): void {
  tx.zadd(headOfLineKey(prefix, targetId), dueAt, jobId);
}

/** Register a job on its own. */
export async function registerHeadOfLineNow(client: RedisClient, prefix: string, targetId: string, jobId: string, dueAt: number): Promise<void> {
  await client.zadd(headOfLineKey(prefix, targetId), dueAt, jobId);
}

/**
 * KEYS: the register, the queue's wait list, its paused list, its delayed set, its active
 * list. ARGV: job id → 1 moved to the head, 2 still delayed (looked at again when due) or
 * still with a worker (registered for its retry, about to be delayed: looked at again next
 * time), 0 gone (forgotten). BullMQ scores a delayed job with its due time × 4096 plus a counter.
 */
const SURFACE = `
local delayed = redis.call('ZSCORE', KEYS[4], ARGV[1])
if delayed then
  redis.call('ZADD', KEYS[1], math.floor(tonumber(delayed) / 4096), ARGV[1])
  return 2
end
if redis.call('LPOS', KEYS[5], ARGV[1]) then return 2 end
redis.call('ZREM', KEYS[1], ARGV[1])
for i = 2, 3 do
  if redis.call('LREM', KEYS[i], 1, ARGV[1]) == 1 then
    redis.call('RPUSH', KEYS[i], ARGV[1])
    return 1
  end
end
return 0`;

interface Surfacing {
  register: string;
  /** BullMQ's keys of the target's queue. */
  wait: string;
  paused: string;
  delayed: string;
  active: string;
}

type WithSurface = RedisClient & { crierSurface?(register: string, wait: string, paused: string, delayed: string, active: string, jobId: string): Promise<number> };

/** The worker side: looks at the registers of its targets' queues on a timer. */
export class HeadOfLine {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly queues: readonly Surfacing[],
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    const r = redis as WithSurface;
    if (r.crierSurface === undefined) redis.defineCommand('crierSurface', { numberOfKeys: 5, lua: SURFACE });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), SURFACE_INTERVAL_MS).unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every register: the number of jobs moved to the head. */
  async tick(): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    try {
      const now = Date.now();
      const due = await Promise.all(this.queues.map((q) => this.redis.zrangebyscore(q.register, '-inf', now, 'LIMIT', 0, 50)));
      const r = this.redis as unknown as Required<Pick<WithSurface, 'crierSurface'>>;
      const moved = await Promise.all(this.queues.flatMap((q, i) => (due[i] ?? []).map((id) => r.crierSurface(q.register, q.wait, q.paused, q.delayed, q.active, id))));
      return moved.filter((m) => m === 1).length;
    } catch (error) {
      this.onError(error);
      return 0;
    } finally {
      this.busy = false;
    }
  }
}
