import type { Telegraf } from 'telegraf';
import { isEditor, refuse } from '../auth.js';
import type { BotServices } from '../services.js';

/**
 * Messages no command took. Commands addressed to another bot (`/post@otherbot`) and
 * group chatter are ignored; in a private chat, editors get a hint and anyone else the
 * polite refusal (or, with subscribers on, how to subscribe).
 */
export function registerFallback(bot: Telegraf, s: BotServices): void {
  bot.on('message', async (ctx) => {
    const msg = ctx.message;
    const text = 'text' in msg ? msg.text : '';
    const first = 'entities' in msg ? msg.entities?.[0] : undefined;
    const isCommand = first?.type === 'bot_command' && first.offset === 0;
    if (isCommand) {
      const to = text.slice(0, first.length).split('@')[1];
      if (to !== undefined && to.toLowerCase() !== ctx.me.toLowerCase()) return;
    } else if (ctx.chat.type !== 'private') return;
    if (isEditor(s.config, ctx.from.id)) {
      await ctx.reply(isCommand ? 'I do not know that command. Send /help for the list.' : 'Send /post <link> to publish an article, or /help.');
    } else if (s.subscribers !== undefined && ctx.chat.type === 'private') {
      await ctx.reply('Send /subscribe to receive each new article here, /unsubscribe to stop.');
    } else await refuse(ctx, s);
  });
}
