import { chooseLead } from '../article/html-lead.js';
import { htmlToText } from '../article/html-text.js';
import { decodeEntitiesOnce as decodeEntities } from '../text/entities.js';
import { feedDate } from '../feeds/item.js';

/**
 * Webhook bodies → Article input (validated afterwards like any Article JSON).
 *   - Article JSON (DESIGN.md): passed through.
 *   - Ghost `post.published`: {"post": {"current": {title, url, custom_excerpt|excerpt, plaintext|html,
 *     feature_image, feature_image_alt, published_at, tags[{name}], authors[{name}], status}}}.
 *   - WordPress, flat (WP Webhooks and similar plugins): {post_title, permalink|post_permalink|post_url|link,
 *     post_excerpt, post_content (HTML), post_date_gmt|post_date, post_status, tags, categories (arrays or
 *     comma-separated), post_author|author_name, featured_image|post_thumbnail|thumbnail_url, featured_image_alt};
 *     the fields may also sit under "post" (e.g. {"post": {"post_title": …}, "post_permalink": …}).
 *   - WordPress REST post (?_embed): {link, title.rendered, excerpt.rendered, content.rendered, date_gmt, status,
 *     _embedded: {author[{name}], "wp:featuredmedia"[{source_url, alt_text}], "wp:term"[[{name}]]}}.
 * Mapped bodies carry no id: the article id is the hash of the canonical URL, so the same
 * story coming in by webhook and by feed is one article.
 *
 * The summary is what an editor wrote (Ghost's custom_excerpt or meta/og description, a
 * WordPress excerpt written by hand, Yoast's description) and never a generated teaser: the
 * excerpt Ghost derives from the text is cut mid-word after 500 characters, WordPress's
 * ends in "[…]" or "Continue reading"; then the body's first real paragraph leads (as for pages).
 */

export type WebhookFormat = 'article' | 'ghost' | 'wordpress' | 'wordpress-rest';

/** How the mappers read a post's tags for its priority (config priorityTags). */
export interface MapOptions {
  priorityTags?: { breaking: readonly string[]; low: readonly string[] };
}

/**
 * The priority a post's tags give it, internal Ghost tags ("#breaking") included — those
 * never become hashtags, which makes them the natural switch. A tag matches with or without
 * its "#". Undefined when none matches (the article stays normal).
 */
function taggedPriority(tags: readonly string[], options: MapOptions): 'breaking' | 'low' | undefined {
  const config = options.priorityTags;
  if (config === undefined) return undefined;
  const plain = new Set(tags.map((t) => t.replace(/^#/, '').toLowerCase()));
  const has = (list: readonly string[]) => list.some((t) => plain.has(t.replace(/^#/, '').toLowerCase()));
  return has(config.breaking) ? 'breaking' : has(config.low) ? 'low' : undefined;
}

/**
 * A Ghost post's URL before it is live is a preview (…/p/<uuid>/): the one it will have is
 * /<slug>/ beside it — under the same subfolder (a site at /blog/ previews at /blog/p/…).
 * A site with custom routes ({year}/{slug}) cannot be told from the body: see README.
 */
function ghostLiveUrl(own: string | undefined, slug: string | undefined): string | undefined {
  return own !== undefined && slug !== undefined && /\/p\/[0-9a-f-]{36}\/?$/i.test(own) ? new URL(`../../${encodeURIComponent(slug)}/`, own.endsWith('/') ? own : `${own}/`).href : own;
}

/**
 * Whether a Ghost body sets a schedule anew — newly scheduled, or its time moved — rather than
 * repeating one (an edit of a scheduled post, a replay): only then may a delivery an editor
 * unscheduled be queued again. False for anything that is not a scheduled Ghost post.
 */
export function scheduleIsNew(body: unknown): boolean {
  if (!isObj(body) || !isObj(body.post) || !isObj(body.post.current)) return false;
  const current = body.post.current;
  const previous = isObj(body.post.previous) ? body.post.previous : {};
  if (str(current.status) !== 'scheduled') return false;
  return str(previous.status) !== 'scheduled' || (previous.published_at !== undefined && str(previous.published_at) !== str(current.published_at));
}

export class WebhookBodyError extends Error {
  override readonly name = 'WebhookBodyError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const first = (...values: unknown[]): string | undefined => values.map(str).find((v) => v !== undefined);

/** Names from ["a", {name: "b"}] or "a, b"; WordPress sends them HTML-escaped ("Arts &amp; Culture"). */
function names(v: unknown): string[] {
  const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v.map((x) => (isObj(x) ? str(x.name) : str(x))) : [];
  return list.map((s) => (s === undefined ? '' : decodeEntities(s).trim())).filter((s) => s !== '');
}

/** The lead: the first description that is one, else the body's first real paragraph (html-lead.ts). */
function lead(descriptions: Array<string | undefined>, body: string | undefined, title: string | undefined): string | undefined {
  const written = descriptions.filter((d): d is string => d !== undefined && d.trim() !== '');
  if (written.length === 0 && body === undefined) return undefined;
  return chooseLead({ descriptions: written, paragraphs: body?.split(/\n{2,}/) ?? [], title, strict: true });
}

/** Only fields with a value: Article JSON treats absent and empty differently. */
function defined(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

function image(url: string | undefined, alt: string | undefined): Obj | undefined {
  return url === undefined ? undefined : defined({ url, alt });
}

function ghost(post: Obj, options: MapOptions): Obj {
  const status = str(post.status);
  // Scheduled (post.scheduled, post.rescheduled): held until its published_at, under the URL it will have.
  const scheduled = status === 'scheduled';
  if (status !== undefined && status !== 'published' && !scheduled) throw new WebhookBodyError(`Ghost post is "${status}", not published`);
  const allTags = names(post.tags);
  // Internal tags ("#hidden") are for the theme, not readers.
  const tags = allTags.filter((t) => !t.startsWith('#'));
  const authors = names(post.authors);
  const primary = isObj(post.primary_author) ? str(post.primary_author.name) : undefined;
  const body = str(post.plaintext) ?? htmlToText(str(post.html));
  const descriptions = [post.custom_excerpt, post.meta_description, post.og_description, post.twitter_description, post.excerpt].map(str);
  return defined({
    url: scheduled ? ghostLiveUrl(str(post.url), str(post.slug)) : str(post.url),
    title: str(post.title),
    summary: lead(descriptions, body, str(post.title)),
    body,
    publishedAt: feedDate(str(post.published_at)),
    updatedAt: feedDate(str(post.updated_at)),
    tags,
    authors: authors.length > 0 ? authors : primary === undefined ? [] : [primary],
    image: image(str(post.feature_image), str(post.feature_image_alt)),
    priority: taggedPriority(allTags, options),
  });
}

/** WordPress shortcodes ([caption …], [/caption]) are not prose. */
const wpText = (html: string | undefined): string | undefined => htmlToText(html?.replace(/\[\/?[a-z_-]+(?:\s[^\]]*)?\]/gi, ''));

function wpDate(gmt: string | undefined, local: string | undefined): string | undefined {
  if (gmt !== undefined && /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?$/.test(gmt)) return feedDate(gmt.replace(' ', 'T') + 'Z');
  return feedDate(gmt ?? local);
}

function wordpress(body: Obj, options: MapOptions): Obj {
  const p: Obj = { ...(isObj(body.post) ? body.post : {}), ...body };
  const status = str(p.post_status);
  // "future": scheduled, held until its date.
  if (status !== undefined && status !== 'publish' && status !== 'future') throw new WebhookBodyError(`WordPress post is "${status}", not published`);
  const thumbnail = isObj(p.post_thumbnail) ? first(p.post_thumbnail.url, p.post_thumbnail.src) : str(p.post_thumbnail);
  const text = wpText(str(p.post_content));
  // WordPress keeps titles as the editor typed them, with its own entities (&amp;, &#8217;) in them.
  const title = htmlToText(str(p.post_title));
  return defined({
    url: first(p.permalink, p.post_permalink, p.post_url, p.link, p.url),
    title,
    summary: lead([wpText(str(p.post_excerpt))], text, title),
    body: text,
    publishedAt: wpDate(str(p.post_date_gmt), str(p.post_date)),
    updatedAt: wpDate(str(p.post_modified_gmt), undefined),
    tags: [...names(p.tags), ...names(p.categories)],
    priority: taggedPriority([...names(p.tags), ...names(p.categories)], options),
    authors: names(p.authors).length > 0 ? names(p.authors) : [first(p.author_name, p.post_author_name, typeof p.post_author === 'string' && !/^\d+$/.test(p.post_author) ? p.post_author : undefined)].filter((a): a is string => a !== undefined),
    image: image(first(p.featured_image, p.featured_image_url, thumbnail, p.thumbnail_url), str(p.featured_image_alt)),
  });
}

function wordpressRest(body: Obj, options: MapOptions): Obj {
  const status = str(body.status);
  if (status !== undefined && status !== 'publish' && status !== 'future') throw new WebhookBodyError(`WordPress post is "${status}", not published`);
  const rendered = (v: unknown) => (isObj(v) ? str(v.rendered) : str(v));
  const embedded = isObj(body._embedded) ? body._embedded : {};
  const media = Array.isArray(embedded['wp:featuredmedia']) && isObj(embedded['wp:featuredmedia'][0]) ? (embedded['wp:featuredmedia'][0] as Obj) : {};
  const terms = Array.isArray(embedded['wp:term']) ? embedded['wp:term'].flatMap((group) => names(group)) : [];
  const text = wpText(rendered(body.content));
  const title = htmlToText(rendered(body.title));
  const yoast = isObj(body.yoast_head_json) ? body.yoast_head_json : {};
  return defined({
    url: str(body.link),
    title,
    summary: lead([wpText(rendered(body.excerpt)), str(yoast.description), str(yoast.og_description)], text, title),
    body: text,
    publishedAt: wpDate(str(body.date_gmt), str(body.date)),
    updatedAt: wpDate(str(body.modified_gmt), undefined),
    tags: terms,
    priority: taggedPriority(terms, options),
    authors: names(embedded.author),
    image: image(first(media.source_url, body.jetpack_featured_media_url), str(media.alt_text)),
  });
}

/**
 * Recognise the body's format and map it. Throws WebhookBodyError for a post that is neither
 * published nor scheduled (Ghost "scheduled", WordPress "future": held until publishedAt).
 */
export function mapWebhookBody(body: unknown, options: MapOptions = {}): { format: WebhookFormat; input: unknown } {
  if (!isObj(body)) return { format: 'article', input: body };
  if (isObj(body.post) && isObj(body.post.current)) return { format: 'ghost', input: ghost(body.post.current, options) };
  if ('post_title' in body || (isObj(body.post) && 'post_title' in body.post)) return { format: 'wordpress', input: wordpress(body, options) };
  if (isObj(body.title) && 'rendered' in body.title) return { format: 'wordpress-rest', input: wordpressRest(body, options) };
  return { format: 'article', input: body };
}

/** A webhook body that takes an article down: which article (by its URL) and why. */
export interface WebhookRetraction {
  format: WebhookFormat;
  /** The article's URL as it was published, most likely first (a Ghost draft's own URL is a preview). */
  urls: string[];
  reason: string;
  /** Only when crier published it (a WordPress draft may never have been published). */
  onlyIfKnown: boolean;
}

/** A Ghost body that cancels a schedule (post.unscheduled: scheduled → draft): which article, by the URL it would have had. */
export function webhookUnschedule(body: unknown): { format: WebhookFormat; urls: string[] } | undefined {
  if (!isObj(body) || !isObj(body.post) || !isObj(body.post.current)) return undefined;
  const current = body.post.current;
  const previous = isObj(body.post.previous) ? body.post.previous : {};
  if (str(previous.status) !== 'scheduled' || str(current.status) === 'published' || str(current.status) === 'scheduled') return undefined;
  const urls = [ghostLiveUrl(str(current.url), str(current.slug) ?? str(previous.slug)), str(previous.url), str(current.url)].filter((u): u is string => u !== undefined);
  return urls.length === 0 ? undefined : { format: 'ghost', urls: [...new Set(urls)] };
}

/** WordPress renames a trashed post's slug to "<slug>__trashed": the article's URL is the one before. */
const untrashed = (url: string): string => url.replace(/__trashed(-\d+)?(?=\/?(\?|#|$))/, '');

/**
 * Recognise a body that retracts: Ghost `post.deleted` (`current` empty, the post in
 * `previous`) and `post.unpublished` (`previous.status` was published; the draft's own URL
 * is a preview, /p/<uuid>/, so the published one is `previous.url` when Ghost sends it, else
 * the site's /<slug>/), WordPress trash (and draft, private or pending, for a post crier
 * published). Undefined for anything else.
 */
export function webhookRetraction(body: unknown): WebhookRetraction | undefined {
  if (!isObj(body)) return undefined;
  if (isObj(body.post) && isObj(body.post.current)) {
    const current = body.post.current;
    const previous = isObj(body.post.previous) ? body.post.previous : {};
    if (Object.keys(current).length === 0) {
      // A scheduled post deleted: its article is filed under the URL it would have had, not its preview.
      const urls = [str(previous.url), str(previous.status) === 'scheduled' ? ghostLiveUrl(str(previous.url), str(previous.slug)) : undefined].filter((u): u is string => u !== undefined);
      return urls.length === 0 ? undefined : { format: 'ghost', urls: [...new Set(urls)], reason: 'deleted in Ghost', onlyIfKnown: false };
    }
    const status = str(current.status);
    if (status === undefined || status === 'published' || str(previous.status) !== 'published') return undefined;
    const own = str(current.url);
    const slug = str(current.slug);
    // The preview address …/blog/p/<uuid>/ → the live one …/blog/<slug>/ (a site under a subfolder keeps it).
    const live = ghostLiveUrl(own, slug);
    const published = live !== own ? live : undefined;
    const urls = [str(previous.url), published, own].filter((u): u is string => u !== undefined);
    return urls.length === 0 ? undefined : { format: 'ghost', urls: [...new Set(urls)], reason: `unpublished in Ghost (now ${status})`, onlyIfKnown: false };
  }
  const wp: Obj | undefined = 'post_title' in body || (isObj(body.post) && 'post_title' in body.post) ? { ...(isObj(body.post) ? body.post : {}), ...body } : undefined;
  const rest = isObj(body.title) && 'rendered' in body.title ? body : undefined;
  const status = str(wp?.post_status ?? rest?.status);
  const url = wp !== undefined ? first(wp.permalink, wp.post_permalink, wp.post_url, wp.link, wp.url) : str(rest?.link);
  if (status === undefined || url === undefined) return undefined;
  const format: WebhookFormat = wp !== undefined ? 'wordpress' : 'wordpress-rest';
  if (status === 'trash') return { format, urls: [untrashed(url)], reason: 'trashed in WordPress', onlyIfKnown: false };
  if (['draft', 'private', 'pending'].includes(status)) return { format, urls: [url], reason: `unpublished in WordPress (now ${status})`, onlyIfKnown: true };
  return undefined;
}
