import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Adapter, Post, SendResult } from '../adapters/types.js';
import { isDeliveryError, PermanentError, TransientError, type DeliveryError } from '../adapters/errors.js';
import type { TargetConfig } from '../config/schema.js';
import { FINAL_STATES, type Begun, type DeliveryState, type Ledger, type Slot } from './ledger.js';
import { leaseToken, type LeaseKeeper } from './lease.js';
import type { SlidingWindowLimiter } from './limits.js';
import type { DeliveryObserver } from './observer.js';
import type { DeliveryJobData } from './queue-set.js';
import type { Article } from '../src/article/schema.js';
import type { Hold } from './hold.js';

export interface DeliverDeps {
  target: TargetConfig;
  adapter: Adapter;
  ledger: Ledger;
  queue: Queue<DeliveryJobData>;
  logger: Logger;
  observer: DeliveryObserver;
  /** Budgets shared with other targets (Telegram per-token messages/second). */
  budgets: readonly SlidingWindowLimiter[];
  /** Keeps the lease of each send in flight (queues/lease.ts). */
  leases: LeaseKeeper;
  /** Cancel this attempt (fires its AbortSignal): its lease could not be kept. */
  cancel(reason: string): void;
  /** Quiet hours and spacing (queues/hold.ts); absent for targets that set neither. */
  hold?: Hold | undefined;
  /** Bring this job to the head of its queue once it is due again (queues/head-of-line.ts). */
  headOfLine?: ((jobId: string) => Promise<void>) | undefined;
}

export interface DeliverOutcome {
  state: string;
  remoteId?: string;
  url?: string;
}

/**
 * One delivery: begin (ledger check, a slot in each budget, mark `sending`, and the stored
 * article: one round trip) → format → prepare → (reconcile) → send → record (ordered before
 * BullMQ's completion on the same connection, so it costs no round trip of its own). A
 * stray job for a delivery that is already final costs that one round trip and nothing
 * else (markState never overwrites a final state). Preparing (media) runs inside the crash
 * window, so a worker that dies there leaves the delivery in doubt and the next attempt
 * reconciles, as after a crash mid-send.
 * Errors are turned into BullMQ's language here and nowhere else:
 * rate limited → queue.rateLimit + RateLimitError (no attempt spent), permanent →
 * UnrecoverableError, paused → pause the queue and put the job back, transient → rethrow.
 */
export async function deliver(job: Job<DeliveryJobData>, signal: AbortSignal | undefined, deps: DeliverDeps, lockToken: string | undefined): Promise<DeliverOutcome> {
  const { target, ledger } = deps;
  const { articleId } = job.data;
  // Quiet hours and spacing: held (job delayed, ledger untouched), dropped (skipped) or on its way.
  const dropped = deps.hold === undefined ? undefined : await deps.hold(job, lockToken);
  if (dropped !== undefined) return dropped;
  const lease = { token: leaseToken(), ms: deps.leases.ms };
  const takenAt = Date.now();
  const begun = await ledger.begin(articleId, target.id, target.platform, deps.budgets, lease);
  if (begun.heldMs !== undefined) return heldElsewhere(job, lockToken, begun.heldMs, deps);
  // The lease is this attempt's when begin marked the record sending or took over one in doubt.
  if (!(begun.started || begun.record.state === 'sending')) return proceed(job, signal, deps, begun);
  const release = deps.leases.hold(articleId, target.id, lease.token, takenAt, (reason) => deps.cancel(reason));
  try {
    return await proceed(job, signal, deps, begun);
  } catch (error) {
    // The record may still say `sending` (in doubt, for a later attempt): let that attempt in at once.
    await ledger.lease(articleId, target.id, lease.token, 0).catch(() => undefined);
    throw error;
  } finally {
    release();
  }
}

/** Another attempt holds the lease of this delivery's send, still in flight: look again once it runs out. */
export async function heldElsewhere(job: Job<DeliveryJobData>, lockToken: string | undefined, heldMs: number, deps: DeliverDeps): Promise<never> {
  deps.logger.info({ target: deps.target.id, articleId: job.data.articleId, heldMs }, 'another attempt is sending this delivery; looking again when its lease runs out');
  await job.moveToDelayed(Date.now() + heldMs + 50, lockToken);
  throw new DelayedError();
}

async function proceed(job: Job<DeliveryJobData>, signal: AbortSignal | undefined, deps: DeliverDeps, begun: Begun): Promise<DeliverOutcome> {
  const { target, adapter, ledger, observer } = deps;
  const { articleId } = job.data;
  const ctxSignal = signal ?? new AbortController().signal;
  const { started, record, waitMs, slot } = begun;
  if (waitMs !== undefined) return budgetFull(waitMs, deps);
  if (!started && FINAL_STATES.has(record.state)) return { state: record.state, ...(record.remoteId ? { remoteId: record.remoteId } : {}) };
  if (!started && record.state !== 'sending') {
    // failed or unknown: only an editor's retry moves these back to queued; a stray job must not resend.
    throw new UnrecoverableError(`delivery is ${record.state}; use retry to send it again`);
  }
  const article = begun.article ?? job.data.article;
  if (article === undefined) {
    const reason = `the article ${articleId} is no longer stored (expired); publish it again`;
    await ledger.settle(slot).catch(() => undefined);
    if (started) await ledger.markState(articleId, target.id, 'failed', reason);
    throw new UnrecoverableError(reason);
  }
  const base = { target: target.id, platform: target.platform, article };

  let post: Post;
  try {
    post = adapter.format(article);
    if (adapter.prepare) post = await adapter.prepare(post, { signal: ctxSignal });
  } catch (error) {
    await ledger.settle(slot).catch(() => undefined);
    // Before this attempt marked the record (`started` false: in doubt since a crash), it is not this attempt's to change.
    return handleError(cancelledAs(error, ctxSignal, target.platform), job, deps, base, started ? 'send' : 'prepare');
  }

  if (!started) {
    // In doubt: an earlier attempt died between calling the platform and recording the
    // result, or the platform's answer to it was lost. Never send blindly: look it up first.
    const doubt = record.lastError?.startsWith(ANSWER_LOST) === true ? record.lastError : 'a worker stopped while sending';
    const found = await reconcile(adapter, post, ctxSignal, job);
    if (typeof found === 'object') {
      const result: SendResult = { ...found, notes: [...(found.notes ?? []), `found on ${target.platform} after a send in doubt (${doubt})`] };
      await ledger.markDelivered(articleId, target.id, result, undefined, begun.rev);
      observer.reconciled?.({ ...base, result: 'found' });
      observer.delivered?.({ ...base, latencyMs: Date.now() - job.timestamp, remoteId: found.remoteId, duplicate: false, ...(found.url ? { url: found.url } : {}) });
      deps.logger.info({ target: target.id, articleId, remoteId: found.remoteId }, 'reconciled a send in doubt: the post is there');
      return { state: 'delivered', remoteId: found.remoteId, ...(found.url ? { url: found.url } : {}) };
    }
    if (found === 'cannot-tell') {
      const reason =
        adapter.reconcile === undefined
          ? `${target.platform} may have published it and cannot be asked (${doubt}): look at the channel`
          : `${target.platform} may have published it and could not be asked whether it did (${doubt})`;
      await ledger.markState(articleId, target.id, 'unknown', reason);
      observer.reconciled?.({ ...base, result: 'unknown' });
      await observer.unknown?.({ ...base, reason, ...(adapter.lookUrl !== undefined ? { lookAt: adapter.lookUrl } : {}) });
      throw new UnrecoverableError(reason);
    }
    // Surely absent: send it now, within the budgets.
    observer.reconciled?.({ ...base, result: 'absent' });
    for (const budget of deps.budgets) {
      const wait = await budget.acquire();
      if (wait > 0) return budgetFull(wait, deps);
    }
    await ledger.markSending(articleId, target.id);
  }

  let result: SendResult;
  try {
    result = await adapter.send(post, {
      signal: ctxSignal,
      progress: record.progress,
      saveProgress: (step, value) => ledger.saveProgress(articleId, target.id, step, value),
    });
  } catch (error) {
    await ledger.settle(slot).catch(() => undefined);
    return handleError(error, job, deps, base, 'send');
  }
  const duplicate = result.status === 'duplicate';
  recordDelivered(deps, job, base, result, slot, begun.rev ?? 1);
  return { state: duplicate ? 'duplicate' : 'delivered', remoteId: result.remoteId, ...(result.url ? { url: result.url } : {}) };
}

/**
 * An error from preparing a post whose attempt was cancelled meanwhile (its lease lost,
 * the worker shutting down): whatever it says — a media fetch "aborted by caller" — the
 * post is not wrong, so it is retried, never failed for good.
 */
function cancelledAs(error: unknown, signal: AbortSignal, platform: string): unknown {
  if (!signal.aborted || isDeliveryError(error)) return error;
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'cancelled');
  return new TransientError(`cancelled while preparing the post (${reason}): ${error instanceof Error ? error.message : String(error)}`, { platform, cause: error });
}

/** How far before a job's creation a lookup of its post starts (the platform's clock may differ from ours). */
export const RECONCILE_CLOCK_MARGIN_MS = 10 * 60_000;

/** How `lastError` begins when a send is in doubt because the platform's answer was lost (not a crash). */
const ANSWER_LOST = 'answer lost:';

/**
 * How long a `delivered` record Redis refuses is written again: long enough to outlast a
 * failover (the old master turns read-only, the replica takes over seconds later), since
 * a record left `sending` makes the next attempt treat the post as in doubt. Tried 0.2 s,
 * 0.4 s, 0.8 s, then every second.
 */
const RECORD_FOR_MS = 60_000;
const RECORD_RETRY_MAX_MS = 1000;

/**
 * Record a send the platform accepted, without holding the job for the reply: the ledger
 * shares the worker's connection, so this write reaches Redis before BullMQ's completion of
 * the job (issued once the processor returns) and leaves in the same socket write. A crash
 * before either lands leaves the record `sending`, and the job, not completed, runs again
 * and reconciles. Connection errors never surface here (the worker's connection waits for
 * Redis), but Redis may refuse the write itself (out of memory, read-only replica) while
 * the job completes: then the write is tried again for a while, and if Redis keeps refusing,
 * the post's id and link are logged (they are also the job's return value).
 */
function recordDelivered(deps: DeliverDeps, job: Job<DeliveryJobData>, base: { target: string; platform: string; article: Article }, result: SendResult, slot: Slot | undefined, rev: number): void {
  const { ledger, observer, logger } = deps;
  const articleId = job.data.articleId;
  const firstTry = Date.now();
  const attempt = (n: number): void => {
    ledger.markDelivered(articleId, base.target, result, slot, rev).then(
      () => {
        try {
          observer.delivered?.({ ...base, latencyMs: Date.now() - job.timestamp, remoteId: result.remoteId, duplicate: result.status === 'duplicate', ...(result.url ? { url: result.url } : {}) });
        } catch {
          /* observers are best effort */
        }
      },
      (error: unknown) => {
        const err = error instanceof Error ? error.message : String(error);
        if (Date.now() - firstTry < RECORD_FOR_MS) {
          if (n === 0) logger.warn({ target: base.target, articleId, remoteId: result.remoteId, err }, 'sent, but Redis refused the delivered record; trying again');
          setTimeout(() => attempt(n + 1), Math.min(200 * 2 ** n, RECORD_RETRY_MAX_MS)).unref();
          return;
        }
        logger.error(
          { target: base.target, articleId, remoteId: result.remoteId, url: result.url, err },
          'sent, but Redis kept refusing the delivered record: the ledger still says `sending`; the post is live at this id',
        );
      },
    );
  };
  attempt(0);
}

/** A shared budget (Telegram per chat, per token) is spent: put the job back until a slot frees. */
async function budgetFull(waitMs: number, deps: DeliverDeps): Promise<never> {
  deps.observer.rateLimited?.({ target: deps.target.id, platform: deps.target.platform, waitMs, source: 'budget' });
  await deps.queue.rateLimit(waitMs);
  throw Worker.RateLimitError();
}

/**
 * Look a post in doubt up on the platform: the result when it is there, 'absent' when it
 * surely is not, 'cannot-tell' when the platform cannot be asked (Telegram) or asking kept
 * failing until the last attempt. A lookup that fails for now throws, leaving the delivery
 * `sending`, so a later attempt asks again.
 */
async function reconcile(adapter: Adapter, post: Post, signal: AbortSignal, job: Job<DeliveryJobData>): Promise<SendResult | 'absent' | 'cannot-tell'> {
  if (adapter.reconcile === undefined) return 'cannot-tell';
  try {
    // Nothing of this delivery can predate its job; the margin covers the platform's clock.
    const since = new Date(job.timestamp - RECONCILE_CLOCK_MARGIN_MS);
    return (await adapter.reconcile(post, { signal, since })) ?? 'absent';
  } catch (error) {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const passing = isDeliveryError(error) && (error.kind === 'transient' || error.kind === 'rate_limited');
    if (!passing || last) return 'cannot-tell';
    throw new TransientError(`could not look up a send in doubt yet: ${error.message}`, { platform: adapter.platform, cause: error });
  }
}

/** States an error before `begin` must leave alone: final, held for a human, or in doubt. */
const BEFORE_BEGIN_PROTECTED: readonly DeliveryState[] = [...FINAL_STATES, 'failed', 'unknown', 'sending'];

/**
 * Turn an error into the ledger state and BullMQ's language. `phase` says whether the
 * record was marked `sending` by this attempt ('send') or not yet ('prepare'): before
 * that, a record that is final, held or in doubt is not this attempt's to change.
 */
async function handleError(
  error: unknown,
  job: Job<DeliveryJobData>,
  deps: DeliverDeps,
  base: { target: string; platform: string; article: Article },
  phase: 'prepare' | 'send',
): Promise<DeliverOutcome> {
  const { target, ledger, observer, queue, adapter } = deps;
  const articleId = job.data.articleId;
  const mapped = isDeliveryError(error)
    ? error
    : error instanceof Error && error.name === 'AbortError'
      ? new TransientError(`aborted: ${error.message}`, { platform: target.platform, cause: error })
      : new PermanentError(`unexpected error: ${error instanceof Error ? error.message : String(error)}`, { platform: target.platform, cause: error });
  const message = mapped.message;
  const unless = phase === 'send' ? FINAL_STATES : BEFORE_BEGIN_PROTECTED;
  const attempt = job.attemptsMade + 1;
  const last = attempt >= (job.opts.attempts ?? 1);

  /** Record the state; undefined when written, else what to do with a record that is not ours to change. */
  const mark = async (state: DeliveryState): Promise<DeliverOutcome | undefined> => {
    const kept = await ledger.markState(articleId, target.id, state, message, unless);
    if (kept === undefined) return undefined;
    if (FINAL_STATES.has(kept)) {
      const record = await ledger.get(articleId, target.id);
      return { state: kept, ...(record?.remoteId ? { remoteId: record.remoteId } : {}) };
    }
    if (kept === 'sending' && !last && (mapped.kind === 'transient' || mapped.kind === 'rate_limited')) {
      // In doubt since a crash, and preparing failed: try again later; that attempt reconciles.
      throw mapped.kind === 'transient' ? mapped : new TransientError(message, { platform: target.platform, cause: mapped });
    }
    if (kept === 'sending') {
      const reason = `a worker stopped while sending, and preparing the post again failed: ${message}`;
      await ledger.markState(articleId, target.id, 'unknown', reason);
      await observer.unknown?.({ ...base, reason, ...(adapter.lookUrl !== undefined ? { lookAt: adapter.lookUrl } : {}) });
      throw new UnrecoverableError(reason);
    }
    throw new UnrecoverableError(`delivery is ${kept}; use retry to send it again`);
  };
  let settled: DeliverOutcome | undefined;

  switch (mapped.kind) {
    case 'rate_limited': {
      const waitMs = Math.max(1, 'retryAfterMs' in mapped ? (mapped.retryAfterMs as number) : 1000);
      if ((settled = await mark('rate_limited'))) return settled;
      observer.rateLimited?.({ target: target.id, platform: target.platform, waitMs, source: 'platform' });
      await queue.rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
    case 'paused': {
      const action = 'action' in mapped ? String(mapped.action) : 'check the account';
      if ((settled = await mark('paused'))) return settled;
      await queue.pause();
      await observer.paused?.({ ...base, reason: message, action });
      deps.logger.warn({ target: target.id, articleId, reason: message }, 'target paused: needs a human');
      await queue.rateLimit(1000);
      throw Worker.RateLimitError();
    }
    case 'permanent': {
      if ((settled = await mark('failed'))) return settled;
      await observer.failed?.({ ...base, reason: message });
      throw new UnrecoverableError(message);
    }
    case 'transient': {
      if (mapped.maybeSent && phase === 'send') return inDoubt(mapped, job, deps, base, last);
      if ((settled = await mark(last ? 'failed' : 'retrying'))) return settled;
      if (last) await observer.failed?.({ ...base, reason: `gave up after ${attempt} attempts: ${message}` });
      else {
        observer.retrying?.({ ...base, error: message, attempt });
        await aheadWhenDue(job, deps);
      }
      throw mapped;
    }
  }
}

/**
 * The platform may have acted on a send whose answer was lost (reset, timeout, gateway
 * error). It is never retried blindly: the delivery stays `sending`, as after a crash
 * mid-send, and the next attempt looks the post up first. Where nobody can look (no
 * reconcile: Telegram) or this was the last attempt, it is `unknown` and the editors decide.
 */
async function inDoubt(
  error: DeliveryError,
  job: Job<DeliveryJobData>,
  deps: DeliverDeps,
  base: { target: string; platform: string; article: Article },
  last: boolean,
): Promise<DeliverOutcome> {
  const { target, ledger, observer, adapter } = deps;
  const articleId = job.data.articleId;
  observer.answerLost?.({ ...base, error: error.message });
  deps.logger.warn({ target: target.id, articleId, err: error.message }, 'the platform may have published this post: its answer was lost');
  const doubt = `${ANSWER_LOST} ${error.message}`;
  if (adapter.reconcile !== undefined && !last) {
    const kept = await ledger.markState(articleId, target.id, 'sending', doubt);
    if (kept !== undefined) return settledAs(kept, articleId, target.id, ledger);
    await aheadWhenDue(job, deps);
    throw new TransientError(`${doubt}; the next attempt looks the post up before sending`, { platform: target.platform, cause: error });
  }
  const reason =
    adapter.reconcile === undefined
      ? `${target.platform} may have published it, but its answer was lost (${error.message}); ${target.platform} cannot be asked: look at the channel`
      : `${target.platform} may have published it, but its answer was lost on the last attempt (${error.message})`;
  const kept = await ledger.markState(articleId, target.id, 'unknown', reason);
  if (kept !== undefined) return settledAs(kept, articleId, target.id, ledger);
  observer.reconciled?.({ ...base, result: 'unknown' });
  await observer.unknown?.({ ...base, reason, ...(adapter.lookUrl !== undefined ? { lookAt: adapter.lookUrl } : {}) });
  throw new UnrecoverableError(reason);
}

/**
 * Breaking news (or an editor's send now) retried after a backoff: BullMQ would put it at
 * the tail of the queue when the backoff ends, so it is registered to go to the head.
 */
async function aheadWhenDue(job: Job<DeliveryJobData>, deps: DeliverDeps): Promise<void> {
  if (deps.headOfLine === undefined || job.id === undefined || job.name !== 'deliver') return;
  if (job.data.priority !== 'breaking' && job.data.sendNow !== true) return;
  await deps.headOfLine(job.id).catch(() => undefined);
}

/** A record another attempt already made final: report it as it stands. */
async function settledAs(state: DeliveryState, articleId: string, targetId: string, ledger: Ledger): Promise<DeliverOutcome> {
  const record = await ledger.get(articleId, targetId);
  return { state, ...(record?.remoteId ? { remoteId: record.remoteId } : {}) };
}
