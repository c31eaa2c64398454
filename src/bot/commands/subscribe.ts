import type { Context, Telegraf } from 'telegraf';
import type { BotServices } from '../services.js';
import type { Subscribers } from '../subscribers.js';

/** `/subscribe` and `/unsubscribe`, open to anyone, in private chats (only when `bot.subscribers` is on). */
export function registerSubscriberCommands(bot: Telegraf, s: BotServices, subscribers: Subscribers): void {
  bot.command('subscribe', (ctx) => toggle(ctx, s, subscribers, true));
  bot.command('unsubscribe', (ctx) => toggle(ctx, s, subscribers, false));
}

async function toggle(ctx: Context, s: BotServices, subscribers: Subscribers, on: boolean): Promise<void> {
  const chat = ctx.chat;
  if (chat === undefined) return;
  if (chat.type !== 'private') {
    await ctx.reply('Subscriptions are per person: send me /subscribe in a private chat.');
    return;
  }
  const changed = on ? await subscribers.add(chat.id) : await subscribers.remove(chat.id);
  s.logger.info({ userId: ctx.from?.id, subscribed: on, changed }, 'editors bot: subscription');
  if (on) await ctx.reply(changed ? 'Subscribed: you will receive each new article here. /unsubscribe to stop.' : 'You are already subscribed.');
  else await ctx.reply(changed ? 'Unsubscribed: no more articles from me.' : 'You were not subscribed.');
}
