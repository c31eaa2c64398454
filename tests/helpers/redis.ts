import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other test uses. */
export function uniquePrefix(name: string): string {
  return `crier-test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Delete every key under a prefix (BullMQ queues, ledger, budgets). */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Poll until `check` returns a value other than undefined, or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The job once BullMQ has marked it completed. The ledger says `delivered` inside the
 * processor, a moment before BullMQ counts the attempt, so tests that check attemptsMade
 * wait for this.
 */
export async function completedJob(
  queue: { getJob(id: string): Promise<{ isCompleted(): Promise<boolean>; attemptsMade: number } | undefined> },
  id: string,
): Promise<{ attemptsMade: number }> {
  return eventually(async () => {
    const job = await queue.getJob(id);
    return job !== undefined && (await job.isCompleted()) ? job : undefined;
  }, 15_000, `job ${id} to complete`);
}
