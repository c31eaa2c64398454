/**
 * `/status <url|article id>`, `/retry <article id|url> [target]`, `/resume <target>`:
 * the ledger, read and acted on. Retry never resends a delivered post: only failed or
 * unknown deliveries go back to the queue (queues/retry.ts, a compare-and-set).
 */
import type { Context, Telegraf } from 'telegraf';
import { retryDeliveries } from '../../../queues/retry.js';
import { SetupError } from '../../app.js';
import { articleId } from '../../article/schema.js';
import { editorsOnly } from '../auth.js';
import { escapeHtml, renderRetry, renderStatus, safe } from '../render.js';
import { who, type BotServices } from '../services.js';
import { HTML } from './post.js';

/** An article id as typed, or the id of the article at a URL (`articleId({url})`). */
export function resolveArticleId(arg: string): string {
  if (/^https?:\/\//i.test(arg)) {
    try {
      return articleId({ url: arg });
    } catch {
      return arg;
    }
  }
  return arg;
}

const words = (payload: string): string[] => payload.trim().split(/\s+/).filter((w) => w !== '');

export function registerStatusCommands(bot: Telegraf, s: BotServices): void {
  const guard = editorsOnly(s);
  bot.command('status', guard, (ctx) => status(ctx, words(ctx.payload), s));
  bot.command('retry', guard, (ctx) => retry(ctx, words(ctx.payload), s));
  bot.command('resume', guard, (ctx) => resume(ctx, words(ctx.payload), s));
}

async function status(ctx: Context, args: string[], s: BotServices): Promise<void> {
  const arg = args[0];
  if (arg === undefined) {
    await ctx.reply('Send /status followed by an article link or id.');
    return;
  }
  const id = resolveArticleId(arg);
  const [records, article] = await Promise.all([s.app.ledger.getAll(id), s.app.ledger.getArticle(id)]);
  await ctx.reply(renderStatus(id, article, records), HTML);
}

async function retry(ctx: Context, args: string[], s: BotServices): Promise<void> {
  const [arg, target] = args;
  if (arg === undefined) {
    await ctx.reply('Send /retry followed by an article id (and optionally a target) to send failed deliveries again.');
    return;
  }
  const id = resolveArticleId(arg);
  const outcomes = await retryDeliveries(id, s.app.targets, { ledger: s.app.ledger, queues: s.app.queues }, target);
  s.logger.info({ articleId: id, target, by: who(ctx.from), outcomes }, 'editors bot: retry');
  await ctx.reply(renderRetry(id, outcomes), HTML);
}

async function resume(ctx: Context, args: string[], s: BotServices): Promise<void> {
  const target = args[0];
  const known = s.app.targets.map((t) => t.id).join(', ');
  if (target === undefined) {
    await ctx.reply(`Send /resume followed by a target: ${known}.`);
    return;
  }
  let resumed: boolean;
  try {
    resumed = await s.app.resume(target);
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    await ctx.reply(`Unknown target <b>${safe(target, 64)}</b>. Targets: ${escapeHtml(known)}.`, HTML);
    return;
  }
  if (!resumed) {
    await ctx.reply(`<b>${escapeHtml(target)}</b> is not paused: nothing to resume.`, HTML);
    return;
  }
  s.logger.info({ target, by: who(ctx.from) }, 'editors bot: resumed target');
  await ctx.reply(`▶️ Resumed <b>${escapeHtml(target)}</b>: its waiting deliveries go out now.`, HTML);
}
