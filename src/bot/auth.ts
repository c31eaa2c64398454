import type { Context, MiddlewareFn } from 'telegraf';
import type { Config } from '../../config/schema.js';
import type { BotServices } from './services.js';

/** True when this Telegram user id is one of `bot.editors`. */
export function isEditor(config: Pick<Config, 'bot'>, userId: number | undefined): boolean {
  return userId !== undefined && config.bot.editors.includes(userId);
}

export function refusalText(userId: number | undefined): string {
  const id = userId === undefined ? '' : ` (your Telegram user id is ${userId})`;
  return `Sorry, this bot is only for the newsroom's editors. If you should have access, ask an editor to add you${id}.`;
}

/** The text of the command or button a refused user tried, for the log. */
function attempted(ctx: Context): string | undefined {
  const cq = ctx.callbackQuery;
  if (cq !== undefined) return 'data' in cq ? `button ${cq.data}` : 'button';
  const msg = ctx.message;
  if (msg !== undefined && 'text' in msg) return msg.text.split(/\s/)[0]?.slice(0, 64);
  return undefined;
}

/** Politely refuse a non-editor (an alert for buttons, a reply for messages) and log the attempt with their id. */
export async function refuse(ctx: Context, services: Pick<BotServices, 'logger'>): Promise<void> {
  const userId = ctx.from?.id;
  services.logger.warn(
    { userId, username: ctx.from?.username, chatId: ctx.chat?.id, attempted: attempted(ctx) },
    'editors bot: refused a user who is not an editor',
  );
  // Their user id is told to them alone: a button's alert is theirs, a reply in a group is everyone's.
  const privately = ctx.chat === undefined || ctx.chat.type === 'private';
  if (ctx.callbackQuery !== undefined) await ctx.answerCbQuery(refusalText(userId), { show_alert: true });
  else if (ctx.chat !== undefined) await ctx.reply(refusalText(privately ? userId : undefined));
}

/** Middleware letting only editors through; everyone else is refused (and logged). */
export function editorsOnly(services: Pick<BotServices, 'config' | 'logger'>): MiddlewareFn<Context> {
  return async (ctx, next) => {
    if (isEditor(services.config, ctx.from?.id)) return next();
    await refuse(ctx, services);
  };
}
