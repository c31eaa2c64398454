import type { TargetConfig } from '../config/schema.js';
import type { Article } from '../src/article/schema.js';
import type { DeliveryState, Ledger } from './ledger.js';
import { jobId } from './names.js';
import type { QueueSet } from './queue-set.js';

export interface PublishOutcome {
  target: string;
  platform: string;
  /** True when this call enqueued a delivery; false when the article was already known for this target. */
  enqueued: boolean;
  /** The ledger state after this call. */
  state: DeliveryState;
  jobId: string;
}

export interface PublishResult {
  articleId: string;
  outcomes: PublishOutcome[];
}

export interface PublishDeps {
  queues: QueueSet;
  ledger: Ledger;
  /** Enabled targets to deliver to. */
  targets: readonly TargetConfig[];
}

/** Job options for one target: retries with exponential backoff and jitter; history kept for dedup and audit. */
export function jobOptions(target: TargetConfig) {
  return {
    jobId: '',
    attempts: target.attempts,
    backoff: { type: 'exponential' as const, delay: target.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

/**
 * Fan an article out: one job per enabled target, with a deterministic job id and a
 * ledger claim, so publishing the same article again enqueues nothing new.
 */
export async function publish(article: Article, deps: PublishDeps): Promise<PublishResult> {
  // One round trip stores the article and claims every target; then the adds go out together.
  const found = await deps.ledger.saveAndClaim(article, deps.targets);
  const id = jobId(article.id);
  const outcomes = await Promise.all(
    deps.targets.map(async (target, i): Promise<PublishOutcome> => {
      const existing = found[i];
      // A claim left `queued` by a crash before the add is re-added: add() is idempotent by job id.
      if (existing === undefined || existing === 'queued') {
        const queue = deps.queues.get(target);
        const job = await queue.add('deliver', { articleId: article.id }, { ...jobOptions(target), jobId: id });
        const enqueued = existing === undefined;
        return { target: target.id, platform: target.platform, enqueued, state: 'queued', jobId: job.id ?? id };
      }
      return { target: target.id, platform: target.platform, enqueued: false, state: existing, jobId: id };
    }),
  );
  return { articleId: article.id, outcomes };
}
