import { describe, expect, it } from 'vitest';
import { formatInstagram } from '../../adapters/instagram/format.js';
import { formatTelegram } from '../../adapters/telegram/format.js';
import { formatTwitter } from '../../adapters/twitter/format.js';
import { buildConfig } from '../../config/load.js';
import type { TargetOf } from '../../config/schema.js';
import { toArticle } from '../../src/article/schema.js';
import { isRightToLeft } from '../../src/text/direction.js';
import { decodeEntities, decodeEntitiesOnce } from '../../src/text/entities.js';

describe('decodeEntities', () => {
  it('should decode every named HTML reference, decimal, hex and windows-1252 ones, leaving unknown names and semicolon-less text', () => {
    expect(decodeEntitiesOnce('&nbsp;&mdash;&#151;&#x1F600;&unknown;&amp;amp;')).toBe('\u00a0——😀&unknown;&amp;');
    expect(decodeEntitiesOnce('&eacute;t&eacute; &agrave; l&rsquo;&icirc;le &hellip; &Scaron;')).toBe('été à l’île … Š');
    expect(decodeEntitiesOnce('AT&T, R&D, &copy2026, Q&A')).toBe('AT&T, R&D, &copy2026, Q&A');
  });

  it('should decode text escaped twice or more down to its characters', () => {
    expect(decodeEntities('Tom &amp;amp; Jerry &#8212; &#x41;&quot;')).toBe('Tom & Jerry — A"');
    expect(decodeEntities('&amp;amp;amp;lt;b&amp;gt;')).toBe('<b>');
  });
});

describe('the same characters on every platform', () => {
  const config = buildConfig(
    {
      targets: [
        { id: 'tg', platform: 'telegram', botToken: '123:abc', chat: '@chan' },
        { id: 'x', platform: 'twitter', appKey: 'a', appSecret: 'b', accessToken: 'c', accessSecret: 'd' },
        { id: 'ig', platform: 'instagram', username: 'u', password: 'p' },
      ],
    },
    {},
  );
  const [tg, x, ig] = config.targets as [TargetOf<'telegram'>, TargetOf<'twitter'>, TargetOf<'instagram'>];

  it('should show a title with leaked entities the same way on Telegram, X and Instagram', () => {
    const article = toArticle({
      url: 'https://news.example.org/arts/rock-n-roll',
      title: 'Arts &amp; Culture: Rock &#8217;n&#8217; roll at the &eacute;t&eacute; fair',
      summary: 'Three nights of music &mdash; and the harbour &amp;amp; the square.',
      authors: ['Zo&euml; Martin'],
    });
    const title = 'Arts & Culture: Rock ’n’ roll at the été fair';
    const telegram = formatTelegram(article, tg);
    const text = telegram.text ?? telegram.caption ?? '';
    // Telegram's HTML: the characters, with the one & escaped once for the parse mode.
    expect(text).toContain('<b>Arts &amp; Culture: Rock ’n’ roll at the été fair</b>');
    expect(text).toContain('Three nights of music — and the harbour &amp; the square.');
    expect(text).toContain('Zoë Martin');
    expect(text).not.toMatch(/&amp;amp;|&#8217;|&eacute;|&mdash;/);
    expect(formatTwitter(article, x).tweets[0]?.text).toContain(title);
    expect(formatInstagram(article, ig).caption).toContain(title);
  });

  it('should show a title that the summary or deck repeats once, on every platform', () => {
    const title = 'Council approves water budget';
    for (const repeat of [{ summary: `${title}.` }, { summary: title.toUpperCase() }, { subtitle: title }, { subtitle: title, summary: `${title}!` }]) {
      const article = toArticle({ url: 'https://news.example.org/council/water', title, ...repeat, body: 'The vote was 23 to 8 after a long night.\n\nWork starts in spring.' });
      const count = (text: string) => text.toLowerCase().split(title.toLowerCase()).length - 1;
      const telegram = formatTelegram(article, tg);
      expect(count(telegram.text ?? telegram.caption ?? ''), JSON.stringify(repeat)).toBe(1);
      expect(count(formatTwitter(article, x).tweets.map((t) => t.text).join('\n')), JSON.stringify(repeat)).toBe(1);
      expect(count(formatInstagram(article, ig).caption), JSON.stringify(repeat)).toBe(1);
    }
  });

  it('should open each paragraph of a right-to-left article with a right-to-left mark, and leave others alone', () => {
    const hebrew = toArticle({ url: 'https://news.example.org/tech/gemini', title: 'Google משיקה את Gemini 2.0 בישראל', summary: '5 מיליון משתמשים ביום הראשון', authors: ['דנה כהן'] });
    expect(isRightToLeft(hebrew)).toBe(true);
    const telegram = formatTelegram(hebrew, tg);
    const text = telegram.text ?? telegram.caption ?? '';
    expect(text).toContain('<b>\u200fGoogle משיקה את Gemini 2.0 בישראל</b>');
    expect(text).toContain('\u200f5 מיליון משתמשים ביום הראשון');
    expect(formatTwitter(hebrew, x).tweets[0]?.text.startsWith('\u200fGoogle')).toBe(true);
    expect(formatInstagram(hebrew, ig).caption).toContain('\u200fGoogle משיקה');
    // By its language when it says: an Arabic-language article with a Latin title is still right to left.
    expect(isRightToLeft(toArticle({ url: 'https://news.example.org/a', title: 'iPhone 17', lang: 'ar' }))).toBe(true);
    expect(isRightToLeft(toArticle({ url: 'https://news.example.org/a', title: 'שלום', lang: 'en' }))).toBe(false);
    const english = toArticle({ url: 'https://news.example.org/b', title: 'Council approves water budget', summary: 'The vote was 23 to 8.' });
    expect(formatTelegram(english, tg).text ?? formatTelegram(english, tg).caption).not.toContain('\u200f');
    expect(formatTwitter(english, x).tweets[0]?.text).not.toContain('\u200f');
    expect(formatInstagram(english, ig).caption).not.toContain('\u200f');
  });
});

