import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TargetConfig } from '../config/schema.js';
import type { Article } from '../src/article/schema.js';
import type { DeliveryState, Ledger } from './ledger.js';
import { defineLedgerScripts } from './ledger-scripts.js';
import { jobId } from './names.js';
import type { DeliveryJobData, QueueSet } from './queue-set.js';

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
 * ledger claim, so publishing the same article again enqueues nothing new. Storing the
 * article, claiming every target and adding every job are one transaction (MULTI) and one
 * round trip: a claim is never left without its job. A job id BullMQ still holds is not
 * added twice; an article published again after its jobs were cleaned away gets a job
 * that finds the ledger final and sends nothing.
 */
export async function publish(article: Article, deps: PublishDeps): Promise<PublishResult> {
  const targets = deps.targets;
  if (targets.length === 0) return { articleId: article.id, outcomes: [] };
  const id = jobId(article.id);
  const queues = targets.map((t) => deps.queues.get(t));
  // Every queue of a QueueSet shares one connection, which has BullMQ's scripts loaded.
  const client = (await (queues[0] as Queue<DeliveryJobData>).getBackend().client) as unknown as Redis;
  defineLedgerScripts(client);
  const tx = client.multi();
  const readClaims = deps.ledger.saveAndClaimIn(tx, article, targets);
  targets.forEach((target, i) => {
    const job = new Job<DeliveryJobData>(queues[i] as Queue<DeliveryJobData>, 'deliver', { articleId: article.id }, { ...jobOptions(target), jobId: id }, id);
    void job.addJob(tx as never);
  });
  const replies = (await tx.exec()) ?? [];
  replies.forEach(([error, value], i) => {
    if (error !== null) throw error;
    if (i > 0 && typeof value === 'number' && value < 0) throw new Error(`BullMQ refused the job for ${targets[i - 1]?.id} (code ${value})`);
  });
  const found = readClaims(replies[0]?.[1]);
  const outcomes = targets.map((target, i): PublishOutcome => {
    const existing = found[i];
    if (existing === undefined || existing === 'queued') {
      return { target: target.id, platform: target.platform, enqueued: existing === undefined, state: 'queued', jobId: String(replies[i + 1]?.[1] ?? id) };
    }
    return { target: target.id, platform: target.platform, enqueued: false, state: existing, jobId: id };
  });
  return { articleId: article.id, outcomes };
}
