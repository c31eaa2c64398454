/**
 * Article → Telegram channel post (pure). HTML parse mode; the layout is a template
 * (./template.ts, DEFAULT_TEMPLATE unless the target has its own): bold title, italic
 * deck, the summary or lead, a byline, hashtags and a link to the article — a link
 * preview, a "Read more" URL button, or both (target.link).
 *
 * Lengths are counted as Telegram counts them: visible text after entity parsing, in
 * code points — 4096 for a message, 1024 for a caption. With an image (and target.photo)
 * the post is a sendPhoto when the caption fits; otherwise the summary is shortened at a
 * sentence or word boundary, then hashtags, byline and deck give way; when not even the
 * title and the link fit in a caption, the post becomes a message with a large link
 * preview of the article. Pieces are chosen and measured as plain text and escaped only
 * afterwards, so no cut can fall inside a tag or an entity.
 */
import type { Article } from '../../src/article/schema.js';
import { decodeEntities } from '../../src/text/entities.js';
import { inDirectionOf } from '../../src/text/direction.js';
import { completeExcerpt } from '../../src/text/excerpt.js';
import { sameText } from '../../src/text/same-text.js';
import { hashtags } from '../../src/text/hashtags.js';
import { codePoints, truncate } from '../../src/text/truncate.js';
import { HASHTAGS_MAX_DEFAULT } from '../../config/targets/common.js';
import type { TelegramTarget } from '../../config/targets/telegram.js';
import type { TelegramPost } from '../types.js';
import { block, oneLine, withTracking } from './html.js';
import { compileTemplate, DEFAULT_TEMPLATE, renderTemplate, type CompiledTemplate, type Rendered, type TemplateValues } from './template.js';

export const TELEGRAM_MESSAGE_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

const compiled = new Map<string, CompiledTemplate>();

/** The target's template, compiled once; `{link}` appended when the post would have no link. */
function templateFor(target: TelegramTarget, hasButton: boolean): CompiledTemplate {
  let source = target.template ?? DEFAULT_TEMPLATE;
  if (!hasButton && !/\{(link|url)\}/.test(source)) source += '\n\n{link}';
  let template = compiled.get(source);
  if (template === undefined) {
    template = compileTemplate(source);
    compiled.set(source, template);
  }
  return template;
}

/** "A", "A and B", "A, B and C", "A, B, C and 2 others". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length > 3) return `${names.slice(0, 3).join(', ')} and ${names.length - 3} other${names.length - 3 === 1 ? '' : 's'}`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;
}

/** The first paragraph of the body, when there is no summary. */
function lead(body: string | undefined): string {
  if (body === undefined) return '';
  return body.split(/\n\s*\n/).map((p) => p.trim()).find((p) => p !== '') ?? '';
}

function values(article: Article, target: TelegramTarget, url: string, hasButton: boolean): TemplateValues {
  // Entities that leaked into the article's text (`Arts &amp; Culture`) are the characters
  // they stand for, as on X and Instagram; escapeHtml escapes what is left once, later.
  const line = (text: string) => oneLine(decodeEntities(text));
  const authors = joinNames(article.authors.map(line).filter((a) => a !== ''));
  let source = line(article.source?.name ?? '');
  if (source !== '' && article.authors.some((a) => line(a).toLowerCase() === source.toLowerCase())) source = '';
  const title = line(article.title);
  // A deck or summary that only repeats the title (or the deck) is shown once.
  const deck = line(article.subtitle ?? '');
  const subtitle = sameText(deck, title) ? '' : deck;
  // A summary the CMS cut mid-word ends at a whole word.
  const body = article.body === undefined ? undefined : decodeEntities(article.body);
  let summary = article.summary !== undefined ? completeExcerpt(block(decodeEntities(article.summary)), body) : block(lead(body));
  const summaryLine = oneLine(summary);
  if (sameText(summaryLine, deck) || sameText(summaryLine, title)) summary = '';
  const byline = authors !== '' ? `By ${authors}${source !== '' ? ` · ${source}` : ''}` : source;
  const tags = hashtags(article.tags.map(decodeEntities), { map: target.hashtags.map, max: target.hashtags.max ?? HASHTAGS_MAX_DEFAULT.telegram });
  const rtl = inDirectionOf(article);
  return {
    title: rtl(title),
    subtitle: rtl(subtitle),
    summary: rtl(summary),
    byline: rtl(byline),
    authors,
    source,
    hashtags: tags.join(' '),
    url,
    link: hasButton ? '' : oneLine(target.buttonText),
  };
}

/** A shortened piece keeps at least this much, else it goes (no one-word stubs). */
const MIN_SHORTENED = 40;

/**
 * The longest start of `text` that fits, cut at a boundary. Text past `limit` code points
 * can never fit, so it is dropped first (the cut point itself is never used as a boundary).
 */
function shorten(text: string, limit: number, fits: (candidate: string) => boolean): string {
  const head = codePoints(text) > limit + 1 ? Array.from(text).slice(0, limit + 1).join('') : text;
  const cut = truncate(head, fits);
  return cut !== text && codePoints(cut) < MIN_SHORTENED ? '' : cut;
}

/**
 * The post rendered with the values shrunk until its text fits `limit`, or undefined when
 * even the title and the link do not fit. Order: shorten the summary, drop hashtags from the end,
 * drop the byline (and authors, source), shorten the deck.
 */
function fit(template: CompiledTemplate, start: TemplateValues, url: string, limit: number): Rendered | undefined {
  // Most posts fit as they are: render once and keep it.
  const first = renderTemplate(template, start, url);
  if (codePoints(first.text) <= limit) return first;
  const v = { ...start };
  const fits = (candidate: TemplateValues) => codePoints(renderTemplate(template, candidate, url).text) <= limit;

  v.summary = shorten(v.summary, limit, (s) => fits({ ...v, summary: s }));
  if (fits(v)) return renderTemplate(template, v, url);
  const tags = v.hashtags.split(' ').filter((t) => t !== '');
  while (tags.length > 0 && !fits(v)) {
    tags.pop();
    v.hashtags = tags.join(' ');
  }
  for (const key of ['byline', 'authors', 'source'] as const) {
    if (fits(v)) return renderTemplate(template, v, url);
    v[key] = '';
  }
  if (fits(v)) return renderTemplate(template, v, url);
  v.subtitle = shorten(v.subtitle, limit, (s) => fits({ ...v, subtitle: s }));
  return fits(v) ? renderTemplate(template, v, url) : undefined;
}

export function formatTelegram(article: Article, target: TelegramTarget): TelegramPost {
  const image = target.photo ? article.image : undefined;
  return (image !== undefined ? formatTelegramAs(article, target, 'photo', true) : undefined) ?? formatTelegramAs(article, target, 'text');
}

/**
 * The post as one kind of Telegram message: 'photo' (a caption of at most 1024 code
 * points under the article's image) or 'text' (a message). An update edits a message in
 * place and cannot change its kind, so it asks for the kind the post already is. With
 * `onlyWhole`, a caption that cannot hold the post whole gives undefined (a new post then
 * becomes a message); otherwise the caption is shortened to fit.
 */
export function formatTelegramAs(article: Article, target: TelegramTarget, kind: 'photo', onlyWhole?: boolean): TelegramPost | undefined;
export function formatTelegramAs(article: Article, target: TelegramTarget, kind: 'text'): TelegramPost;
export function formatTelegramAs(article: Article, target: TelegramTarget, kind: 'photo' | 'text', onlyWhole = false): TelegramPost | undefined {
  const url = withTracking(article.url, target.tracking);
  const hasButton = target.link !== 'preview';
  const template = templateFor(target, hasButton);
  const start = values(article, target, url, hasButton);
  const post = { target: target.id, platform: 'telegram' as const, parse_mode: 'HTML' as const };
  const button = hasButton ? { reply_markup: { inline_keyboard: [[{ text: target.buttonText, url }]] } } : {};
  const limit = kind === 'photo' ? TELEGRAM_CAPTION_LIMIT : TELEGRAM_MESSAGE_LIMIT;

  let chosen = fit(template, start, url, limit);
  if (chosen === undefined && kind === 'photo' && onlyWhole) return undefined;
  if (chosen === undefined) {
    // A caption that cannot hold the post, or an invalid Article (a title past the schema's 1000 characters).
    const rest = { ...start, summary: '', hashtags: '', byline: '', authors: '', source: '', subtitle: '' };
    const fits = (title: string) => codePoints(renderTemplate(template, { ...rest, title }, url).text) <= limit;
    chosen = renderTemplate(template, { ...rest, title: truncate(start.title, fits) }, url);
  }
  if (kind === 'photo') {
    const photo = article.image?.url;
    return { ...post, method: 'sendPhoto', ...(photo !== undefined ? { photo } : {}), caption: chosen.html, ...button };
  }
  const asPhoto = target.photo && article.image !== undefined;
  // When the caption could not hold the post, a large preview shows the article's picture instead.
  const bigPreview = target.link !== 'button' || asPhoto;
  return {
    ...post,
    method: 'sendMessage',
    text: chosen.html,
    link_preview_options: bigPreview ? { url, prefer_large_media: true, show_above_text: false } : { is_disabled: true },
    ...button,
  };
}
