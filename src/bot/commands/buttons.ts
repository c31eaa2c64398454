import type { Telegraf } from 'telegraf';
import { parseCallbackData } from '../actions.js';
import { editorsOnly } from '../auth.js';
import type { BotServices } from '../services.js';
import { onPosted, onRetry, onSkip } from './alert-actions.js';
import { onCancel, onPublish } from './post.js';

/** Inline buttons (`<verb>:<key>`), editors only: Publish / Cancel under previews, Retry / Skip and Posted / Not posted under alerts. */
export function registerButtons(bot: Telegraf, s: BotServices): void {
  bot.action(/^[pxrsk]:/, editorsOnly(s), async (ctx) => {
    const parsed = parseCallbackData(ctx.match.input);
    if (parsed === undefined) {
      await ctx.answerCbQuery('This button is not valid any more.');
      return;
    }
    const handlers = { p: onPublish, x: onCancel, r: onRetry, s: onSkip, k: onPosted } as const;
    await handlers[parsed.verb](ctx, parsed.key, s);
  });
}
