import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revisionOf, titleHashOf } from '../../src/article/revision.js';
import { toArticle } from '../../src/article/schema.js';

/**
 * Revision and title hashes are stored with every article (its meta) and compared with the
 * next publish's: computed any other way, every article stored before would look changed and
 * be "updated" on its next publish. These are the digests earlier versions stored
 * (createHash, UTF-8, base64url).
 */
const storedRevision = (parts: string[]) => createHash('sha256').update(parts.join('\u001e')).digest('base64url').slice(0, 16);
const storedTitleHash = (title: string) => createHash('sha256').update(title).digest('base64url').slice(0, 12);

describe('revisionOf / titleHashOf', () => {
  it('should give the digests stored by earlier versions, for any text (past Latin-1, emoji, lone surrogates)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'binary' }), fc.string({ unit: 'binary' }), fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }), (title, body, tags) => {
        fc.pre(title.trim() !== '');
        const article = toArticle({ url: 'https://news.example.org/a/€', title, body: body.trim() === '' ? undefined : body, tags });
        const parts = [article.title, '', '', article.url, '', '', article.tags.join('\u001f'), article.authors.join('\u001f'), '', '', article.body ?? ''];
        expect(revisionOf(article)).toBe(storedRevision(parts));
        expect(titleHashOf(article)).toBe(storedTitleHash(article.title));
      }),
      { numRuns: 200 },
    );
  });

  it('should change when the body changes and not when only publishedAt does', () => {
    const base = { url: 'https://news.example.org/x', title: 'Quay plan — approved', body: 'First “paragraph”.' };
    const a = toArticle(base);
    expect(revisionOf(toArticle({ ...base, body: 'First “paragraph”, corrected.' }))).not.toBe(revisionOf(a));
    expect(revisionOf(toArticle({ ...base, publishedAt: '2026-04-02T09:30:00Z' }))).toBe(revisionOf(a));
  });
});
