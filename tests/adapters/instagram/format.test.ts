import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toArticle, type Article } from '../../../src/article/schema.js';
import { InstagramTarget } from '../../../config/targets/instagram.js';
import { formatInstagram, limitMentions, plainLine } from '../../../adapters/instagram/format.js';
import { decodeEntities } from '../../../src/text/entities.js';
import { completeExcerpt } from '../../../src/text/excerpt.js';

const target = (extra: Record<string, unknown> = {}) => InstagramTarget.parse({ id: 'ig-main', platform: 'instagram', ...extra });

const hashtagCount = (text: string) => (text.match(/#[\p{L}\p{M}\p{N}_]/gu) ?? []).length;
const mentionCount = (text: string) => (text.match(/@[A-Za-z0-9._]/g) ?? []).length;
const ENTITY = /&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos|nbsp|hellip|mdash|ndash|rsquo|ldquo|rdquo);/i;
const WJ = /\u2060/g;
const graphemes = (text: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
const EMOJI_PART = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u200d|[\u{1F3FB}-\u{1F3FF}]/u;

function wordBoundaries(text: string): Set<number> {
  const out = new Set<number>([0, text.length]);
  for (const s of new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)) out.add(s.index + s.segment.length);
  return out;
}

/** `value` is `original`, empty, or `original` cut at a word (or sentence) boundary, maybe with an ellipsis. */
function isCleanCut(value: string, original: string): boolean {
  const v = value.replace(WJ, '');
  const o = original.replace(WJ, '');
  if (v === o || v === '') return true;
  const head = v.endsWith('…') && !o.startsWith(v) ? v.slice(0, -1) : v;
  return o.startsWith(head) && wordBoundaries(o).has(head.length);
}

describe('formatInstagram', () => {
  const article = toArticle({
    url: 'https://news.example.org/2026/02/harbour',
    title: 'Harbour reopens &amp; ferries <b>return</b>',
    subtitle: 'Officials say the #storm damage was lighter than feared',
    authors: ['Ann Lee', 'Bo Chen'],
    source: { name: 'Coast Wire' },
    publishedAt: '2026-02-03T09:00:00Z',
    tags: ['Europe', 'Russia and FSU', 'C++', 'Storms', 'Ports', 'Shipping', 'Weather'],
    body: 'The harbour reopened on Monday. Ferries resumed at noon.\n\nA second paragraph that is not the lead.',
    image: { url: 'https://news.example.org/ferry.jpg', alt: 'A ferry at the dock', focus: { x: 0.2, y: 0.4 } },
  });

  it('should lay out title, deck, lead, source, link-in-bio line and five hashtags, without the raw URL', () => {
    const post = formatInstagram(article, target({ tracking: { utm_source: 'instagram' }, hashtags: { map: { 'Russia and FSU': 'Russia' } } }));
    const lines = post.caption.split('\n');
    expect(lines[0]).toBe('Harbour reopens & ferries <b>return</b>');
    expect(post.caption).toContain('The harbour reopened on Monday. Ferries resumed at noon.');
    expect(post.caption).not.toContain('second paragraph');
    expect(post.caption).toContain('Source: Coast Wire\nLink in bio\n\n#Europe');
    expect(post.caption).not.toContain('https://');
    expect(lines[lines.length - 1]).toBe('#Europe #Russia #Cpp #Storms #Ports');
    expect(hashtagCount(post.caption)).toBe(5);
  });

  it('should carry both the link-in-bio line and the tracked URL when the template asks for both', () => {
    const post = formatInstagram(article, target({ tracking: { utm_source: 'instagram' }, template: '{title}\n\n{link_in_bio}\n{url}' }));
    expect(post.caption).toBe('Harbour reopens & ferries <b>return</b>\n\nLink in bio\nhttps://news.example.org/2026/02/harbour?utm_source=instagram');
  });

  it('should end a summary the CMS cut mid-word at a whole word, with an ellipsis', () => {
    const body = 'The harbour reopened on Monday after three days of closure, and the first ferries left the quay at noon.';
    const cut = toArticle({ url: 'https://x.example/a', title: 'Harbour', summary: body.slice(0, body.indexOf('closure') + 3), body });
    expect(formatInstagram(cut, target()).caption).toContain('\n\nThe harbour reopened on Monday after three days of…\n\n');
  });

  it('should neutralise hashtags inside the article text so only the tag line counts', () => {
    const post = formatInstagram(article, target());
    expect(post.caption).toContain('the #\u2060storm damage');
  });

  it('should carry the image URL and focus, or ask for a card when there is no image', () => {
    const withImage = formatInstagram(article, target());
    expect(withImage.image).toEqual({ url: 'https://news.example.org/ferry.jpg', focus: { x: 0.2, y: 0.4 } });
    expect(withImage.imageSource).toBe('article');
    expect(withImage.alt).toBe('A ferry at the dock');
    const { image: _image, ...rest } = article;
    const without = formatInstagram(rest as Article, target());
    expect(without.image).toEqual({});
    expect(without.imageSource).toBe('card');
    expect(without.cardText).toEqual({ title: 'Harbour reopens & ferries <b>return</b>', sourceName: 'Coast Wire', publishedAt: '2026-02-03T09:00:00.000Z', url: article.url });
  });

  it('should allow up to 30 hashtags when configured', () => {
    const many = toArticle({ url: 'https://x.example/a', title: 'Tags', tags: Array.from({ length: 40 }, (_, i) => `topic${i}`) });
    expect(hashtagCount(formatInstagram(many, target({ hashtags: { max: 30 } })).caption)).toBe(30);
    expect(hashtagCount(formatInstagram(many, target()).caption)).toBe(5);
  });

  it('should keep the first 20 mentions and neutralise the rest', () => {
    const names = Array.from({ length: 26 }, (_, i) => `@user${i}`).join(' ');
    const post = formatInstagram(toArticle({ url: 'https://x.example/a', title: 'Mentions', summary: names }), target());
    expect(mentionCount(post.caption)).toBe(20);
    expect(post.caption.replace(WJ, '')).toContain(names);
    expect(limitMentions('@a @b @c', 2)).toBe('@a @b @\u2060c');
  });

  it('should fill a per-target template and drop the lines of empty placeholders', () => {
    const post = formatInstagram(article, target({ template: '{title}\n{byline} · {date}\n\n{deck}\n\n{lead}\n\n{url}' }));
    expect(post.caption.split('\n').slice(0, 2)).toEqual(['Harbour reopens & ferries <b>return</b>', 'By Ann Lee and Bo Chen · 2026-02-03']);
    const bare = formatInstagram(toArticle({ url: 'https://x.example/a', title: 'Only a title' }), target());
    expect(bare.caption).toBe('Only a title\n\nLink in bio');
  });

});

// ---- property tests ----------------------------------------------------------------

const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('harbour', 'ferry', 'storm', 'minister', 'quota', 'north', 'sea', 'deal', 'talks', 'port', 'crew', 'wind') },
  { weight: 3, arbitrary: fc.constantFrom('шторм', 'порт', 'переговоры', 'Ελλάδα', 'ngư dân', 'Łódź', 'naïve', 'e\u0301te\u0301') },
  { weight: 2, arbitrary: fc.constantFrom('👨‍👩‍👧‍👦', '🇺🇦', '👍🏽', '🏳️‍🌈', '❤️', '🌊', '1️⃣') },
  { weight: 2, arbitrary: fc.constantFrom('@port_authority', '@ann.lee', '#breaking', '#News', 'mail@example.com', 'C#') },
  { weight: 2, arbitrary: fc.constantFrom('&amp;', '&#39;', '&quot;quoted&quot;', '&amp;amp;', '&lt;b&gt;', '<i>', '&nbsp;', '&#x1F30A;') },
  { weight: 1, arbitrary: fc.constantFrom('—', '(aside)', '“quote”', '2026', '3.5%', 'e.g.', '…') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }) },
);
const sentence = fc.array(word, { minLength: 1, maxLength: 25 }).map((ws) => ws.join(' ') + '.');
const text = (maxSentences: number) => fc.array(sentence, { minLength: 1, maxLength: maxSentences }).map((ss) => ss.join(' '));
const shortText = fc.array(word, { minLength: 1, maxLength: 12 }).map((ws) => ws.join(' '));
/** Texts that are often short and sometimes far longer than a caption holds. */
const anyText = (maxSentences: number) => fc.oneof(text(maxSentences), fc.array(sentence, { minLength: 12, maxLength: 30 }).map((ss) => ss.join(' ')));

const articleArb = fc
  .record(
    {
      title: fc.oneof(fc.array(word, { minLength: 1, maxLength: 20 }), fc.array(word, { minLength: 60, maxLength: 200 })).map((ws) => ws.join(' ')),
      subtitle: anyText(4),
      summary: anyText(10),
      body: fc.array(text(6), { minLength: 1, maxLength: 3 }).map((ps) => ps.join('\n\n')),
      tags: fc.array(fc.oneof(shortText, fc.constantFrom('Russia and FSU', 'C++', 'Node.js', '#Already', '中国', '')), { maxLength: 40 }),
      authors: fc.array(shortText, { maxLength: 4 }),
      source: fc.record({ name: shortText }),
      mentions: fc.array(fc.constantFrom('@a', '@b.c', '@d_e'), { maxLength: 40 }),
      path: fc.stringMatching(/^[a-z0-9/-]{0,300}$/),
    },
    { requiredKeys: ['title', 'path', 'mentions'] },
  )
  .map(({ mentions, path, title, subtitle, summary, body, ...rest }) => {
    // Keep inputs inside the Article schema's limits (UTF-16 lengths), cutting between graphemes.
    const cap = (value: string | undefined, max: number) => {
      if (value === undefined) return undefined;
      let out = '';
      for (const g of graphemes(value)) {
        if (out.length + g.length > max) break;
        out += g;
      }
      return out;
    };
    const input: Record<string, unknown> = { ...rest, url: `https://news.example.org/${path}`, title: cap(`Harbour ${title}`, 1000) };
    if (subtitle !== undefined) input.subtitle = cap(subtitle, 2000);
    if (summary !== undefined || mentions.length > 0) input.summary = cap(`${summary ?? ''} ${mentions.join(' ')}`, 10_000);
    if (body !== undefined) input.body = body;
    return toArticle(input);
  });

const targetArb = fc.record({
  max: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  leadMaxChars: fc.integer({ min: 0, max: 2200 }),
  tracking: fc.constantFrom({}, { utm_source: 'instagram', utm_medium: 'social' }),
});

describe('formatInstagram (properties)', () => {
  it('should keep every caption within Instagram limits with no entity, cut word or cut emoji', () => {
    const marked = 'T:{title}\n\nD:{deck}\n\nL:{lead}\n\n{source}\n{link_in_bio}\n{url}\n\n{hashtags}';
    fc.assert(
      fc.property(articleArb, targetArb, fc.boolean(), (article, t, useMarkers) => {
        const tgt = target({ leadMaxChars: t.leadMaxChars, tracking: t.tracking, hashtags: t.max === undefined ? {} : { max: t.max }, ...(useMarkers ? { template: marked } : {}) });
        const { caption } = formatInstagram(article, tgt);
        expect(caption.length).toBeLessThanOrEqual(2200);
        expect(hashtagCount(caption)).toBeLessThanOrEqual(t.max ?? 5);
        expect(mentionCount(caption)).toBeLessThanOrEqual(20);
        expect(caption).not.toMatch(ENTITY);
        const emoji = graphemes(caption).filter((g) => EMOJI_PART.test(g));
        if (emoji.length > 0) {
          const all = [article.title, article.subtitle, article.summary, article.body?.split('\n\n')[0], article.source?.name, ...article.authors, ...article.tags].join(' ');
          const sourceGraphemes = new Set(graphemes(decodeEntities(all)).filter((g) => EMOJI_PART.test(g)));
          for (const g of emoji) expect(sourceGraphemes.has(g)).toBe(true);
        }
        if (useMarkers) {
          const lines = caption.split('\n').filter((l) => l !== '');
          const [tLine, dLine, lLine] = lines;
          expect(tLine?.startsWith('T:') && dLine?.startsWith('D:') && lLine?.startsWith('L:')).toBe(true);
          expect(isCleanCut((tLine as string).slice(2), plainLine(article.title))).toBe(true);
          expect(isCleanCut((dLine as string).slice(2), plainLine(article.subtitle))).toBe(true);
          // The lead is the summary (a cut one completed from the body, or dropped when it ends in half a @mention or link), else a body paragraph, cut cleanly.
          const paragraphs = (article.body ?? '').split(/\n\s*\n/).map(plainLine);
          const sources = [completeExcerpt(plainLine(article.summary), article.body === undefined ? undefined : plainLine(article.body)), plainLine(article.summary), ...paragraphs];
          const lead = (lLine as string).slice(2);
          expect(lead === '' || sources.some((source) => source !== '' && isCleanCut(lead, source))).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
