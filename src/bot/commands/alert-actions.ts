/**
 * The buttons under an alert. Retry / "Not posted — send again" re-enqueues the delivery
 * through retryDeliveries (failed/unknown only — a delivered post is never sent again);
 * Skip marks it settled by a human (skipDelivery); Posted records that an editor saw the
 * post on the platform (confirmPosted: unknown → delivered). Either way the alert is
 * edited to say who did what, and its buttons go away.
 */
import type { Context } from 'telegraf';
import { confirmPosted, retryDeliveries, skipDelivery } from '../../../queues/retry.js';
import type { BotAction } from '../actions.js';
import { renderAlertSettled } from '../render.js';
import { who, type BotServices } from '../services.js';
import { HTML } from './post.js';

type AlertAction = Extract<BotAction, { kind: 'alert' }>;

async function settleAlert(ctx: Context, s: BotServices, key: string, action: AlertAction, outcome: string, by: string): Promise<void> {
  await s.actions.update(key, { ...action, settledBy: by });
  try {
    await ctx.editMessageText(renderAlertSettled(action.alertHtml, outcome, by), HTML);
  } catch (error) {
    s.logger.info({ err: (error as Error).message }, 'editors bot: could not edit an alert');
  }
}

async function withAlert(ctx: Context, key: string, s: BotServices, fn: (action: AlertAction, by: string) => Promise<string>): Promise<void> {
  const by = who(ctx.from);
  const run = await s.actions.exclusive(key, async () => {
    const action = await s.actions.get(key);
    if (action?.kind !== 'alert') return 'This alert has expired: use /status and /retry.';
    if (action.settledBy !== undefined) return `Already settled by ${action.settledBy}.`;
    return fn(action, by);
  });
  await ctx.answerCbQuery(run.ran ? run.value : 'Busy, try again.');
}

export function onRetry(ctx: Context, key: string, s: BotServices): Promise<void> {
  return withAlert(ctx, key, s, async (action, by) => {
    const [outcome] = await retryDeliveries(action.articleId, s.app.targets, { ledger: s.app.ledger, queues: s.app.queues }, action.target);
    s.logger.info({ articleId: action.articleId, target: action.target, by, result: outcome?.result }, 'editors bot: retry from alert');
    if (outcome?.result === 'retried') {
      await settleAlert(ctx, s, key, action, '🔁 Queued again', by);
      return 'Queued again.';
    }
    const state = outcome?.result ?? 'not published';
    if (state === 'delivered' || state === 'duplicate' || state === 'skipped') await settleAlert(ctx, s, key, action, `Not sent again: it is ${state}`, by);
    return `Not retried: the delivery is ${state}.`;
  });
}

export function onSkip(ctx: Context, key: string, s: BotServices): Promise<void> {
  return withAlert(ctx, key, s, async (action, by) => {
    if (await skipDelivery(action.articleId, action.target, s.app.ledger)) {
      s.logger.info({ articleId: action.articleId, target: action.target, by }, 'editors bot: skipped delivery');
      await settleAlert(ctx, s, key, action, '⏭ Skipped: it will not be sent', by);
      return 'Skipped.';
    }
    const record = await s.app.ledger.get(action.articleId, action.target);
    return `Cannot skip: the delivery is ${record?.state ?? 'unknown to the ledger'}.`;
  });
}

export function onPosted(ctx: Context, key: string, s: BotServices): Promise<void> {
  return withAlert(ctx, key, s, async (action, by) => {
    if (await confirmPosted(action.articleId, action.target, s.app.ledger, by)) {
      s.logger.info({ articleId: action.articleId, target: action.target, by }, 'editors bot: confirmed a delivery in doubt as posted');
      await settleAlert(ctx, s, key, action, '✅ Posted: confirmed on the platform', by);
      return 'Recorded as posted.';
    }
    const record = await s.app.ledger.get(action.articleId, action.target);
    return `Not changed: the delivery is ${record?.state ?? 'unknown to the ledger'}.`;
  });
}
