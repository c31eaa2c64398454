import { randomBytes } from 'node:crypto';
import { deletePrefix as deleteKeys } from '../../queues/connection.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A key prefix no other test uses. */
export function uniquePrefix(name: string): string {
  return `crier-test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Delete every key under a prefix (BullMQ queues, ledger, budgets). */
export function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  return deleteKeys(url, prefix);
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
    if (job === undefined || !(await job.isCompleted())) return undefined;
    // Read again: the first read may predate the completion (and its attemptsMade) by a moment.
    return queue.getJob(id);
  }, 15_000, `job ${id} to complete`);
}

/** Jobs in every state across an app's target queues (to show nothing was enqueued). */
export async function countJobs(app: { targets: ReadonlyArray<{ id: string }>; queues: { get(t: { id: string }): { getJobCounts(...types: string[]): Promise<Record<string, number>> } } }): Promise<number> {
  let total = 0;
  for (const t of app.targets) {
    const counts = await app.queues.get(t).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    total += Object.values(counts).reduce((a, b) => a + b, 0);
  }
  return total;
}
