import { nameKey } from './byline.js';
import type { PageMeta } from './html-meta.js';
import type { DomDocument, DomElement } from './html-text.js';

/**
 * The names a site goes by, gathered from everything that names it: og:site_name (and its
 * part before a tagline: "Zpravodaj.cz – Víte, co se právě děje"), application-name, the
 * JSON-LD publisher and WebSite, feed link titles, the logo/site-title element and the
 * header's link home, and the host name ("thriftyhome" for "ThriftyHome.com").
 * A title segment that is one of them is a site suffix; a byline that is one is no byline.
 */

export interface SiteIdentity {
  names: string[];
  /** The names the page declares in its metadata (not read off the layout or the host name). */
  declared?: string[];
  /** Labels of the host name that may be written as the brand: "zpravodaj", "wikipedia". */
  hostLabels: string[];
  /** People the site may be named after (a personal blog's "Headline | Jane Doe"): only title affixes. */
  owners: string[];
}

/** Separators between a headline and the site name, or a site name and its tagline. */
export const SEPARATOR = /\s+[|\-–—·•»:/]{1,2}\s+|\s*[｜|]\s*|\s+::\s+/;
const TLD = /^(?:com|net|org|info|co|uk|couk|cz|sk|de|fr|es|it|nl|pl|pt|br|jp|io|news|tv|fm|eu|ch|at|be|dk|se|no|fi|ie|ca|au|nz|in|us|ru|example)$/;
const SITE_CLASS = /(?:^|\s)(?:site-title|site-name|sitename|site-logo|logo|brand|navbar-brand|navbar-title|blog-title|masthead-title|gh-head-logo|sc-site-title)(?:\s|$)/i;
const SUBDOMAIN = /^(?:www\d?|m|amp|mobile|en|de|fr|es|it|nl|pl|cs|ja|pt|blog|blogs|news|zpravy|eng)$/i;

const short = (text: string | null | undefined): string | undefined => {
  const t = text?.replace(/\s+/g, ' ').trim();
  return t !== undefined && t !== '' && t.length <= 60 && t.split(' ').length <= 7 ? t : undefined;
};

function hostLabelsOf(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const labels = new URL(url).hostname.toLowerCase().split('.');
    return labels.slice(0, -1).filter((l) => !SUBDOMAIN.test(l) && !TLD.test(l) && nameKey(l).length >= 4).map(nameKey);
  } catch {
    return [];
  }
}

/** Elements that carry the site's name: the logo/site-title, a heading or header link that only links home. */
function domNames(doc: DomDocument, pageUrl: string | undefined): string[] {
  let origin: string | undefined;
  try {
    origin = pageUrl === undefined ? undefined : new URL(pageUrl).origin;
  } catch {
    origin = undefined;
  }
  const home = (href: string | null): boolean => href !== null && (href === '/' || (origin !== undefined && href.replace(/\/$/, '') === origin));
  const out: string[] = [];
  const els = Array.from(doc.querySelectorAll('[class],[id],a[rel],header a,h1 a,h2 a')).slice(0, 3000) as DomElement[];
  for (const el of els) {
    const marks = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
    const isLink = el.nodeName.toUpperCase() === 'A';
    if (SITE_CLASS.test(marks) || (isLink && (/(?:^|\s)home(?:\s|$)/i.test(el.getAttribute('rel') ?? '') || (home(el.getAttribute('href')) && /^(?:HEADER|H1|H2|DIV|P|SPAN)$/.test(el.parentNode?.nodeName.toUpperCase() ?? ''))))) {
      const name = short(el.textContent);
      if (name !== undefined) out.push(name);
    }
  }
  return out.slice(0, 8);
}

/** "Kestrel Watch - Atom", "Rosa's Kitchen Garden RSS Feed" → the site's name. */
const feedSite = (title: string): string => title.replace(/\s*(?:[-–—|»:]\s*)?(?:rss|atom|rss 2\.0|feed|comments feed)(?:\s+feed)?\s*$/i, '').trim();

export function siteIdentity(doc: DomDocument, meta: PageMeta, pageUrl: string | undefined, owners: readonly string[]): SiteIdentity {
  const { tags } = meta;
  const stated = [
    ...tags.all('og:site_name').map((v) => v.value),
    tags.first('application-name'),
    tags.first('apple-mobile-web-app-title'),
    tags.first('dcterms.publisher', 'dc.publisher'),
    tags.first('twitter:site')?.replace(/^@/, ''),
    ...meta.ld.siteNames,
  ];
  const withParts = (list: Array<string | undefined>): string[] => {
    const names = new Set<string>();
    for (const name of list) {
      const t = name?.replace(/\s+/g, ' ').trim();
      if (t === undefined || t === '') continue;
      names.add(t);
      const first = t.split(SEPARATOR)[0]?.trim();
      if (first !== undefined && first !== '' && first !== t) names.add(first);
    }
    return [...names];
  };
  return {
    names: withParts([...stated, ...meta.feedTitles.map(feedSite), ...domNames(doc, pageUrl)]),
    declared: withParts(stated),
    hostLabels: [...new Set([...hostLabelsOf(pageUrl), ...hostLabelsOf(meta.canonical)])],
    owners: [...owners],
  };
}

/** Words of organisations, never of a person's name: "Town of Greyhaven", "Harbour City Times". */
const ORGANISATION =
  /\b(?:town|city|county|council|borough|village|parish|state|government|university|college|school|department|ministry|office|agency|association|society|group|inc|ltd|llc|gmbh|company|corporation|foundation|institute|museum|library|church|club|network|news|press|media|times|post|gazette|herald|journal|daily|weekly|radio|tv|magazine|review|tribune|observer|courier|chronicle|echo|blog)\b/i;

/**
 * Is a byline name the site itself? A name the page's metadata declares as the site's is; a
 * name that only the layout or the host name gives is when it reads as an organisation —
 * "Town of Greyhaven" on greyhaven.example is the site, "Mathilde Carrel" on her own blog writes it.
 */
export function isSiteByline(name: string, site: SiteIdentity): boolean {
  if (isSiteName(name, { names: site.declared ?? site.names, hostLabels: [], owners: [] }, false)) return true;
  return ORGANISATION.test(name) && isSiteName(name, site, false);
}

/** Is this title segment the site's name (or its owner's)? Case, accents, spacing and a ".com" aside. */
export function isSiteName(segment: string, site: SiteIdentity, withOwners = true): boolean {
  const key = nameKey(segment);
  if (key.length < 2) return false;
  const keys = [...site.names, ...(withOwners ? site.owners : [])].map(nameKey).filter((k) => k.length >= 2);
  for (const k of keys) {
    if (k === key) return true;
    if (key.startsWith(k) && TLD.test(key.slice(k.length))) return true;
  }
  const words = segment.trim().split(/\s+/).length;
  for (const label of site.hostLabels) {
    if (key === label || (key.startsWith(label) && TLD.test(key.slice(label.length)))) return true;
    // "Town of Greyhaven" on greyhaven.example
    if (words <= 4 && label.length >= 5 && (key.endsWith(label) || key.startsWith(label))) return true;
  }
  return false;
}
