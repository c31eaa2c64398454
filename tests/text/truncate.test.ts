import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePoints, splitSentences, truncate } from '../../src/text/truncate.js';

const maxCodePoints = (n: number) => (s: string) => codePoints(s) <= n;
const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);

describe('truncate', () => {
  it('should return text that fits unchanged', () => {
    expect(truncate('Short title', maxCodePoints(50))).toBe('Short title');
  });

  it('should cut at a sentence boundary when it keeps most of the text', () => {
    const text = 'The ferry runs all night. Tickets cost the same as a bus fare. Bikes travel free.';
    expect(truncate(text, maxCodePoints(65))).toBe('The ferry runs all night. Tickets cost the same as a bus fare.');
  });

  it('should cut at a word boundary with an ellipsis, never inside a word', () => {
    const text = 'Commuters get a round-the-clock crossing and protected lanes across the bay';
    const out = truncate(text, maxCodePoints(30));
    expect(out).toBe('Commuters get a round-the…');
    expect(codePoints(out)).toBeLessThanOrEqual(30);
  });

  it('should cut at a word boundary when the text opens with punctuation', () => {
    // Cuts before the first word keep nothing; they must not make the search give up on words.
    const long = 'Supercalifragilistic'.repeat(4);
    const text = `, ' ${long}, harbour ferry ‐! harbour ferry.`;
    const wordEnds = new Set([...new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)].map((w) => w.index + w.segment.length));
    for (let room = 86; room < codePoints(text); room++) {
      const kept = truncate(text, maxCodePoints(room)).replace(/…$/u, '');
      expect(text.startsWith(kept)).toBe(true);
      expect(wordEnds.has(kept.length), `${room}: ${kept.slice(-12)}`).toBe(true);
    }
  });

  it('should never split an emoji sequence or a flag', () => {
    const family = '👨‍👩‍👧‍👦';
    const text = `${family}${family}${family}🇺🇦🇺🇦`;
    const out = truncate(text, maxCodePoints(12));
    const kept = out.replace(/…$/, '');
    expect(text.startsWith(kept)).toBe(true);
    expect(graphemes(kept).every((g) => g === family || g === '🇺🇦')).toBe(true);
  });

  it('should cut CJK text between characters', () => {
    const out = truncate('北京市今天宣布新的公共交通计划并将于明年实施', maxCodePoints(8));
    expect(codePoints(out)).toBeLessThanOrEqual(8);
    expect(out.endsWith('…')).toBe(true);
  });

  it('should keep every cut on a grapheme boundary and within the limit (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (text, n) => {
        const out = truncate(text, maxCodePoints(n));
        expect(codePoints(out)).toBeLessThanOrEqual(n);
        const kept = out === text ? out : out.replace(/…$/, '');
        expect(text.startsWith(kept)).toBe(true);
        // the kept prefix ends on one of the source's grapheme boundaries
        const ends = new Set<number>([0]);
        let at = 0;
        for (const g of graphemes(text)) ends.add((at += g.length));
        expect(ends.has(kept.length)).toBe(true);
        expect(text.slice(0, kept.length)).toBe(kept);
      }),
      { numRuns: 300 },
    );
  });

  it('should split sentences', () => {
    expect(splitSentences('One. Two? Three!  ')).toEqual(['One.', 'Two?', 'Three!']);
  });
});
