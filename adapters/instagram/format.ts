import type { Article } from '../../src/article/schema.js';
import { decodeEntities } from '../../src/text/entities.js';
import { completeExcerpt } from '../../src/text/excerpt.js';
import { sameText } from '../../src/text/same-text.js';
import { inDirectionOf } from '../../src/text/direction.js';
import { hashtags } from '../../src/text/hashtags.js';
import { truncate } from '../../src/text/truncate.js';
import { HASHTAGS_MAX_DEFAULT } from '../../config/targets/common.js';
import type { InstagramTarget } from '../../config/targets/instagram.js';
import { INSTAGRAM_TEMPLATE_DEFAULT } from '../../config/targets/instagram.js';
import type { CardText, InstagramPost } from '../types.js';

/**
 * Article → Instagram post (pure). The caption is plain text within Instagram's limits:
 *
 * - ≤ 2200 characters, counted in UTF-16 code units (never fewer than Instagram counts);
 *   when it does not fit, the lead is shortened first (sentence, else word boundary, never
 *   inside an emoji sequence), then the deck, the title and the source line, then trailing
 *   hashtags go, and last the URL line.
 * - Hashtags come only from the tags (`hashtags.max`, default 5 — HASHTAGS_MAX_DEFAULT —, up to 30). A `#word`
 *   inside the article's text would count against Instagram's cap, so it is neutralised by
 *   a WORD JOINER (U+2060, invisible) after the '#'.
 * - At most 20 @mentions: every `@name` after the 20th gets the same U+2060 after its '@',
 *   so it reads the same but mentions nobody.
 * - The link is not clickable: the URL (with `tracking` parameters) is shown as text under
 *   the `linkInBio` line. HTML entities in the article text are decoded (a caption never
 *   interprets them); no markup is added.
 *
 * `template` (per target) lays the caption out; placeholders are listed with
 * INSTAGRAM_TEMPLATE_DEFAULT in config/targets/instagram.ts.
 */

export const CAPTION_LIMIT = 2200;
export const MAX_MENTIONS = 20;
export const ALT_TEXT_LIMIT = 1000;
const WORD_JOINER = '\u2060';

/** One line of plain text: entities decoded, whitespace collapsed, in-text hashtags neutralised. */
export function plainLine(text: string | undefined): string {
  if (text === undefined) return '';
  return decodeEntities(text)
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/#(?=[\p{L}\p{M}\p{N}_])/gu, '#' + WORD_JOINER);
}

const MENTION = /@(?=[A-Za-z0-9._])/g;

/** Keep the first `max` @mentions; give every later '@' a word joiner so it mentions nobody. */
export function limitMentions(text: string, max = MAX_MENTIONS): string {
  let seen = 0;
  return text.replace(MENTION, () => (++seen > max ? '@' + WORD_JOINER : '@'));
}

/** Caption length as crier counts it (UTF-16 code units, ≥ code points). */
export const captionLength = (text: string): number => text.length;

/** The article URL with the target's tracking parameters. */
export function trackedUrl(url: string, tracking: Record<string, string>): string {
  if (Object.keys(tracking).length === 0) return url;
  const out = new URL(url);
  for (const [key, value] of Object.entries(tracking)) out.searchParams.set(key, value);
  return out.toString();
}

function byline(authors: readonly string[]): string {
  const names = authors.map(plainLine).filter((a) => a !== '');
  if (names.length === 0) return '';
  if (names.length === 1) return `By ${names[0]}`;
  return `By ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The lead: the summary, else the first body paragraph, that is neither the deck nor the title again. */
function leadOf(article: Article, deck: string, title: string): string {
  // A summary the CMS cut mid-word ends at a whole word (judged on the plain text, entities decoded).
  const summary = completeExcerpt(plainLine(article.summary), article.body === undefined ? undefined : plainLine(article.body));
  const candidates = [summary, ...(article.body ?? '').split(/\n\s*\n/).map(plainLine)];
  for (const text of candidates) {
    if (text !== '' && !sameText(text, deck) && !sameText(text, title)) return text;
  }
  return '';
}

const wordSegments = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * `truncate`, but never inside a word: when not even the first word fits, truncate would cut
 * between graphemes; a caption drops the text instead.
 */
export function shorten(text: string, fits: (candidate: string) => boolean): string {
  const out = truncate(text, fits);
  if (out === text || out === '') return out;
  const head = out.endsWith('…') && !text.startsWith(out) ? out.slice(0, -1) : out;
  if (!text.startsWith(head)) return '';
  for (const seg of wordSegments.segment(text)) {
    const end = seg.index + seg.segment.length;
    if (end === head.length) return out;
    if (end > head.length) break;
  }
  return '';
}

type Fields = Record<string, string>;

/** Fill the template and tidy it: trailing spaces, blank lines from empty placeholders. */
function render(template: string, fields: Fields): string {
  const filled = template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => fields[name] ?? whole);
  const text = filled
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return limitMentions(text);
}

/** The caption for these fields, shrunk until it fits CAPTION_LIMIT. */
export function buildCaption(template: string, fields: Fields, tags: string[]): string {
  const values: Fields = { ...fields, hashtags: tags.join(' ') };
  const fits = (v: Fields) => captionLength(render(template, v)) <= CAPTION_LIMIT;
  if (fits(values)) return render(template, values);
  // Empty fields in order of least importance; the last emptied one is refilled as far as it fits.
  const order = ['lead', 'deck', 'byline', 'title', 'source', 'source_name'];
  let last: string | undefined;
  for (const name of order) {
    if (fits(values)) break;
    if ((values[name] ?? '') === '') continue;
    values[name] = '';
    last = name;
  }
  if (fits(values) && last !== undefined) {
    const original = fields[last] ?? '';
    values[last] = shorten(original, (candidate) => fits({ ...values, [last as string]: candidate }));
    return render(template, values);
  }
  const kept = [...tags];
  while (!fits(values) && kept.length > 0) {
    kept.pop();
    values.hashtags = kept.join(' ');
  }
  if (!fits(values)) values.url = '';
  const text = render(template, values);
  return captionLength(text) <= CAPTION_LIMIT ? text : truncate(text, (c) => captionLength(limitMentions(c)) <= CAPTION_LIMIT);
}

export function formatInstagram(article: Article, target: InstagramTarget): InstagramPost {
  const title = plainLine(article.title);
  const deck = plainLine(article.subtitle);
  const leadMax = target.leadMaxChars;
  const lead = shorten(leadOf(article, deck, title), (c) => captionLength(c) <= leadMax);
  const sourceName = plainLine(article.source?.name);
  const rtl = inDirectionOf(article);
  const fields: Fields = {
    title: rtl(title),
    deck: rtl(sameText(deck, title) ? '' : deck),
    lead: rtl(lead),
    source: rtl(sourceName === '' ? '' : `Source: ${sourceName}`),
    source_name: sourceName,
    byline: rtl(byline(article.authors)),
    date: article.publishedAt?.slice(0, 10) ?? '',
    link_in_bio: plainLine(target.linkInBio),
    url: trackedUrl(article.url, target.tracking),
  };
  const tags = hashtags(article.tags, { map: target.hashtags.map, max: target.hashtags.max ?? HASHTAGS_MAX_DEFAULT.instagram });
  const caption = buildCaption(target.template ?? INSTAGRAM_TEMPLATE_DEFAULT, fields, tags);

  const altSource = plainLine(article.image?.alt) || title;
  const cardText: CardText = { title: decodeEntities(article.title).replace(/\s+/gu, ' ').trim(), url: article.url };
  if (sourceName !== '') cardText.sourceName = decodeEntities(article.source?.name ?? '').replace(/\s+/gu, ' ').trim();
  if (article.publishedAt !== undefined) cardText.publishedAt = article.publishedAt;
  if (article.lang !== undefined) cardText.lang = article.lang;
  const post: InstagramPost = {
    target: target.id,
    platform: 'instagram',
    caption,
    image: article.image === undefined ? {} : { url: article.image.url },
    imageSource: article.image === undefined ? 'card' : 'article',
    alt: shorten(altSource.replaceAll(WORD_JOINER, ''), (c) => captionLength(c) <= ALT_TEXT_LIMIT),
    cardText,
  };
  if (article.image?.focus !== undefined) post.image.focus = { ...article.image.focus };
  return post;
}
