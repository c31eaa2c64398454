import { splitAuthors } from './byline.js';
import { findDate } from './parse-date.js';
import { findLinks, firstHttpUrl, isLinkOnly } from './markdown-inline.js';

/**
 * Recognisers for the header lines an article page converted to Markdown carries: byline, dateline,
 * "Region:/Theme:" tag lines, "original source" lines, URL lines. Each takes one visual line, raw
 * (Markdown) and plain (stripped), and returns what it found or undefined.
 */

export type MetaLine =
  | { kind: 'url'; url: string }
  | { kind: 'title'; title: string }
  | { kind: 'date'; iso: string; updated: boolean; extraWords: number; sourceName?: string }
  | { kind: 'byline'; authors: string[]; iso?: string }
  | { kind: 'tags'; tags: string[] }
  | { kind: 'source'; name?: string; url?: string }
  | { kind: 'noise' };

const URL_LABEL =
  /^(?:url|source url|url source|canonical(?: url| link)?|permalink|article (?:url|link)|link to (?:this|the) (?:article|story)|web ?link)\s*:\s*/i;
const URL_LINK_TEXT = /^(?:permalink|canonical(?: url| link)?|link to (?:this|the) (?:article|story)|article (?:link|url)|(?:read|view) (?:this|the) (?:article|story) online)$/i;
const TITLE_LABEL = /^(?:title|headline)\s*:\s*(\S.*)$/i;
const DATE_LABEL =
  /^(?:(?:date|dateline|published(?: time| on| at| date)?|posted(?: on| at)?|first published(?: on)?|publication date)|(updated(?: on| at)?|last (?:updated|modified)(?: on)?|modified(?: on)?))\s*:?\s+/i;
const BYLINE = /^(?:by|written by|words by|story by|posted by|authors?\s*:|reporting by)\s*:?\s+(\S.*)$/i;
const TAG_LABEL =
  /^(region|regions|theme|themes|in-depth report|in depth report|topics?|tags?|tagged|keywords|categories|category|subjects?|filed under)\s*:\s*(.*)$/i;
const SOURCE_PREFIXES = [
  /^(?:the )?original source of this (?:article|story|piece|text) is\s*:?\s*/i,
  /^original(?:ly)? (?:source|published (?:at|on|in|by))\s*:?\s*/i,
  /^(?:this (?:article|story|piece|text|post) )?(?:was )?(?:originally|first) (?:published|appeared|posted|ran)\s*(?:at|on|in|by)?\s*:?\s*/i,
  /^(?:republished|reprinted|reposted|cross-posted) (?:from|with permission (?:from|of))\s*:?\s*/i,
  /^source\s*:\s*/i,
];
const NOISE = /^(?:markdown content|content|article|main content|advertisement)\s*:?\s*$/i;

function sourceFrom(raw: string, rest: string): { name?: string; url?: string } | undefined {
  const link = findLinks(raw)[0];
  const name = (link?.text ?? rest).replace(/[\s.,;:]+$/, '').trim();
  const url = link !== undefined && /^https?:\/\//i.test(link.url) ? link.url : firstHttpUrl(raw);
  const out: { name?: string; url?: string } = {};
  if (name !== '' && name.length <= 200 && !/^https?:\/\//i.test(name)) out.name = name;
  if (url !== undefined) out.url = url;
  return out.name === undefined && out.url === undefined ? undefined : out;
}

/** What a header line says about the article, if anything. `inHeader` enables byline/date recognition. */
export function classifyLine(raw: string, plain: string, inHeader: boolean): MetaLine | undefined {
  const text = plain.trim();
  if (text === '' || NOISE.test(text)) return { kind: 'noise' };
  if (URL_LABEL.test(text)) {
    const url = firstHttpUrl(raw);
    return url === undefined ? { kind: 'noise' } : { kind: 'url', url };
  }
  if (isLinkOnly(raw)) {
    const links = findLinks(raw);
    const only = links.length === 1 ? links[0] : undefined;
    if (only !== undefined && URL_LINK_TEXT.test(only.text) && /^https?:\/\//i.test(only.url)) return { kind: 'url', url: only.url };
  }
  const title = TITLE_LABEL.exec(raw.trim());
  if (title !== null && inHeader && TITLE_LABEL.test(text)) return { kind: 'title', title: title[1] ?? '' };
  const tags = TAG_LABEL.exec(text);
  if (tags !== null && text.length <= 800) {
    const fromLinks = findLinks(raw).map((l) => l.text).filter((t) => t !== '');
    const list = fromLinks.length > 0 ? fromLinks : (tags[2] ?? '').split(/\s*[,;|]\s*/);
    return { kind: 'tags', tags: list.map((t) => t.replace(/^#/, '').trim()).filter((t) => t !== '' && t.length <= 100) };
  }
  for (const prefix of SOURCE_PREFIXES) {
    const m = prefix.exec(text);
    if (m !== null && text.length <= 300) {
      const source = sourceFrom(raw, text.slice(m[0].length));
      if (source !== undefined) return { kind: 'source', ...source };
    }
  }
  if (!inHeader || text.length > 300) return undefined;
  const byline = BYLINE.exec(text);
  if (byline !== null) {
    let names = byline[1] ?? '';
    const date = findDate(names);
    if (date !== undefined) names = names.slice(0, date.index);
    const authors = splitAuthors(names);
    if (authors !== undefined) return date === undefined ? { kind: 'byline', authors } : { kind: 'byline', authors, iso: date.iso };
  }
  const label = DATE_LABEL.exec(text);
  const date = findDate(text);
  if (date !== undefined && (label !== null || text.length <= 160)) {
    const rest = (text.slice(0, date.index) + text.slice(date.index + date.length)).replace(/[\s,|·•–—-]+/g, ' ').trim();
    const restWords = rest === '' ? 0 : rest.split(' ').length;
    // A dateline is a label, not a sentence: "Global Research, November 15, 2022", not "Talks resumed on May 2."
    if (label !== null || (restWords <= 6 && !/[.!?"”]$/.test(text))) {
      const out: MetaLine = { kind: 'date', iso: date.iso, updated: label?.[1] !== undefined, extraWords: label !== null ? 0 : restWords };
      // "[Antiwar.com](…) 14 November 2022": a dateline led by a link names where the piece first ran.
      const lead = findLinks(raw)[0];
      if (label === null && lead !== undefined && raw.trimStart().startsWith('[') && lead.text !== '') out.sourceName = lead.text;
      return out;
    }
  }
  return undefined;
}
