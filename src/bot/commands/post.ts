/**
 * `/post` and `/preview`: an article (from a link) or a short post (text + link) shown
 * as every target's post; `/post` adds Publish / Cancel buttons. Publish enqueues
 * through App.publish exactly like an automatic publish — same article id, same job
 * ids, same ledger claims — so pressing it twice, or publishing the same article from
 * the CMS as well, delivers once.
 */
import type { Context, Telegraf } from 'telegraf';
import type { Message } from 'telegraf/types';
import { ArticleError, type Article } from '../../article/schema.js';
import { callbackData, PENDING_TTL_SECONDS } from '../actions.js';
import { ArticleInputError, fetchArticle, parsePostRequest, shortPostArticle, type QuotedMessage } from '../article-input.js';
import { editorsOnly } from '../auth.js';
import { buildPreviews } from '../previews.js';
import { fitMessage, renderQueued, safe } from '../render.js';
import { renderPreview } from '../render-preview.js';
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
  const article = await articleFor(ctx, payload, s);
  if (article === undefined) return;
  const previews = await buildPreviews(s.app, article);
  if (mode === 'preview') {
    await ctx.reply(renderPreview(article, previews), HTML);
    return;
  }
  const html = renderPreview(article, previews, { title: 'Publish this?' });
  if (previews.length === 0) {
    await ctx.reply(html, HTML);
    return;
  }
  const key = await s.actions.put({ kind: 'pending', article, previewHtml: html }, PENDING_TTL_SECONDS);
  await ctx.reply(html, {
    ...HTML,
    reply_markup: {
      inline_keyboard: [[
        { text: 'Publish', callback_data: callbackData('p', key) },
        { text: 'Cancel', callback_data: callbackData('x', key) },
      ]],
    },
  });
}

/** Replace the preview's text (dropping its buttons); a message Telegram will not edit any more is left as is. */
async function settle(ctx: Context, s: BotServices, html: string): Promise<void> {
  try {
    await ctx.editMessageText(fitMessage(html), HTML);
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

async function publishFromPreview(ctx: Context, key: string, s: BotServices, force: boolean): Promise<void> {
  const by = who(ctx.from);
  const run = await s.actions.exclusive(key, async () => {
    const action = await s.actions.get(key);
    if (action?.kind !== 'pending') return 'This preview has expired: send /post again.';
    if (action.cancelledBy !== undefined) return `This post was cancelled by ${action.cancelledBy}.`;
    if (action.publishedBy !== undefined) return `Already queued by ${action.publishedBy}.`;
    const result = await s.app.publish(action.article, undefined, { by: `editor ${by}`, force });
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
    await s.actions.update(key, { ...action, publishedBy: by });
    s.logger.info({ articleId: result.articleId, by, enqueued: result.outcomes.filter((o) => o.enqueued).map((o) => o.target) }, 'editors bot: published');
    await settle(ctx, s, `${action.previewHtml}\n\n${renderQueued(result, by)}`);
    return 'Queued.';
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
