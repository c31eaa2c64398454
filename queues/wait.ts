import type { DeliveryRecord, DeliveryState, Ledger } from './ledger.js';

/** States a waiting caller stops at: done, or needing a human. */
export const SETTLED: ReadonlySet<DeliveryState> = new Set(['delivered', 'duplicate', 'skipped', 'failed', 'unknown', 'paused']);

/** Poll the ledger until every listed target is settled, or the timeout passes. */
export async function waitForDeliveries(
  ledger: Ledger,
  articleId: string,
  targetIds: readonly string[],
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<{ records: DeliveryRecord[]; timedOut: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const records = (await ledger.getAll(articleId)).filter((r) => targetIds.includes(r.target));
    const settled = records.length === targetIds.length && records.every((r) => SETTLED.has(r.state));
    if (settled) return { records, timedOut: false };
    if (Date.now() >= deadline || options.signal?.aborted) return { records, timedOut: true };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
