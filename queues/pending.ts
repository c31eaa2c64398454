import type { Job, Queue } from 'bullmq';
import type { TargetConfig } from '../config/schema.js';
import type { Priority } from '../src/article/schema.js';
import type { RedisClient } from './connection.js';
import { FINAL_STATES, type DeliveryState, type Ledger } from './ledger.js';
import { articleIdOfJob } from './names.js';
import type { DeliveryJobData, QueueSet } from './queue-set.js';

/**
 * What is pending, and why: every delivery job that has not gone out yet on each target,
 * with the time it is due and the reason it waits. One place for `crier queue`, GET /queue,
 * the held-deliveries gauge and the editors' /queue.
 */

export const PENDING_REASONS = ['embargo', 'quiet_hours', 'spacing', 'rate_limit', 'paused', 'queued', 'retrying'] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

export interface PendingDelivery {
  target: string;
  platform: string;
  articleId: string;
  title?: string;
  jobId: string;
  /** deliver (first post), update (of a delivered post) or retract. */
  kind: string;
  /** When it is due (ISO 8601), or null: as soon as a worker gets to it. */
  dueAt: string | null;
  reason: PendingReason;
  priority: Priority;
  /** The ledger state of the (article, target), when there is a record. */
  state?: DeliveryState;
}

export interface ListPendingOptions {
  /** Only this target. */
  target?: string;
  /** At most this many jobs per target and job state (default 1000). */
  limit?: number;
  /** Leave the titles out (one read per article fewer): the gauge. */
  titles?: boolean;
  now?: number;
}

/** A hold recorded in a job's data counts for its delayed time when they agree this closely. */
const SAME_TIME_MS = 2000;

/** Pending deliveries, the earliest due first (those due now first of all, in queue order, target by target). */
export async function listPending(queues: QueueSet, ledger: Ledger, targets: readonly TargetConfig[], options: ListPendingOptions = {}): Promise<PendingDelivery[]> {
  const now = options.now ?? Date.now();
  const limit = options.limit ?? 1000;
  const chosen = options.target === undefined ? targets : targets.filter((t) => t.id === options.target);
  const out: PendingDelivery[] = [];
  for (const target of chosen) out.push(...(await pendingOn(queues.get(target), target, ledger, limit, now)));
  // Stable: those due now first, in queue order and target by target; then by due time.
  out.sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''));
  if (options.titles !== false) {
    const titles = new Map<string, string | undefined>();
    await Promise.all([...new Set(out.map((p) => p.articleId))].map(async (id) => titles.set(id, (await ledger.getArticle(id))?.title)));
    for (const p of out) {
      const title = titles.get(p.articleId);
      if (title !== undefined) p.title = title;
    }
  }
  return out;
}

async function pendingOn(queue: Queue<DeliveryJobData>, target: TargetConfig, ledger: Ledger, limit: number, now: number): Promise<PendingDelivery[]> {
  const [paused, rateTtl, delayed, waiting] = await Promise.all([
    queue.isPaused(),
    queue.getRateLimitTtl(),
    queue.getJobs(['delayed'], 0, limit - 1, true),
    queue.getJobs(['waiting', 'prioritized'], 0, limit - 1, true),
  ]);
  const jobs = [...delayed, ...waiting].filter((j): j is Job<DeliveryJobData> => j !== undefined && j.id !== undefined);
  if (jobs.length === 0) return [];
  const client = (await queue.getBackend().client) as unknown as RedisClient;
  const reads = client.pipeline();
  for (const job of delayed) reads.zscore(queue.keys.delayed as string, job.id as string);
  for (const job of jobs) reads.hget(ledger.key(job.data.articleId ?? articleIdOfJob(job.id as string), target.id), 'state');
  const replies = ((await reads.exec()) ?? []).map(([, value]) => value as string | null);
  const scores = replies.slice(0, delayed.length);
  const states = replies.slice(delayed.length);
  const out: PendingDelivery[] = [];
  jobs.forEach((job, i) => {
    const state = (states[i] ?? undefined) as DeliveryState | undefined;
    // A stray job whose delivery is final (or left to an editor) sends nothing: not pending.
    if (state !== undefined && (FINAL_STATES.has(state) || state === 'failed' || state === 'unknown') && job.name === 'deliver') return;
    const isDelayed = i < delayed.length;
    const score = isDelayed ? Number(scores[i]) : NaN;
    const due = isDelayed && Number.isFinite(score) ? Math.floor(score / 0x1000) : undefined;
    const { reason, dueAt } = reasonOf(job, state, due, paused, rateTtl, now);
    out.push({
      target: target.id,
      platform: target.platform,
      articleId: job.data.articleId,
      jobId: job.id as string,
      kind: job.name,
      dueAt: dueAt === undefined ? null : new Date(dueAt).toISOString(),
      reason,
      priority: job.data.priority ?? 'normal',
      ...(state !== undefined ? { state } : {}),
    });
  });
  return out;
}

/** Why a job waits, and until when (undefined: now). */
function reasonOf(job: Job<DeliveryJobData>, state: DeliveryState | undefined, due: number | undefined, paused: boolean, rateTtl: number, now: number): { reason: PendingReason; dueAt: number | undefined } {
  if (due !== undefined) {
    const hold = job.data.hold;
    if (hold !== undefined && Math.abs(hold.until - due) <= SAME_TIME_MS) return { reason: hold.reason, dueAt: hold.until };
    if (state === 'rate_limited') return { reason: 'rate_limit', dueAt: due };
    if (job.attemptsMade > 0 || state === 'retrying') return { reason: 'retrying', dueAt: due };
    if (job.data.dueAt !== undefined && Math.abs(job.data.dueAt - due) <= SAME_TIME_MS) return { reason: 'embargo', dueAt: job.data.dueAt };
    return { reason: paused ? 'paused' : 'queued', dueAt: due };
  }
  if (paused) return { reason: 'paused', dueAt: undefined };
  if (state === 'paused') return { reason: 'paused', dueAt: undefined };
  if (state === 'rate_limited' || rateTtl > 0) return { reason: 'rate_limit', dueAt: rateTtl > 0 ? now + rateTtl : undefined };
  if (state === 'retrying') return { reason: 'retrying', dueAt: undefined };
  return { reason: 'queued', dueAt: undefined };
}

/** Counts of pending deliveries by target and reason (the held-deliveries gauge). */
export async function countPending(queues: QueueSet, ledger: Ledger, targets: readonly TargetConfig[]): Promise<Array<{ target: string; reason: PendingReason; count: number }>> {
  const counts = new Map<string, { target: string; reason: PendingReason; count: number }>();
  for (const p of await listPending(queues, ledger, targets, { titles: false, limit: 1000 })) {
    const key = `${p.target}\u0000${p.reason}`;
    const entry = counts.get(key) ?? { target: p.target, reason: p.reason, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()];
}
