/**
 * The buttons under a scheduled post (`/post … at <time>`, then Schedule): Send now,
 * +1 h, Unschedule. Each acts through the App (reschedule to now, reschedule an hour
 * later, unschedule), which the ledger guards: a post that already went out is never sent
 * again, and the button says it came too late. Each press runs alone per message
 * (ActionStore.exclusive), like Publish.
 */
import type { Context } from 'telegraf';
import type { ScheduleChange } from '../../../queues/reschedule.js';
import type { BotAction } from '../actions.js';
import { formatTime } from '../post-schedule.js';
import { changeOutcome, renderScheduled, renderSentNow, renderTooLate, renderUnscheduled } from '../render-schedule.js';
import { who, type BotServices } from '../services.js';
import { onPublishNow, scheduledButtons, settle } from './post.js';

type Pending = Extract<BotAction, { kind: 'pending' }>;

/** One hour, the step of the "+1 h" button. */
export const LATER_MS = 3_600_000;

/**
 * Run a schedule button on a scheduled post: `fn` changes the schedule and says what the
 * message and the answer become; the spent or expired cases are answered here.
 */
async function onScheduled(ctx: Context, key: string, s: BotServices, fn: (action: Pending & { articleId: string; at: number }, by: string) => Promise<string>): Promise<void> {
  const by = who(ctx.from);
  const run = await s.actions.exclusive(key, async () => {
    const action = await s.actions.get(key);
    if (action?.kind !== 'pending') return 'This post has expired: use /status and /queue.';
    if (action.settled !== undefined) return `Already done: ${action.settled}.`;
    if (action.scheduledBy === undefined || action.articleId === undefined || action.at === undefined) return 'This post is not scheduled.';
    return fn({ ...action, articleId: action.articleId, at: action.at }, by);
  });
  await ctx.answerCbQuery(run.ran ? run.value : 'Busy, try again.');
}

/** Too late everywhere: say so on the message (no buttons left) and in the answer. */
async function tooLate(ctx: Context, key: string, s: BotServices, action: Pending & { articleId: string }, changes: readonly ScheduleChange[]): Promise<string> {
  await s.actions.update(key, { ...action, settled: 'too late, already sent' });
  await settle(ctx, s, `${action.previewHtml}\n\n${renderTooLate(action.articleId, changes)}`);
  return 'Too late: already sent.';
}

/** Send now: under a scheduled post, bring it forward to now; under a `/post … at` preview, publish it now. */
export async function onSendNow(ctx: Context, key: string, s: BotServices): Promise<void> {
  const action = await s.actions.get(key);
  if (action?.kind === 'pending' && action.scheduledBy === undefined && action.publishedBy === undefined) {
    await onPublishNow(ctx, key, s);
    return;
  }
  await onScheduled(ctx, key, s, async (a, by) => {
    const changes = await s.app.reschedule(a.articleId, Date.now(), { sendNow: true });
    s.logger.info({ articleId: a.articleId, by, changes }, 'editors bot: scheduled post sent now');
    const outcome = changeOutcome(changes);
    if (outcome === 'too_late') return tooLate(ctx, key, s, a, changes);
    if (outcome === 'nothing') return `Nothing to send: ${changes.map((c) => `${c.target} ${c.result}`).join(', ')}.`;
    await s.actions.update(key, { ...a, settled: `sent now by ${by}` });
    await settle(ctx, s, `${a.previewHtml}\n\n${renderSentNow(a.articleId, by, changes)}`);
    return 'Sending now.';
  });
}

/** +1 h: the scheduled time moves one hour later (an hour from now when that time has passed: never sooner). */
export async function onLater(ctx: Context, key: string, s: BotServices): Promise<void> {
  await onScheduled(ctx, key, s, async (a, by) => {
    const at = Math.max(a.at, Date.now()) + LATER_MS;
    const changes = await s.app.reschedule(a.articleId, at);
    s.logger.info({ articleId: a.articleId, by, at: new Date(at).toISOString(), changes }, 'editors bot: scheduled post moved');
    const outcome = changeOutcome(changes);
    if (outcome === 'too_late') return tooLate(ctx, key, s, a, changes);
    if (outcome === 'nothing') return `Nothing to move: ${changes.map((c) => `${c.target} ${c.result}`).join(', ')}.`;
    await s.actions.update(key, { ...a, at });
    const footer = renderScheduled({ articleId: a.articleId, at, zone: s.config.bot.timeZone, by, moved: changes, ...(a.breaking === true ? { breaking: true } : {}) });
    await settle(ctx, s, `${a.previewHtml}\n\n${footer}`, scheduledButtons(key));
    return `Moved to ${formatTime(at, s.config.bot.timeZone)}.`;
  });
}

/** Unschedule: nothing is sent (an editor can /retry it later). */
export async function onUnschedule(ctx: Context, key: string, s: BotServices): Promise<void> {
  await onScheduled(ctx, key, s, async (a, by) => {
    const changes = await s.app.unschedule(a.articleId, { by: `editor ${by}` });
    s.logger.info({ articleId: a.articleId, by, changes }, 'editors bot: post unscheduled');
    const outcome = changeOutcome(changes);
    if (outcome === 'too_late') return tooLate(ctx, key, s, a, changes);
    if (outcome === 'nothing') return `Nothing to unschedule: ${changes.map((c) => `${c.target} ${c.result}`).join(', ')}.`;
    await s.actions.update(key, { ...a, settled: `unscheduled by ${by}` });
    await settle(ctx, s, `${a.previewHtml}\n\n${renderUnscheduled(a.articleId, by, changes)}`);
    return 'Unscheduled: nothing was sent.';
  });
}
