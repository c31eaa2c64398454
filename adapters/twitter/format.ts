import type { Article } from '../../src/article/schema.js';
import type { TwitterTarget } from '../../config/targets/twitter.js';
import { hashtags as toHashtags } from '../../src/text/hashtags.js';
import { codePoints, splitSentences, truncate } from '../../src/text/truncate.js';
import type { TweetMedia, TwitterPost } from '../types.js';
import twitterText from 'twitter-text';
import { cutPosition, isValidTweet, plainLine, shorten } from './text.js';

/**
 * Article → tweet(s), pure. Every tweet is valid by twitter-text (280 weighted, URLs 23,
 * CJK and emoji 2, NFC) and plain text: entities decoded, refused characters dropped.
 *
 * Per-target `template` placeholders:
 *   {title}     the article title, shortened to fit
 *   {url}       the article link, with the target's `tracking` query parameters
 *   {hashtags}  as many of the article's tags (as hashtags, target.hashtags map/max) as fit
 *   {summary}   the lead: summary, else subtitle, else the body's first paragraph
 *   {byline}    the authors, comma-separated
 * A line whose placeholders all came out empty is dropped. When the result is too long,
 * the title is kept first, then the summary, then the byline; hashtags take the room left;
 * a template whose own text is too long is shortened as a whole, never inside the link.
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
  const lead = article.summary ?? article.subtitle ?? article.body?.split(/\n\s*\n/)[0] ?? '';
  return plainLine(lead);
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
  return isValidTweet(text) ? text : shorten(text, isValidTweet);
}

/** Hashtags that twitter-text also reads as exactly one whole hashtag. */
function tweetHashtags(article: Article, target: TwitterTarget): string[] {
  const options = target.hashtags.max === undefined ? { map: target.hashtags.map } : { map: target.hashtags.map, max: target.hashtags.max };
  return toHashtags(article.tags, options).filter((tag) => {
    const found = twitterText.extractHashtags(tag);
    return found.length === 1 && `#${found[0]}` === tag;
  });
}

/** Pack sentences into tweets that are valid with `suffix` appended; at most `max` tweets. */
function pack(sentences: readonly string[], suffix: string, max: number): string[] {
  const fits = (text: string): boolean => isValidTweet(text + suffix);
  const parts: string[] = [];
  const queue = [...sentences];
  let current = '';
  while (queue.length > 0 && parts.length < max) {
    const sentence = queue.shift() as string;
    const joined = current === '' ? sentence : `${current} ${sentence}`;
    if (fits(joined)) {
      current = joined;
      continue;
    }
    if (current !== '') {
      parts.push(current);
      current = '';
      queue.unshift(sentence);
      continue;
    }
    // One sentence longer than a tweet: cut it at a word boundary, carry the rest over.
    const head = shorten(sentence, fits);
    if (head === '') continue;
    parts.push(head);
    const rest = sentence.slice(cutPosition(sentence, head)).trim();
    if (rest !== '') queue.unshift(rest);
  }
  if (current !== '') {
    if (parts.length < max) parts.push(current);
    else queue.unshift(current);
  }
  if (queue.length > 0 && parts.length > 0) {
    // Out of tweets: the last one says there is more.
    const last = parts.length - 1;
    parts[last] = shorten(`${parts[last] as string} ${queue.join(' ')}`, fits);
  }
  return parts;
}

/** The lead as replies: unnumbered when one, else " (k/N)" with N counting the first tweet. */
export function threadReplies(lead: string, maxReplies: number): string[] {
  const sentences = splitSentences(lead);
  if (sentences.length === 0 || maxReplies <= 0) return [];
  const single = pack(sentences, '', maxReplies);
  if (single.length <= 1) return single;
  for (let digits = 1; ; digits++) {
    const nines = '9'.repeat(digits);
    const parts = pack(sentences, ` (${nines}/${nines})`, maxReplies);
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
  const fields: Fields = {
    title: plainLine(article.title),
    url: articleLink(article, target.tracking),
    summary: leadText(article),
    byline: article.authors.map(plainLine).filter((a) => a !== '').join(', '),
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
