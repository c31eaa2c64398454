import type { DeliveryRecord, DeliveryState, Ledger } from './ledger.js';

/** States a waiting caller stops at: done, or needing a human. */
export const SETTLED: ReadonlySet<DeliveryState> = new Set(['delivered', 'duplicate', 'skipped', 'failed', 'unknown', 'paused', 'retracted']);

/** A first post is settled (delivered, held for a human, retracted…). */
export const deliverySettled = (r: DeliveryRecord): boolean => SETTLED.has(r.state);

/** An update to revision `rev` is settled: applied (or found needless), or the post is held for a human or gone. */
export const updateSettled =
  (rev: number) =>
  (r: DeliveryRecord): boolean =>
    SETTLED.has(r.state) && r.op === undefined && (r.state !== 'delivered' || (r.rev ?? 1) >= rev || r.history?.some((h) => h.rev >= rev) === true || r.opError !== undefined);

/** A retraction is settled: the post is gone (or never went out), or the retraction ended without removing it (not supported, ignored, failed). */
export const retractionSettled = (r: DeliveryRecord): boolean => r.state === 'retracted' || (r.op === undefined && r.retraction !== undefined) || ['failed', 'unknown', 'paused', 'skipped'].includes(r.state);

/**
 * Poll the ledger until every listed target is settled (by `settled`, default: the first post), or
 * the timeout passes. `onPoll` sees every read (for progress as it happens). Polling costs the
 * worker nothing: it reads what the worker writes anyway.
 */
export async function waitForDeliveries(
  ledger: Ledger,
  articleId: string,
  targetIds: readonly string[],
  options: {
    timeoutMs: number;
    intervalMs?: number;
    signal?: AbortSignal;
    settled?: (r: DeliveryRecord) => boolean;
    onPoll?: (records: readonly DeliveryRecord[], elapsedMs: number) => void;
  },
): Promise<{ records: DeliveryRecord[]; timedOut: boolean }> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const done = options.settled ?? deliverySettled;
  for (;;) {
    const records = (await ledger.getAll(articleId)).filter((r) => targetIds.includes(r.target));
    options.onPoll?.(records, Date.now() - started);
    const settled = records.length === targetIds.length && records.every(done);
    if (settled) return { records, timedOut: false };
    if (Date.now() >= deadline || options.signal?.aborted) return { records, timedOut: true };
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
