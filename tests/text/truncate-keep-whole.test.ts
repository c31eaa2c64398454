import { describe, expect, it } from 'vitest';
import { truncate } from '../../src/text/truncate.js';

describe('truncate keepWhole', () => {
  it('should cut at the last fitting word boundary after a kept range at the start', () => {
    // Rejecting cuts inside the URL through `fits` made it non-monotone, and the binary search then missed every word cut.
    const url = 'https://news.example.org/a/b?c=1';
    const text = `${url} harbour ferry timetable changes for the winter season start on Monday`;
    const fits = (c: string) => c.length <= 60;
    const cut = truncate(text, fits, { keepWhole: [[0, url.length]] });
    expect(cut).toBe(`${url} harbour ferry timetable…`);
    expect(truncate(text, (c) => c.length <= 20, { keepWhole: [[0, url.length]] })).toBe('');
  });

  it('should never cut inside a kept range, giving up rather than splitting it', () => {
    const text = 'see #SupercalifragilisticHashtag now';
    const start = text.indexOf('#');
    const end = start + '#SupercalifragilisticHashtag'.length;
    expect(truncate(text, (c) => c.length <= 20)).toBe('see #…');
    expect(truncate(text, (c) => c.length <= 20, { keepWhole: [[start, end]] })).toBe('see…');
    expect(truncate(text, (c) => c.length <= 3, { keepWhole: [[0, text.length]] })).toBe('');
  });
});
