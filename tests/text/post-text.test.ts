import { describe, expect, it } from 'vitest';
import { formatInstagram } from '../../adapters/instagram/format.js';
import { formatTelegram } from '../../adapters/telegram/format.js';
import { formatTwitter } from '../../adapters/twitter/format.js';
import { buildConfig } from '../../config/load.js';
import type { TargetOf } from '../../config/schema.js';
import { toArticle } from '../../src/article/schema.js';
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
});

