import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractHtml, stripSiteName } from '../../src/article/extract-html.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/articles/${name}`, import.meta.url), 'utf8');

describe('extractHtml with JSON-LD in an @graph (Northwind Review)', () => {
  const article = extractHtml(fixture('northwind-graph.html'));

  it('should resolve the relative canonical against the page and keep it as the URL', () => {
    expect(article.url).toBe('https://northwind.example/energy/2024/09/30/cable-landfall');
  });

  it('should take the headline, authors (resolving @id references), date and keywords from the NewsArticle node', () => {
    expect(article.title).toBe('Wind Farm Cable Reaches the Coast');
    expect(article.authors).toEqual(['Kari Solberg', 'Ewan McLeod']);
    expect(article.publishedAt).toBe('2024-09-30T05:00:00.000Z');
    expect(article.tags).toEqual(['offshore wind', 'grid', 'North Sea']);
  });

  it('should take summary from the meta description (entities decoded), image from og:image, source from og:site_name', () => {
    expect(article.summary).toBe('A 92 km export cable now links the offshore turbines to the grid & a new substation.');
    expect(article.image).toEqual({ url: 'https://img.northwind.example/cable.jpg', alt: 'A cable ship off the dunes at dawn' });
    expect(article.source).toEqual({ name: 'Northwind Review', url: 'https://northwind.example/' });
  });

  it('should give the readable body without nav, asides, share bar, newsletter prompt or footer', () => {
    const paragraphs = (article.body ?? '').split('\n\n');
    expect(paragraphs).toHaveLength(4);
    expect(paragraphs[0]).toMatch(/^The export cable for the Skarv offshore wind farm came ashore on Monday/);
    expect(paragraphs[1]).toContain('the farm’s first turbines');
    expect(paragraphs[1]).toContain('homes & several ports.');
    expect(paragraphs[3]).toMatch(/^The substation, built on a former airfield/);
    for (const noise of ['Home', 'Subscribe', 'Tweet', 'Related', 'Turbine blades', 'Most read', 'newsletter', 'Copyright', 'Privacy', 'By Kari']) {
      expect(article.body).not.toContain(noise);
    }
  });
});

describe('extractHtml with Open Graph only (Lakeside Chronicle)', () => {
  const article = extractHtml(fixture('lakeside-og.html'));

  it('should use og:url (no canonical), og:title and og:site_name', () => {
    expect(article.url).toBe('https://lakeside.example/culture/library-midnight');
    expect(article.title).toBe('Library Opens Its Doors at Midnight');
    expect(article.source).toEqual({ name: 'Lakeside Chronicle' });
  });

  it('should read article:published_time, article:tag, and the author name rather than the article:author URL', () => {
    expect(article.publishedAt).toBe('2023-02-17T21:30:00.000Z');
    expect(article.tags).toEqual(['Libraries', 'Night Life']);
    expect(article.authors).toEqual(['Noor Rahman']);
  });

  it('should resolve a relative og:image and decode entities in the description', () => {
    expect(article.image).toEqual({ url: 'https://lakeside.example/media/library-night.jpg' });
    expect(article.summary).toBe('The town library now stays open until 2 a.m. on Fridays, and students & night workers are filling it.');
  });

  it('should keep the three story paragraphs and drop the social prompt, the copyright trailer and the ad', () => {
    const paragraphs = (article.body ?? '').split('\n\n');
    expect(paragraphs).toHaveLength(3);
    expect(paragraphs[1]).toBe(
      '“It’s the only quiet, warm place open after ten,” said nurse Ida Berg, who reads there after her shift. The library extended the trial after a survey found 87% of visitors wanted it to continue.',
    );
    for (const noise of ['Follow us', 'Copyright', 'Reproduction', 'Advertisement', 'Buy a boat', 'Front page', 'Harbour Road']) {
      expect(article.body).not.toContain(noise);
    }
  });
});

describe('extractHtml fallbacks', () => {
  it('should fall back to the url option, <title> and the page text when metadata is missing', () => {
    const html = '<html><head><title>Short note</title></head><body><nav>Menu</nav><p>One small paragraph.</p><footer>Footer text</footer></body></html>';
    const article = extractHtml(html, { url: 'https://plain.example/note' });
    expect(article.url).toBe('https://plain.example/note');
    expect(article.title).toBe('Short note');
    expect(article.body).toBe('One small paragraph.');
  });

  it('should say what is missing when there is no URL and no title', () => {
    expect(() => extractHtml('<html><body><p>x</p></body></html>', { url: 'https://a.example/' })).toThrow('article has no title');
    expect(() => extractHtml('<html><head><title>T</title></head></html>')).toThrow('article has no URL: pass --url URL');
  });

  it('should ignore broken JSON-LD and still use the other metadata', () => {
    const html = `<html><head><title>T</title><script type="application/ld+json">{ not json</script>
      <meta property="og:url" content="https://x.example/a"></head><body><p>Text.</p></body></html>`;
    expect(extractHtml(html).url).toBe('https://x.example/a');
  });

  it('should pick the article node from a top-level JSON-LD array', () => {
    const html = `<html><head><script type="application/ld+json">[{"@type":"WebPage","name":"Page"},
      {"@type":"BlogPosting","headline":"From LD","url":"https://ld.example/p","author":"Sam Park","datePublished":"2021-05-04"}]</script>
      </head><body><p>Text.</p></body></html>`;
    const article = extractHtml(html);
    expect(article.title).toBe('From LD');
    expect(article.url).toBe('https://ld.example/p');
    expect(article.authors).toEqual(['Sam Park']);
    expect(article.publishedAt).toBe('2021-05-04T00:00:00.000Z');
  });
});

describe('stripSiteName', () => {
  it('should strip a suffix or prefix only when it is the site name', () => {
    expect(stripSiteName('Headline | The Site', 'The Site')).toBe('Headline');
    expect(stripSiteName('The Site: Headline', 'the site')).toBe('Headline');
    expect(stripSiteName('Headline — Lakeside Chronicle', 'Lakeside Chronicle')).toBe('Headline');
    expect(stripSiteName('Cats | Dogs', 'Other Site')).toBe('Cats | Dogs');
    expect(stripSiteName('Cats | Dogs', undefined)).toBe('Cats | Dogs');
    expect(stripSiteName('The Site', 'The Site')).toBe('The Site');
  });
});

describe('extractHtml on pages of the corpus', () => {
  const page = (name: string, url: string) => extractHtml(readFileSync(new URL(`../fixtures/pages/${name}.html`, import.meta.url), 'utf8'), { url });

  it('should drop a leading line that only names the writers from the body ("Name date time", "이름 기자 address")', () => {
    const cz = page('cz-suffix-tagline', 'https://zpravy.zpravodaj.example/domaci/brno-nocni-tramvaj-bystrc/r~4a1c2e7b/');
    expect(cz.authors).toEqual(['Tereza Dvořáková']);
    expect(cz.body?.split('\n\n')[0]).toBe('Dopravní podnik zkouší noční tramvaj do Bystrce. Jezdit bude v pátek a v sobotu každých třicet minut od půlnoci do čtyř ráno.');
    const ko = page('h2-korean-reporter', 'https://www.hanbit-ilbo.example/society/1133000.html');
    expect(ko.body).not.toContain('기자');
  });

  it('should take the article URL from the page it was fetched from when og:url is the home page', () => {
    expect(page('site-name-h1-logo', 'https://towncrier.example/2020/10/03/market-square-car-free/').url).toBe('https://towncrier.example/2020/10/03/market-square-car-free/');
  });
});
