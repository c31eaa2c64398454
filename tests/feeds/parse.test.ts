import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { feedDate, itemKeys, itemToArticleInput } from '../../src/feeds/item.js';
import { FeedParseError, parseFeed } from '../../src/feeds/parse.js';
import { toArticle } from '../../src/article/schema.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8');

describe('parseFeed (RSS 2.0)', () => {
  const feed = parseFeed(fixture('harbour-v1.rss'), 'https://gazette.example/feed.xml');

  it('should read every item with its guid and absolute link', () => {
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('The Harbour Gazette');
    expect(feed.items.map((i) => [i.guid, i.link])).toEqual([
      ['gazette-1001', 'https://gazette.example/2026/06/ferry-timetable'],
      ['gazette-1002', 'https://gazette.example/2026/06/fish-market?utm_source=rss'],
    ]);
  });

  it('should keep an RSS title as text, so an escaped tag stays literal', () => {
    expect(feed.items[0]?.title).toBe('Ferry timetable doubles for the summer <b>season</b>');
  });

  it('should strip HTML from descriptions and content, dropping scripts and decoding entities', () => {
    expect(feed.items[0]?.summary).toBe('The island ferry will run every 30 minutes from June.\n\nFollow us on Instagram');
    expect(feed.items[1]?.content).toBe('Stalls return to the quay & so do the gulls.\n\nTraders said the new roof “finally keeps the rain out”.');
  });

  it('should map categories, authors (name from "mail (Name)") and images (enclosure, media:content with alt)', () => {
    expect(feed.items[0]?.categories).toEqual(['Transport', 'Harbour']);
    expect(feed.items[0]?.authors).toEqual(['Mira Okafor']);
    expect(feed.items[1]?.authors).toEqual(['Jonas Berg']);
    expect(feed.items[0]?.image).toEqual({ url: 'https://gazette.example/img/ferry.jpg' });
    expect(feed.items[1]?.image).toEqual({ url: 'https://gazette.example/img/market.jpg', alt: 'The rebuilt market hall at dawn' });
  });
});

describe('parseFeed (Atom)', () => {
  const feed = parseFeed(fixture('harbour-v1.atom'), 'https://courier.example/atom.xml');

  it('should read entries with the alternate link, resolving relative ones against the feed URL', () => {
    expect(feed.format).toBe('atom');
    expect(feed.items.map((i) => [i.guid, i.link])).toEqual([
      ['urn:courier:2001', 'https://courier.example/news/dam-inspection'],
      ['urn:courier:2002', 'https://courier.example/news/orchard-prize'],
    ]);
  });

  it('should turn html and xhtml text constructs into plain text in document order', () => {
    expect(feed.items[0]?.title).toBe('Dam inspection finds no cracks');
    expect(feed.items[0]?.summary).toBe('Engineers spent three days inside the wall.');
    expect(feed.items[0]?.content).toBe('Engineers spent three days inside the wall.\n\nThe report is public.');
  });

  it('should prefer category labels over terms and take the enclosure link as the image', () => {
    expect(feed.items[0]?.categories).toEqual(['Infrastructure', 'region-north']);
    expect(feed.items[0]?.authors).toEqual(['Ines Duarte']);
    expect(feed.items[0]?.image).toEqual({ url: 'https://courier.example/img/dam.png' });
  });
});

describe('feed items as articles', () => {
  it('should become valid Articles without an id, so the id is the URL hash', () => {
    const feed = parseFeed(fixture('harbour-v1.rss'), 'https://gazette.example/feed.xml');
    const article = toArticle(itemToArticleInput(feed.items[1]!));
    expect(article.id).toMatch(/^u[0-9a-f]{20}$/);
    expect(article.title).toBe('Fish market reopens after a year of repairs');
    expect(article.publishedAt).toBe('2026-06-02T09:00:00.000Z');
    expect(article.tags).toEqual(['Business']);
    expect(article.image).toEqual({ url: 'https://gazette.example/img/market.jpg', alt: 'The rebuilt market hall at dawn' });
    // The description is the content's first paragraph: kept once, as the body.
    expect(article.summary).toBeUndefined();
    expect(article.body).toContain('finally keeps the rain out');
  });

  it('should remember an item by guid and by canonical link (tracking parameters dropped)', () => {
    const feed = parseFeed(fixture('harbour-v1.rss'), 'https://gazette.example/feed.xml');
    expect(itemKeys(feed.items[1]!)).toEqual(['g:gazette-1002', 'l:https://gazette.example/2026/06/fish-market']);
  });

  it('should skip items with nothing to link to', () => {
    expect(itemToArticleInput({ title: 'No link', categories: [], authors: [] })).toBeUndefined();
  });

  it('should parse RFC 822 and RFC 3339 dates and reject nonsense', () => {
    expect(feedDate('Wed, 03 Jun 2026 18:15:00 GMT')).toBe('2026-06-03T18:15:00.000Z');
    expect(feedDate('2026-06-01T10:00:00+02:00')).toBe('2026-06-01T08:00:00.000Z');
    expect(feedDate('soon')).toBeUndefined();
  });

  it('should refuse a document that is not a feed', () => {
    expect(() => parseFeed('<html><body><p>hello</p></body></html>', 'https://x.example/')).toThrow(FeedParseError);
    expect(() => parseFeed('{"not": "xml"}', 'https://x.example/')).toThrow(/not a feed/);
  });

  it('should refuse a feed cut off mid-document, whatever its format, and take one that ends with comments', () => {
    const rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger</title><item><title>Budget vote</title><guid>b1</guid><link>https://ledger.example/2026/budget-vote</link></item></channel></rss>';
    expect(parseFeed(rss, 'https://ledger.example/feed').items).toHaveLength(1);
    expect(parseFeed(`${rss}\n<!-- cached 12:00 -->\n`, 'https://ledger.example/feed').items).toHaveLength(1);
    const cut = rss.slice(0, rss.indexOf('budget-vote') + 6);
    expect(() => parseFeed(cut, 'https://ledger.example/feed')).toThrow(/cut off: it does not end with <\/rss>/);
    expect(() => parseFeed(rss.replace('</rss>', ''), 'https://ledger.example/feed')).toThrow(FeedParseError);
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>e1</id><title>Ferry times</title><link href="https://ledger.example/ferry"/></entry></feed>';
    expect(parseFeed(atom, 'https://ledger.example/atom').items).toHaveLength(1);
    expect(() => parseFeed(atom.replace('</entry></feed>', '</entry>'), 'https://ledger.example/atom')).toThrow(/does not end with <\/feed>/);
    const rdf = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>T</title></channel><item><title>Mill</title><link>https://ledger.example/mill</link></item></rdf:RDF>';
    expect(parseFeed(rdf, 'https://ledger.example/rdf').items).toHaveLength(1);
    expect(() => parseFeed(rdf.slice(0, -4), 'https://ledger.example/rdf')).toThrow(FeedParseError);
  });

  it('should carry when an item last changed, so a correction is ordered against the one published', () => {
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>e1</id><title>Ferry times</title><link href="https://ledger.example/ferry"/><published>2026-06-01T08:00:00Z</published><updated>2026-06-01T09:30:00+01:00</updated></entry></feed>';
    const item = parseFeed(atom, 'https://ledger.example/atom').items[0]!;
    expect(itemToArticleInput(item)).toMatchObject({ publishedAt: '2026-06-01T08:00:00.000Z', updatedAt: '2026-06-01T08:30:00.000Z' });
    const rss = '<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><item><title>Mill</title><link>https://ledger.example/mill</link><pubDate>Mon, 01 Jun 2026 08:00:00 GMT</pubDate><atom:updated>2026-06-01T10:00:00Z</atom:updated></item></channel></rss>';
    expect(itemToArticleInput(parseFeed(rss, 'https://ledger.example/rss').items[0]!)).toMatchObject({ updatedAt: '2026-06-01T10:00:00.000Z' });
  });

  it('should take a guid for the link only when it is an http(s) address: a bare guid never becomes one', () => {
    const feed = (item: string) => parseFeed(`<rss><channel><link>https://pub.example/section/</link>${item}</channel></rss>`, 'https://pub.example/feed');
    expect(feed('<item><title>Script link</title><link>javascript:alert(1)</link><guid>js</guid></item>').items[0]?.link).toBeUndefined();
    expect(feed('<item><title>No link</title><guid>post-42</guid></item>').items[0]?.link).toBeUndefined();
    expect(feed('<item><title>Relative guid</title><guid>/2026/relative</guid></item>').items[0]?.link).toBeUndefined();
    expect(feed('<item><title>Permalink guid</title><guid>https://pub.example/2026/permalink</guid></item>').items[0]?.link).toBe('https://pub.example/2026/permalink');
    expect(feed('<item><title>Not a permalink</title><guid isPermaLink="false">https://pub.example/2026/x</guid></item>').items[0]?.link).toBeUndefined();
  });
});

describe('feed item text', () => {
  it('should drop site boilerplate paragraphs when given the boilerplate rules', async () => {
    const { boilerplate } = await import('../../src/article/boilerplate.js');
    const feed = parseFeed(fixture('harbour-v1.rss'), 'https://gazette.example/feed.xml');
    expect(itemToArticleInput(feed.items[0]!)?.summary).toContain('Follow us on Instagram');
    expect(itemToArticleInput(feed.items[0]!, boilerplate())?.summary).toBe('The island ferry will run every 30 minutes from June.');
  });
});

describe('relative item links', () => {
  it('should resolve Atom links against xml:base on the feed, the entry and the link, each relative to the one above', () => {
    // Fetched through a mirror: the fetch URL is the last resort, after xml:base and rel="self".
    const feed = parseFeed(fixture('relative-base.atom'), 'https://mirror.example/proxy?feed=quayside');
    expect(feed.items.map((i) => i.link)).toEqual([
      'https://www.quayside.example/newsroom/2026/05/crane-returns',
      'https://archive.quayside.example/stories/tide-tables',
      'https://www.quayside.example/newsroom/sport/rowing/regatta?day=2',
    ]);
  });

  it('should resolve RSS links against the feed address it states (atom:link rel="self") before the channel link', () => {
    const feed = parseFeed(fixture('relative-self.rss'), 'https://mirror.example/cache/123');
    expect(feed.items.map((i) => i.link)).toEqual(['https://millbrook.example/weekly/2026/fete-date.html', 'https://millbrook.example/2026/bridge.html']);
  });

  it('should fall back to the channel link, then to the URL the feed was fetched from', () => {
    const withoutSelf = fixture('relative-self.rss').replace(/<atom:link[^>]*\/>/, '');
    expect(parseFeed(withoutSelf, 'https://mirror.example/cache/123').items[0]?.link).toBe('https://millbrook.example/2026/fete-date.html');
    const withoutAny = withoutSelf.replace(/<link>https:\/\/millbrook\.example\/<\/link>/, '');
    expect(parseFeed(withoutAny, 'https://mirror.example/cache/123').items.map((i) => i.link)).toEqual([
      'https://mirror.example/cache/2026/fete-date.html',
      'https://mirror.example/2026/bridge.html',
    ]);
  });
});
