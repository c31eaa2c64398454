import type { TargetConfig } from '../config/schema.js';
import type { DeliveryRecord, DeliveryState, Ledger } from './ledger.js';
import { jobId } from './names.js';
import { jobOptions, type PublishDeps, type PublishResult } from './publish.js';
import type { DeliveryJobData, QueueSet } from './queue-set.js';
import { firstPostSchedule, priorityOf, toEpoch, type FirstPostSchedule } from './schedule.js';
import { registerHeadOfLineNow } from './head-of-line.js';
import { releaseJobSlot } from './spacing.js';

/**
 * Moving and cancelling scheduled first posts. The ledger is the guard, as everywhere: a
 * job only sends after `begin` moved its record from `queued` to `sending`, and the job id
 * is the same for every copy of an article's first post on a target, so however a move
 * races a worker, the post goes out at most once. BullMQ's own scripts are atomic on the
 * job: changeDelay only moves a job that is still delayed, remove refuses a job a worker
 * holds.
 */

/** How the first post of one target was changed: moved, left as it was, or too late (already going out or out). */
export type MoveOutcome = 'moved' | 'unchanged' | 'too_late' | 'missing';

/** States a first post can be unscheduled from: nothing is being sent yet. */
export const UNSCHEDULABLE: readonly DeliveryState[] = ['queued', 'retrying', 'rate_limited'];

/** What `lastError` of an unscheduled delivery begins with (reschedule recognizes it). */
export const UNSCHEDULED = 'unscheduled';

export interface ScheduleDeps {
  queues: QueueSet;
  ledger: Ledger;
  targets: readonly TargetConfig[];
}

/**
 * Bring a waiting first post to `dueAt` (undefined: now). Delayed → changeDelay (or
 * promote); waiting → removed and added again delayed; active, done or gone → not touched.
 */
export async function moveFirstPost(queues: QueueSet, target: TargetConfig, articleId: string, dueAt: number | undefined, schedule: FirstPostSchedule, now = Date.now(), sendNow = false): Promise<MoveOutcome> {
  const queue = queues.get(target);
  const id = jobId(articleId);
  const job = await queue.getJob(id);
  if (job === undefined) return 'missing';
  const state = await job.getState();
  // An editor's send now: the job goes past quiet hours and spacing (marked before it is promoted, so the worker sees it).
  const sendingNow = sendNow && dueAt === undefined;
  if (state === 'delayed') {
    // Held (quiet hours, spacing) once due — a due time now past counts as none: a replayed publish keeps its slot.
    const due = job.data.dueAt !== undefined && job.data.dueAt > now ? job.data.dueAt : undefined;
    if (!sendingNow && job.data.hold !== undefined && due === undefined && dueAt === undefined) return 'unchanged';
    if (!sendingNow && job.data.dueAt === dueAt) return 'unchanged';
    const { dueAt: _old, hold: _hold, slot: _slot, ...rest } = job.data;
    const data: DeliveryJobData = dueAt === undefined ? (sendingNow ? { ...rest, sendNow: true } : rest) : { ...rest, dueAt };
    if (sendingNow) await job.updateData(data);
    try {
      if (dueAt === undefined) await job.promote();
      else await job.changeDelay(Math.max(1, dueAt - now));
    } catch {
      return 'too_late';
    }
    if (!sendingNow) await job.updateData(data);
    // Breaking news, or an editor's send now, goes first once due (BullMQ would put it at the tail).
    if (data.priority === 'breaking' || sendingNow) await registerHeadOfLineNow(queues.client, queues.prefix, target.id, id, dueAt ?? now);
    return 'moved';
  }
  if (state === 'waiting' || state === 'prioritized') {
    if (sendingNow && job.data.sendNow !== true) {
      await job.updateData({ ...job.data, sendNow: true });
      return 'moved';
    }
    if (dueAt === undefined) return 'unchanged';
    try {
      await job.remove();
    } catch {
      return 'too_late';
    }
    const data: DeliveryJobData = { ...job.data, ...schedule.data, dueAt, articleId };
    const at = Date.now();
    // Its place in line goes with it: the priority it was queued with (--priority, the bot's !) when the article has none.
    const order = firstPostSchedule(undefined, data.priority ?? 'normal', false, at).opts;
    await queue.add('deliver', data, { ...jobOptions(target), ...order, delay: Math.max(1, dueAt - at), timestamp: at, jobId: id });
    if (data.priority === 'breaking') await registerHeadOfLineNow(queues.client, queues.prefix, target.id, id, dueAt);
    return 'moved';
  }
  return 'too_late';
}

/**
 * After a publish of an article that was already known (the same content again, or an
 * update): where its first post has not gone out yet, its time follows the new one.
 */
export async function followSchedule(result: PublishResult, dueAt: number | undefined, schedule: FirstPostSchedule, deps: PublishDeps): Promise<PublishResult> {
  if (result.action !== 'same' && result.action !== 'update') return result;
  const waiting = result.outcomes.filter((o) => o.state === 'queued' && !o.enqueued);
  if (waiting.length === 0) return result;
  await Promise.all(
    waiting.map(async (o) => {
      const target = deps.targets.find((t) => t.id === o.target);
      if (target !== undefined) await moveFirstPost(deps.queues, target, result.articleId, dueAt, schedule).catch(() => 'too_late');
    }),
  );
  return result;
}

export interface ScheduleChange {
  target: string;
  /** unscheduled / moved / scheduled, or why not: the delivery's state, 'too_late', 'not published', 'unknown target'. */
  result: string;
}

/**
 * Apply `change` to the delivery of an article on every target, or the one named: its result
 * per target, 'not published' where the ledger has no record, 'unknown target' for a name
 * no target has.
 */
async function perTarget(
  articleId: string,
  deps: ScheduleDeps,
  only: string | undefined,
  change: (target: TargetConfig, record: DeliveryRecord) => Promise<string>,
): Promise<ScheduleChange[]> {
  const targets = only === undefined ? deps.targets : deps.targets.filter((t) => t.id === only);
  if (targets.length === 0 && only !== undefined) return [{ target: only, result: 'unknown target' }];
  const out: ScheduleChange[] = [];
  for (const target of targets) {
    const record = await deps.ledger.get(articleId, target.id);
    out.push({ target: target.id, result: record === undefined ? 'not published' : await change(target, record) });
  }
  return out;
}

/**
 * Cancel the pending first posts of an article (every target, or one): the ledger record
 * goes from queued (or retrying, rate_limited) to `failed` with a reason beginning
 * "unscheduled", then the waiting job is removed. Nothing is sent until an editor sends it
 * again: `crier retry ID` (now) or `crier reschedule ID --at …` (later). A publish of the same
 * article does not bring it back (a replayed webhook must not). A delivery already being
 * sent, or sent, is not touched.
 */
export function unschedule(articleId: string, deps: ScheduleDeps, options: { target?: string; by?: string } = {}): Promise<ScheduleChange[]> {
  return perTarget(articleId, deps, options.target, async (target, record) => {
    const reason = `${UNSCHEDULED} by ${options.by ?? 'cli'} at ${new Date().toISOString()}: crier retry sends it now, crier reschedule --at … later`;
    const job = await deps.queues.get(target).getJob(jobId(articleId));
    // The priority it was queued with (--priority, the bot's !) goes with the record, so it comes back with the post.
    const asked = job?.data.priority;
    if (!(await deps.ledger.transition(articleId, target.id, UNSCHEDULABLE, 'failed', { lastError: reason, ...(asked !== undefined ? { priority: asked } : {}) }))) return record.state;
    if (job !== undefined) {
      const state = await job.getState();
      // A job a worker holds right now finds the record failed at begin and sends nothing.
      if (state === 'delayed' || state === 'waiting' || state === 'prioritized') {
        await job.remove().catch(() => undefined);
        // Held for spacing: its slot goes back, so the next post need not wait behind it.
        await releaseJobSlot(deps.queues.client, deps.queues.prefix, target, job.data.slot);
      }
    }
    return 'unscheduled';
  });
}

/**
 * Move the pending first posts of an article to `at` (Date, epoch ms, ISO 8601 or "+2h"):
 * a scheduled or waiting one is moved; an unscheduled one (see unschedule) is queued again
 * for that time. Delivered, failed for other reasons, or already sending: left alone.
 */
export async function reschedule(articleId: string, at: Date | number | string, deps: ScheduleDeps, options: { target?: string; sendNow?: boolean } = {}): Promise<ScheduleChange[]> {
  const now = Date.now();
  const dueAt = toEpoch(at, now);
  const article = await deps.ledger.getArticle(articleId);
  const schedule = firstPostSchedule(dueAt > now ? dueAt : undefined, priorityOf(article ?? {}), false, now);
  return perTarget(articleId, deps, options.target, async (target, record) => {
    if (article === undefined) return 'not published';
    if (record.state === 'queued') {
      const moved = await moveFirstPost(deps.queues, target, articleId, dueAt > now ? dueAt : undefined, schedule, now, options.sendNow === true);
      return moved === 'unchanged' ? 'moved' : moved;
    }
    const wasUnscheduled = record.state === 'failed' && record.lastError?.startsWith(UNSCHEDULED) === true;
    if (!wasUnscheduled || !(await deps.ledger.transition(articleId, target.id, ['failed'], 'queued', { lastError: '' }))) return record.state;
    const queue = deps.queues.get(target);
    const id = jobId(articleId);
    await (await queue.getJob(id))?.remove().catch(() => undefined);
    const added = Date.now();
    // Back in line with the priority it was unscheduled with.
    const again = record.priority === undefined ? schedule : firstPostSchedule(schedule.data.dueAt, record.priority, false, now);
    const delayed = again.data.dueAt === undefined ? {} : { delay: Math.max(1, again.data.dueAt - added), timestamp: added };
    const sendNow = options.sendNow === true && again.data.dueAt === undefined ? { sendNow: true as const } : {};
    await queue.add('deliver', { ...again.data, ...sendNow, articleId }, { ...jobOptions(target), ...again.opts, ...delayed, jobId: id });
    if (again.data.priority === 'breaking' && again.data.dueAt !== undefined) await registerHeadOfLineNow(deps.queues.client, deps.queues.prefix, target.id, id, again.data.dueAt);
    return 'scheduled';
  });
}
