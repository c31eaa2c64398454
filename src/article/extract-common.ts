import { codePoints, truncate } from '../text/truncate.js';
import { ArticleError, dedupe, toArticle, type Article } from './schema.js';

/** What an extractor found: every field optional; finishArticle() turns it into a validated Article. */
export interface Extracted {
  id?: string;
  url?: string;
  title?: string;
  subtitle?: string;
  summary?: string;
  authors?: string[];
  publishedAt?: string;
  tags?: string[];
  image?: { url: string; alt?: string; focus?: { x: number; y: number } };
  body?: string;
  source?: { name?: string; url?: string };
}

const isHttp = (u: string): boolean => /^https?:$/.test(new URL(u).protocol);

/** Resolve a link found in the page against the article URL; undefined for anchors, scripts, data: and junk. */
export function resolveLink(raw: string | undefined, base: string | undefined): string | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '' || value.startsWith('#') || /^(?:javascript|data|mailto|tel|about|blob):/i.test(value)) return undefined;
  try {
    const resolved = base === undefined ? new URL(value).href : new URL(value, base).href;
    return isHttp(resolved) && resolved.length <= 2048 ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/** Cut extracted text to the schema's limits (what the page says may be longer than we accept). */
function clip(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length <= max) return trimmed;
  // Segmenting a huge text is slow; only the part that can survive matters.
  const head = trimmed.slice(0, max + 200);
  return truncate(head, (c) => c.length <= max && codePoints(c) <= max) || Array.from(head).slice(0, max).join('').slice(0, max);
}

function clipBody(body: string | undefined): string | undefined {
  if (body === undefined || body.length <= 500_000) return clip(body, 500_000);
  const cut = body.lastIndexOf('\n\n', 500_000);
  return clip(body.slice(0, cut > 0 ? cut : 500_000), 500_000);
}

function clipList(values: string[] | undefined, count: number, max: number): string[] {
  return (values ?? [])
    .map((v) => clip(v, max))
    .filter((v): v is string => v !== undefined)
    .slice(0, count);
}

/**
 * Merge extracted fields with explicit ones (front matter, which win), fill the URL from the caller's
 * fallback, resolve relative links, fit the limits, and validate. Throws ArticleError with one line.
 */
export function finishArticle(found: Extracted, explicit: Extracted, fallbackUrl: string | undefined): Article {
  const title = explicit.title ?? clip(found.title, 1000);
  if (title === undefined || title.trim() === '') throw new ArticleError('article has no title');
  const url = (explicit.url ?? found.url ?? fallbackUrl)?.trim();
  if (url === undefined || url === '') throw new ArticleError('article has no URL: pass --url URL');
  let base: string | undefined;
  try {
    if (isHttp(url)) base = url;
  } catch {
    base = undefined;
  }
  if (base === undefined) throw new ArticleError(`url: must be an http(s) URL (got ${JSON.stringify(url.slice(0, 120))})`);

  const input: Record<string, unknown> = { url, title };
  const id = explicit.id ?? found.id;
  if (id !== undefined) input.id = id;
  const subtitle = explicit.subtitle ?? clip(found.subtitle, 2000);
  if (subtitle !== undefined) input.subtitle = subtitle;
  const summary = explicit.summary ?? clip(found.summary, 10_000);
  if (summary !== undefined) input.summary = summary;
  input.authors = explicit.authors ?? dedupe(clipList(found.authors, 50, 200));
  input.tags = explicit.tags ?? clipList(found.tags, 100, 200);
  const publishedAt = explicit.publishedAt ?? found.publishedAt;
  if (publishedAt !== undefined) input.publishedAt = publishedAt;
  if (explicit.image !== undefined) input.image = explicit.image;
  else if (found.image !== undefined) {
    const imageUrl = resolveLink(found.image.url, base);
    if (imageUrl !== undefined) {
      const alt = clip(found.image.alt, 1000);
      input.image = { url: imageUrl, ...(alt !== undefined ? { alt } : {}) };
    }
  }
  const body = explicit.body ?? clipBody(found.body);
  if (body !== undefined) input.body = body;
  if (explicit.source !== undefined) input.source = explicit.source;
  else if (found.source !== undefined) {
    const name = clip(found.source.name, 200);
    const sourceUrl = resolveLink(found.source.url, base);
    if (name !== undefined || sourceUrl !== undefined) {
      input.source = { ...(name !== undefined ? { name } : {}), ...(sourceUrl !== undefined ? { url: sourceUrl } : {}) };
    }
  }
  return toArticle(input);
}

