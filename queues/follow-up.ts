import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { isDeliveryError, TransientError, type DeliveryError } from '../adapters/errors.js';
import type { OpContext, OpResult, RemotePost } from '../adapters/types.js';
import { titleHashOf } from '../src/article/revision.js';
import type { Article } from '../src/article/schema.js';
import { heldElsewhere, RECONCILE_CLOCK_MARGIN_MS, type DeliverDeps, type DeliverOutcome } from './deliver.js';
import type { DeliveryRecord } from './ledger.js';
import { leaseToken } from './lease.js';
import type { DeliveryJobData } from './queue-set.js';

/**
 * Update and retract jobs: bring a delivered post up to the article's newest revision, or
 * take it down. The same queues, limits, retries, leases and doubt rules as first posts:
 *
 * - beginOp decides under the ledger's lock-free script: superseded (a newer revision's job
 *   does it), up to date, not delivered yet (its first post will carry the newest revision),
 *   a send in flight (wait), or go — marking the op on the record under a lease.
 * - Edits and deletes are idempotent (Telegram's "message is not modified", a tweet already
 *   deleted): a lost answer is simply tried again. Operations that post something new (an X
 *   correction reply, a replacement) look first when an earlier attempt is in doubt.
 * - The target's policy decides what an update does (`onUpdate`, `minChange`) and what a
 *   retraction does (`onRetract`); where the platform has no way, the ledger says
 *   `not_supported` and the editors are told.
 */
export async function followUp(job: Job<DeliveryJobData>, signal: AbortSignal | undefined, deps: DeliverDeps, lockToken: string | undefined): Promise<DeliverOutcome> {
  const kind = job.name === 'retract' ? 'retract' : 'update';
  const { target, ledger, observer } = deps;
  const { articleId } = job.data;
  const lease = { token: leaseToken(), ms: deps.leases.ms };
  const takenAt = Date.now();
  const begun = await ledger.beginOp(articleId, target.id, kind, job.data.rev ?? 0, lease);
  switch (begun.outcome) {
    case 'wait':
      return heldElsewhere(job, lockToken, begun.waitMs, deps);
    case 'none':
      deps.logger.debug({ target: target.id, articleId, kind, why: begun.detail }, 'nothing to do');
      return { state: `${kind}: ${begun.detail}` };
    case 'never_posted':
      return { state: 'retracted' };
    case 'in_doubt': {
      const article = (await ledger.getArticle(articleId)) ?? ({ id: articleId, url: '', title: articleId, authors: [], tags: [] } as Article);
      await observer.notice?.({ target: target.id, platform: target.platform, article, reason: 'retracted, but its post was in doubt (it may have gone out): look at the account and delete it by hand if it is there' });
      return { state: 'retracted' };
    }
    case 'go':
  }
  const release = deps.leases.hold(articleId, target.id, lease.token, takenAt, (reason) => deps.cancel(reason));
  const { record, article, rev } = begun;
  const base = { target: target.id, platform: target.platform, article };
  try {
    const ctx: OpContext = {
      signal: signal ?? new AbortController().signal,
      progress: record.progress,
      saveProgress: (key, value) => ledger.saveProgress(articleId, target.id, key, value),
      inDoubt: begun.inDoubt,
      since: new Date(job.timestamp - RECONCILE_CLOCK_MARGIN_MS),
      rev,
    };
    const result = kind === 'update' ? await update(deps, record, article, begun.postedTitle, ctx) : await retract(deps, record, ctx);
    const fields: Record<string, string> = {};
    if (kind === 'update') fields.rev = String(rev);
    else if (result.action === 'deleted' || result.action === 'notice' || result.action === 'gone') Object.assign(fields, { state: 'retracted', retraction: result.action });
    else fields.retraction = result.action;
    if (result.remote !== undefined) fields.remote = JSON.stringify(result.remote);
    const replaced = result.replacement;
    if (replaced !== undefined) {
      Object.assign(fields, { remoteId: replaced.remoteId, ...(replaced.url !== undefined ? { url: replaced.url } : {}), ...(replaced.remote !== undefined ? { remote: JSON.stringify(replaced.remote) } : {}) });
      // The new thread's steps stand for the old ones (a later retraction deletes these).
      for (const key of Object.keys(record.progress)) if (key.startsWith('tweet:')) fields[`p:${key}`] = '';
      for (const [key, value] of Object.entries(replaced.progress)) fields[`p:${key}`] = value;
    }
    const entry = { rev, action: kind === 'retract' && result.action === 'deleted' ? 'deleted' : result.action, at: new Date().toISOString(), ...(result.note !== undefined ? { note: result.note } : {}) };
    await ledger.finishOp(articleId, target.id, lease.token, entry, fields);
    observer.followedUp?.({ ...base, kind, action: result.action });
    if (result.action === 'not_supported') await observer.notice?.({ ...base, reason: `${kind === 'update' ? 'the correction' : 'the retraction'} could not be applied on ${target.platform}: ${result.note ?? 'the platform has no way to do it'}; do it by hand` });
    deps.logger.info({ target: target.id, articleId, kind, rev, action: result.action }, kind === 'update' ? 'post updated' : 'post retracted');
    return { state: kind === 'update' ? `updated: ${result.action}` : fields.state === 'retracted' ? 'retracted' : `retract: ${result.action}` };
  } catch (error) {
    return await failed(error, job, deps, kind, base, lease.token);
  } finally {
    release();
  }
}

/** What an update does on this target: its policy first (onUpdate, minChange), then the adapter. */
async function update(deps: DeliverDeps, record: DeliveryRecord, article: Article, postedTitle: string, ctx: OpContext): Promise<OpResult> {
  const { target, adapter } = deps;
  if (target.onUpdate === 'ignore') return { action: 'ignored', note: 'onUpdate: ignore' };
  if (target.minChange === 'title' && postedTitle !== '' && postedTitle === titleHashOf(article)) return { action: 'ignored', note: 'the title did not change (minChange: title)' };
  const current = remotePost(record);
  if (current === undefined) return { action: 'not_supported', note: 'crier does not know the post (the platform reported it as a duplicate of an earlier one)' };
  if (adapter.update === undefined) return { action: 'not_supported', note: `${target.platform} posts cannot be edited` };
  return adapter.update(article, current, ctx);
}

async function retract(deps: DeliverDeps, record: DeliveryRecord, ctx: OpContext): Promise<OpResult> {
  const { target, adapter } = deps;
  if (target.onRetract === 'ignore') return { action: 'ignored', note: 'onRetract: ignore' };
  const current = remotePost(record);
  if (current === undefined) return { action: 'not_supported', note: 'crier does not know the post (the platform reported it as a duplicate of an earlier one)' };
  if (adapter.retract === undefined) return { action: 'not_supported', note: `${target.platform} posts cannot be removed` };
  return adapter.retract(current, ctx);
}

function remotePost(record: DeliveryRecord): RemotePost | undefined {
  if (record.remoteId === undefined || record.remoteId === '') return undefined;
  return { remoteId: record.remoteId, remote: record.remote ?? {}, ...(record.url !== undefined ? { url: record.url } : {}), ...(record.deliveredAt !== undefined ? { deliveredAt: record.deliveredAt } : {}) };
}

/**
 * An update or retraction failed. Transient: tried again with backoff — the op stays marked
 * (in doubt) when the platform may have acted, else it is cleared. Rate limited: the queue
 * waits. Permanent (or the last attempt): the op is cleared with its error and the editors
 * are told; the post stays as it was.
 */
async function failed(
  error: unknown,
  job: Job<DeliveryJobData>,
  deps: DeliverDeps,
  kind: 'update' | 'retract',
  base: { target: string; platform: string; article: Article },
  token: string,
): Promise<never> {
  const { ledger, queue, target } = deps;
  const articleId = job.data.articleId;
  const mapped: DeliveryError = isDeliveryError(error) ? error : new TransientError(`unexpected error: ${error instanceof Error ? error.message : String(error)}`, { platform: target.platform, cause: error });
  const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  if (mapped.kind === 'rate_limited' && 'retryAfterMs' in mapped) {
    await ledger.abandonOp(articleId, target.id, token);
    deps.observer.rateLimited?.({ target: target.id, platform: target.platform, waitMs: mapped.retryAfterMs as number, source: 'platform' });
    await queue.rateLimit(mapped.retryAfterMs as number);
    throw Worker.RateLimitError();
  }
  if (mapped.kind === 'transient' && !last) {
    if (mapped.maybeSent) await ledger.lease(articleId, target.id, token, 0);
    else await ledger.abandonOp(articleId, target.id, token);
    throw mapped;
  }
  const what = kind === 'update' ? 'update' : 'retraction';
  await ledger.abandonOp(articleId, target.id, token, { opError: `${what} failed: ${mapped.message}`.slice(0, 1000) });
  await deps.observer.notice?.({ ...base, reason: `the ${what} failed${last && mapped.kind === 'transient' ? ` after ${job.attemptsMade + 1} attempts` : ''}: ${mapped.message}` });
  throw new UnrecoverableError(`${what} failed: ${mapped.message}`);
}
