import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { fetchArticle, linksOf, parsePostRequest, shortPostArticle } from '../../src/bot/article-input.js';
import { startSandboxSite, type SandboxSite } from '../../src/sandbox/site.js';
import { articlePage } from './harness.js';

describe('/post arguments (article-input)', () => {
  it('should read a bare link as an article to fetch', () => {
    expect(parsePostRequest('https://news.example.org/a')).toEqual({ kind: 'url', url: 'https://news.example.org/a' });
    expect(parsePostRequest('  https://news.example.org/a.  ')).toEqual({ kind: 'url', url: 'https://news.example.org/a' });
  });

  it('should read a link with text as a short post, keeping line breaks', () => {
    expect(parsePostRequest('https://news.example.org/a Ferries return\nAll night, every night')).toEqual({
      kind: 'text', url: 'https://news.example.org/a', text: 'Ferries return\nAll night, every night',
    });
    expect(parsePostRequest('Worth reading: https://news.example.org/a')).toEqual({ kind: 'text', url: 'https://news.example.org/a', text: 'Worth reading:' });
  });

  it('should take the link and text from the replied-to message', () => {
    const quoted = { text: 'Ferries return https://news.example.org/f', entities: [{ type: 'url', offset: 15, length: 26 }] };
    expect(parsePostRequest('', quoted)).toEqual({ kind: 'text', url: 'https://news.example.org/f', text: 'Ferries return' });
    expect(parsePostRequest('https://news.example.org/other', { text: 'Quoted words' })).toEqual({ kind: 'text', url: 'https://news.example.org/other', text: 'Quoted words' });
    expect(parsePostRequest('My own words', { caption: 'Photo', caption_entities: [{ type: 'text_link', offset: 0, length: 5, url: 'https://news.example.org/p' }] })).toEqual({
      kind: 'text', url: 'https://news.example.org/p', text: 'My own words',
    });
  });

  it('should ask for a link when there is none, and refuse other schemes', () => {
    expect(parsePostRequest('')).toMatchObject({ kind: 'usage', message: expect.stringMatching(/^Send \/post followed by a link/) });
    expect(parsePostRequest('just words')).toMatchObject({ kind: 'usage', message: expect.stringMatching(/needs a link/) });
    expect(parsePostRequest('', { text: 'no link here' })).toMatchObject({ kind: 'usage', message: expect.stringMatching(/needs a link/) });
    expect(parsePostRequest('javascript://alert(1)')).toEqual({ kind: 'usage', message: 'Only http and https links can be posted, not javascript.' });
  });

  it('should find links in entities and text', () => {
    expect(linksOf({ text: 'see example.org/x', entities: [{ type: 'url', offset: 4, length: 13 }] })).toEqual(['https://example.org/x']);
  });

  it('should take no tg:// or mailto: link for an article, and refuse two links in one /post', () => {
    expect(linksOf({ text: 'ask her', entities: [{ type: 'text_link', offset: 0, length: 3, url: 'tg://user?id=1' }, { type: 'text_link', offset: 4, length: 3, url: 'mailto:a@b.example' }] })).toEqual([]);
    expect(parsePostRequest('', { text: 'ask her', entities: [{ type: 'text_link', offset: 0, length: 3, url: 'tg://user?id=1' }] })).toMatchObject({ kind: 'usage' });
    expect(parsePostRequest('https://news.example.org/a https://news.example.org/b')).toEqual({ kind: 'usage', message: 'One link per /post: send each article in a /post of its own.' });
    // The same link twice is one link.
    expect(parsePostRequest('https://news.example.org/a see https://news.example.org/a.')).toMatchObject({ kind: 'text', url: 'https://news.example.org/a' });
  });

  it("should keep a link's own closing bracket and drop the one around it", () => {
    expect(parsePostRequest('https://en.wikipedia.org/wiki/Foo_(bar)')).toEqual({ kind: 'url', url: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
    expect(parsePostRequest('(https://news.example.org/a)')).toEqual({ kind: 'url', url: 'https://news.example.org/a' });
  });

  it('should map a short post to title = first line, summary = the rest, a stable id per text and link', () => {
    const a = shortPostArticle('https://news.example.org/a', 'Ferries <b>return</b>\nAll night.\nEvery night.');
    expect(a).toMatchObject({ url: 'https://news.example.org/a', title: 'Ferries <b>return</b>', summary: 'All night.\nEvery night.' });
    expect(a.id).toMatch(/^p[0-9a-f]{20}$/);
    expect(shortPostArticle('https://news.example.org/a?utm_source=x', 'Ferries <b>return</b>\nAll night.\nEvery night.').id).toBe(a.id);
    expect(shortPostArticle('https://news.example.org/a', 'Other text').id).not.toBe(a.id);
    expect(shortPostArticle('https://news.example.org/a', 'Just a title').summary).toBeUndefined();
  });
});

describe('fetching an article for /post (article-input)', () => {
  let site: SandboxSite;
  const config = (allow: boolean) => buildConfig({ bot: { allowPrivateNetwork: allow } }, {});

  it('should fetch and extract a page, and refuse private addresses unless allowed', async () => {
    site = await startSandboxSite();
    try {
      const url = `${site.url}/news/page.html`;
      site.pages.set('/news/page.html', ['text/html', articlePage('Lock gates replaced', url)]);
      site.pages.set('/img.png', ['image/png', Buffer.from([0x89, 0x50])]);
      const article = await fetchArticle(url, config(true));
      expect(article).toMatchObject({ title: 'Lock gates replaced', url });
      await expect(fetchArticle(url, config(false))).rejects.toThrow(/^I won't fetch that link: 127\.0\.0\.1 is a loopback address/);
      await expect(fetchArticle(`${site.url}/img.png`, config(true))).rejects.toThrow('That link is not an article page (it is image/png).');
      await expect(fetchArticle(`${site.url}/missing`, config(true))).rejects.toThrow('The site answered 404 for that link.');
      expect(site.hits.get('/news/page.html')).toBe(1);
    } finally {
      await site.close();
    }
  });

  it('should read a page in ISO-8859-1 by its HTTP charset or its <meta charset>, not as UTF-8', async () => {
    site = await startSandboxSite();
    try {
      const page = (meta: string) =>
        Buffer.from(`<!doctype html><html><head>${meta}<title>Écluse de Saint-Éloi : travaux reportés</title></head><body><article><h1>Écluse de Saint-Éloi : travaux reportés</h1><p>Les travaux de l'écluse sont reportés à l'été, faute de pièces.</p></article></body></html>`, 'latin1');
      site.pages.set('/fr/http.html', ['text/html; charset=ISO-8859-1', page('')]);
      site.pages.set('/fr/meta.html', ['text/html', page('<meta charset="iso-8859-1">')]);
      for (const path of ['/fr/http.html', '/fr/meta.html']) {
        const article = await fetchArticle(`${site.url}${path}`, config(true));
        expect(article.title).toBe('Écluse de Saint-Éloi : travaux reportés');
        expect(article.summary).toBe("Les travaux de l'écluse sont reportés à l'été, faute de pièces.");
      }
    } finally {
      await site.close();
    }
  });
});
