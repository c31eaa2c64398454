import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { boilerplate, isTrailerStart } from './boilerplate.js';
import { finishArticle, resolveLink, type Extracted } from './extract-common.js';
import type { ExtractOptions } from './extract-markdown.js';
import { cleanByline, nameKey } from './byline.js';
import { chooseAuthors, type AuthorCandidate } from './html-authors.js';
import { chooseDate, urlDate, type DateCandidate } from './html-date.js';
import { readHeader } from './html-header.js';
import { chooseHeadline, looseKey, type TitleCandidate } from './html-headline.js';
import { chooseLead } from './html-lead.js';
import { metaText, readMeta, type PageMeta } from './html-meta.js';
import { isSiteByline, siteIdentity } from './html-site.js';
import { nestsDeeperThan, paragraphsOf, type DomDocument, type DomElement, type DomNode } from './html-text.js';
import { classifyLine } from './markdown-meta.js';
import type { Article } from './schema.js';

export { stripSiteName } from './html-headline.js';

/**
 * An article web page → Article. Metadata comes from every source the page offers (meta
 * tags, JSON-LD, microdata, the headline and byline as shown), weighed by the html-*
 * modules; the readable body from @mozilla/readability running on linkedom (a plain DOM
 * walk when Readability finds nothing), then the same boilerplate rules as Markdown.
 */

interface Readable {
  content?: DomNode | null;
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

const text = (el: DomElement | null | undefined): string => el?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const values = (meta: PageMeta, key: string, attr?: 'property' | 'name'): string[] =>
  meta.tags
    .all(key)
    .filter((v) => attr === undefined || v.attr === attr)
    .map((v) => metaText(v.value));

/** Every statement of the headline the page makes, with the weight of its source. */
function titleCandidates(doc: DomDocument, meta: PageMeta): TitleCandidate[] {
  const out: TitleCandidate[] = [];
  const push = (texts: Array<string | undefined>, weight: number): void => {
    for (const t of texts) if (t !== undefined && t !== '') out.push({ text: t, weight });
  };
  push(values(meta, 'og:title', 'property'), 3);
  push(meta.ld.article?.headline === undefined ? [] : [meta.ld.article.headline], 3);
  push(meta.microdata.headline === undefined ? [] : [meta.microdata.headline], 2.5);
  push(values(meta, 'twitter:title', 'property'), 2);
  push(values(meta, 'twitter:title', 'name'), 1.5);
  const h1s = Array.from(doc.querySelectorAll('h1')).map(text).filter((t) => t !== '');
  push(h1s.slice(0, 1), 2);
  push(h1s.slice(1, 3), 1);
  push([meta.titleTag], 2);
  push([meta.tags.first('dcterms.title', 'dc.title')], 2);
  push(meta.ld.article?.name === undefined ? [] : [meta.ld.article.name], 1.5);
  push(values(meta, 'og:title', 'name'), 1);
  push([meta.tags.first('title'), meta.tags.first('parsely-title', 'sailthru.title')], 1);
  // The post title of blogs whose <h1> is the blog's name.
  const posted = doc.querySelector('article h2, article h3, .post h2, .post h3, .entry h2, .hentry h2, .post-title, .entry-title, .story-title, .article-title');
  push([text(posted)], 1);
  return out;
}

function authorCandidates(meta: PageMeta, header: { text: string; weight: number }[]): AuthorCandidate[] {
  const ld = meta.ld.article?.authors ?? [];
  const labelled = meta.tags.first('twitter:label1')?.toLowerCase() === 'written by' ? [meta.tags.first('twitter:data1')] : [];
  const out: AuthorCandidate[] = [
    { texts: ld.filter((a) => !a.organization).map((a) => a.name), weight: 3 },
    { texts: ld.filter((a) => a.organization).map((a) => a.name), weight: 3, organisations: true },
    { texts: meta.microdata.authors, weight: 2.5 },
    { texts: values(meta, 'author'), weight: 2 },
    { texts: [...values(meta, 'article:author'), ...values(meta, 'og:article:author')].filter((a) => !/^(?:https?:)?\/\//i.test(a)), weight: 2 },
    {
      texts: ['byl', 'parsely-author', 'sailthru.author', 'dc.creator', 'dcterms.creator', 'citation_author'].flatMap((k) => values(meta, k)).concat(labelled.filter((l): l is string => l !== undefined)),
      weight: 1.5,
    },
    ...header.map((h) => ({ texts: [h.text], weight: h.weight })),
  ];
  return out;
}

function dateCandidates(meta: PageMeta, header: DateCandidate[], pageUrl: string | undefined): DateCandidate[] {
  const out: DateCandidate[] = [];
  const push = (raws: Array<string | undefined>, weight: number, kind: DateCandidate['kind']): void => {
    for (const raw of raws) if (raw !== undefined && raw.trim() !== '') out.push({ raw, weight, kind });
  };
  const ld = meta.ld.article;
  push(values(meta, 'article:published_time', 'property'), 3, 'published');
  push(values(meta, 'article:published_time', 'name'), 2, 'published');
  push([ld?.datePublished ?? ld?.dateCreated], ld?.datePublished !== undefined ? 3 : 1.5, 'published');
  push([meta.microdata.datePublished], 2.5, 'published');
  const keys = ['og:article:published_time', 'datepublished', 'pubdate', 'publish-date', 'publishdate', 'publication_date', 'parsely-pub-date', 'sailthru.date', 'dc.date', 'dc.date.issued', 'dcterms.date', 'dcterms.issued', 'dcterms.created', 'date', 'citation_publication_date'];
  push(keys.map((k) => meta.tags.first(k)), 1.5, 'published');
  push([urlDate(pageUrl)], 1, 'published');
  push(['article:modified_time', 'og:updated_time', 'dcterms.modified', 'last-modified'].map((k) => meta.tags.first(k)), 1, 'modified');
  push([ld?.dateModified, meta.microdata.dateModified], 1, 'modified');
  return [...out, ...header];
}

/** The article's URL: canonical, og:url, JSON-LD — unless it is the site's home page while the page was fetched from a deeper one. */
function articleUrl(meta: PageMeta, fetched: string | undefined): string | undefined {
  const ld = meta.ld.article;
  // A relative canonical resolves against the page's own absolute URLs before the caller's.
  const base = [meta.tags.first('og:url'), ld?.url, ld?.id, fetched].map((u) => resolveLink(u, undefined)).find((u) => u !== undefined);
  const isHome = (u: string): boolean => new URL(u).pathname.replace(/\/+$/, '') === '';
  const deeper = fetched !== undefined && resolveLink(fetched, undefined) !== undefined && !isHome(fetched);
  return [meta.canonical, meta.tags.first('og:url'), ld?.url].map((u) => resolveLink(u, base)).find((u) => u !== undefined && !(deeper && isHome(u)));
}

export function extractHtml(html: string, opts: ExtractOptions = {}): Article {
  const doc = parseDocument(html);
  const meta = readMeta(doc, opts.url);
  const url = articleUrl(meta, opts.url);
  const pageUrl = url ?? opts.url;
  const ld = meta.ld.article;
  const owners = [...values(meta, 'author'), ...(ld?.authors.map((a) => a.name) ?? [])];
  const site = siteIdentity(doc, meta, pageUrl, owners);
  const bylineContext = { sites: site.names, isSite: (name: string) => isSiteByline(name, site) };
  const bp = boilerplate(opts.boilerplate);

  // The page as shown, before Readability edits the document: headline, byline and dateline around it.
  const blocks = doc.body === null ? [] : paragraphsOf(doc.body, { byClass: true });
  const title = chooseHeadline(titleCandidates(doc, meta), site);
  const header = readHeader(doc, blocks, title, bylineContext);

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

  const found: Extracted = { tags: [...values(meta, 'article:tag'), ...values(meta, 'og:article:tag'), ...(ld?.keywords ?? [])] };
  if (title !== undefined) found.title = title;
  if (url !== undefined) found.url = url;

  found.authors = chooseAuthors(authorCandidates(meta, header.bylines), bylineContext);
  const authorKeys = new Set(found.authors.map(nameKey));
  /** "Tereza Dvořáková 21. 8. 2023 14:05", "김민지 기자 mjkim@…": a line that only names the byline's writers. */
  const namesWriters = (p: string): boolean => {
    if (p.length > 160 || (p.split(/\s+/).length > 12 && /[.!?]$/.test(p))) return false;
    const names = cleanByline(p, bylineContext);
    return names !== undefined && names.every((n) => authorKeys.has(nameKey(n)));
  };

  // Body: drop the repeated headline, leading byline/dateline lines, boilerplate, and the trailer.
  const body: string[] = [];
  for (const p of paragraphs) {
    if (title !== undefined && looseKey(p) === looseKey(title)) continue;
    if (body.length === 0) {
      const line = classifyLine(p, p, true);
      if (line?.kind === 'byline' || line?.kind === 'date' || namesWriters(p)) continue;
    }
    if (body.length > 0 && isTrailerStart(p)) break;
    const cleaned = bp.clean(p);
    if (cleaned !== undefined) body.push(cleaned);
  }
  if (body.length > 0) found.body = body.join('\n\n');

  const descriptions = [...values(meta, 'og:description', 'property'), ...values(meta, 'description'), ...values(meta, 'twitter:description'), ld?.description, meta.tags.first('dc.description', 'dcterms.description')]
    .filter((d): d is string => d !== undefined)
    .map(metaText);
  // The lead is read in page order under the headline (where Readability may have kept an ad or
  // dropped the standfirst); without the headline on the page, in the readable body.
  const at = title === undefined ? -1 : blocks.findIndex((b) => looseKey(b) === looseKey(title));
  const shown: string[] = [];
  for (const p of at < 0 ? [] : blocks.slice(at + 1)) {
    if (shown.length > 0 && isTrailerStart(p)) break;
    if (!bp.matches(p)) shown.push(p);
  }
  const summary = chooseLead({ descriptions, paragraphs: shown.length > 0 ? shown : body, title, site });
  if (summary !== undefined && summary.trim() !== '') found.summary = summary;
  const published = chooseDate(dateCandidates(meta, header.dates, pageUrl));
  if (published !== undefined) found.publishedAt = published;
  const image = meta.tags.first('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src');
  if (image !== undefined) {
    const alt = meta.tags.first('og:image:alt', 'twitter:image:alt');
    found.image = alt === undefined ? { url: image } : { url: image, alt };
  } else if (ld?.image !== undefined) found.image = ld.image;
  const siteName = meta.tags.first('og:site_name') ?? ld?.publisher;
  if (siteName !== undefined || ld?.publisherUrl !== undefined) {
    found.source = {};
    if (siteName !== undefined) found.source.name = siteName;
    if (ld?.publisherUrl !== undefined) found.source.url = ld.publisherUrl;
  }
  return finishArticle(found, {}, opts.url);
}
