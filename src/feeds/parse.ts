import { XMLParser } from 'fast-xml-parser';
import { decodeEntitiesOnce as decodeEntities } from '../text/entities.js';
import { htmlToText } from '../article/html-text.js';

/**
 * RSS 2.0 / RSS 1.0 (RDF) / Atom → a flat list of items, with text fields already plain
 * text and links absolute. Mapping items to Articles is feeds/item.ts's job.
 *
 * A relative link resolves against the nearest xml:base (on the link, its item, the channel
 * or feed, the root — each relative to the one above), else the feed's own address as the
 * feed states it (atom:link rel="self"), else its site link (RSS <channel><link>, Atom
 * rel="alternate"), else the URL it was fetched from.
 */

export interface FeedItem {
  guid?: string;
  link?: string;
  /** Plain text (an RSS title is text as written: a literal "<b>" stays). */
  title?: string;
  summary?: string;
  content?: string;
  /** Raw date string (pubDate, published, updated, dc:date). */
  date?: string;
  /** When the item last changed (Atom updated, atom:updated or dc:modified in RSS): orders corrections. */
  updated?: string;
  categories: string[];
  authors: string[];
  image?: { url: string; alt?: string };
  source?: { name?: string; url?: string };
}

export interface ParsedFeed {
  format: 'rss' | 'atom' | 'rdf';
  title?: string;
  items: FeedItem[];
}

export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
}

const ARRAYS = new Set(['item', 'entry', 'category', 'link', 'enclosure', 'media:content', 'media:thumbnail', 'author', 'dc:creator', 'dc:subject']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  // Atom text constructs carry a type (text | html | xhtml): keep their raw inner XML.
  stopNodes: ['feed.entry.title', 'feed.entry.summary', 'feed.entry.content'],
  isArray: (name: string) => ARRAYS.has(name),
});

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const attr = (v: unknown, name: string): string | undefined => (isNode(v) && typeof v[`@_${name}`] === 'string' ? (v[`@_${name}`] as string) : undefined);

/** Text of an element parsed normally: a string, or an object's #text. */
function text(v: unknown): string | undefined {
  const raw = typeof v === 'string' ? v : isNode(v) && typeof v['#text'] === 'string' ? v['#text'] : undefined;
  const out = raw?.trim();
  return out === undefined || out === '' ? undefined : out;
}

/** Raw inner XML of a stop node → its character data: CDATA unwrapped, entities decoded. */
function rawToText(raw: string): string {
  return raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) => (part.startsWith('<![CDATA[') ? part.slice(9, -3) : decodeEntities(part)))
    .join('');
}

/** An Atom text construct (title, summary, content) as plain text, per its type. */
function atomText(v: unknown): string | undefined {
  const raw = typeof v === 'string' ? v : isNode(v) && typeof v['#text'] === 'string' ? v['#text'] : undefined;
  if (raw === undefined) return undefined;
  const type = (attr(v, 'type') ?? 'text').toLowerCase();
  if (type === 'xhtml' || type.endsWith('xhtml+xml')) return htmlToText(raw);
  const data = rawToText(raw);
  if (type === 'html' || type === 'text/html') return htmlToText(data);
  const plain = data.replace(/\s+/g, ' ').trim();
  return plain === '' ? undefined : plain;
}

function absolute(raw: string | undefined, base: string): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** media:content / media:thumbnail / enclosure / Atom rel=enclosure: the first image. */
function imageOf(item: Node, base: string): FeedItem['image'] {
  const group = isNode(item['media:group']) ? item['media:group'] : {};
  const candidates: unknown[] = [
    ...list(item['media:content']),
    ...list(group['media:content']),
    ...list(item.enclosure),
    ...list(item.link).filter((l) => attr(l, 'rel') === 'enclosure'),
    ...list(item['media:thumbnail']),
    ...list(group['media:thumbnail']),
  ];
  for (const c of candidates) {
    const type = attr(c, 'type') ?? '';
    const medium = attr(c, 'medium') ?? '';
    const url = absolute(attr(c, 'url') ?? attr(c, 'href'), base);
    const thumbnail = isNode(c) && !('@_type' in c) && !('@_medium' in c);
    if (url !== undefined && (type.startsWith('image/') || medium === 'image' || thumbnail)) {
      const alt = isNode(c) ? text(c['media:description']) ?? text(c['media:title']) : undefined;
      return alt === undefined ? { url } : { url, alt };
    }
  }
  return undefined;
}

/** "jane@example.com (Jane Doe)" → "Jane Doe"; a bare e-mail address is no name. */
function personName(v: unknown): string | undefined {
  const name = isNode(v) && 'name' in v ? text(v.name) : text(v);
  if (name === undefined) return undefined;
  const paren = /^\S+@\S+\s+\((.+)\)$/.exec(name);
  if (paren?.[1] !== undefined) return paren[1].trim();
  return /^\S+@\S+$/.test(name) ? undefined : name;
}

/** Optional fields whose value is undefined, dropped (exactOptionalPropertyTypes). */
type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};
export function compact<T extends object>(o: T): Compact<T> {
  for (const key of Object.keys(o) as Array<keyof T>) if (o[key] === undefined) delete o[key];
  return o as Compact<T>;
}

/** `node`'s xml:base resolved against the base above it, else that base. */
function withBase(node: unknown, base: string): string {
  return absolute(attr(node, 'xml:base'), base) ?? base;
}

/** The feed's own address (rel="self") or its site link, from Atom <link> elements (any namespace prefix). */
function feedLink(node: Node, rel: 'self' | 'alternate', base: string): string | undefined {
  const links = Object.keys(node)
    .filter((k) => k === 'link' || /^[\w.-]+:link$/.test(k))
    .flatMap((k) => list(node[k]));
  const found = links.find((l) => (attr(l, 'rel') ?? (rel === 'alternate' && attr(l, 'href') !== undefined ? 'alternate' : undefined)) === rel);
  return absolute(attr(found, 'href'), withBase(found, base));
}

function rssItem(item: Node, channelBase: string): FeedItem {
  const base = withBase(item, channelBase);
  const linkNode = list(item.link)[0];
  const link = absolute(text(linkNode), withBase(linkNode, base));
  const guid = text(item.guid);
  // A guid stands for the item's address only when it is one already: "tr1" or "post-42"
  // resolved against the channel's link would make up an address that leads nowhere.
  const permalink = attr(item.guid, 'isPermaLink') !== 'false' && guid !== undefined && /^https?:\/\//i.test(guid) ? absolute(guid, base) : undefined;
  const sourceNode = item.source;
  const source = sourceNode === undefined ? undefined : compact({ name: text(sourceNode), url: absolute(attr(sourceNode, 'url'), base) });
  return compact({
    guid,
    link: link ?? permalink,
    title: text(item.title)?.replace(/\s+/g, ' '),
    summary: htmlToText(text(item.description)),
    content: htmlToText(text(item['content:encoded'])),
    date: text(item.pubDate) ?? text(item['dc:date']),
    updated: text(item['atom:updated']) ?? text(item['dc:modified']),
    categories: [...list(item.category), ...list(item['dc:subject'])].map(text).filter((c): c is string => c !== undefined),
    authors: [...list(item['dc:creator']), ...list(item.author)].map(personName).filter((a): a is string => a !== undefined),
    image: imageOf(item, base),
    source: source !== undefined && Object.keys(source).length > 0 ? source : undefined,
  });
}

function atomEntry(entry: Node, feedBase: string): FeedItem {
  const base = withBase(entry, feedBase);
  const links = list(entry.link);
  const alternate = links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate') ?? links.find((l) => attr(l, 'rel') === undefined);
  return compact({
    guid: text(entry.id),
    link: absolute(attr(alternate, 'href') ?? text(alternate), withBase(alternate, base)),
    title: atomText(entry.title),
    summary: atomText(entry.summary),
    content: atomText(entry.content),
    date: text(entry.published) ?? text(entry.updated),
    updated: text(entry.updated),
    categories: list(entry.category).map((c) => attr(c, 'label') ?? attr(c, 'term') ?? text(c)).filter((c): c is string => c !== undefined),
    authors: list(entry.author).map(personName).filter((a): a is string => a !== undefined),
    image: imageOf(entry, base),
  });
}

/** Whether the document ends with its root element's closing tag (comments and whitespace may follow). */
function endsWithRoot(xml: string, root: string): boolean {
  const tail = xml.slice(-4096).replace(/(?:\s|<!--[\s\S]*?-->|<\?[\s\S]*?\?>)+$/, '');
  const local = root.includes(':') ? root.slice(root.indexOf(':') + 1) : root;
  return new RegExp(`</(?:[\\w.-]+:)?${local.replace('.', '\\.')}\\s*>$`).test(tail);
}

/** Parse a feed document. `baseUrl` (the feed's URL) resolves relative links. Throws FeedParseError. */
export function parseFeed(xml: string, baseUrl: string): ParsedFeed {
  let doc: Node;
  try {
    doc = parser.parse(xml.replace(/^\ufeff/, '')) as Node;
  } catch (error) {
    throw new FeedParseError(`not a feed: ${(error as Error).message.split('\n')[0]}`);
  }
  const rss = isNode(doc.rss) ? doc.rss : undefined;
  const root = rss !== undefined ? 'rss' : isNode(doc.feed) ? 'feed' : isNode(doc['rdf:RDF']) ? 'rdf:RDF' : undefined;
  if (root !== undefined && !endsWithRoot(xml, root)) {
    // Cut off (a dropped connection, a proxy's limit): the last item would be posted with
    // half its link or text, and remembered as seen, so the whole document is refused and
    // the next poll, complete, brings it.
    throw new FeedParseError(`the feed document is cut off: it does not end with </${root}> (an incomplete download?)`);
  }
  if (rss !== undefined && isNode(rss.channel)) {
    const channel = rss.channel;
    const site = absolute(text(list(channel.link).find((l) => typeof l === 'string' || text(l) !== undefined)), withBase(rss, baseUrl));
    const root = feedLink(channel, 'self', baseUrl) ?? site ?? baseUrl;
    const base = withBase(channel, withBase(rss, root));
    return compact({ format: 'rss' as const, title: text(channel.title), items: list(channel.item).filter(isNode).map((i) => rssItem(i, base)) });
  }
  if (isNode(doc.feed)) {
    const feed = doc.feed;
    const root = feedLink(feed, 'self', baseUrl) ?? feedLink(feed, 'alternate', baseUrl) ?? baseUrl;
    const base = withBase(feed, root);
    return compact({ format: 'atom' as const, title: text(feed.title), items: list(feed.entry).filter(isNode).map((e) => atomEntry(e, base)) });
  }
  const rdf = doc['rdf:RDF'];
  if (isNode(rdf)) {
    const channel = isNode(rdf.channel) ? rdf.channel : {};
    const root = absolute(text(list(channel.link)[0]), baseUrl) ?? baseUrl;
    return compact({ format: 'rdf' as const, title: text(channel.title), items: list(rdf.item).filter(isNode).map((i) => rssItem(i, withBase(rdf, root))) });
  }
  throw new FeedParseError('not a feed: no <rss><channel>, Atom <feed> or RSS 1.0 <rdf:RDF> root');
}
