/**
 * `/queue [target]`: what has not gone out yet (App.pending()) — per delivery its target,
 * title, due time in the editors' zone, why it waits (embargo, quiet hours, spacing, rate
 * limit, paused, queued, retrying) and a mark for breaking news — as much as fits one
 * message.
 */
import type { Context, Telegraf } from 'telegraf';
import { editorsOnly } from '../auth.js';
import { escapeHtml, safe } from '../render.js';
import { renderQueue } from '../render-schedule.js';
import type { BotServices } from '../services.js';
import { HTML } from './post.js';

/** How many pending jobs per target and state /queue reads (the message shows fewer). */
export const QUEUE_READ_LIMIT = 200;

export function registerQueueCommand(bot: Telegraf, s: BotServices): void {
  bot.command('queue', editorsOnly(s), (ctx) => queue(ctx, ctx.payload.trim().split(/\s+/)[0] ?? '', s));
}

async function queue(ctx: Context, target: string, s: BotServices): Promise<void> {
  if (target !== '' && s.app.target(target) === undefined) {
    const known = s.app.targets.map((t) => t.id).join(', ');
    await ctx.reply(`Unknown target <b>${safe(target, 64)}</b>. Targets: ${escapeHtml(known)}.`, HTML);
    return;
  }
  const pending = await s.app.pending({ limit: QUEUE_READ_LIMIT, ...(target !== '' ? { target } : {}) });
  await ctx.reply(renderQueue(pending, s.config.bot.timeZone, target === '' ? undefined : target), HTML);
}
