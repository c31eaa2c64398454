import type { Socket } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. Workers need `maxRetriesPerRequest: null` so a Redis restart
 * pauses them instead of failing jobs; producers fail fast instead.
 */
export function createRedis(url: string, role: 'worker' | 'producer' = 'producer', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

const COALESCING = Symbol('crier.coalescing');

/**
 * Write-combining for a busy connection: the commands issued during one turn of the event
 * loop leave in one socket write (the socket is corked at the first command and uncorked
 * when the loop reaches its check phase) instead of one write each. The order of commands
 * is unchanged. A delivery worker issues several commands per delivery (the ledger's and
 * BullMQ's), many deliveries finish in the same turn, and on a virtual machine each write
 * is a system call that costs as much as the work around it. Commands wait at most until
 * the end of the turn. Idempotent.
 */
export function coalesceWrites(redis: Redis): Redis {
  type Internals = { sendCommand(...args: unknown[]): unknown; stream?: Socket; status: string; [COALESCING]?: true };
  const r = redis as unknown as Internals;
  if (r[COALESCING]) return redis;
  r[COALESCING] = true;
  const send = r.sendCommand.bind(r);
  let corked: Socket | undefined;
  r.sendCommand = (...args: unknown[]) => {
    const stream = r.stream;
    if (corked === undefined && r.status === 'ready' && stream !== undefined && stream.writable) {
      corked = stream;
      stream.cork();
      setImmediate(() => {
        corked = undefined;
        stream.uncork();
      });
    }
    return send(...args);
  };
  return redis;
}

/** Resolve once Redis answers PING, or reject after `timeoutMs`. */
export async function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Delete every key under a prefix (queues, ledger, budgets): the demo, the tests and the
 * benchmarks leave nothing behind. `match` widens it (the benchmarks' runs use `<prefix>-<figure>:`).
 */
export async function deletePrefix(url: string, prefix: string, match = `${prefix}:*`): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
