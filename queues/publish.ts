import { Job } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.js';
import type { TargetConfig } from '../config/schema.js';
import type { Article } from '../src/article/schema.js';
import type { DeliveryState, Ledger, ReadClaims } from './ledger.js';
import { defineLedgerScripts } from './ledger-scripts.js';
import { jobId } from './names.js';
import { NotReplicatedError, unconfirmed, type AckOutcome, type ReplicaAcks } from './replica-acks.js';
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
  /** With replicas: how many confirmed the enqueue before this resolved (queues/replica-acks.ts). */
  replicated?: AckOutcome;
}

export interface PublishDeps {
  queues: QueueSet;
  ledger: Ledger;
  /** Enabled targets to deliver to. */
  targets: readonly TargetConfig[];
  /** Wait for replicas to have the enqueue before resolving (once per transaction). */
  acks?: ReplicaAcks;
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

/** At most this many articles share one transaction. */
const MAX_BATCH = 200;

interface Request {
  article: Article;
  deps: PublishDeps;
  resolve(result: PublishResult): void;
  reject(error: unknown): void;
}

/** Articles waiting for the end of this turn of the event loop, per queue set (connection). */
const waiting = new WeakMap<QueueSet, Request[]>();

/**
 * Fan an article out: one job per enabled target, with a deterministic job id and a
 * ledger claim, so publishing the same article again enqueues nothing new. Storing the
 * article, claiming every target and adding every job are one transaction (MULTI) and one
 * round trip: a claim is never left without its job. Articles published in the same turn
 * of the event loop (a burst of webhooks, concurrent editors' commands) share that
 * transaction, each with its own outcome. A job id BullMQ still holds is not added twice;
 * an article published again after its jobs were cleaned away gets a job that finds the
 * ledger final and sends nothing. With replicas, the promise resolves once a replica confirmed
 * the transaction (Redis WAIT), and rejects with NotReplicatedError when none did in time
 * (a failover under way): then nothing may be acknowledged, and publishing again is safe.
 */
export function publish(article: Article, deps: PublishDeps): Promise<PublishResult> {
  if (deps.targets.length === 0) return Promise.resolve({ articleId: article.id, outcomes: [] });
  return new Promise((resolve, reject) => {
    let batch = waiting.get(deps.queues);
    if (batch === undefined) {
      const opened: Request[] = (batch = []);
      waiting.set(deps.queues, opened);
      setImmediate(() => {
        if (waiting.get(deps.queues) === opened) waiting.delete(deps.queues);
        void commit(opened);
      });
    }
    batch.push({ article, deps, resolve, reject });
    if (batch.length >= MAX_BATCH) waiting.delete(deps.queues);
  });
}

/** One transaction for a batch of articles; each request settles with its own part of the replies. */
async function commit(batch: readonly Request[]): Promise<void> {
  try {
    const first = batch[0] as Request;
    // Closed while this batch waited for the end of the turn: refuse, rather than open queues nobody will close.
    if (first.deps.queues.closed) throw new Error('crier is shutting down: the queues are closed');
    // Every queue of a QueueSet shares one connection, which has BullMQ's scripts loaded.
    const client = (await first.deps.queues.get(first.deps.targets[0] as TargetConfig).getBackend().client) as unknown as RedisClient;
    defineLedgerScripts(client);
    const tx = client.multi();
    let readers: ReadClaims[];
    try {
      readers = batch.map((request) => queueCommands(tx, request));
    } catch (error) {
      // One article's commands could not be built (nothing is sent): the rest must not pay
      // for it, and none may keep a claim without its job, so each goes in a transaction of its own.
      if (batch.length === 1) throw error;
      await Promise.all(batch.map((request) => commit([request])));
      return;
    }
    const ticket = first.deps.acks?.ticket();
    const replies = (await tx.exec()) ?? [];
    // Acknowledged only once a replica has it, where there are replicas: a failover right
    // after must not lose what the caller was told is queued. Unconfirmed, the caller is
    // told to send it again (publishing is idempotent) rather than that it is queued.
    const replicated = await first.deps.acks?.confirm(ticket);
    if (unconfirmed(replicated)) throw new NotReplicatedError(`publishing ${batch.length === 1 ? first.article.id : `${batch.length} articles`}`, replicated);
    let offset = 0;
    batch.forEach((request, n) => {
      const count = 1 + request.deps.targets.length;
      const own = replies.slice(offset, offset + count);
      offset += count;
      try {
        const result = outcomes(request, own, readers[n] as ReadClaims);
        request.resolve(replicated !== undefined ? { ...result, replicated } : result);
      } catch (error) {
        request.reject(error);
      }
    });
  } catch (error) {
    for (const request of batch) request.reject(error);
  }
}

/** Queue one article's claim and its jobs on the transaction; returns how to read the claim's reply. */
function queueCommands(tx: ChainableCommander, { article, deps }: Request): ReadClaims {
  const id = jobId(article.id);
  // Jobs are built (and their options checked) before anything is queued, so a throw leaves no claim behind.
  const jobs = deps.targets.map((target) => new Job<DeliveryJobData>(deps.queues.get(target), 'deliver', { articleId: article.id }, { ...jobOptions(target), jobId: id }, id));
  const readClaims = deps.ledger.saveAndClaimIn(tx, article, deps.targets);
  for (const job of jobs) void job.addJob(tx as never);
  return readClaims;
}

/** One article's outcomes from its replies: the claim script's, then one per target's job. */
function outcomes({ article, deps }: Request, replies: Array<[Error | null, unknown]>, readClaims: ReadClaims): PublishResult {
  const targets = deps.targets;
  const id = jobId(article.id);
  if (replies.length !== 1 + targets.length) throw new Error(`publishing ${article.id}: Redis answered ${replies.length} of ${1 + targets.length} commands`);
  replies.forEach(([error, value], i) => {
    if (error !== null) throw error;
    if (i > 0 && typeof value === 'number' && value < 0) throw new Error(`BullMQ refused the job for ${targets[i - 1]?.id} (code ${value})`);
  });
  const found = readClaims(replies[0]?.[1]);
  return {
    articleId: article.id,
    outcomes: targets.map((target, i): PublishOutcome => {
      const existing = found[i];
      if (existing === undefined || existing === 'queued') {
        return { target: target.id, platform: target.platform, enqueued: existing === undefined, state: 'queued', jobId: String(replies[i + 1]?.[1] ?? id) };
      }
      return { target: target.id, platform: target.platform, enqueued: false, state: existing, jobId: id };
    }),
  };
}
