import { createHash } from 'node:crypto';
import type { Boilerplate } from '../article/boilerplate.js';
import { parseDate } from '../article/parse-date.js';
import { canonicalUrl } from '../article/schema.js';
import { truncate } from '../text/truncate.js';
import type { FeedItem } from './parse.js';

/**
 * A feed item → Article input (validated later by toArticle). Normally no `id` is set, so
 * the article id is the hash of the canonical URL: the same story arriving by feed and by
 * CMS webhook is the same article and is delivered once. Only an item whose link another
 * item of the feed already stands for (podcast episodes that all link to the show, a live
 * blog's updates) gets an id of its own, from its guid: see feeds/identity.ts.
 */

const canonical = (link: string): string => {
  try {
    return canonicalUrl(link);
  } catch {
    return link;
  }
};

/** The key of an item's canonical link (`l:…`), or undefined without a link. */
export function linkKey(item: FeedItem): string | undefined {
  return item.link === undefined ? undefined : `l:${canonical(item.link)}`;
}

/** An item's identity within its feed: its guid, else its canonical link. */
export function itemIdentity(item: FeedItem): string | undefined {
  return item.guid !== undefined ? `g:${item.guid}` : linkKey(item);
}

/** Keys an item is remembered by: its guid and its canonical link. */
export function itemKeys(item: FeedItem): string[] {
  return [item.guid === undefined ? undefined : `g:${item.guid}`, linkKey(item)].filter((k): k is string => k !== undefined);
}

/**
 * The article id of an item that shares its link with other items: "g" + a hash of the
 * canonical link and the guid. Not of the feed's URL, so the same item in two feeds of a
 * site is one article; not an integer string, so BullMQ takes it in a job id.
 */
export function guidArticleId(item: { guid: string; link: string }): string {
  return 'g' + createHash('sha256').update(`${canonical(item.link)}\n${item.guid}`).digest('hex').slice(0, 20);
}

/** ISO 8601 of a feed date (RFC 822 pubDate, RFC 3339 published/updated), or undefined. */
export function feedDate(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const direct = new Date(raw);
  if (!Number.isNaN(direct.getTime()) && direct.getUTCFullYear() > 1970) return direct.toISOString();
  return parseDate(raw);
}

/** Text cut to fit the Article schema's limit, at a sentence or word boundary. */
function clip(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const out = truncate(text, (candidate) => candidate.length <= max);
  return out === '' ? undefined : out;
}

const short = (values: string[], maxItems: number, maxLength: number): string[] =>
  values.map((v) => v.trim()).filter((v) => v !== '' && v.length <= maxLength).slice(0, maxItems);

/** Paragraphs that are site boilerplate ("Follow us on…", the disclaimer) dropped. */
function withoutBoilerplate(text: string | undefined, bp: Boilerplate | undefined): string | undefined {
  if (text === undefined || bp === undefined) return text;
  const kept = text.split(/\n{2,}/).map((p) => bp.clean(p)).filter((p): p is string => p !== undefined);
  return kept.length === 0 ? undefined : kept.join('\n\n');
}

/** The Article input for an item, or undefined when it has no link or no title (nothing to post). `id`: see guidArticleId. */
export function itemToArticleInput(item: FeedItem, bp?: Boilerplate, id?: string): Record<string, unknown> | undefined {
  if (item.link === undefined || item.title === undefined) return undefined;
  const input: Record<string, unknown> = { url: item.link, title: clip(item.title, 1000) };
  if (id !== undefined) input.id = id;
  let summary = withoutBoilerplate(item.summary, bp);
  let body = withoutBoilerplate(item.content, bp);
  if (body === undefined && summary !== undefined && summary.length > 10_000) {
    body = summary;
    summary = undefined;
  }
  // A description that is only the start of the content adds nothing.
  if (summary !== undefined && body !== undefined && body.startsWith(summary.replace(/…$|\.\.\.$/, '').trim())) summary = undefined;
  const s = clip(summary, 10_000);
  if (s !== undefined) input.summary = s;
  const b = clip(body, 500_000);
  if (b !== undefined) input.body = b;
  const date = feedDate(item.date);
  if (date !== undefined) input.publishedAt = date;
  const updated = feedDate(item.updated);
  if (updated !== undefined) input.updatedAt = updated;
  const tags = short(item.categories, 100, 200);
  if (tags.length > 0) input.tags = tags;
  const authors = short(item.authors, 50, 200);
  if (authors.length > 0) input.authors = authors;
  if (item.image !== undefined && item.image.url.length <= 2048) {
    input.image = item.image.alt === undefined ? { url: item.image.url } : { url: item.image.url, alt: clip(item.image.alt, 1000) };
  }
  if (item.source !== undefined) {
    const source: Record<string, string> = {};
    if (item.source.name !== undefined) source.name = item.source.name.slice(0, 200);
    if (item.source.url !== undefined && item.source.url.length <= 2048) source.url = item.source.url;
    if (Object.keys(source).length > 0) input.source = source;
  }
  return input;
}
