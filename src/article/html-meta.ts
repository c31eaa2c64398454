import { readJsonLd, type LdPage } from './html-jsonld.js';
import { htmlToText, type DomDocument, type DomElement } from './html-text.js';

/**
 * What a page's markup says about the article, source by source: <meta> tags (RDFa
 * `property=` kept apart from `name=`, space-separated property lists read as several),
 * <link rel=canonical>, <title>, JSON-LD (html-jsonld.ts) and schema.org microdata.
 * Nothing here decides between sources: html-headline/-authors/-date/-lead weigh them.
 */

export type MetaAttr = 'property' | 'name';

export interface MetaValue {
  value: string;
  /** `property=` is how Open Graph and article:* are defined; `name=` spellings of them are weaker. */
  attr: MetaAttr;
}

/** Meta tags by lower-case key, in document order. */
export class MetaTags {
  private readonly byKey = new Map<string, MetaValue[]>();

  add(key: string, value: MetaValue): void {
    this.byKey.set(key, [...(this.byKey.get(key) ?? []), value]);
  }

  all(key: string): MetaValue[] {
    return this.byKey.get(key) ?? [];
  }

  /** The first value of the first key that has one, `property=` before `name=` within a key. */
  first(...keys: string[]): string | undefined {
    for (const key of keys) {
      const values = this.all(key);
      const value = values.find((v) => v.attr === 'property') ?? values[0];
      if (value !== undefined) return value.value;
    }
    return undefined;
  }
}

/** schema.org microdata of the article scope (or of the page, when it declares no article scope). */
export interface Microdata {
  headline?: string;
  authors: string[];
  datePublished?: string;
  dateModified?: string;
}

export interface PageMeta {
  tags: MetaTags;
  canonical?: string;
  titleTag?: string;
  /** Titles of the page's feed links ("Kestrel Watch - Atom"): they name the site. */
  feedTitles: string[];
  ld: LdPage;
  microdata: Microdata;
}

/** Meta content as text: a CMS sometimes puts the excerpt's markup (escaped) into the tag. */
export function metaText(raw: string): string {
  const once = /<[a-z/][^>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);/i.test(raw) ? (htmlToText(raw) ?? '') : raw;
  // Twice escaped ("&amp;#8217;") comes out of the first pass as an entity.
  const twice = /&(?:#\d+|#x[0-9a-f]+|[a-z]+);/i.test(once) ? (htmlToText(once) ?? once) : once;
  return twice.replace(/\s+/g, ' ').trim();
}

function readTags(doc: DomDocument): MetaTags {
  const tags = new MetaTags();
  for (const el of Array.from(doc.querySelectorAll('meta'))) {
    const content = el.getAttribute('content');
    if (content === null || content.trim() === '') continue;
    const value = content.trim();
    for (const attr of ['property', 'name'] as const) {
      for (const key of (el.getAttribute(attr) ?? '').toLowerCase().split(/\s+/)) if (key !== '') tags.add(key, { value, attr });
    }
  }
  return tags;
}

const ARTICLE_SCOPE = /schema\.org\/(?:\w*Article|BlogPosting|LiveBlogPosting|Report|PodcastEpisode)$/i;

const props = (el: DomElement): string[] => (el.getAttribute('itemprop') ?? '').toLowerCase().split(/\s+/).filter((p) => p !== '');

/** The nearest ancestor with `itemscope`, or null. */
function scopeOf(el: DomElement): DomElement | null {
  for (let node = el.parentNode as DomElement | null; node !== null && node.nodeType === 1; node = node.parentNode as DomElement | null) {
    if (node.getAttribute('itemscope') !== null) return node;
  }
  return null;
}

function itemValue(el: DomElement): string | undefined {
  const value = el.getAttribute('content') ?? el.getAttribute('datetime') ?? (el.nodeName.toUpperCase() === 'ABBR' ? el.getAttribute('title') : null) ?? el.textContent;
  const out = value?.replace(/\s+/g, ' ').trim();
  return out === undefined || out === '' ? undefined : out;
}

function readMicrodata(doc: DomDocument): Microdata {
  const out: Microdata = { authors: [] };
  const scopes = Array.from(doc.querySelectorAll('[itemscope]')).filter((el) => ARTICLE_SCOPE.test(el.getAttribute('itemtype') ?? ''));
  const scope = scopes[0] ?? null;
  for (const el of Array.from(doc.querySelectorAll('[itemprop]'))) {
    if (scopeOf(el) !== scope) continue;
    for (const prop of props(el)) {
      const field = prop === 'headline' ? 'headline' : prop === 'datepublished' ? 'datePublished' : prop === 'datemodified' ? 'dateModified' : undefined;
      const value = field === undefined || out[field] !== undefined ? undefined : itemValue(el);
      if (field !== undefined && value !== undefined) out[field] = value;
      else if (prop === 'author' || prop === 'creator') {
        const named = el.getAttribute('itemscope') !== null ? Array.from(el.querySelectorAll('[itemprop~="name"]'))[0] : undefined;
        const name = named !== undefined ? itemValue(named) : el.getAttribute('itemscope') === null ? itemValue(el) : undefined;
        if (name !== undefined && !/^https?:/i.test(name)) out.authors.push(name);
      }
    }
  }
  return out;
}

/** Read the page's metadata. `fetchedFrom`: the URL the page came from, when known. Never throws. */
export function readMeta(doc: DomDocument, fetchedFrom?: string): PageMeta {
  const tags = readTags(doc);
  const links = Array.from(doc.querySelectorAll('link'));
  const rel = (el: DomElement, name: string): boolean => new RegExp(`(?:^|\\s)${name}(?:\\s|$)`, 'i').test(el.getAttribute('rel') ?? '');
  const canonical = links.find((el) => rel(el, 'canonical'))?.getAttribute('href')?.trim();
  // <title> of the document, not an SVG icon's <title> in the body.
  const titleEl = doc.head?.querySelector('title') ?? Array.from(doc.querySelectorAll('title')).find((t) => t.parentNode?.nodeName.toUpperCase() !== 'SVG');
  const titleTag = titleEl?.textContent?.replace(/\s+/g, ' ').trim();
  const feedTitles = links
    .filter((el) => rel(el, 'alternate') && /(?:rss|atom)\+xml/i.test(el.getAttribute('type') ?? ''))
    .map((el) => el.getAttribute('title')?.trim() ?? '')
    .filter((t) => t !== '');
  const pageUrls = [canonical, tags.first('og:url'), fetchedFrom].filter((u): u is string => u !== undefined && /^https?:\/\//i.test(u));
  const out: PageMeta = { tags, feedTitles, ld: readJsonLd(doc, pageUrls), microdata: readMicrodata(doc) };
  if (canonical) out.canonical = canonical;
  if (titleTag) out.titleTag = titleTag;
  return out;
}
