import type { TargetConfig } from '../config/schema.js';
import type { DeliveryState, Ledger } from './ledger.js';
import { jobId } from './names.js';
import { jobOptions } from './publish.js';
import type { QueueSet } from './queue-set.js';
import { firstPostSchedule, priorityOf } from './schedule.js';

/** States an editor may send again. Never a delivered one. */
export const RETRYABLE: readonly DeliveryState[] = ['failed', 'unknown'];

export interface RetryOutcome {
  target: string;
  /** 'retried', or why not: the current state / 'unknown target' / 'not published'. */
  result: string;
}

/**
 * Re-enqueue failed (or unknown) deliveries of an article, on every target or one.
 * The ledger transition is a compare-and-set, so two editors pressing Retry at once
 * send once.
 */
export async function retryDeliveries(
  articleId: string,
  targets: readonly TargetConfig[],
  deps: { ledger: Ledger; queues: QueueSet },
  onlyTarget?: string,
): Promise<RetryOutcome[]> {
  if (onlyTarget !== undefined && !targets.some((t) => t.id === onlyTarget)) return [{ target: onlyTarget, result: 'unknown target' }];
  const article = await deps.ledger.getArticle(articleId);
  const out: RetryOutcome[] = [];
  for (const target of targets) {
    if (onlyTarget !== undefined && target.id !== onlyTarget) continue;
    const record = await deps.ledger.get(articleId, target.id);
    if (record === undefined || article === undefined) {
      if (onlyTarget !== undefined) out.push({ target: target.id, result: 'not published' });
      continue;
    }
    if (!(await deps.ledger.transition(articleId, target.id, RETRYABLE, 'queued'))) {
      out.push({ target: target.id, result: record.state });
      continue;
    }
    const queue = deps.queues.get(target);
    const id = jobId(articleId);
    const job = await queue.getJob(id);
    if (job !== undefined && (await job.isFailed())) await job.retry('failed');
    else {
      if (job !== undefined) await job.remove().catch(() => undefined);
      // In line with the priority it was queued with (kept on the record when unscheduled), else the article's.
      const order = firstPostSchedule(undefined, record.priority ?? priorityOf(article), false, Date.now());
      await queue.add('deliver', { ...order.data, articleId }, { ...jobOptions(target), ...order.opts, jobId: id });
    }
    out.push({ target: target.id, result: 'retried' });
  }
  return out;
}

/** Mark an unknown delivery as settled by a human ("it did go out" / "skip it"). */
export async function skipDelivery(articleId: string, targetId: string, ledger: Ledger): Promise<boolean> {
  return ledger.transition(articleId, targetId, ['unknown', 'failed'], 'skipped');
}

/**
 * An editor saw the post of a delivery in doubt on the platform: record it as delivered
 * (without a remote id, which only the platform knows), noting who confirmed it.
 */
export async function confirmPosted(articleId: string, targetId: string, ledger: Ledger, by: string): Promise<boolean> {
  return ledger.transition(articleId, targetId, ['unknown'], 'delivered', { notes: JSON.stringify([`confirmed posted by ${by}`]), deliveredAt: new Date().toISOString() });
}
