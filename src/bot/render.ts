/**
 * The editors' bot's messages, as Telegram HTML. Pure: no I/O. Every piece of text
 * taken from an article, a ledger record or a user is cut to size as plain text first
 * and escaped afterwards (with the Telegram adapter's helpers), so a cut never falls
 * inside a tag or an entity, and a title like `<b>AT&T</b>` shows literally.
 */
import { cleanText, escapeAttr, escapeHtml } from '../../adapters/telegram/html.js';
import { keepsStoredArticle, type DeliveryRecord } from '../../queues/ledger.js';
import type { PublishResult } from '../../queues/publish.js';
import type { RetryOutcome } from '../../queues/retry.js';
import type { Article } from '../article/schema.js';
import { codePoints, truncate } from '../text/truncate.js';

export { escapeAttr, escapeHtml };

/** Telegram's limit for a message's visible text, in code points. */
export const MESSAGE_LIMIT = 4096;

/** Plain text cut to `max` code points at a sentence/word boundary (with an ellipsis when cut). */
export function clip(text: string, max: number): string {
  const clean = cleanText(text);
  return truncate(clean, (c) => codePoints(c) <= max);
}

/** Escaped, clipped plain text. */
export const safe = (text: string, max = 300): string => escapeHtml(clip(text, max));

/** A link whose label is the (clipped) URL itself or a given label. */
export function link(url: string, label?: string): string {
  return `<a href="${escapeAttr(url)}">${safe(label ?? url, 200)}</a>`;
}

/**
 * The visible text of Telegram HTML as produced here (tags removed, entities decoded),
 * for measuring a message against the 4096 limit.
 */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|amp|#\d+|#x[0-9a-f]+);/gi, (_, name: string) => {
      const n = name.toLowerCase();
      if (n === 'lt') return '<';
      if (n === 'gt') return '>';
      if (n === 'quot') return '"';
      if (n === 'amp') return '&';
      const code = n.startsWith('#x') ? parseInt(n.slice(2), 16) : parseInt(n.slice(1), 10);
      return String.fromCodePoint(code);
    });
}

export const visibleLength = (html: string): number => codePoints(visibleText(html));

function articleHeading(label: string, article: Pick<Article, 'title' | 'url'> | undefined, articleId?: string): string {
  const lines = [`<b>${escapeHtml(label)}</b>${article ? ` · <i>${safe(article.title, 200)}</i>` : ''}`];
  if (article) lines.push(link(article.url));
  if (articleId !== undefined) lines.push(`id: <code>${safe(articleId, 200)}</code>`);
  return lines.join('\n');
}

const STATE_ICON: Record<string, string> = {
  queued: '⏳', sending: '📤', retrying: '🔁', rate_limited: '🐢', paused: '⏸', delivered: '✅',
  duplicate: '✅', failed: '❌', unknown: '❓', skipped: '⏭',
};

/** `/status`: each target's delivery state, remote link, attempts, last error. */
export function renderStatus(articleId: string, article: Article | undefined, records: readonly DeliveryRecord[]): string {
  if (records.length === 0) {
    return `Nothing is known about <code>${safe(articleId, 200)}</code>: it was never published here (or the id is wrong).`;
  }
  const rows = records.map((r) => {
    const attempts = `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
    let row = `${STATE_ICON[r.state] ?? '•'} <b>${escapeHtml(r.target)}</b> (${escapeHtml(r.platform)}): ${escapeHtml(r.state)} · ${attempts}`;
    if (r.url !== undefined) row += ` · ${link(r.url, 'open')}`;
    else if (r.remoteId !== undefined) row += ` · remote id <code>${safe(r.remoteId, 100)}</code>`;
    if (r.rev !== undefined && r.rev > 1) row += ` · revision ${r.rev}`;
    if (r.lastError !== undefined && !['delivered', 'duplicate'].includes(r.state)) row += `\n    last error: ${safe(r.lastError, 400)}`;
    const last = r.history?.at(-1);
    if (last !== undefined) row += `\n    last change: revision ${last.rev} ${escapeHtml(last.action)}${last.note !== undefined ? ` (${safe(last.note, 200)})` : ''}`;
    if (r.opError !== undefined) row += `\n    ${safe(r.opError, 300)}`;
    return row;
  });
  const html = `${articleHeading('Status', article, articleId)}\n\n${rows.join('\n')}`;
  return fitMessage(html);
}

/** `/retry`: what happened on each target. */
export function renderRetry(articleId: string, outcomes: readonly RetryOutcome[]): string {
  if (outcomes.length === 0) return `Nothing to retry for <code>${safe(articleId, 200)}</code>: it was never published here.`;
  const rows = outcomes.map((o) =>
    o.result === 'retried'
      ? `🔁 <b>${safe(o.target, 100)}</b>: queued again`
      : `• <b>${safe(o.target, 100)}</b>: not retried (${escapeHtml(o.result)})`,
  );
  return fitMessage(`<b>Retry</b> · <code>${safe(articleId, 200)}</code>\n${rows.join('\n')}`);
}

/** A publish that queued nothing: every target knew the article already (same revision, or an outdated one). */
export function queuedNothing(result: PublishResult): boolean {
  return keepsStoredArticle(result.action) && !result.outcomes.some((o) => o.enqueued || o.updating === true);
}

/** The footer added to a preview once Publish was pressed. */
export function renderQueued(result: PublishResult, by: string): string {
  const fresh = result.outcomes.filter((o) => o.enqueued).map((o) => o.target);
  const updating = result.outcomes.filter((o) => o.updating === true).map((o) => o.target);
  const known = result.outcomes.filter((o) => !o.enqueued && o.updating !== true).map((o) => `${o.target} (${o.state})`);
  const nothingNew = queuedNothing(result);
  const head = result.action === 'update' ? `✏️ <b>Update queued</b> (revision ${result.rev})` : nothingNew ? 'ℹ️ <b>Nothing new queued</b> (crier knew this article already)' : '✅ <b>Queued</b>';
  const lines = [`${head} by ${safe(by, 64)} · id <code>${safe(result.articleId, 200)}</code>`];
  if (fresh.length > 0) lines.push(`Delivering to: ${escapeHtml(fresh.join(', '))}`);
  if (updating.length > 0) lines.push(`Updating: ${escapeHtml(updating.join(', '))}`);
  if (known.length > 0) lines.push(`Already known: ${escapeHtml(known.join(', '))}`);
  // Known and still waiting (scheduled, held, queued behind others): it has not gone out.
  const waiting = result.outcomes.filter((o) => !o.enqueued && o.state === 'queued').map((o) => o.target);
  if (nothingNew && waiting.length > 0) lines.push(`Not sent yet on ${escapeHtml(waiting.join(', '))}: /queue shows when (a scheduled post goes out at its time; Send now on its schedule message sends it now)`);
  lines.push(`Check with /status ${escapeHtml(result.articleId)}`);
  return lines.join('\n');
}

export type AlertKind = 'failed' | 'paused' | 'unknown' | 'notice';

/** One message for the alert chat: article title + link, target, reason. */
export function renderAlert(kind: AlertKind, e: { target: string; platform: string; article: Article; reason: string; action?: string; lookAt?: string }): string {
  const head =
    kind === 'failed'
      ? '❌ <b>Delivery failed</b>'
      : kind === 'paused'
        ? `⏸ <b>Target paused</b>: deliveries to ${escapeHtml(e.target)} wait for a human`
        : kind === 'notice'
          ? '📝 <b>Needs a hand</b>'
          : '❓ <b>Delivery in doubt</b>: did the post go out?';
  const lines = [
    head,
    `<b>${safe(e.article.title, 300)}</b>`,
    link(e.article.url),
    `Target: <b>${escapeHtml(e.target)}</b> (${escapeHtml(e.platform)})`,
    `Reason: ${safe(e.reason, 800)}`,
  ];
  if (e.action !== undefined) lines.push(`What to do: ${safe(e.action, 400)}`);
  if (kind === 'unknown') {
    if (e.lookAt !== undefined) lines.push(`Look here: ${link(e.lookAt)}`);
    lines.push('Check the account, then press <b>Posted</b> if the post is there, or <b>Not posted — send again</b>.');
  }
  if (kind === 'paused') lines.push(`When fixed: /resume ${escapeHtml(e.target)}`);
  lines.push(`id: <code>${safe(e.article.id, 200)}</code>`);
  return fitMessage(lines.join('\n'));
}

/** What an alert becomes after an editor pressed one of its buttons. */
export function renderAlertSettled(alertHtml: string, outcome: string, by: string): string {
  return fitMessage(`${alertHtml}\n\n${safe(outcome, 300)} — ${safe(by, 64)}`);
}

/** A new article, for direct subscribers. */
export function renderBroadcast(article: Article): string {
  const title = `<b>${safe(article.title, 1000)}</b>`;
  const read = link(article.url, 'Read the article');
  const room = MESSAGE_LIMIT - visibleLength(title) - visibleLength(read) - 4;
  const summary = article.summary ?? article.subtitle;
  const body = summary === undefined ? '' : `\n\n${safe(summary, Math.min(room, 1500))}`;
  return `${title}${body}\n\n${read}`;
}

/**
 * Make sure a message built here fits Telegram's limit. Messages built from clipped
 * parts normally do; when they do not, keep whole lines from the start, cutting only
 * where no tag is open (a quote may span lines), and say so.
 */
export function fitMessage(html: string): string {
  if (visibleLength(html) <= MESSAGE_LIMIT) return html;
  const more = '\n…';
  let used = codePoints(more);
  let depth = 0;
  let keep = 0;
  const lines = html.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    used += visibleLength(line) + 1;
    if (used > MESSAGE_LIMIT) break;
    depth += (line.match(/<[a-z]/gi) ?? []).length - (line.match(/<\//g) ?? []).length;
    if (depth === 0) keep = i + 1;
  }
  return lines.slice(0, keep).join('\n') + more;
}
