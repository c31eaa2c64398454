import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { toArticle, type Article } from '../src/article/schema.js';

/**
 * Shared pieces of the benchmarks: the Redis every figure runs on (127.0.0.1:6379 unless
 * REDIS_URL says otherwise), a key prefix of its own per run (deleted afterwards), the
 * articles that get published and small statistics helpers.
 */

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The repository's root (where package.json is): the benchmarks run compiled from
 * dist/bench/ (`npm run bench`, the code that ships) or from their sources through tsx.
 */
export const REPO_ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export interface BenchOptions {
  quick: boolean;
  redisUrl: string;
  /** This run's key prefix; every figure adds its own suffix. */
  prefix: string;
  log(line: string): void;
}

export function runPrefix(): string {
  return `crier-bench-${randomBytes(4).toString('hex')}`;
}

const PARAGRAPHS = [
  'The council approved the plan late on Tuesday after a four-hour session in which residents queued to speak for and against it.',
  'Under the proposal, the old quay will be rebuilt with a wider promenade, a small market hall and moorings for twelve more boats.',
  '"We have waited thirty years for this," said a fisherman who has worked from the quay since 1991. "Now we need them to keep the dates."',
  'Opponents say the cost estimate leaves out the dredging of the harbour mouth, which the port authority put at a further €3 million.',
  'Work is due to start in the autumn and to finish before the summer season two years from now, the council said.',
];

/** A realistic article (title, deck, summary, authors, tags, a body of a few paragraphs), unique per `n`. */
export function benchArticle(run: string, n: number, options: { image?: string } = {}): Article {
  return toArticle({
    url: `https://news.example.org/${run}/2026/04/${n}/harbour-quay-plan`,
    title: `Harbour quay plan approved after long night (${run} #${n})`,
    subtitle: 'A wider promenade, a market hall and twelve new moorings, with work to start in the autumn',
    summary: `The council backed the €14 million rebuild of the old quay by 23 votes to 8 on Tuesday; story ${n}.`,
    authors: ['Ana Ferreira', 'Tom Hale'],
    publishedAt: '2026-04-02T09:30:00Z',
    tags: ['Harbour Town', 'Local politics', 'Transport'],
    body: PARAGRAPHS.join('\n\n'),
    source: { name: 'The Harbour Courier', url: 'https://news.example.org/' },
    ...(options.image !== undefined ? { image: { url: options.image, alt: 'The old quay at dawn' } } : {}),
  });
}

/** A validated config for one figure: limiters and shared budgets off unless the figure sets them. */
export function benchConfig(options: BenchOptions, suffix: string, targets: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Config {
  return buildConfig(
    {
      redis: { url: options.redisUrl, prefix: `${options.prefix}-${suffix}` },
      telegramGlobalPerSecond: 0,
      ...extra,
      targets,
    },
    {},
  );
}

/** The p-th percentile (0..100) of a list of numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Run `task(i)` for i in 0..count-1 with at most `parallel` in flight. */
export async function pool(count: number, parallel: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  });
  await Promise.all(lanes);
}

/** Resolve when `done()` is true, polling; reject after `timeoutMs`. */
export async function until(done: () => boolean, timeoutMs: number, what: string, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
