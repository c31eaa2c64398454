/**
 * `/post` and `/preview`: an article (from a link) or a short post (text + link) shown
 * as every target's post; `/post` adds Publish / Cancel buttons. Publish enqueues
 * through App.publish exactly like an automatic publish — same article id, same job
 * ids, same ledger claims — so pressing it twice, or publishing the same article from
 * the CMS as well, delivers once. `/post … at <time>` asks "Schedule for …?" with
 * Schedule / Send now / Cancel, and `/post … !` publishes as breaking news
 * (src/bot/post-schedule.ts); the scheduled post's buttons are in ./schedule.ts.
 */
import type { Context, Telegraf } from 'telegraf';
import type { Message } from 'telegraf/types';
import { UNSCHEDULABLE } from '../../../queues/reschedule.js';
import { ArticleError, type Article } from '../../article/schema.js';
import { callbackData, PENDING_TTL_SECONDS } from '../actions.js';
import { ArticleInputError, fetchArticle, parsePostRequest, shortPostArticle, type QuotedMessage } from '../article-input.js';
import { editorsOnly } from '../auth.js';
import { formatTime, splitPostSchedule } from '../post-schedule.js';
import { buildPreviews } from '../previews.js';
import { fitMessage, queuedNothing, renderQueued, safe } from '../render.js';
import { renderPreview } from '../render-preview.js';
import { BREAKING_NOTE, renderScheduled, renderTooLate } from '../render-schedule.js';
import { who, type BotServices } from '../services.js';

export const HTML = { parse_mode: 'HTML' as const, link_preview_options: { is_disabled: true } };

export function registerPostCommands(bot: Telegraf, s: BotServices): void {
  const guard = editorsOnly(s);
  bot.command('post', guard, (ctx) => postOrPreview(ctx, ctx.payload, s, 'post'));
  bot.command('preview', guard, (ctx) => postOrPreview(ctx, ctx.payload, s, 'preview'));
}

function quoted(message: Message | undefined): QuotedMessage | undefined {
  if (message === undefined) return undefined;
  const out: QuotedMessage = {};
  if ('text' in message) {
    out.text = message.text;
    if (message.entities !== undefined) out.entities = message.entities;
  }
  if ('caption' in message && message.caption !== undefined) {
    out.caption = message.caption;
    if (message.caption_entities !== undefined) out.caption_entities = message.caption_entities;
  }
  return out;
}

/** The article a /post or /preview names, or undefined after telling the editor why not. */
async function articleFor(ctx: Context, payload: string, s: BotServices): Promise<Article | undefined> {
  const message = ctx.message;
  const replied = message !== undefined && 'reply_to_message' in message ? (message.reply_to_message as Message | undefined) : undefined;
  const request = parsePostRequest(payload, quoted(replied));
  try {
    switch (request.kind) {
      case 'usage':
        await ctx.reply(request.message);
        return undefined;
      case 'text':
        return shortPostArticle(request.url, request.text);
      case 'url':
        return await fetchArticle(request.url, s.config, { timeoutMs: s.fetchTimeoutMs });
    }
  } catch (error) {
    if (error instanceof ArticleInputError) {
      await ctx.reply(error.message);
      return undefined;
    }
    if (error instanceof ArticleError) {
      await ctx.reply(`That cannot be posted: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

async function postOrPreview(ctx: Context, payload: string, s: BotServices, mode: 'post' | 'preview'): Promise<void> {
  const zone = s.config.bot.timeZone;
  const when = splitPostSchedule(payload, Date.now(), zone);
  if (!when.ok) {
    await ctx.reply(when.message);
    return;
  }
  const article = await articleFor(ctx, when.payload, s);
  if (article === undefined) return;
  const previews = await buildPreviews(s.app, article);
  if (mode === 'preview') {
    await ctx.reply(renderPreview(article, previews), HTML);
    return;
  }
  const title = when.at !== undefined ? `Schedule for ${formatTime(when.at, zone)}?` : when.breaking ? 'Publish this as breaking news?' : 'Publish this?';
  const preview = renderPreview(article, previews, { title });
  const html = when.breaking ? `${preview}\n\n${BREAKING_NOTE}` : preview;
  if (previews.length === 0) {
    await ctx.reply(html, HTML);
    return;
  }
  const action = { kind: 'pending' as const, article, previewHtml: html, ...(when.at !== undefined ? { at: when.at } : {}), ...(when.breaking ? { breaking: true } : {}) };
  const key = await s.actions.put(action, PENDING_TTL_SECONDS);
  const buttons =
    when.at !== undefined
      ? [
          { text: 'Schedule', callback_data: callbackData('p', key) },
          { text: 'Send now', callback_data: callbackData('g', key) },
          { text: 'Cancel', callback_data: callbackData('x', key) },
        ]
      : [
          { text: 'Publish', callback_data: callbackData('p', key) },
          { text: 'Cancel', callback_data: callbackData('x', key) },
        ];
  await ctx.reply(html, { ...HTML, reply_markup: { inline_keyboard: [buttons] } });
}

/** The buttons under a scheduled post. */
export function scheduledButtons(key: string): Array<Array<{ text: string; callback_data: string }>> {
  return [[
    { text: 'Send now', callback_data: callbackData('g', key) },
    { text: '+1 h', callback_data: callbackData('l', key) },
    { text: 'Unschedule', callback_data: callbackData('u', key) },
  ]];
}

/** Replace the preview's text (dropping its buttons, or with new ones); a message Telegram will not edit any more is left as is. */
export async function settle(ctx: Context, s: BotServices, html: string, buttons?: Array<Array<{ text: string; callback_data: string }>>): Promise<void> {
  try {
    await ctx.editMessageText(fitMessage(html), buttons === undefined ? HTML : { ...HTML, reply_markup: { inline_keyboard: buttons } });
  } catch (error) {
    s.logger.info({ err: (error as Error).message }, 'editors bot: could not edit a preview');
  }
}

/** Publish button. */
export function onPublish(ctx: Context, key: string, s: BotServices): Promise<void> {
  return publishFromPreview(ctx, key, s, false);
}

/** "Publish anyway" under a preview of a retracted article. */
export function onForcePublish(ctx: Context, key: string, s: BotServices): Promise<void> {
  return publishFromPreview(ctx, key, s, true);
}

/** "Send now" under a `/post … at` preview that was not scheduled yet: publish it at once. */
export function onPublishNow(ctx: Context, key: string, s: BotServices): Promise<void> {
  return publishFromPreview(ctx, key, s, false, true);
}

async function publishFromPreview(ctx: Context, key: string, s: BotServices, force: boolean, now = false): Promise<void> {
  const by = who(ctx.from);
  const run = await s.actions.exclusive(key, async () => {
    const action = await s.actions.get(key);
    if (action?.kind !== 'pending') return 'This preview has expired: send /post again.';
    if (action.cancelledBy !== undefined) return `This post was cancelled by ${action.cancelledBy}.`;
    if (action.publishedBy !== undefined) return action.scheduledBy !== undefined ? `Already scheduled by ${action.scheduledBy}.` : `Already queued by ${action.publishedBy}.`;
    const at = now ? undefined : action.at;
    if (at !== undefined && at <= Date.now()) return `${formatTime(at, s.config.bot.timeZone)} has passed: press Send now, or /post again with a later time.`;
    const result = await s.app.publish(action.article, undefined, {
      by: `editor ${by}`,
      force,
      // Send now: now, whatever the article's own publishedAt says; Publish keeps an embargo it has.
      ...(now ? { at: Date.now() } : at !== undefined ? { at } : {}),
      ...(action.breaking === true ? { priority: 'breaking' as const } : {}),
    });
    if (result.action === 'retracted') {
      // Retracted earlier: publishing it again is a deliberate act.
      try {
        await ctx.editMessageText(fitMessage(`${action.previewHtml}\n\n⚠️ <b>This article was retracted.</b> Publish it again anyway?`), {
          ...HTML,
          reply_markup: { inline_keyboard: [[{ text: 'Publish anyway', callback_data: callbackData('f', key) }, { text: 'Cancel', callback_data: callbackData('x', key) }]] },
        });
      } catch (error) {
        s.logger.info({ err: (error as Error).message }, 'editors bot: could not edit a preview');
      }
      return 'It was retracted: press Publish anyway to publish it again.';
    }
    const enqueued = result.outcomes.filter((o) => o.enqueued).map((o) => o.target);
    if (at !== undefined && !result.outcomes.some((o) => o.enqueued || UNSCHEDULABLE.includes(o.state))) {
      // Known already, and out (or going out) everywhere: nothing is left to schedule.
      await s.actions.update(key, { ...action, publishedBy: by, articleId: result.articleId, settled: 'too late, already sent' });
      await settle(ctx, s, `${action.previewHtml}\n\n${renderTooLate(result.articleId, result.outcomes.map((o) => ({ target: o.target, result: o.state })))}`);
      return 'Too late: already sent.';
    }
    if (at !== undefined) {
      await s.actions.update(key, { ...action, publishedBy: by, scheduledBy: by, articleId: result.articleId });
      s.logger.info({ articleId: result.articleId, by, at: new Date(at).toISOString(), breaking: action.breaking === true, enqueued }, 'editors bot: scheduled');
      const footer = renderScheduled({ articleId: result.articleId, at, zone: s.config.bot.timeZone, by, result, ...(action.breaking === true ? { breaking: true } : {}) });
      await settle(ctx, s, `${action.previewHtml}\n\n${footer}`, scheduledButtons(key));
      return 'Scheduled.';
    }
    await s.actions.update(key, { ...action, publishedBy: by, articleId: result.articleId, ...(action.at !== undefined ? { settled: `sent now by ${by}` } : {}) });
    s.logger.info({ articleId: result.articleId, by, breaking: action.breaking === true, enqueued }, 'editors bot: published');
    await settle(ctx, s, `${action.previewHtml}\n\n${renderQueued(result, by)}`);
    return queuedNothing(result) ? 'Nothing new: crier knew this article already.' : 'Queued.';
  });
  await ctx.answerCbQuery(run.ran ? run.value : 'Already being published…');
}

/** Cancel button. */
export async function onCancel(ctx: Context, key: string, s: BotServices): Promise<void> {
  const by = who(ctx.from);
  const run = await s.actions.exclusive(key, async () => {
    const action = await s.actions.get(key);
    if (action?.kind !== 'pending') return 'This preview has expired.';
    if (action.publishedBy !== undefined) return `Too late: already queued by ${action.publishedBy}.`;
    if (action.cancelledBy !== undefined) return 'Already cancelled.';
    await s.actions.update(key, { ...action, cancelledBy: by });
    await settle(ctx, s, `${action.previewHtml}\n\n✖️ <b>Cancelled</b> by ${safe(by, 64)}: nothing was sent.`);
    return 'Cancelled.';
  });
  await ctx.answerCbQuery(run.ran ? run.value : 'Busy, try again.');
}
