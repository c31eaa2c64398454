import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import twitterText from 'twitter-text';
import { formatTwitter } from '../../../adapters/twitter/format.js';
import { plainLine } from '../../../adapters/twitter/text.js';
import { TwitterTarget } from '../../../config/targets/twitter.js';
import { toArticle, type Article } from '../../../src/article/schema.js';

const words = new Intl.Segmenter(undefined, { granularity: 'word' });
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/** Pieces of text that break naive tweet formatters. */
const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('harbour', 'ferry', 'Council', "don't", 'e-mail', 'naïve', 'Zürich', 'co-op', '2029', '€18.4', 'O\u0301scar') },
  { weight: 2, arbitrary: fc.constantFrom('東京都の新しい', '渡し船', '서울시', 'ฟรีทุกวัน', 'мэрия', 'Ελλάδα') },
  { weight: 2, arbitrary: fc.constantFrom('👩‍👩‍👧‍👦', '🏳️‍🌈', '👍🏽', '🇺🇦', '🇯🇵', '🧑🏿‍🚀', '❤️', '1️⃣', '🫶') },
  { weight: 2, arbitrary: fc.constantFrom('مرحبا بالعالم', 'שלום עולם', '\u200Fمرحبا', '\u202Eevil\u202C', '\u2067isolate\u2069') },
  { weight: 2, arbitrary: fc.constantFrom('<b>', '</b>', '<script>alert(1)</script>', '<a href="x">', '&amp;', '&lt;i&gt;', '&#39;', '&#x1F600;', '&amp;amp;', '&nbsp;', '&bogus;', 'AT&T') },
  { weight: 2, arbitrary: fc.constantFrom('example.com/path', 'https://news.example.org/a/b?c=1', 'www.example.net', '#Breaking', '@editor', '$AAPL', '#日本') },
  { weight: 1, arbitrary: fc.constantFrom('\uFEFF', '\uFFFE', '\uFFFF', '\u0000', '\u0007', '\uD800', 'x\u0301\u0302') },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 320 }).map((n) => 'Supercalifragilistic'.repeat(Math.ceil(n / 20)).slice(0, n)) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 400 }).map((n) => '新聞記事本文'.repeat(Math.ceil(n / 6)).slice(0, n)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) },
);
const separator = fc.constantFrom(' ', ' ', ' ', '  ', '\n', ', ', ' — ', '. ', '! ', '? ', '。', '\t');

const text = (maxTokens: number) =>
  fc.array(fc.tuple(token, separator), { minLength: 1, maxLength: maxTokens }).map((parts) => parts.map(([t, s]) => t + s).join(''));

const title = fc.oneof(text(12), text(120)).map((t) => t.slice(0, 1000)).filter((t) => t.trim() !== '');

const url = fc
  .tuple(
    fc.constantFrom('https://news.example.com', 'https://www.example.org', 'http://example.net', 'https://bücher.example.de', 'http://127.0.0.1:8080'),
    fc.array(fc.webSegment(), { maxLength: 5 }),
    fc.option(fc.constantFrom('?id=42', '?a=1&b=two', '?utm_source=rss'), { nil: undefined }),
  )
  .map(([host, segments, query]) => `${host}/${segments.join('/')}${query ?? ''}`);

const summary = fc.array(fc.tuple(text(40), fc.constantFrom('. ', '! ', '? ', '。', '\n\n', ' ')), { maxLength: 25 }).map((s) => s.map(([a, b]) => a + b).join('').slice(0, 10_000));

const articleArb = fc
  .record({
    url,
    title,
    summary: fc.option(summary, { nil: undefined }),
    tags: fc.array(fc.oneof(fc.constantFrom('Northern Europe', 'C++', 'Transport & Mobility', 'Climate', '日本', 'News/Politics', '---'), fc.string({ maxLength: 20 })), { maxLength: 50 }),
    authors: fc.array(fc.constantFrom('Mira Okafor', 'Jonas Lindqvist', 'Ana & Bo'), { maxLength: 3 }),
    image: fc.option(fc.record({ url: fc.constant('https://cdn.example.com/a.jpg'), alt: fc.option(text(200).map((t) => t.slice(0, 1000)), { nil: undefined }) }), { nil: undefined }),
  })
  .map((raw) => {
    const input: Record<string, unknown> = { url: raw.url, title: raw.title, tags: raw.tags, authors: raw.authors };
    if (raw.summary !== undefined && raw.summary.trim() !== '') input.summary = raw.summary;
    if (raw.image !== undefined) input.image = raw.image.alt === undefined ? { url: raw.image.url } : raw.image;
    return toArticle(input);
  });

const targetArb = fc
  .record({
    thread: fc.boolean(),
    threadMax: fc.integer({ min: 2, max: 25 }),
    media: fc.boolean(),
    tracking: fc.constantFrom({}, { utm_source: 'twitter', utm_medium: 'social' }),
    max: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    template: fc.option(fc.constantFrom('{title} {url} {hashtags}', '{byline}: {title}\n{summary}\n{url}', '📰 {title}\n\n{summary}\n\n{url}\n{hashtags}', 'x'.repeat(300) + ' {url}'), { nil: undefined }),
  })
  .map((t) =>
    TwitterTarget.parse({
      id: 'x',
      platform: 'twitter',
      thread: t.thread,
      threadMax: t.threadMax,
      media: t.media,
      tracking: t.tracking,
      hashtags: t.max === undefined ? { map: { 'Northern Europe': 'NordicNews' } } : { max: t.max },
      ...(t.template === undefined ? {} : { template: t.template }),
    }),
  );

function link(article: Article, tracking: Record<string, string>): string {
  const u = new URL(article.url);
  for (const [k, v] of Object.entries(tracking)) u.searchParams.set(k, v);
  return u.href;
}

const cache = new Map<string, { words: Set<number>; sentences: Set<number>; graphemes: Set<number>; wordSegments: Intl.SegmentData[]; spans: Array<[number, number]> }>();

/** Word and grapheme boundaries, word segments and twitter-text entity spans of `text` (memoized). */
function analyse(text: string) {
  let found = cache.get(text);
  if (found === undefined) {
    const ends = (segmenter: Intl.Segmenter) => new Set<number>([0, text.length, ...[...segmenter.segment(text)].map((s) => s.index + s.segment.length)]);
    found = {
      words: ends(words),
      sentences: ends(sentences),
      graphemes: ends(graphemes),
      wordSegments: [...words.segment(text)],
      spans: twitterText.extractEntitiesWithIndices(text).map((e) => [e.indices[0], e.indices[1]] as [number, number]),
    };
    if (cache.size > 50) cache.clear();
    cache.set(text, found);
  }
  return found;
}

/**
 * `pos` in `source` is outside every URL/hashtag/mention and is a word or sentence boundary
 * (the two disagree around rare terminators such as U+1AA8), or (inside a very long word) a
 * grapheme boundary.
 */
function cleanCut(source: string, pos: number): boolean {
  const a = analyse(source);
  if (a.spans.some(([s, e]) => s < pos && pos < e && e - s < 200)) return false;
  if (a.words.has(pos) || a.sentences.has(pos)) return true;
  const word = a.wordSegments.find((s) => s.index < pos && pos < s.index + s.segment.length);
  return word !== undefined && word.segment.length > 100 && a.graphemes.has(pos);
}

/** Find `part` (or `part` minus a trailing ellipsis) in `source` from `from`, cut cleanly at both ends. */
function locate(source: string, part: string, from: number): number {
  for (const core of part.endsWith('…') ? [part, part.slice(0, -1)] : [part]) {
    let at = source.indexOf(core, from);
    while (at >= 0) {
      if (cleanCut(source, at) && cleanCut(source, at + core.length)) return at + core.length;
      at = source.indexOf(core, at + 1);
    }
  }
  return -1;
}

describe('formatTwitter (property)', () => {
  it('should make every tweet valid, keep the link in the first, and never cut a word, URL or emoji', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(articleArb, targetArb, (article, target) => {
        const post = formatTwitter(article, target);
        const texts = post.tweets.map((t) => t.text);
        for (const t of texts) {
          expect(twitterText.parseTweet(t).valid, JSON.stringify(t)).toBe(true);
          expect(t).not.toMatch(/[\uFFFE\uFEFF\uFFFF\u202A-\u202E]|&(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);/iu);
          expect(t).toBe(t.normalize('NFC'));
        }
        const first = texts[0] as string;
        const href = link(article, target.tracking);
        if (target.template === undefined || target.template.includes('{url}')) expect(first).toContain(href);

        if (target.template === undefined) {
          const clean = plainLine(article.title);
          // A right-to-left title opens with a right-to-left mark (src/text/direction.ts).
          const shown = clean === '' ? '' : first.slice(0, first.indexOf(`\n\n${href}`));
          const titlePart = clean.startsWith('\u200f') ? shown : shown.replace(/^\u200f/u, '');
          if (clean === '') expect(first.startsWith(href)).toBe(true);
          const core = clean.startsWith(titlePart) ? titlePart : titlePart.replace(/…$/u, '');
          if (clean !== '') expect(titlePart).not.toBe('');
          expect(clean.startsWith(core), JSON.stringify({ titlePart, clean })).toBe(true);
          expect(cleanCut(clean, core.length), JSON.stringify({ titlePart, clean })).toBe(true);
        }

        const replies = texts.slice(1);
        if (!target.thread) expect(replies).toEqual([]);
        expect(texts.length).toBeLessThanOrEqual(target.threadMax);
        const lead = plainLine(article.summary ?? '');
        let cursor = 0;
        replies.forEach((reply, i) => {
          let core = lead.startsWith('\u200f') ? reply : reply.replace(/^\u200f/u, '');
          if (replies.length > 1) {
            const suffix = ` (${i + 2}/${texts.length})`;
            expect(reply.endsWith(suffix)).toBe(true);
            core = core.slice(0, -suffix.length);
          }
          const next = locate(lead, core, cursor);
          expect(next, JSON.stringify({ core, cursor })).toBeGreaterThanOrEqual(0);
          cursor = next;
        });

        const media = post.tweets[0]?.media;
        if (article.image !== undefined && target.media) {
          expect(media?.[0]?.url).toBe(article.image.url);
          expect([...(media?.[0]?.alt ?? '')].length).toBeLessThanOrEqual(1000);
        } else expect(media).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});
