import { describe, expect, it } from 'vitest';
import { FIELDS, formatScore, scoreCorpus, type Field } from './page-corpus.js';

/**
 * Accuracy of the HTML extraction on the page corpus (tests/fixtures/pages/), per field.
 * The floors are the measured figures (BENCHMARKS.md, "Extraction accuracy"), rounded
 * down: a change that makes crier read real pages worse fails here, and a change that
 * makes it better raises them.
 */
const FLOORS: Record<Field, number> = {
  headline: 0.97,
  'headline (close)': 0.97,
  byline: 0.95,
  date: 0.95,
  lead: 0.95,
  url: 0.98,
};

describe('HTML extraction accuracy on the page corpus', () => {
  const score = scoreCorpus();

  it('should have a corpus of at least 60 pages, each with its expectations', () => {
    expect(score.pages).toBeGreaterThanOrEqual(60);
  });

  it.each(FIELDS)('should read the %s right on at least its floor of the pages', (field) => {
    process.stdout.write(field === FIELDS[0] ? `\n${formatScore(score)}\n` : '');
    const misses = score.misses.filter((m) => m.field === field).map((m) => `${m.page}: got ${JSON.stringify(m.got)}, want ${JSON.stringify(m.want)}`);
    expect(score.accuracy[field], `${field} misses:\n${misses.join('\n')}`).toBeGreaterThanOrEqual(FLOORS[field]);
  });
});
