import type { DomDocument } from './html-text.js';

/** What a page's <head> says about the article: meta tags, <link rel=canonical>, <title>, JSON-LD. */

export interface PageMeta {
  canonical?: string;
  ogUrl?: string;
  ogTitle?: string;
  titleTag?: string;
  description?: string;
  siteName?: string;
  published?: string;
  tags: string[];
  authors: string[];
  image?: { url: string; alt?: string };
  ld?: LdArticle;
}

export interface LdArticle {
  headline?: string;
  description?: string;
  datePublished?: string;
  keywords: string[];
  authors: string[];
  publisher?: string;
  publisherUrl?: string;
  image?: { url: string; alt?: string };
  url?: string;
  /** The article node's @id when it is a URL: not the canonical URL, but a base for relative links. */
  id?: string;
}

type Json = Record<string, unknown>;
const ARTICLE_TYPE = /^(?:NewsArticle|Article|BlogPosting|ReportageNewsArticle|\w+NewsArticle|\w*Article|LiveBlogPosting|SocialMediaPosting)$/;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const isUrl = (v: string): boolean => /^(?:https?:)?\/\//i.test(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** All objects in JSON-LD blocks: top-level arrays and @graph flattened, indexed by @id for references. */
function ldNodes(doc: DomDocument): { nodes: Json[]; byId: Map<string, Json> } {
  const nodes: Json[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6) return;
    for (const item of asArray(value)) {
      if (item === null || typeof item !== 'object') continue;
      const node = item as Json;
      nodes.push(node);
      if (node['@graph'] !== undefined) visit(node['@graph'], depth + 1);
    }
  };
  const scripts = Array.from(doc.querySelectorAll('script')).filter((el) => /^\s*application\/ld\+json\s*$/i.test(el.getAttribute('type') ?? ''));
  for (const script of scripts) {
    const raw = (script.textContent ?? '').replace(/^\s*(?:<!\[CDATA\[|<!--)/, '').replace(/(?:\]\]>|-->)\s*$/, '');
    try {
      visit(JSON.parse(raw), 0);
    } catch {
      // A broken JSON-LD block is common and not our problem: the other sources still work.
    }
  }
  const byId = new Map<string, Json>();
  for (const node of nodes) if (typeof node['@id'] === 'string') byId.set(node['@id'], node);
  return { nodes, byId };
}

function types(node: Json): string[] {
  return asArray(node['@type']).filter((t): t is string => typeof t === 'string');
}

function nameOf(value: unknown, byId: Map<string, Json>): string | undefined {
  if (typeof value === 'string') return isUrl(value) ? undefined : text(value);
  if (value === null || typeof value !== 'object') return undefined;
  let node = value as Json;
  if (typeof node['@id'] === 'string' && node.name === undefined) node = byId.get(node['@id']) ?? node;
  return text(node.name);
}

function ldImage(value: unknown, byId: Map<string, Json>): { url: string; alt?: string } | undefined {
  for (const item of asArray(value)) {
    if (typeof item === 'string' && item.trim() !== '') return { url: item.trim() };
    if (item !== null && typeof item === 'object') {
      let node = item as Json;
      if (typeof node['@id'] === 'string' && node.url === undefined && node.contentUrl === undefined) node = byId.get(node['@id']) ?? node;
      const url = text(node.url) ?? text(node.contentUrl);
      const alt = text(node.caption) ?? text(node.description) ?? text(node.name);
      if (url !== undefined) return alt === undefined ? { url } : { url, alt };
    }
  }
  return undefined;
}

function readLd(doc: DomDocument): LdArticle | undefined {
  const { nodes, byId } = ldNodes(doc);
  const node = nodes.find((n) => types(n).some((t) => ARTICLE_TYPE.test(t)));
  if (node === undefined) return undefined;
  const ld: LdArticle = { keywords: [], authors: [] };
  const headline = text(node.headline) ?? text(node.name);
  if (headline !== undefined) ld.headline = headline;
  const description = text(node.description);
  if (description !== undefined) ld.description = description;
  const date = text(node.datePublished) ?? text(node.dateCreated);
  if (date !== undefined) ld.datePublished = date;
  for (const k of asArray(node.keywords)) {
    if (typeof k === 'string') ld.keywords.push(...k.split(/\s*,\s*/).filter((s) => s !== ''));
  }
  for (const a of asArray(node.author)) {
    const name = nameOf(a, byId);
    if (name !== undefined) ld.authors.push(name);
  }
  const publisher = asArray(node.publisher)[0];
  const publisherName = nameOf(publisher, byId);
  if (publisherName !== undefined) ld.publisher = publisherName;
  const publisherNode = publisher !== null && typeof publisher === 'object' ? (publisher as Json) : undefined;
  const publisherUrl = text((publisherNode?.['@id'] !== undefined ? byId.get(String(publisherNode['@id'])) : undefined)?.url ?? publisherNode?.url);
  if (publisherUrl !== undefined) ld.publisherUrl = publisherUrl;
  const image = ldImage(node.image, byId) ?? ldImage(node.thumbnailUrl, byId);
  if (image !== undefined) ld.image = image;
  const main = node.mainEntityOfPage;
  const url = text(node.url) ?? (typeof main === 'string' ? text(main) : text((main as Json | undefined)?.['@id']));
  if (url !== undefined && isUrl(url)) ld.url = url;
  const id = text(node['@id']);
  if (id !== undefined && /^https?:\/\//i.test(id)) ld.id = id;
  return ld;
}

/** Read the page's metadata. Never throws: a missing or broken source simply contributes nothing. */
export function readMeta(doc: DomDocument): PageMeta {
  const meta = new Map<string, string[]>();
  for (const el of Array.from(doc.querySelectorAll('meta'))) {
    const key = (el.getAttribute('property') ?? el.getAttribute('name') ?? el.getAttribute('itemprop') ?? '').trim().toLowerCase();
    const content = el.getAttribute('content')?.trim();
    if (key === '' || content === undefined || content === '') continue;
    meta.set(key, [...(meta.get(key) ?? []), content]);
  }
  const first = (...keys: string[]): string | undefined => keys.map((k) => meta.get(k)?.[0]).find((v) => v !== undefined);
  const all = (key: string): string[] => meta.get(key) ?? [];

  const out: PageMeta = { tags: [], authors: [] };
  const canonical = Array.from(doc.querySelectorAll('link'))
    .find((el) => /(?:^|\s)canonical(?:\s|$)/i.test(el.getAttribute('rel') ?? ''))
    ?.getAttribute('href')
    ?.trim();
  if (canonical) out.canonical = canonical;
  const ogUrl = first('og:url');
  if (ogUrl !== undefined) out.ogUrl = ogUrl;
  const ogTitle = first('og:title', 'twitter:title');
  if (ogTitle !== undefined) out.ogTitle = ogTitle;
  const titleTag = doc.querySelector('title')?.textContent?.replace(/\s+/g, ' ').trim();
  if (titleTag) out.titleTag = titleTag;
  const description = first('og:description', 'description', 'twitter:description', 'dc.description');
  if (description !== undefined) out.description = description;
  const siteName = first('og:site_name', 'application-name');
  if (siteName !== undefined) out.siteName = siteName;
  const published = first('article:published_time', 'og:article:published_time', 'datepublished', 'pubdate', 'publish-date', 'parsely-pub-date', 'sailthru.date', 'dc.date', 'dcterms.created', 'date');
  if (published !== undefined) out.published = published;
  out.tags = [...all('article:tag'), ...all('og:article:tag')];
  const authorMeta = [...all('article:author'), ...all('og:article:author')].filter((a) => !isUrl(a));
  out.authors = authorMeta.length > 0 ? authorMeta : all('author').length > 0 ? all('author') : [...all('parsely-author'), ...all('sailthru.author'), ...all('dc.creator')];
  const image = first('og:image', 'og:image:url', 'og:image:secure_url', 'twitter:image', 'twitter:image:src');
  if (image !== undefined) {
    const alt = first('og:image:alt', 'twitter:image:alt');
    out.image = alt === undefined ? { url: image } : { url: image, alt };
  }
  const ld = readLd(doc);
  if (ld !== undefined) out.ld = ld;
  return out;
}
