import { readdirSync, readFileSync } from 'node:fs';
import { extractHtml } from '../../src/article/extract-html.js';

/**
 * The page corpus (tests/fixtures/pages/): article pages in the shapes publishers really
 * serve, each with a sidecar JSON of what an editor expects crier to read from it.
 * Scoring is shared by the accuracy test and by anyone measuring a change by hand.
 */

export interface Expected {
  /** Where the page was fetched from (passed as the `url` option). */
  url: string;
  /** What the page is an example of. */
  shape: string;
  /** The article's URL when it differs from `url` (an AMP page's canonical). */
  articleUrl?: string;
  title: string;
  authors: string[];
  publishedAt: string | null;
  lead: string;
}

export const FIELDS = ['headline', 'headline (close)', 'byline', 'date', 'lead', 'url'] as const;
export type Field = (typeof FIELDS)[number];

export interface PageResult {
  page: string;
  ok: Record<Field, boolean>;
  got: Record<Field, string>;
  want: Record<Field, string>;
}

const DIR = new URL('../fixtures/pages/', import.meta.url);

/** Typographic variants an editor would not correct: curly quotes, runs of white space. */
export function normal(text: string): string {
  return text.normalize('NFC').replace(/[‘’ʼ]/g, "'").replace(/[“”„]/g, '"').replace(/\s+/g, ' ').trim();
}

/** "Close": the same words, whatever the case and punctuation. */
const loose = (text: string): string => normal(text).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

export function corpusPages(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.html'))
    .map((f) => f.slice(0, -'.html'.length))
    .sort();
}

export function scorePage(page: string): PageResult {
  const html = readFileSync(new URL(`${page}.html`, DIR), 'utf8');
  const want = JSON.parse(readFileSync(new URL(`${page}.json`, DIR), 'utf8')) as Expected;
  const article = extractHtml(html, { url: want.url });
  const got: Record<Field, string> = {
    headline: article.title,
    'headline (close)': article.title,
    byline: JSON.stringify(article.authors),
    date: article.publishedAt ?? 'none',
    lead: article.summary ?? 'none',
    url: article.url,
  };
  const expected: Record<Field, string> = {
    headline: want.title,
    'headline (close)': want.title,
    byline: JSON.stringify(want.authors),
    date: want.publishedAt ?? 'none',
    lead: want.lead,
    url: want.articleUrl ?? want.url,
  };
  const ok: Record<Field, boolean> = {
    headline: normal(got.headline) === normal(expected.headline),
    'headline (close)': loose(got.headline) === loose(expected.headline),
    byline: normal(got.byline) === normal(expected.byline),
    date: got.date === expected.date,
    lead: normal(got.lead) === normal(expected.lead),
    url: got.url === expected.url,
  };
  return { page, ok, got, want: expected };
}

export interface CorpusScore {
  pages: number;
  /** Share of pages right, per field (0..1). */
  accuracy: Record<Field, number>;
  misses: Array<{ page: string; field: Field; got: string; want: string }>;
}

export function scoreCorpus(pages = corpusPages()): CorpusScore {
  const results = pages.map(scorePage);
  const accuracy = Object.fromEntries(FIELDS.map((f) => [f, results.filter((r) => r.ok[f]).length / results.length])) as Record<Field, number>;
  const misses = results.flatMap((r) => FIELDS.filter((f) => !r.ok[f] && f !== 'headline (close)').map((field) => ({ page: r.page, field, got: r.got[field], want: r.want[field] })));
  return { pages: results.length, accuracy, misses };
}

/** A small table for the test output and BENCHMARKS.md. */
export function formatScore(score: CorpusScore): string {
  const rows = FIELDS.map((f) => `| ${f} | ${(score.accuracy[f] * 100).toFixed(1)}% (${Math.round(score.accuracy[f] * score.pages)}/${score.pages}) |`);
  return ['| field | accuracy |', '|---|---|', ...rows].join('\n');
}
