import { decodeEntities } from '../../../src/text/entities.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTelegram } from '../../../adapters/telegram/format.js';
import type { TelegramPost } from '../../../adapters/types.js';
import { TelegramTarget } from '../../../config/targets/telegram.js';
import { toArticle, type Article } from '../../../src/article/schema.js';
import { parseTelegramHtml } from '../../../src/sandbox/telegram-html.js';
import { checkReplyMarkup, checkText } from '../../../src/sandbox/telegram-messages.js';

// Characters Telegram itself strips or rewrites (controls, U+2028..U+202E, three combining
// marks) are left out so the title must come back verbatim; tests/adapters/telegram/format.test.ts covers them.
// eslint-disable-next-line no-control-regex -- the characters Telegram rewrites
const STRIPPED = /[\u0000-\u001f\u007f\u2028-\u202e]|\u030a|\u0333|\u033f/gu;

const markup = fc.constantFrom('<b>', '</b>', '&', '&amp;', '&lt;', '</i>', '<', '>', '"', "'", '<a href="x">', '&#65;', '{title}', '\\');
const emoji = fc.constantFrom('👩‍👩‍👧‍👦', '🏳️‍🌈', '👍🏽', '🧑🏿‍💻', '❤️', '🇺🇦', '🇯🇵', '🇪🇺', '1️⃣');
const scripts = fc.constantFrom('日本語のニュース', '中文新闻报道', '한국어 기사', 'مرحبا بالعالم', 'שלום עולם', 'Привет, мир', 'Ελληνικά', 'हिन्दी समाचार', 'e\u0301te\u0301');
const words = fc.constantFrom('the', 'Ankara', 'talks', 'AT&T', 'C++', 'node.js', 'U.S.', 'ceasefire', 'nuclear', 'report');
const piece = fc.oneof(
  { weight: 3, arbitrary: words },
  { weight: 2, arbitrary: markup },
  { weight: 2, arbitrary: emoji },
  { weight: 2, arbitrary: scripts },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);
const clean = (s: string) => s.replace(STRIPPED, '');
// size 'max': lengths spread over the whole range, not just the small ones fast-check prefers.
const phrase = (minPieces: number, maxPieces: number) =>
  fc.array(piece, { minLength: minPieces, maxLength: maxPieces, size: 'max' }).map((p) => clean(p.join(' ')));

const title = fc
  .oneof(phrase(1, 12), phrase(80, 250))
  .map((t) => t.trim().slice(0, 1000).trim())
  .filter((t) => t !== '' && !/[\ud800-\udbff]$/.test(t));
const sentence = fc.tuple(phrase(1, 14), fc.constantFrom('.', '!', '?', '…', '。', '')).map(([p, end]) => p + end);
const summary = fc.oneof(
  fc.array(sentence, { maxLength: 30, size: 'max' }).map((s) => s.join(' ')),
  // Very long: up to ~20k characters, sometimes one sentence with no break at all.
  fc.tuple(sentence, fc.integer({ min: 50, max: 900 })).map(([s, n]) => `${s} `.repeat(n).slice(0, 20_000)),
  fc.tuple(scripts, fc.integer({ min: 100, max: 2500 })).map(([s, n]) => s.repeat(n).slice(0, 20_000)),
);
const tag = fc.oneof(fc.constantFrom('C++', 'AT&T', 'node.js', '#Security', 'Russia and FSU', '###', '', 'In-depth Report', 'Україна'), phrase(1, 3));

const input = fc.record({
  title,
  subtitle: fc.option(phrase(1, 60), { nil: undefined }),
  summary: fc.option(summary, { nil: undefined }),
  body: fc.option(summary, { nil: undefined }),
  authors: fc.array(phrase(1, 4).map((a) => a.slice(0, 200)), { maxLength: 6 }),
  source: fc.option(phrase(1, 3).map((s) => s.slice(0, 200)), { nil: undefined }),
  tags: fc.array(tag.map((t) => t.slice(0, 200)), { maxLength: 50, size: 'max' }),
  image: fc.boolean(),
  query: fc.string({ maxLength: 30 }),
});

const targetArb = fc.record({
  link: fc.constantFrom('preview', 'button', 'both'),
  photo: fc.boolean(),
  buttonText: fc.constantFrom('Read more', 'Читать & <далее>', '"Go"'),
  tracking: fc.constantFrom({}, { utm_source: 'telegram', utm_campaign: 'a&b "c"' }),
  template: fc.constantFrom(undefined, '<b>{title}</b>\n{hashtags}', '<blockquote>{summary}</blockquote>\n<a href="{url}">{title}</a>\n{byline}', '{title}\n{url}\n<i>{authors}</i> {source}'),
  hashtagsMax: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
});

type Raw = typeof input extends fc.Arbitrary<infer T> ? T : never;

function buildArticle(raw: Raw): Article {
  const url = `https://news.example.org/story/${encodeURIComponent([...raw.title].slice(0, 20).join(""))}?q=${encodeURIComponent(raw.query)}&x=1`;
  const article = toArticle({
    url,
    title: raw.title,
    ...(raw.subtitle !== undefined ? { subtitle: raw.subtitle.slice(0, 2000) } : {}),
    authors: raw.authors,
    tags: raw.tags,
    ...(raw.source !== undefined ? { source: { name: raw.source } } : {}),
    ...(raw.image ? { image: { url: 'https://news.example.org/img/photo.jpg' } } : {}),
    ...(raw.body !== undefined ? { body: raw.body } : {}),
  });
  // The schema caps summaries at 10k; the formatter must cope with longer ones anyway.
  if (raw.summary !== undefined && raw.summary.trim() !== '') article.summary = raw.summary.trim();
  return article;
}

/** Every way a post can link to the article. */
function links(post: TelegramPost): string[] {
  const body = parseTelegramHtml(post.text ?? post.caption ?? '');
  return [
    ...(post.link_preview_options?.url !== undefined ? [post.link_preview_options.url] : []),
    ...(post.reply_markup?.inline_keyboard.flat().map((b) => b.url) ?? []),
    ...body.entities.filter((e) => e.type === 'text_link').map((e) => e.url as string),
  ];
}

describe('formatTelegram over generated articles', () => {
  it('should always produce a post Telegram accepts, with the full title and a link to the article', () => {
    const seen = { photo: 0, fullCaption: 0, longMessage: 0, longTitle: 0, manyTags: 0 };
    fc.assert(
      fc.property(input, targetArb, (raw, t) => {
        const article = buildArticle(raw);
        const target = TelegramTarget.parse({
          id: 'tg', platform: 'telegram', link: t.link, photo: t.photo, buttonText: t.buttonText, tracking: t.tracking,
          ...(t.template !== undefined ? { template: t.template } : {}),
          hashtags: t.hashtagsMax !== undefined ? { max: t.hashtagsMax } : {},
        });
        const post = formatTelegram(article, target);

        // The fake's own checks: Telegram's HTML parser, then its length limits in code points.
        const kind = post.method === 'sendPhoto' ? 'caption' : 'text';
        const checked = checkText(post.text ?? post.caption, post.parse_mode, kind, true);
        checkReplyMarkup(post.reply_markup);
        if (post.method === 'sendPhoto') expect(post.photo).toBe(article.image?.url);
        else expect(post.caption).toBeUndefined();

        expect(checked?.text ?? '').toContain(decodeEntities(article.title).replace(/\s+/g, ' '));
        const length = [...(checked?.text ?? '')].length;
        if (post.method === 'sendPhoto') seen.photo++;
        if (post.method === 'sendPhoto' && length > 900) seen.fullCaption++;
        if (post.method === 'sendMessage' && length > 3500) seen.longMessage++;
        if ([...article.title].length > 500) seen.longTitle++;
        if (raw.tags.length > 25) seen.manyTags++;

        const expectedUrl = new URL(article.url);
        for (const [k, v] of Object.entries(t.tracking)) expectedUrl.searchParams.set(k, v);
        const shown = checked?.text ?? '';
        const shownAsText = shown.includes(expectedUrl.href) || (Object.keys(t.tracking).length === 0 && shown.includes(article.url));
        expect(shownAsText || links(post).some((l) => new URL(l).href === expectedUrl.href)).toBe(true);
      }),
      { numRuns: 300 },
    );
    // The generator really reached the hard cases (each is far more likely than 1 in 30 per run).
    expect(Object.values(seen).every((n) => n > 0)).toBe(true);
  }, 120_000);
});
