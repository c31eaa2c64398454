import { Job } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.js';
import type { TargetConfig } from '../config/schema.js';
import type { Article } from '../src/article/schema.js';
import { keepsStoredArticle, planFor, storedRev, type DeliveryState, type Ledger, type PublishAction, type PublishPlan, type ReadClaims, type RevisionState } from './ledger.js';
import { defineLedgerScripts } from './ledger-scripts.js';
import { jobId, republishJobId, updateJobId } from './names.js';
import { NotReplicatedError, unconfirmed, type AckOutcome, type ReplicaAcks } from './replica-acks.js';
import type { DeliveryJobData, DeliveryJobName, QueueSet } from './queue-set.js';
import { dueAtOf, firstPostSchedule, priorityOf, toEpoch, type FirstPostSchedule } from './schedule.js';
import { followSchedule } from './reschedule.js';
import { registerHeadOfLine } from './head-of-line.js';
import type { Priority } from '../src/article/schema.js';

export interface PublishOutcome {
  target: string;
  platform: string;
  /** True when this call enqueued a delivery; false when the article was already known for this target. */
  enqueued: boolean;
  /** The ledger state after this call. */
  state: DeliveryState;
  jobId: string;
  /** An update: the post this target already has (or is sending) will be brought to the new revision. */
  updating?: boolean;
}

export interface PublishResult {
  articleId: string;
  /** publish (new), same (nothing changed), update (a new revision), republish (after a retraction), retracted (refused). */
  action: Exclude<PublishAction, 'stale'>;
  /** The article's revision number after this call. */
  rev: number;
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

export interface PublishOptions {
  /** Who publishes (the article's history): webhook, feed, editor, cli. Default 'cli'. */
  by?: string;
  /** Publish a retracted article again (else refused, so a replayed webhook cannot resurrect it). */
  force?: boolean;
  /** 'skip': publish only if the article is new; a known one is left as it is, whatever its content (default 'update'). */
  ifKnown?: 'update' | 'skip';
  /**
   * When the first posts go out: a Date, epoch ms, or ISO 8601 / "+30m" (queues/schedule.ts).
   * Default: the article's publishedAt when it lies in the future, else now.
   */
  at?: Date | number | string;
  /** Overrides the article's own priority (default normal). */
  priority?: Priority;
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
  options: PublishOptions;
  /** Times this request found the article changed under it and was planned again (then on a fresh read). */
  replans: number;
  plan?: PublishPlan;
  /** The first-post jobs' schedule and order (computed once, when the request is made). */
  schedule: FirstPostSchedule;
  resolve(result: PublishResult): void;
  reject(error: unknown): void;
}

/** A publish racing another of the same article is planned again at most this often. */
const MAX_REPLANS = 5;

/** Articles waiting for the end of this turn of the event loop, per queue set (connection). */
const waiting = new WeakMap<QueueSet, Request[]>();

/**
 * The revision state this process last left each article in, per queue set (the most recent
 * KNOWN_MAX): a publish plans on it — an article never seen here is planned as new — without
 * a round trip to read it. The claim script checks every plan against Redis, and a wrong guess
 * (another process published or retracted the article) is planned again on a fresh read.
 */
const known = new WeakMap<QueueSet, Map<string, RevisionState>>();
const KNOWN_MAX = 10_000;
const UNKNOWN: RevisionState = { rev: 0, revision: undefined, retracted: false };

export function rememberRevision(queues: QueueSet, articleId: string, state: RevisionState): void {
  let states = known.get(queues);
  if (states === undefined) known.set(queues, (states = new Map()));
  states.delete(articleId);
  states.set(articleId, state);
  if (states.size > KNOWN_MAX) states.delete(states.keys().next().value as string);
}

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
 *
 * Revisions: each article is planned on its revision state — what this process last left it
 * in, else new — so the transaction carries the right jobs: a known article with a changed
 * revision is an update (an `update` job per target, for revision n+1; a target whose first
 * post has not gone out yet simply sends the newest revision), a retracted one is refused
 * unless `force` (then published again under new job ids). The claim script checks the plan
 * against Redis; when the guess was wrong (another process published or retracted it, a
 * concurrent publish changed it), nothing is written and the article is planned again on a
 * fresh read.
 */
export function publish(article: Article, deps: PublishDeps, options: PublishOptions = {}): Promise<PublishResult> {
  if (deps.targets.length === 0) return Promise.resolve({ articleId: article.id, action: 'same', rev: 0, outcomes: [] });
  const now = Date.now();
  let schedule: FirstPostSchedule;
  let dueAt: number | undefined;
  try {
    dueAt = dueAtOf(article, options.at === undefined ? undefined : toEpoch(options.at, now), now, options.by === 'feed');
    // A feed item is marked only where a target may drop it (quiet hours with maxAgeHours).
    const droppable = options.by === 'feed' && deps.targets.some((t) => t.maxAgeHours !== undefined);
    schedule = firstPostSchedule(dueAt, priorityOf(article, options.priority), droppable, now);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  const published = new Promise<PublishResult>((resolve, reject) => enqueueRequest({ article, deps, options, replans: 0, schedule, resolve, reject }));
  // Known and not sent yet somewhere: a new time (an update's publishedAt, another --at) moves the schedule.
  const timed = options.at !== undefined || article.publishedAt !== undefined;
  return timed ? published.then((result) => followSchedule(result, dueAt, schedule, deps)) : published;
}

function enqueueRequest(request: Request): void {
  const { deps } = request;
  let batch = waiting.get(deps.queues);
  if (batch === undefined) {
    const opened: Request[] = (batch = []);
    waiting.set(deps.queues, opened);
    setImmediate(() => {
      if (waiting.get(deps.queues) === opened) waiting.delete(deps.queues);
      void commit(opened);
    });
  }
  batch.push(request);
  if (batch.length >= MAX_BATCH) waiting.delete(deps.queues);
}

/** One transaction for a batch of articles; each request settles with its own part of the replies. */
async function commit(batch: readonly Request[]): Promise<void> {
  try {
    await commitBatch(batch);
  } catch (error) {
    for (const request of batch) request.reject(error);
  }
}

async function commitBatch(initial: readonly Request[]): Promise<void> {
    let batch = initial;
    const first = batch[0] as Request;
    // Closed while this batch waited for the end of the turn: refuse, rather than open queues nobody will close.
    if (first.deps.queues.closed) throw new Error('crier is shutting down: the queues are closed');
    // Every queue of a QueueSet shares one connection, which has BullMQ's scripts loaded.
    const client = (await first.deps.queues.get(first.deps.targets[0] as TargetConfig).getBackend().client) as unknown as RedisClient;
    defineLedgerScripts(client);
    // Read only for articles planned again after a wrong guess; the others plan on what this process knows.
    const reread = batch.filter((r) => r.replans > 0);
    const read = reread.length > 0 ? await first.deps.ledger.revisionStates(reread.map((r) => r.article.id)) : [];
    const cached = known.get(first.deps.queues);
    // The same article twice in one batch: the later request plans on the state the earlier one leaves.
    const after = new Map<string, RevisionState>();
    const going: Request[] = [];
    batch.forEach((request) => {
      const fresh = request.replans > 0 ? read[reread.indexOf(request)] : undefined;
      const state = after.get(request.article.id) ?? fresh ?? cached?.get(request.article.id) ?? UNKNOWN;
      request.plan = planFor(request.article, state, request.options.by ?? 'cli', request.options.force === true, request.options.ifKnown);
      if (request.plan.action !== 'retracted') after.set(request.article.id, { rev: storedRev(request.plan), revision: request.plan.revision, retracted: false });
      // Retracted and not forced: refused here, nothing written — once a fresh read confirms what this process remembered.
      if (request.plan.action === 'retracted' && request.replans === 0) {
        request.replans++;
        enqueueRequest(request);
      } else if (request.plan.action === 'retracted') request.resolve(refused(request));
      else going.push(request);
    });
    if (going.length === 0) return;
    batch = going;
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
      const count = 1 + jobCount(request);
      const own = replies.slice(offset, offset + count);
      offset += count + headOfLineCount(request);
      try {
        const result = outcomes(request, own, readers[n] as ReadClaims);
        if (result !== 'stale') {
          const plan = request.plan as PublishPlan;
          // An outdated revision changed nothing: what this process knew still stands.
          if (result.action !== 'outdated') rememberRevision(request.deps.queues, request.article.id, { rev: result.rev, revision: plan.revision, retracted: false, ...(plan.updated !== undefined ? { updated: plan.updated } : {}) });
          // What was stored, as stored: a `same` (or outdated) publish kept the earlier article (perhaps not this one).
          if (!keepsStoredArticle(result.action)) request.deps.ledger.remember(request.article, result.rev);
          const resolved = replicated !== undefined ? { ...result, replicated } : result;
          if (!result.outcomes.some((o) => o.updating === true && result.action === 'same')) request.resolve(resolved);
          else catchUp(request, resolved).then(request.resolve, request.reject);
        }
        else if (++request.replans > MAX_REPLANS) request.reject(new Error(`publishing ${request.article.id}: the article kept changing under concurrent publishes`));
        else enqueueRequest(request);
      } catch (error) {
        request.reject(error);
      }
    });
}

/**
 * The same revision published again while some targets' posts still show an older one (a
 * correction sent with --target to others only): an update job for each of them brings it
 * up to date. Its id is the revision's, so publishing again adds nothing twice; a crash
 * before it is added leaves the next publish to add it.
 */
async function catchUp(request: Request, result: PublishResult): Promise<PublishResult> {
  const { article, deps } = request;
  const outcomes = await Promise.all(
    result.outcomes.map(async (o): Promise<PublishOutcome> => {
      if (o.updating !== true) return o;
      const target = deps.targets.find((t) => t.id === o.target) as TargetConfig;
      const queue = deps.queues.get(target);
      // This revision's update ran on this target already and failed (the post stays as it
      // was, the editors were told): `crier retry` is the way to try it again, not a publish.
      if ((await queue.getJob(o.jobId)) !== undefined) return { target: o.target, platform: o.platform, enqueued: false, state: o.state, jobId: jobId(article.id) };
      await queue.add('update', { articleId: article.id, rev: result.rev }, { ...jobOptions(target), jobId: o.jobId });
      return o;
    }),
  );
  return { ...result, outcomes };
}

/** The jobs one article's publish adds, per target, by what the plan expects. */
function jobsFor(request: Request): Array<{ target: TargetConfig; name: DeliveryJobName; id: string; data: DeliveryJobData }> {
  const { article, deps } = request;
  const plan = request.plan as PublishPlan;
  const rev = storedRev(plan);
  const first = plan.action === 'republish' ? republishJobId(article.id, rev) : jobId(article.id);
  const data: DeliveryJobData = { ...request.schedule.data, articleId: article.id };
  const jobs: Array<{ target: TargetConfig; name: DeliveryJobName; id: string; data: DeliveryJobData }> = deps.targets.map((target) => ({ target, name: 'deliver', id: first, data }));
  // An update also adds the first-post job (a no-op where it exists): a target added since gets its post.
  if (plan.action === 'update') for (const target of deps.targets) jobs.push({ target, name: 'update', id: updateJobId(article.id, rev), data: { articleId: article.id, rev } });
  return jobs;
}

function jobCount(request: Request): number {
  return request.deps.targets.length * (request.plan?.action === 'update' ? 2 : 1);
}

/** Scheduled breaking news: its first posts go to the head of their queues when due (queues/head-of-line.ts). */
function headOfLineCount(request: Request): number {
  const { data } = request.schedule;
  return data.dueAt !== undefined && data.priority === 'breaking' ? request.deps.targets.length : 0;
}

/** Queue one article's claim and its jobs on the transaction; returns how to read the claim's reply. */
function queueCommands(tx: ChainableCommander, request: Request): ReadClaims {
  const { article, deps } = request;
  // Jobs are built (and their options checked) before anything is queued, so a throw leaves no claim behind.
  // A scheduled job's delay counts from its own timestamp, so it is due exactly at dueAt.
  const now = Date.now();
  const dueAt = request.schedule.data.dueAt;
  const scheduled = dueAt === undefined ? request.schedule.opts : { ...request.schedule.opts, delay: Math.max(1, dueAt - now), timestamp: now };
  const jobs = jobsFor(request).map(
    ({ target, name, id, data }) => new Job<DeliveryJobData>(deps.queues.get(target), name, data, name === 'deliver' ? { ...jobOptions(target), ...scheduled, jobId: id } : { ...jobOptions(target), jobId: id }, id),
  );
  const readClaims = deps.ledger.saveAndClaimIn(tx, article, deps.targets, request.plan as PublishPlan);
  for (const job of jobs) void job.addJob(tx as never);
  if (headOfLineCount(request) > 0) for (const target of deps.targets) registerHeadOfLine(tx, deps.queues.prefix, target.id, jobs[0]?.id as string, dueAt as number);
  return readClaims;
}

/** A retracted article published again without `force`: nothing written, nothing queued. */
function refused({ article, deps, plan }: Request): PublishResult {
  return {
    articleId: article.id,
    action: 'retracted',
    rev: plan?.expectedRev ?? 0,
    outcomes: deps.targets.map((t) => ({ target: t.id, platform: t.platform, enqueued: false, state: 'retracted', jobId: jobId(article.id) })),
  };
}

/** Target states where an update job has a post to bring up to date (or will once the send in flight settles). */
const UPDATABLE: ReadonlySet<DeliveryState> = new Set(['delivered', 'duplicate', 'sending']);

/** One article's outcomes from its replies: the claim script's, then one per job; 'stale' when it must be planned again. */
function outcomes(request: Request, replies: Array<[Error | null, unknown]>, readClaims: ReadClaims): PublishResult | 'stale' {
  const { article, deps } = request;
  const plan = request.plan as PublishPlan;
  const targets = deps.targets;
  const jobs = jobsFor(request);
  if (replies.length !== 1 + jobs.length) throw new Error(`publishing ${article.id}: Redis answered ${replies.length} of ${1 + jobs.length} commands`);
  replies.forEach(([error, value], i) => {
    if (error !== null) throw error;
    if (i > 0 && typeof value === 'number' && value < 0) throw new Error(`BullMQ refused the job for ${jobs[i - 1]?.target.id} (code ${value})`);
  });
  const claims = readClaims(replies[0]?.[1]);
  if (claims.action === 'stale' || claims.action !== plan.action) return 'stale';
  return {
    articleId: article.id,
    action: claims.action,
    rev: storedRev(plan),
    outcomes: targets.map((target, i): PublishOutcome => {
      const existing = claims.states[i];
      const id = String(replies[i + 1]?.[1] ?? jobs[i]?.id);
      if (existing === undefined || existing === 'queued') {
        return { target: target.id, platform: target.platform, enqueued: existing === undefined, state: 'queued', jobId: id };
      }
      if (claims.behind[i] === true) return { target: target.id, platform: target.platform, enqueued: false, state: existing, jobId: updateJobId(article.id, storedRev(plan)), updating: true };
      const updating = claims.action === 'update' && UPDATABLE.has(existing);
      return { target: target.id, platform: target.platform, enqueued: false, state: existing, jobId: updating ? (jobs[targets.length + i]?.id as string) : id, ...(updating ? { updating } : {}) };
    }),
  };
}
