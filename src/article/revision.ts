import { hash } from 'node:crypto';
import type { Article } from './schema.js';

/**
 * An article's revision: a hash of what its posts are built from — title, subtitle,
 * summary, URL, image, tags, authors, source, body. Publishing a known article whose
 * revision differs is an update; the same revision again changes nothing. The article id
 * and publishedAt are not part of it (a CMS re-sending the same content with a new
 * timestamp is not a correction).
 */
export function revisionOf(article: Article): string {
  const content = [
    article.title,
    article.subtitle ?? '',
    article.summary ?? '',
    article.url,
    article.image?.url ?? '',
    article.image?.alt ?? '',
    article.tags.join('\u001f'),
    article.authors.join('\u001f'),
    article.source?.name ?? '',
    article.source?.url ?? '',
    article.body ?? '',
  ];
  // One-shot hash (Node ≥ 20.12): the same digest as createHash, without a Hash object per call.
  return hash('sha256', content.join('\u001e'), 'base64url').slice(0, 16);
}

/** A short hash of the title alone, for the `minChange: title` policy. */
export function titleHashOf(article: Pick<Article, 'title'>): string {
  return hash('sha256', article.title, 'base64url').slice(0, 12);
}
