/**
 * The preview an editor sees before pressing Publish: every target's post, as the
 * platform's readers will see its text, in one Telegram message. Pure.
 *
 * Each post's text is shown as plain text in an expandable quote (Telegram HTML is
 * turned into its visible text first), cut at a sentence/word boundary when all of
 * them together would not fit in 4096 characters; room is kept for the footer that
 * Publish/Cancel add later.
 */
import { cleanText } from '../../adapters/telegram/html.js';
import type { Post } from '../../adapters/types.js';
import type { Article } from '../article/schema.js';
import { codePoints } from '../text/truncate.js';
import { clip, escapeHtml, link, MESSAGE_LIMIT, safe, visibleLength, visibleText } from './render.js';

/** One target's post, reduced to what the preview shows. */
export interface PostPreview {
  target: string;
  platform: string;
  /** "sendPhoto", "thread of 3 tweets", "photo post (title card)"… */
  kind: string;
  /** The visible text, plain. */
  text: string;
  /** Things to flag: a failed image preparation, an unformattable article. */
  notes: string[];
}

/** Room kept free for the footer written when Publish or Cancel is pressed. */
export const FOOTER_ROOM = 700;

export function postPreview(post: Post, notes: string[] = []): PostPreview {
  const shown = describePost(post);
  return { target: post.target, platform: post.platform, notes, kind: shown.kind, text: cleanText(shown.text) };
}

function describePost(post: Post): { kind: string; text: string } {
  switch (post.platform) {
    case 'telegram': {
      const body = visibleText(post.text ?? post.caption ?? '');
      const buttons = (post.reply_markup?.inline_keyboard ?? []).flat().map((b) => `[${b.text} → ${b.url}]`);
      const kind = post.method === 'sendPhoto' ? 'photo with caption' : 'message';
      return { kind, text: [body, ...buttons].join('\n') };
    }
    case 'twitter': {
      const n = post.tweets.length;
      const text = post.tweets
        .map((t, i) => {
          const media = t.media?.length ? ` [${t.media.length} image${t.media.length > 1 ? 's' : ''}]` : '';
          return n > 1 ? `(${i + 1}/${n}) ${t.text}${media}` : `${t.text}${media}`;
        })
        .join('\n\n');
      return { kind: n > 1 ? `thread of ${n} tweets` : 'tweet', text };
    }
    case 'instagram': {
      const source = post.imageSource === 'card' ? 'title card' : post.imageSource === 'article' ? 'article photo' : 'photo';
      const size = post.image.width !== undefined && post.image.height !== undefined ? ` ${post.image.width}×${post.image.height}` : '';
      return { kind: `photo post (${source}${size})`, text: post.caption };
    }
  }
}

/**
 * Share `room` code points between texts of the given lengths: short texts keep all
 * they need, the rest split what remains evenly.
 */
export function shareRoom(lengths: readonly number[], room: number): number[] {
  const out = lengths.map(() => 0);
  let left = Math.max(0, room);
  const order = lengths.map((n, i) => [n, i] as const).sort((a, b) => a[0] - b[0]);
  order.forEach(([n, i], k) => {
    const fair = Math.floor(left / (order.length - k));
    const give = Math.min(n, fair);
    out[i] = give;
    left -= give;
  });
  return out;
}

function section(p: PostPreview, text: string | undefined): string {
  const platform = p.platform === p.target ? '' : ` (${escapeHtml(p.platform)})`;
  const head = `<b>${escapeHtml(p.target)}</b>${platform} · ${escapeHtml(p.kind)}`;
  const notes = p.notes.map((n) => `\n⚠️ ${safe(n, 200)}`).join('');
  const body = text === undefined || text === '' ? '' : `\n<blockquote expandable>${escapeHtml(text)}</blockquote>`;
  return head + notes + body;
}

/** The preview message (HTML, within Telegram's limit with FOOTER_ROOM to spare). */
export function renderPreview(article: Article, previews: readonly PostPreview[], options: { title?: string } = {}): string {
  const heading =
    `<b>${escapeHtml(options.title ?? 'Preview')}</b> · <i>${safe(article.title, 200)}</i>\n${link(article.url)}` +
    (previews.length === 0 ? '\n\nNo target is enabled: nothing would be sent.' : '');
  const empty = previews.map((p) => section(p, ''));
  const fixed = visibleLength(heading) + empty.reduce((sum, s) => sum + visibleLength(s) + 2, 0);
  // Each quote adds a newline before its text.
  const room = MESSAGE_LIMIT - FOOTER_ROOM - fixed - previews.length;
  const budgets = shareRoom(previews.map((p) => codePoints(p.text)), room);
  const sections = previews.map((p, i) => {
    const max = budgets[i] ?? 0;
    const text = max >= codePoints(p.text) ? p.text : max > 20 ? clip(p.text, max) : '';
    return section(p, text);
  });
  return [heading, ...sections].join('\n\n');
}
