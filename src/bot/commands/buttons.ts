import type { Telegraf } from 'telegraf';
import { BUTTON_VERBS, parseCallbackData } from '../actions.js';
import { editorsOnly } from '../auth.js';
import type { BotServices } from '../services.js';
import { onPosted, onRetry, onSkip } from './alert-actions.js';
import { onCancel, onForcePublish, onPublish } from './post.js';
import { onKeep, onRetract } from './retract.js';
import { onLater, onSendNow, onUnschedule } from './schedule.js';

/** Inline buttons (`<verb>:<key>`), editors only: Publish (Schedule, Send now) / Cancel under previews, Send now / +1 h / Unschedule under a scheduled post, Retry / Skip and Posted / Not posted under alerts, Retract / Keep it under a /retract question. */
export function registerButtons(bot: Telegraf, s: BotServices): void {
  bot.action(new RegExp(`^[${BUTTON_VERBS}]:`), editorsOnly(s), async (ctx) => {
    const parsed = parseCallbackData(ctx.match.input);
    if (parsed === undefined) {
      await ctx.answerCbQuery('This button is not valid any more.');
      return;
    }
    const handlers = { p: onPublish, f: onForcePublish, x: onCancel, r: onRetry, s: onSkip, k: onPosted, d: onRetract, n: onKeep, g: onSendNow, l: onLater, u: onUnschedule } as const;
    await handlers[parsed.verb](ctx, parsed.key, s);
  });
  // Any other button (one of an older build, a forged one): answered, so its spinner stops.
  bot.on('callback_query', async (ctx) => {
    await ctx.answerCbQuery('This button is not valid any more.');
  });
}
