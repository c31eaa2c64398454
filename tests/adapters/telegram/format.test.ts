import { describe, expect, it } from 'vitest';
import { formatTelegram } from '../../../adapters/telegram/format.js';
import type { TelegramPost } from '../../../adapters/types.js';
import { TelegramTarget } from '../../../config/targets/telegram.js';
import { toArticle, type ArticleInput } from '../../../src/article/schema.js';
import { cleanTelegramText, codePointLength, parseTelegramHtml } from '../../../src/sandbox/telegram-html.js';
import { endsOnGraphemeBoundary } from '../../../src/text/truncate.js';

const target = (extra: Record<string, unknown> = {}) => TelegramTarget.parse({ id: 'tg', platform: 'telegram', ...extra });
const article = (extra: Partial<ArticleInput> = {}) =>
  toArticle({
    url: 'https://news.example.org/2026/05/ankara-talks?id=7&lang=en',
    title: 'Spy chiefs meet in Ankara',
    subtitle: 'The meeting was about nuclear risk, officials say',
    summary: 'The heads of two intelligence services met on Monday. Neither side gave details. A third sentence follows here.',
    authors: ['Dana Whitfield'],
    source: { name: 'Wire Service' },
    tags: ['Europe', 'Intelligence'],
    ...extra,
  });

/** What the reader sees: the body parsed by Telegram's rules, cleaned and trimmed as Telegram does. */
function visible(post: TelegramPost): string {
  return cleanTelegramText(parseTelegramHtml(post.text ?? post.caption ?? '').text);
}

describe('formatTelegram layout', () => {
  it('should show a title full of markup characters literally, in bold', () => {
    const title = '<b>AT&T</b> "quotes" & </i>';
    const post = formatTelegram(article({ title }), target());
    const parsed = parseTelegramHtml(post.text as string);
    expect(parsed.text.startsWith(`${title}\n`)).toBe(true);
    expect(parsed.entities[0]).toEqual({ type: 'bold', offset: 0, length: title.length });
    expect(post.text).toContain('&lt;b&gt;AT&amp;T&lt;/b&gt; "quotes" &amp; &lt;/i&gt;');
  });

  it('should lay out title, italic deck, summary, byline and hashtags', () => {
    const post = formatTelegram(article(), target());
    expect(post.method).toBe('sendMessage');
    expect(post.parse_mode).toBe('HTML');
    expect(visible(post)).toBe(
      'Spy chiefs meet in Ankara\nThe meeting was about nuclear risk, officials say\n\n' +
        'The heads of two intelligence services met on Monday. Neither side gave details. A third sentence follows here.\n\n' +
        'By Dana Whitfield · Wire Service\n#Europe #Intelligence',
    );
    const italic = parseTelegramHtml(post.text as string).entities.find((e) => e.type === 'italic');
    expect(italic).toEqual({ type: 'italic', offset: 26, length: 49 });
  });

  it('should leave out missing parts without leaving empty lines behind', () => {
    const bare = toArticle({ url: 'https://news.example.org/a', title: 'Only a title' });
    expect(visible(formatTelegram(bare, target()))).toBe('Only a title');
    const noDeck = formatTelegram(article({ subtitle: undefined, tags: [] }), target());
    expect(visible(noDeck)).not.toMatch(/\n\n\n/);
    expect(visible(noDeck).split('\n')[1]).toBe('');
  });

  it('should use the lead paragraph of the body when there is no summary', () => {
    const post = formatTelegram(article({ summary: undefined, body: 'Lead paragraph here.\n\nSecond paragraph.' }), target());
    expect(visible(post)).toContain('\n\nLead paragraph here.\n\n');
    expect(visible(post)).not.toContain('Second paragraph');
  });

  it('should end a summary the CMS cut mid-word at a whole word, with an ellipsis', () => {
    const body = 'The heads of two intelligence services met on Monday in the capital for talks on nuclear risk.';
    const post = formatTelegram(article({ summary: body.slice(0, body.indexOf('capital') + 3), body }), target());
    expect(visible(post)).toContain('\n\nThe heads of two intelligence services met on Monday in the…\n\n');
  });

  it('should name up to three authors and count the rest', () => {
    const post = formatTelegram(article({ authors: ['Ann One', 'Bo Two', 'Cy Three', 'Di Four', 'Ed Five'], source: undefined }), target());
    expect(visible(post)).toContain('By Ann One, Bo Two, Cy Three and 2 others\n');
  });

  it('should make well-formed hashtags from awkward tags', () => {
    const post = formatTelegram(article({ tags: ['C++', 'AT&T', 'node.js', '#Security', 'Russia and FSU'] }), target());
    const lines = visible(post).split('\n');
    const tagLine = lines[lines.length - 1] as string;
    expect(tagLine).toBe('#Cpp #ATT #nodejs #Security #RussiaAndFSU');
    // Telegram's hashtag rule: '#', then letters, decimal digits or '_', at least one letter.
    for (const tag of tagLine.split(' ')) expect(tag).toMatch(/^#(?=[\p{Nd}_]*\p{L})[\p{L}\p{Nd}_]+$/u);
  });

  it('should keep at most 5 hashtags by default and follow the target map and max', () => {
    const tags = ['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven'];
    const line = (post: TelegramPost) => visible(post).split('\n').pop();
    expect(line(formatTelegram(article({ tags }), target()))).toBe('#One #Two #Three #Four #Five');
    expect(line(formatTelegram(article({ tags }), target({ hashtags: { max: 2, map: { one: 'Uno', two: '' } } })))).toBe('#Uno #Three');
  });

  it('should replace characters Telegram would strip before counting', () => {
    const post = formatTelegram(article({ title: 'Bell\u0007 and \u202eoverride' }), target());
    expect(visible(post).split('\n')[0]).toBe('Bell and override');
  });
});

describe('formatTelegram links', () => {
  it('should not add tracking parameters unless configured', () => {
    const a = article();
    const post = formatTelegram(a, target());
    expect(post.link_preview_options).toEqual({ url: a.url, prefer_large_media: true, show_above_text: false });
    expect(post.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Read more', url: a.url }]] });
  });

  it('should add the configured tracking parameters to every link', () => {
    const post = formatTelegram(article(), target({ tracking: { utm_source: 'telegram', utm_medium: 'social' }, link: 'preview' }));
    const expected = 'https://news.example.org/2026/05/ankara-talks?id=7&lang=en&utm_source=telegram&utm_medium=social';
    expect(post.link_preview_options?.url).toBe(expected);
    const link = parseTelegramHtml(post.text as string).entities.find((e) => e.type === 'text_link');
    expect(link?.url).toBe(expected);
  });

  it('should show the link as a preview, a button or both', () => {
    const preview = formatTelegram(article(), target({ link: 'preview' }));
    expect(preview.reply_markup).toBeUndefined();
    expect(visible(preview).endsWith('\n\nRead more')).toBe(true);
    const button = formatTelegram(article(), target({ link: 'button', buttonText: 'Open' }));
    expect(button.link_preview_options).toEqual({ is_disabled: true });
    expect(button.reply_markup?.inline_keyboard[0]?.[0]?.text).toBe('Open');
    expect(visible(button)).not.toContain('Open');
  });
});

describe('formatTelegram photos and lengths', () => {
  const image = { url: 'https://news.example.org/img/ankara.jpg' };
  const sentences = Array.from({ length: 60 }, (_, i) => `Sentence number ${i + 1} says something plain.`).join(' ');

  it('should send the image with the whole post as caption when it fits', () => {
    const post = formatTelegram(article({ image }), target());
    expect(post).toMatchObject({ method: 'sendPhoto', photo: image.url });
    expect(post.text).toBeUndefined();
    expect(visible(post)).toContain('A third sentence follows here.');
  });

  it('should shorten the summary at a sentence boundary to fit a caption', () => {
    const post = formatTelegram(article({ image, summary: sentences }), target());
    expect(post.method).toBe('sendPhoto');
    const text = visible(post);
    expect(codePointLength(text)).toBeLessThanOrEqual(1024);
    const kept = (text.split('\n\n')[1] as string).trim();
    expect(sentences.startsWith(kept)).toBe(true);
    expect(kept.endsWith('plain.')).toBe(true);
    expect(kept.length).toBeGreaterThan(500);
  });

  it('should cut a summary without sentence breaks between words, never inside a word or an emoji', () => {
    const summary = Array.from({ length: 400 }, (_, i) => (i % 7 === 3 ? '👩‍👩‍👧‍👦' : `word${i}`)).join(' ');
    const post = formatTelegram(article({ image, summary }), target());
    const kept = (visible(post).split('\n\n')[1] as string).trim();
    expect(kept.endsWith('…')).toBe(true);
    const prefix = kept.slice(0, -1);
    expect(summary.startsWith(prefix)).toBe(true);
    expect(endsOnGraphemeBoundary(summary, prefix.length)).toBe(true);
    expect([' ', undefined]).toContain(summary[prefix.length]);
  });

  it('should fall back to a message with a large preview when not even title and link fit a caption', () => {
    const title = 'Long headline words '.repeat(50).trim().slice(0, 950);
    const a = article({ image, title, url: `https://news.example.org/${'section/'.repeat(12)}story` });
    const post = formatTelegram(a, target({ link: 'button', template: '<b>{title}</b>\n{summary}\n{url}' }));
    expect(post.method).toBe('sendMessage');
    expect(post.photo).toBeUndefined();
    expect(post.link_preview_options).toEqual({ url: a.url, prefer_large_media: true, show_above_text: false });
    expect(visible(post).startsWith(title)).toBe(true);
    expect(visible(post).endsWith(a.url)).toBe(true);
  });

  it('should drop a piece rather than keep a stub of it', () => {
    const title = 'Long headline words '.repeat(50).trim().slice(0, 990);
    const post = formatTelegram(article({ image, title }), target({ link: 'button' }));
    expect(post.method).toBe('sendPhoto');
    expect(visible(post)).toBe(title);
  });

  it('should send a message when the target does not post photos', () => {
    expect(formatTelegram(article({ image }), target({ photo: false })).method).toBe('sendMessage');
  });

  it('should keep a message within 4096 code points however long the summary is', () => {
    const post = formatTelegram(article({ summary: `${'Ünïcödé ✓ sentence here. '.repeat(380)}` }), target());
    const text = visible(post);
    expect(codePointLength(text)).toBeLessThanOrEqual(4096);
    expect(codePointLength(text)).toBeGreaterThan(3900);
    expect(text.startsWith('Spy chiefs meet in Ankara\n')).toBe(true);
  });
});
