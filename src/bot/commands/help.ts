import type { Context, Telegraf } from 'telegraf';
import { isEditor, refuse } from '../auth.js';
import type { BotServices } from '../services.js';

/** Commands shown by Telegram's menu (setMyCommands): names 1–32 of a-z 0-9 _. */
export const EDITOR_COMMANDS = [
  { command: 'post', description: 'Preview an article (link) or a short post, then publish it' },
  { command: 'preview', description: 'Show the posts an article would become' },
  { command: 'status', description: 'Delivery state of an article (link or id)' },
  { command: 'queue', description: 'What has not gone out yet, when and why: /queue [target]' },
  { command: 'retry', description: 'Send failed deliveries again: /retry <id> [target]' },
  { command: 'resume', description: 'Resume a paused target: /resume <target>' },
  { command: 'retract', description: 'Take an article\'s posts down: /retract <link or id>' },
  { command: 'help', description: 'What this bot can do' },
] as const;

export const SUBSCRIBER_COMMANDS = [
  { command: 'subscribe', description: 'Receive each new article here' },
  { command: 'unsubscribe', description: 'Stop receiving articles' },
] as const;

export const HELP_TEXT = [
  'I publish the newsroom’s articles to every channel. Commands:',
  '',
  '/post <link> — preview an article, then Publish or Cancel',
  '/post <link> <text> — publish your own short text with the link (first line = title, the rest = summary); or reply to a message with /post',
  '/post <link> at 18:00 — schedule it (the next 18:00 in the newsroom’s time zone; also at +30m, at 2026-12-03 18:00, an ISO time); then Send now, +1 h or Unschedule',
  '/post <link> ! — breaking news: ahead of every waiting post, past quiet hours and spacing (with a time: /post <link> at 18:00 !)',
  '/preview <link> — the posts an article would become, nothing else',
  '/status <link or article id> — each target’s state, link, attempts, last error',
  '/queue [target] — what has not gone out yet: due time and why it waits (embargo, quiet hours, spacing, rate limit…)',
  '/retry <article id> [target] — send failed or unknown deliveries again (never a delivered one)',
  '/resume <target> — resume a target paused for a human',
  '/retract <link or article id> [reason] — take an article’s posts down everywhere (asks first)',
  'Posting an article again after it changed updates its posts (edits where the platform allows).',
].join('\n');

export function registerHelpCommands(bot: Telegraf, s: BotServices): void {
  bot.command('help', (ctx) => help(ctx, s));
  bot.start((ctx) => start(ctx, s));
}

async function help(ctx: Context, s: BotServices): Promise<void> {
  if (isEditor(s.config, ctx.from?.id)) await ctx.reply(HELP_TEXT);
  else if (s.subscribers !== undefined) await ctx.reply('Send /subscribe to receive each new article here, /unsubscribe to stop.');
  else await refuse(ctx, s);
}

async function start(ctx: Context, s: BotServices): Promise<void> {
  if (s.subscribers !== undefined && ctx.chat?.type === 'private') {
    const intro = 'Hello! Send /subscribe to receive each new article here, /unsubscribe to stop.';
    await ctx.reply(isEditor(s.config, ctx.from?.id) ? `${intro}\n\n${HELP_TEXT}` : intro);
  } else if (isEditor(s.config, ctx.from?.id)) await ctx.reply(HELP_TEXT);
  else await refuse(ctx, s);
}
