import { describe, expect, it } from 'vitest';
import { extractJson } from '../../src/article/extract-json.js';
import { ArticleError } from '../../src/article/schema.js';

describe('extractJson', () => {
  it('should validate and normalise an Article JSON', () => {
    const article = extractJson(
      JSON.stringify({ url: 'https://j.example/a', title: '  Title  ', tags: ['A', 'a', 'B'], publishedAt: '2024-01-02T03:04:05+01:00', id: 42 }),
    );
    expect(article).toEqual({ id: '42', url: 'https://j.example/a', title: 'Title', authors: [], tags: ['A', 'B'], publishedAt: '2024-01-02T02:04:05.000Z' });
  });

  it('should report invalid JSON with its position, in one line', () => {
    const bad = '{\n  "title": "x",\n  "url": }';
    expect(() => extractJson(bad)).toThrow(ArticleError);
    expect(() => extractJson(bad)).toThrow(/^not valid JSON: .*\(line 3, column 10\)$/);
  });

  it('should fill a missing url from the option and complain when there is none', () => {
    expect(extractJson('{"title":"T"}', { url: 'https://fallback.example/t' }).url).toBe('https://fallback.example/t');
    expect(() => extractJson('{"title":"T"}')).toThrow('article has no URL: pass --url URL');
    expect(extractJson('{"title":"T","url":"https://own.example/"}', { url: 'https://fallback.example/t' }).url).toBe('https://own.example/');
  });

  it('should name missing titles, bad URLs and non-objects', () => {
    expect(() => extractJson('{"url":"https://a.example/"}')).toThrow('article has no title');
    expect(() => extractJson('{"url":"https://a.example/","title":"   "}')).toThrow('article has no title');
    expect(() => extractJson('{"url":"javascript:alert(1)","title":"T"}')).toThrow(/url: must be an http\(s\) URL/);
    expect(() => extractJson('[1,2]')).toThrow('article JSON must be an object, not an array');
    expect(() => extractJson('{"url":"https://a.example/","title":"T","extra":1}')).toThrow(/invalid article/);
  });

  it('should accept the preview output shape {"article": {...}}', () => {
    const article = extractJson(JSON.stringify({ article: { url: 'https://p.example/', title: 'Preview' }, posts: [] }));
    expect(article.title).toBe('Preview');
  });
});
