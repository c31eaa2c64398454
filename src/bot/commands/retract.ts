/**
 * `/retract <link or article id> [reason]`: asks first — Retract / Keep it — then takes the
 * article's posts down on every target (App.retract: pending deliveries cancelled, posts
 * deleted or edited to a notice per target). Whoever answers first settles it.
 */
import type { Context, Telegraf } from 'telegraf';
import { callbackData, PENDING_TTL_SECONDS } from '../actions.js';
import { editorsOnly } from '../auth.js';
import { escapeHtml, fitMessage, link, safe } from '../render.js';
import { who, type BotServices } from '../services.js';
import { HTML } from './post.js';
import { resolveArticleId } from './status.js';

export function registerRetractCommand(bot: Telegraf, s: BotServices): void {
  bot.command('retract', editorsOnly(s), (ctx) => ask(ctx, ctx.payload.trim(), s));
}

async function ask(ctx: Context, payload: string, s: BotServices): Promise<void> {
  const [arg, ...rest] = payload.split(/\s+/).filter((w) => w !== '');
  if (arg === undefined) {
    await ctx.reply('Send /retract followed by an article link or id (and a reason, if you like).');
    return;
  }
  const articleId = resolveArticleId(arg);
  const [history, article, records] = await Promise.all([s.app.ledger.getHistory(articleId), s.app.ledger.getArticle(articleId), s.app.ledger.getAll(articleId)]);
  if (history.rev === 0 && records.length === 0) {
    await ctx.reply(`Nothing is known about <code>${safe(articleId, 200)}</code>: it was never published here.`, HTML);
    return;
  }
  if (history.retracted) {
    await ctx.reply(`<code>${safe(articleId, 200)}</code> is already retracted. /status ${escapeHtml(articleId)} shows what became of its posts.`, HTML);
    return;
  }
  const reason = rest.join(' ').slice(0, 300) || `retracted by ${who(ctx.from)}`;
  const posted = records.filter((r) => r.state === 'delivered' || r.state === 'duplicate' || r.state === 'sending').map((r) => r.target);
  const pending = records.filter((r) => !posted.includes(r.target) && r.state !== 'retracted').map((r) => r.target);
  const lines = [`🗑 <b>Retract this article?</b>${article !== undefined ? ` · <i>${safe(article.title, 200)}</i>` : ''}`];
  if (article !== undefined) lines.push(link(article.url));
  if (posted.length > 0) lines.push(`Its posts come down on: ${escapeHtml(posted.join(', '))}`);
  if (pending.length > 0) lines.push(`Not sent yet (cancelled): ${escapeHtml(pending.join(', '))}`);
  lines.push(`Reason: ${safe(reason, 300)}`, `id: <code>${safe(articleId, 200)}</code>`);
  const askHtml = fitMessage(lines.join('\n'));
  const key = await s.actions.put({ kind: 'retract', articleId, reason, askHtml, rev: history.rev }, PENDING_TTL_SECONDS);
  await ctx.reply(askHtml, {
    ...HTML,
    reply_markup: { inline_keyboard: [[{ text: '🗑 Retract', callback_data: callbackData('d', key) }, { text: 'Keep it', callback_data: callbackData('n', key) }]] },
  });
}

async function settleQuestion(ctx: Context, s: BotServices, html: string): Promise<void> {
  try {
    await ctx.editMessageText(fitMessage(html), HTML);
  } catch (error) {
    s.logger.info({ err: (error as Error).message }, 'editors bot: could not edit a retraction question');
  }
}

/** The Retract button: take the article down. */
export async function onRetract(ctx: Context, key: string, s: BotServices): Promise<void> {
  const by = who(ctx.from);
  const run = await s.actions.exclusive(key, async () => {
    const action = await s.actions.get(key);
    if (action?.kind !== 'retract') return 'This question has expired: send /retract again.';
    if (action.settledBy !== undefined) return `Already answered by ${action.settledBy}.`;
    // The question was about the article as it stood then: retracted since, or published
    // again (a new revision), it is not this button's to take down.
    const now = await s.app.ledger.getHistory(action.articleId);
    if (now.retracted) {
      await s.actions.update(key, { ...action, settledBy: by });
      await settleQuestion(ctx, s, `${action.askHtml}\n\nAlready retracted: nothing more was done (pressed by ${safe(by, 64)}).`);
      return 'Already retracted.';
    }
    if (action.rev !== undefined && now.rev !== action.rev) {
      await s.actions.update(key, { ...action, settledBy: by });
      await settleQuestion(ctx, s, `${action.askHtml}\n\nNot retracted: the article changed since this question (revision ${now.rev} now, ${action.rev} then). Send /retract again.`);
      return 'The article changed since: send /retract again.';
    }
    const result = await s.app.retract(action.articleId, { reason: action.reason, by: `editor ${by}` });
    await s.actions.update(key, { ...action, settledBy: by });
    s.logger.info({ articleId: action.articleId, by, outcomes: result.outcomes }, 'editors bot: retracted');
    const cancelled = result.outcomes.filter((o) => o.outcome === 'cancelled').map((o) => o.target);
    const down = result.outcomes.filter((o) => o.outcome === 'retracting').map((o) => o.target);
    const lines = [`${action.askHtml}\n\n🗑 <b>Retracted</b> by ${safe(by, 64)}`];
    if (down.length > 0) lines.push(`Taking down: ${escapeHtml(down.join(', '))}`);
    if (cancelled.length > 0) lines.push(`Cancelled before sending: ${escapeHtml(cancelled.join(', '))}`);
    lines.push(`Check with /status ${escapeHtml(action.articleId)}`);
    await settleQuestion(ctx, s, lines.join('\n'));
    return 'Retracted.';
  });
  await ctx.answerCbQuery(run.ran ? run.value : 'Busy, try again.');
}

/** The Keep it button: nothing happens. */
export async function onKeep(ctx: Context, key: string, s: BotServices): Promise<void> {
  const by = who(ctx.from);
  const run = await s.actions.exclusive(key, async () => {
    const action = await s.actions.get(key);
    if (action?.kind !== 'retract') return 'This question has expired.';
    if (action.settledBy !== undefined) return `Already answered by ${action.settledBy}.`;
    await s.actions.update(key, { ...action, settledBy: by });
    await settleQuestion(ctx, s, `${action.askHtml}\n\n↩️ <b>Kept</b> by ${safe(by, 64)}: nothing was retracted.`);
    return 'Kept.';
  });
  await ctx.answerCbQuery(run.ran ? run.value : 'Busy, try again.');
}
