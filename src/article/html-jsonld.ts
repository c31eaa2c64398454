import type { DomDocument } from './html-text.js';
import { canonicalUrl } from './schema.js';

/**
 * JSON-LD on an article page: the page's own article (its main entity) and the names the
 * site goes by. Pages carry JSON-LD about other things too — related articles listed
 * first, a VideoObject, a Product under review, the WebPage and WebSite — and only the
 * node that is this page's article may speak for its headline, authors and dates.
 */

export interface LdAuthor {
  name: string;
  /** An Organization (a wire service, the site itself), not a Person. */
  organization: boolean;
}

export interface LdArticle {
  types: string[];
  headline?: string;
  /** `name`, when it differs from the headline (Wikipedia: the page title, while `headline` describes the entity). */
  name?: string;
  description?: string;
  datePublished?: string;
  dateCreated?: string;
  dateModified?: string;
  keywords: string[];
  authors: LdAuthor[];
  publisher?: string;
  publisherUrl?: string;
  image?: { url: string; alt?: string };
  url?: string;
  /** The article node's @id when it is a URL: not the canonical URL, but a base for relative links. */
  id?: string;
}

export interface LdPage {
  article?: LdArticle;
  /** Names of the publisher, the WebSite and the organisations the page describes. */
  siteNames: string[];
}

type Json = Record<string, unknown>;
const ARTICLE_TYPE = /^(?:\w*Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|DiscussionForumPosting|Report)$/;
/** What a page may be about when it is no article: an episode page. */
const OTHER_MAIN_TYPE = /^(?:PodcastEpisode|RadioEpisode|TVEpisode|Episode)$/;
const SITE_TYPE = /^(?:WebSite|Organization|NewsMediaOrganization|Corporation|EducationalOrganization|GovernmentOrganization|NGO)$/;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);
const isUrl = (v: string): boolean => /^(?:https?:)?\/\//i.test(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const types = (node: Json): string[] => asArray(node['@type']).filter((t): t is string => typeof t === 'string');

/** Top-level objects of every JSON-LD block, arrays and @graph flattened, indexed by @id for references. */
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

/** The node behind an {"@id": …} reference, when the reference carries nothing else. */
function resolve(value: unknown, byId: Map<string, Json>, field: string): Json | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const node = value as Json;
  return typeof node['@id'] === 'string' && node[field] === undefined ? (byId.get(node['@id']) ?? node) : node;
}

function nameOf(value: unknown, byId: Map<string, Json>): string | undefined {
  if (typeof value === 'string') return isUrl(value) ? undefined : text(value);
  return text(resolve(value, byId, 'name')?.name);
}

function ldImage(value: unknown, byId: Map<string, Json>): { url: string; alt?: string } | undefined {
  for (const item of asArray(value)) {
    if (typeof item === 'string' && item.trim() !== '') return { url: item.trim() };
    const node = resolve(item, byId, 'url');
    if (node === undefined) continue;
    const url = text(node.url) ?? text(node.contentUrl);
    const alt = text(node.caption) ?? text(node.description) ?? text(node.name);
    if (url !== undefined) return alt === undefined ? { url } : { url, alt };
  }
  return undefined;
}

/** A URL in a form two spellings of the same page share (scheme, www, trailing slash and tracking aside). */
export function samePageKey(url: string): string | undefined {
  try {
    return canonicalUrl(url)
      .replace(/^https?:\/\/(?:www\.)?/i, '')
      .replace(/\/+(?=$|\?)/, '');
  } catch {
    return undefined;
  }
}

/** The URLs a node says it is about: url, mainEntityOfPage, @id (fragment dropped). */
function nodeUrls(node: Json): string[] {
  const main = node.mainEntityOfPage;
  return [text(node.url), typeof main === 'string' ? text(main) : text((main as Json | undefined)?.['@id']), text(node['@id'])?.replace(/#.*$/, '')].filter(
    (u): u is string => u !== undefined && /^https?:\/\//i.test(u),
  );
}

/**
 * The page's own article among the JSON-LD nodes: the Article-type node whose URL is the
 * page's; else one that names no URL; else the only one (a URL spelt another way); never
 * one of several that all point elsewhere (related articles). An episode node stands in
 * when there is no article node at all.
 */
function mainNode(nodes: Json[], pageUrls: readonly string[]): Json | undefined {
  const page = new Set(pageUrls.map(samePageKey).filter((k): k is string => k !== undefined));
  const pick = (candidates: Json[]): Json | undefined =>
    candidates.find((n) => nodeUrls(n).some((u) => page.has(samePageKey(u) ?? ''))) ??
    candidates.find((n) => nodeUrls(n).length === 0) ??
    (candidates.length === 1 || page.size === 0 ? candidates[0] : undefined);
  return pick(nodes.filter((n) => types(n).some((t) => ARTICLE_TYPE.test(t)))) ?? pick(nodes.filter((n) => types(n).some((t) => OTHER_MAIN_TYPE.test(t))));
}

function readArticle(node: Json, byId: Map<string, Json>): LdArticle {
  const ld: LdArticle = { types: types(node), keywords: [], authors: [] };
  const headline = text(node.headline);
  const name = text(node.name);
  if (headline !== undefined) ld.headline = headline;
  if (name !== undefined && name !== headline) ld.name = name;
  const description = text(node.description);
  if (description !== undefined) ld.description = description;
  for (const field of ['datePublished', 'dateCreated', 'dateModified'] as const) {
    const value = text(node[field]);
    if (value !== undefined) ld[field] = value;
  }
  for (const k of asArray(node.keywords)) {
    if (typeof k === 'string') ld.keywords.push(...k.split(/\s*,\s*/).filter((s) => s !== ''));
  }
  for (const a of [...asArray(node.author), ...asArray(node.creator).filter((c) => typeof c !== 'string' && node.author === undefined)]) {
    const name = nameOf(a, byId);
    const person = resolve(a, byId, 'name');
    if (name !== undefined) ld.authors.push({ name, organization: person !== undefined && !types(person).includes('Person') && types(person).length > 0 });
  }
  const publisher = asArray(node.publisher)[0];
  const publisherName = nameOf(publisher, byId);
  if (publisherName !== undefined) ld.publisher = publisherName;
  const publisherUrl = text(resolve(publisher, byId, 'url')?.url);
  if (publisherUrl !== undefined && isUrl(publisherUrl)) ld.publisherUrl = publisherUrl;
  const image = ldImage(node.image, byId) ?? ldImage(node.thumbnailUrl, byId);
  if (image !== undefined) ld.image = image;
  const main = node.mainEntityOfPage;
  const url = text(node.url) ?? (typeof main === 'string' ? text(main) : text((main as Json | undefined)?.['@id']));
  if (url !== undefined && isUrl(url)) ld.url = url;
  const id = text(node['@id']);
  if (id !== undefined && /^https?:\/\//i.test(id)) ld.id = id;
  return ld;
}

/** Read the page's JSON-LD. `pageUrls`: what the page says its URL is (canonical, og:url) and where it was fetched. */
export function readJsonLd(doc: DomDocument, pageUrls: readonly string[]): LdPage {
  const { nodes, byId } = ldNodes(doc);
  const node = mainNode(nodes, pageUrls);
  const article = node === undefined ? undefined : readArticle(node, byId);
  const siteNames = nodes.filter((n) => types(n).some((t) => SITE_TYPE.test(t))).map((n) => text(n.name));
  if (article?.publisher !== undefined) siteNames.push(article.publisher);
  // The podcast an episode belongs to, the WebSite or periodical an article is part of.
  for (const part of node === undefined ? [] : [node.partOfSeries, node.isPartOf]) {
    const whole = resolve(part, byId, 'name');
    if (whole !== undefined && (part === node?.partOfSeries || types(whole).some((t) => /^(?:WebSite|Blog|Periodical)$/.test(t)))) siteNames.push(text(whole.name));
  }
  const out: LdPage = { siteNames: siteNames.filter((s): s is string => s !== undefined) };
  if (article !== undefined) out.article = article;
  return out;
}
