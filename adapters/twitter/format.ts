import { inDirectionOf } from '../../src/text/direction.js';
import { sameText } from '../../src/text/same-text.js';
import type { Article } from '../../src/article/schema.js';
import { HASHTAGS_MAX_DEFAULT } from '../../config/targets/common.js';
import type { TwitterTarget } from '../../config/targets/twitter.js';
import { completeExcerpt } from '../../src/text/excerpt.js';
import { hashtags as toHashtags } from '../../src/text/hashtags.js';
import { codePoints, truncate } from '../../src/text/truncate.js';
import type { TweetMedia, TwitterPost } from '../types.js';
import twitterText from 'twitter-text';
import { cutPosition, isValidTweet, plainLine, protectedSpans, shorten } from './text.js';

/**
 * Article → tweet(s), pure. Every tweet is valid by twitter-text (280 weighted, URLs 23,
 * CJK and emoji 2, NFC) and plain text: entities decoded, refused characters dropped.
 *
 * Per-target `template` placeholders:
 *   {title}     the article title, shortened to fit
 *   {url}       the article link, with the target's `tracking` query parameters
 *   {hashtags}  the article's tags as hashtags (target.hashtags map; at most `max`, default 2), as many as fit
 *   {summary}   the lead: summary, else subtitle, else the body's first paragraph
 *   {byline}    the authors, comma-separated
 * A line whose placeholders all came out empty is dropped. When the result is too long,
 * the title is kept first, then the summary, then the byline; hashtags take the room left;
 * a template whose own text is too long is shortened as a whole, or when that would lose
 * the link, replaced by the default layout.
 * Default: "{title}\n\n{url}\n\n{hashtags}".
 *
 * Thread mode (target.thread): the lead follows as replies, split at sentence boundaries
 * (a sentence longer than a tweet is cut at word boundaries, with an ellipsis), numbered
 * " (2/5)" when there is more than one reply, at most target.threadMax tweets in all.
 */

export const DEFAULT_TEMPLATE = '{title}\n\n{url}\n\n{hashtags}';

const PLACEHOLDER = /\{(title|url|hashtags|summary|byline)\}/g;
type Placeholder = 'title' | 'url' | 'hashtags' | 'summary' | 'byline';
type Values = Record<Placeholder, string>;

/** Fill a template; lines whose placeholders all rendered empty disappear. */
export function renderTemplate(template: string, values: Values): string {
  const lines: string[] = [];
  for (const line of template.replace(/\r\n?/g, '\n').split('\n')) {
    let placeholders = 0;
    const rendered = line.replace(PLACEHOLDER, (_m, name: Placeholder) => {
      placeholders++;
      return values[name];
    });
    if (placeholders > 0 && rendered.trim() === '') continue;
    lines.push(rendered.replace(/[ \t]+/g, ' ').trimEnd());
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** The link crier posts: the article URL (normalized) plus the target's tracking parameters. */
export function articleLink(article: Pick<Article, 'url'>, tracking: Record<string, string>): string {
  const url = new URL(article.url);
  for (const [key, value] of Object.entries(tracking)) url.searchParams.set(key, value);
  return url.href;
}

/** The lead a thread is made of: summary, else subtitle, else the body's first paragraph. */
export function leadText(article: Article): string {
  const title = plainLine(article.title);
  // A summary the CMS cut mid-word ends at a whole word (judged on the plain text, entities decoded).
  const summary = article.summary === undefined ? '' : completeExcerpt(plainLine(article.summary), article.body === undefined ? undefined : plainLine(article.body));
  // The first of summary, deck and first paragraph that does not just repeat the title.
  for (const text of [summary, plainLine(article.subtitle ?? ''), plainLine(article.body?.split(/\n\s*\n/)[0] ?? '')]) {
    if (text !== '' && !sameText(text, title)) return text;
  }
  return '';
}

interface Fields {
  title: string;
  url: string;
  summary: string;
  byline: string;
  tags: string[];
}

function uses(template: string, name: Placeholder): boolean {
  return template.includes(`{${name}}`);
}

function firstTweet(template: string, f: Fields): string {
  const render = (v: Partial<Values>): string =>
    renderTemplate(template, { title: '', url: f.url, hashtags: '', summary: '', byline: '', ...v });
  const ok = (v: Partial<Values>): boolean => isValidTweet(render(v));
  const title = shorten(f.title, (t) => ok({ title: t }));
  const summary = uses(template, 'summary') ? shorten(f.summary, (s) => ok({ title, summary: s })) : '';
  const byline = uses(template, 'byline') ? shorten(f.byline, (b) => ok({ title, summary, byline: b })) : '';
  const chosen: string[] = [];
  if (uses(template, 'hashtags')) {
    for (const tag of f.tags) {
      if (ok({ title, summary, byline, hashtags: [...chosen, tag].join(' ') })) chosen.push(tag);
    }
  }
  const text = render({ title, summary, byline, hashtags: chosen.join(' ') });
  if (isValidTweet(text)) return text;
  // The template's own text is too long: shorten the whole, unless that loses the link.
  const cut = shorten(text, isValidTweet);
  return f.url === '' || !text.includes(f.url) || cut.includes(f.url) ? cut : text;
}

/** Hashtags that twitter-text also reads as exactly one whole hashtag. */
function tweetHashtags(article: Article, target: TwitterTarget): string[] {
  const valid = toHashtags(article.tags, { map: target.hashtags.map }).filter((tag) => {
    const found = twitterText.extractHashtags(tag);
    return found.length === 1 && `#${found[0]}` === tag;
  });
  return valid.slice(0, target.hashtags.max ?? HASHTAGS_MAX_DEFAULT.twitter);
}

const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/** Offsets where sentences of `text` end (never inside a URL, hashtag or mention), increasing; the last is text.length. */
function sentenceEnds(text: string): number[] {
  const spans = protectedSpans(text);
  return [...sentences.segment(text)].map((s) => s.index + s.segment.length).filter((end) => spans.every(([a, b]) => !(a < end && end < b)));
}

/**
 * Cut `lead` into at most `max` tweets that are valid with `suffix` appended: whole
 * sentences packed greedily; a sentence longer than a tweet is cut at a word boundary
 * (with an ellipsis) and continued in the next. Every part is a slice of the lead.
 */
function pack(lead: string, suffix: string, max: number): string[] {
  const fits = (text: string): boolean => isValidTweet(text + suffix);
  const ends = sentenceEnds(lead);
  const parts: string[] = [];
  let lastStart = 0;
  let start = 0;
  for (;;) {
    // Skip the space between parts, with any format marks (RLM, ZWJ) glued to it.
    while (start < lead.length && /[\s\p{Cf}]/u.test(lead[start] as string)) start++;
    if (start >= lead.length || parts.length >= max) break;
    let best = -1;
    for (const end of ends) {
      if (end <= start) continue;
      if (!fits(lead.slice(start, end).trim())) break;
      best = end;
    }
    lastStart = start;
    if (best > 0) {
      parts.push(lead.slice(start, best).trim());
      start = best;
      continue;
    }
    // The next sentence alone is longer than a tweet: cut it, carry the rest over.
    const sentence = lead.slice(start, ends.find((end) => end > start)).trimEnd();
    const head = shorten(sentence, fits);
    if (head === '') break;
    parts.push(head);
    start += cutPosition(sentence, head);
  }
  if (start < lead.length && parts.length > 0) {
    // Out of tweets: the last one is cut mid-sentence, so it ends with an ellipsis.
    parts[parts.length - 1] = shorten(lead.slice(lastStart).trim(), fits, { sentenceShare: 2 });
  }
  return parts;
}

/** The lead as replies: unnumbered when one, else " (k/N)" with N counting the first tweet. */
export function threadReplies(lead: string, maxReplies: number): string[] {
  if (lead.trim() === '' || maxReplies <= 0) return [];
  const single = pack(lead, '', maxReplies);
  if (single.length <= 1) return single;
  for (let digits = 1; ; digits++) {
    const nines = '9'.repeat(digits);
    const parts = pack(lead, ` (${nines}/${nines})`, maxReplies);
    const total = parts.length + 1;
    if (String(total).length <= digits) return parts.map((part, i) => `${part} (${i + 2}/${total})`);
  }
}

function imageMedia(article: Article): TweetMedia[] | undefined {
  if (article.image === undefined) return undefined;
  const alt = truncate(plainLine(article.image.alt ?? article.title), (c) => codePoints(c) <= 1000);
  return [alt === '' ? { url: article.image.url } : { url: article.image.url, alt }];
}

export function formatTwitter(article: Article, target: TwitterTarget): TwitterPost {
  const rtl = inDirectionOf(article);
  const fields: Fields = {
    title: rtl(plainLine(article.title)),
    url: articleLink(article, target.tracking),
    summary: rtl(leadText(article)),
    byline: rtl(article.authors.map(plainLine).filter((a) => a !== '').join(', ')),
    tags: tweetHashtags(article, target),
  };
  let text = firstTweet(target.template ?? DEFAULT_TEMPLATE, fields);
  if (!isValidTweet(text) && target.template !== undefined) text = firstTweet(DEFAULT_TEMPLATE, fields);
  // A link that cannot fit at all (not a URL to twitter-text, and very long) is left out.
  if (!isValidTweet(text)) text = firstTweet(DEFAULT_TEMPLATE, { ...fields, url: '' });
  if (!isValidTweet(text)) throw new Error('cannot make a valid tweet from this article: its title has no text');

  const media = target.media ? imageMedia(article) : undefined;
  const tweets: TwitterPost['tweets'] = [media === undefined ? { text } : { text, media }];
  if (target.thread) for (const reply of threadReplies(fields.summary, target.threadMax - 1)) tweets.push({ text: reply });
  return { target: target.id, platform: 'twitter', tweets };
}

/**
 * The correction reply an update posts (`onUpdate: reply`): "<prefix> <new title>" and the
 * link, the title shortened to fit one tweet.
 */
export function formatCorrection(article: Article, target: TwitterTarget): string {
  const url = articleLink(article, target.tracking);
  const build = (title: string) => `${target.correctionPrefix} ${title}\n\n${url}`;
  const title = truncate(plainLine(article.title), (t) => isValidTweet(build(t)));
  return build(title);
}
