import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { boilerplate, isTrailerStart } from './boilerplate.js';
import { finishArticle, resolveLink, type Extracted } from './extract-common.js';
import type { ExtractOptions } from './extract-markdown.js';
import { readMeta, type PageMeta } from './html-meta.js';
import { nestsDeeperThan, paragraphsOf, type DomDocument, type DomNode } from './html-text.js';
import { classifyLine, splitAuthors } from './markdown-meta.js';
import { parseDate } from './parse-date.js';
import type { Article } from './schema.js';

/**
 * An article web page → Article: metadata from <head> (canonical, Open Graph, article:*, JSON-LD),
 * the readable body from @mozilla/readability running on linkedom (with a plain DOM walk as the
 * fallback when Readability finds nothing), then the same boilerplate rules as Markdown.
 */

interface Readable {
  title?: string | null;
  content?: DomNode | null;
  excerpt?: string | null;
  byline?: string | null;
  siteName?: string | null;
  publishedTime?: string | null;
}

function parseDocument(html: string): DomDocument {
  let page = html.replace(/^\ufeff/, '');
  // linkedom needs a whole document for Readability; wrap fragments.
  if (!/<html[\s>]/i.test(page)) page = /<(?:head|body)[\s>]/i.test(page) ? `<!doctype html><html>${page}</html>` : `<!doctype html><html><head></head><body>${page}</body></html>`;
  return (parseHTML(page) as unknown as { document: DomDocument }).document;
}

function readable(doc: DomDocument): Readable | null {
  try {
    // The serializer hands back the node itself, so nothing is re-parsed.
    // maxElemsToParse: Readability throws on bigger pages, and the DOM walk takes over.
    const reader = new Readability<DomNode>(doc as never, { serializer: (node) => node as unknown as DomNode, maxElemsToParse: 40_000 });
    return reader.parse() as Readable | null;
  } catch {
    return null;
  }
}

const SEPARATORS = [' | ', ' - ', ' – ', ' — ', ' · ', ' • ', ' :: ', ' » ', ': '];

/** "Headline | The Site" → "Headline", only when the suffix (or prefix) is the site's own name. */
export function stripSiteName(title: string, site: string | undefined): string {
  if (site === undefined || site.trim() === '') return title;
  const t = title.trim();
  const s = site.trim().toLowerCase();
  for (const sep of SEPARATORS) {
    if (t.toLowerCase().endsWith(`${sep}${s}`.toLowerCase()) && t.length > sep.length + s.length) return t.slice(0, t.length - sep.length - s.length).trim();
    if (t.toLowerCase().startsWith(`${s}${sep}`.toLowerCase()) && t.length > sep.length + s.length) return t.slice(s.length + sep.length).trim();
  }
  return t;
}

function authorsFrom(meta: PageMeta, byline: string | null | undefined): string[] {
  const split = (values: string[]): string[] => values.flatMap((v) => splitAuthors(v) ?? [v.trim()]).filter((v) => v !== '');
  if (meta.authors.length > 0) return split(meta.authors);
  if (meta.ld !== undefined && meta.ld.authors.length > 0) return meta.ld.authors;
  const cleaned = byline?.replace(/^\s*by\s+/i, '').trim();
  return cleaned === undefined || cleaned === '' ? [] : (splitAuthors(cleaned) ?? []);
}

export function extractHtml(html: string, opts: ExtractOptions = {}): Article {
  const doc = parseDocument(html);
  const meta = readMeta(doc);
  const firstTime = doc.querySelector('time[datetime]')?.getAttribute('datetime') ?? undefined;
  const firstH1 = doc.querySelector('h1')?.textContent?.replace(/\s+/g, ' ').trim();
  const bp = boilerplate(opts.boilerplate);

  // Readability is superlinear in nesting depth; a pathological page gets the plain DOM walk instead.
  const tryReadability = doc.documentElement !== null && !nestsDeeperThan(doc.documentElement, 120);
  const read = tryReadability ? readable(doc) : null;
  let paragraphs = read?.content != null ? paragraphsOf(read.content) : [];
  if (paragraphs.length === 0) {
    // Readability edits the document it reads; only re-parse when it ran.
    const fresh = tryReadability ? parseDocument(html) : doc;
    const root = fresh.querySelector('article') ?? fresh.querySelector('main') ?? fresh.querySelector('[role="main"]') ?? fresh.body;
    if (root !== null) paragraphs = paragraphsOf(root, { byClass: true });
  }

  const site = meta.siteName ?? meta.ld?.publisher ?? read?.siteName ?? undefined;
  const rawTitle = meta.ogTitle ?? meta.ld?.headline ?? meta.titleTag ?? read?.title ?? firstH1;
  const title = rawTitle === undefined ? undefined : stripSiteName(rawTitle, site);

  const found: Extracted = { tags: [...meta.tags, ...(meta.ld?.keywords ?? [])] };
  if (title !== undefined) found.title = title;
  // A relative canonical resolves against the page's own absolute URLs before the caller's.
  const base = [meta.ogUrl, meta.ld?.url, meta.ld?.id, opts.url].map((u) => resolveLink(u, undefined)).find((u) => u !== undefined);
  const url = [meta.canonical, meta.ogUrl, meta.ld?.url].map((u) => resolveLink(u, base)).find((u) => u !== undefined);
  if (url !== undefined) found.url = url;

  // Body: drop the repeated headline, leading byline/dateline lines, boilerplate, and the trailer.
  const body: string[] = [];
  const headerAuthors: string[] = [];
  let headerDate: string | undefined;
  for (const p of paragraphs) {
    if (title !== undefined && p.toLowerCase() === title.toLowerCase()) continue;
    if (body.length === 0) {
      const line = classifyLine(p, p, true);
      if (line?.kind === 'byline' || line?.kind === 'date') {
        if (line.kind === 'byline') headerAuthors.push(...line.authors);
        headerDate ??= line.iso;
        continue;
      }
    }
    if (body.length > 0 && isTrailerStart(p)) break;
    const cleaned = bp.clean(p);
    if (cleaned !== undefined) body.push(cleaned);
  }
  if (body.length > 0) found.body = body.join('\n\n');

  const summary = meta.description ?? meta.ld?.description ?? read?.excerpt ?? body[0];
  if (summary !== undefined && summary.trim() !== '') found.summary = summary;
  const authors = authorsFrom(meta, read?.byline);
  found.authors = authors.length > 0 ? authors : headerAuthors;
  const published = [meta.published, meta.ld?.datePublished, firstTime, read?.publishedTime ?? undefined].map(parseDate).find((d) => d !== undefined) ?? headerDate;
  if (published !== undefined) found.publishedAt = published;
  const image = meta.image ?? meta.ld?.image;
  if (image !== undefined) found.image = image;
  if (site !== undefined || meta.ld?.publisherUrl !== undefined) {
    found.source = {};
    if (site !== undefined) found.source.name = site;
    if (meta.ld?.publisherUrl !== undefined) found.source.url = meta.ld.publisherUrl;
  }
  return finishArticle(found, {}, opts.url);
}
