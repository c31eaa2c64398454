import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat, loadArticle } from '../../src/article/load.js';
import { jsonErrorOffset } from '../../src/article/extract-json.js';
import { ArticleError } from '../../src/article/schema.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/articles/${name}`, import.meta.url), 'utf8');

describe('detectFormat', () => {
  it.each([
    ['{"title":"x"}', 'json'],
    ['\ufeff  \n {"a":1}', 'json'],
    ['<!DOCTYPE html><html></html>', 'html'],
    ['<!-- saved page -->\n<html lang="en">', 'html'],
    ['Some text <article>body</article>', 'html'],
    ['<div><body>x</body></div>', 'html'],
    ['# Title\n\nText with <b>bold</b> and <br> breaks', 'markdown'],
    ['Title: X\n\nbody', 'markdown'],
    ['', 'markdown'],
  ] as const)('should classify %j as %s', (text, format) => {
    expect(detectFormat(text)).toBe(format);
  });
});

describe('loadArticle', () => {
  it('should dispatch each fixture format to its extractor', () => {
    expect(loadArticle(fixture('ridgeline-dispatch.md')).authors).toEqual(['Lena Hartmann', 'Tomás Ibarra', 'Priya Nair']);
    expect(loadArticle(fixture('northwind-graph.html')).tags).toEqual(['offshore wind', 'grid', 'North Sea']);
    expect(loadArticle('{"title":"J","url":"https://j.example/"}').title).toBe('J');
  });

  it('should use opts.url only when the input names none', () => {
    expect(loadArticle(fixture('quarry-times-no-url.md'), { url: 'https://q.example/1' }).url).toBe('https://q.example/1');
    expect(loadArticle(fixture('ridgeline-dispatch.md'), { url: 'https://other.example/' }).url).toMatch(/^https:\/\/ridgeline\.example\//);
    expect(loadArticle('{"title":"J"}', { url: 'https://q.example/2' }).url).toBe('https://q.example/2');
  });

  it('should pass boilerplate patterns through', () => {
    const article = loadArticle('# T\n\nKeep.\n\nDrop this line.', { url: 'https://b.example/', boilerplate: ['^drop this'] });
    expect(article.body).toBe('Keep.');
  });

  it('should only ever throw ArticleError with a one-line message on arbitrary input', () => {
    const pieces = fc.constantFrom(
      '# ', '## ', '*', '_', '**', '[', ']', '(', ')', '![', '<', '>', '&amp;', '&#', ';', '\n', '\n\n', '---', '\\', '`', '```',
      'By ', 'Region: ', 'Title: ', 'URL: https://u.example/x', ' 2022-01-32', 'November 15, 2022', '{', '}', '"', '<html>', '<body>',
      '<script type="application/ld+json">', '</script>', 'Copyright', 'text ', 'Word', '|', '- ', '1. ', '&#x110000;', '\u0000', '\ud800',
    );
    fc.assert(
      fc.property(fc.constantFrom('', '# Fuzz title\n\n', 'Title: Fuzz\n\n'), fc.array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 60 }), fc.boolean(), (prefix, parts, withUrl) => {
        const text = prefix + parts.join('');
        try {
          const article = loadArticle(text, withUrl ? { url: 'https://fuzz.example/a' } : {});
          expect(article.title.trim()).not.toBe('');
          expect(() => new URL(article.url)).not.toThrow();
        } catch (error) {
          expect(error).toBeInstanceOf(ArticleError);
          expect((error as Error).message).not.toMatch(/\n/);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('jsonErrorOffset', () => {
  it('should agree with JSON.parse about what is valid', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', '}', ']', ',', ':', '"', 'x', '\\', '\n', '01', '-')).map(([s, at, ins]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ins + s.slice(i);
      }),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(text) === -1).toBe(valid);
      }),
      { numRuns: 1000 },
    );
  });
});
