import type { Telegraf } from 'telegraf';
import { parseCallbackData } from '../actions.js';
import { editorsOnly } from '../auth.js';
import type { BotServices } from '../services.js';
import { onPosted, onRetry, onSkip } from './alert-actions.js';
import { onCancel, onForcePublish, onPublish } from './post.js';
import { onKeep, onRetract } from './retract.js';

/** Inline buttons (`<verb>:<key>`), editors only: Publish / Cancel under previews, Retry / Skip and Posted / Not posted under alerts, Retract / Keep it under a /retract question. */
export function registerButtons(bot: Telegraf, s: BotServices): void {
  bot.action(/^[pfxrskdn]:/, editorsOnly(s), async (ctx) => {
    const parsed = parseCallbackData(ctx.match.input);
    if (parsed === undefined) {
      await ctx.answerCbQuery('This button is not valid any more.');
      return;
    }
    const handlers = { p: onPublish, f: onForcePublish, x: onCancel, r: onRetry, s: onSkip, k: onPosted, d: onRetract, n: onKeep } as const;
    await handlers[parsed.verb](ctx, parsed.key, s);
  });
}
