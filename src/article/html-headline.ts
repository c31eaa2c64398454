import { isSiteName, SEPARATOR, type SiteIdentity } from './html-site.js';

/**
 * The headline, by evidence rather than a fixed order. Every source that states a title
 * is a candidate with a weight (og:title, twitter:title, the JSON-LD headline of the
 * page's own article, microdata, <h1>, <title>…); the site's name is cut off each
 * ("… | Zpravodaj.cz", "Kestrel Watch: …", "… [KernelWeekly.net]"); candidates that say
 * the same thing add up, and one that says "X | something" also speaks for a candidate
 * that says exactly "X" (so an <h1> without "Opinion | " beats the same words with it).
 */

export interface TitleCandidate {
  text: string;
  weight: number;
}

/** Headline-shaped text that is not one: an app shell, a placeholder. */
const GENERIC = /^(?:loading(?:\.\.\.|…)?|untitled(?: document)?|home(?: ?page)?|index|page not found|404(?: not found)?|error|welcome|new tab)$/i;
/** Title segments that are furniture, not headline: WordPress's "Blog Archive", Medium's "by X" and month. */
const FURNITURE = /^(?:blog archive|archive|home|blog|news|by\s+\S.{0,60}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,? \d{4})$/i;
const TRUNCATED = /\s*(?:…|\.\.\.)$/;

/** Same words, whatever the case, quotes and punctuation. */
export const looseKey = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

interface Piece {
  text: string;
  start: number;
  end: number;
}

/** The separators in a title, as [start, end) ranges. */
function separators(text: string): Piece[] {
  const out: Piece[] = [];
  const re = new RegExp(SEPARATOR.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const affix = (segment: string, site: SiteIdentity): boolean => isSiteName(segment, site) || FURNITURE.test(segment.trim());

/** "Headline | Section | Site" → "Headline | Section"; "Site: Headline" → "Headline"; "Headline [Site]" → "Headline". */
export function stripSiteAffixes(title: string, site: SiteIdentity): string {
  let text = title.replace(/\s+/g, ' ').trim();
  for (let guard = 0; guard < 6; guard++) {
    const before = text;
    const bracket = /\s*[[(]([^\])]{2,60})[\])]$/.exec(text);
    if (bracket !== null && bracket.index > 0 && isSiteName(bracket[1] ?? '', site)) text = text.slice(0, bracket.index).trim();
    const seps = separators(text);
    const last = seps[seps.length - 1];
    if (last !== undefined && last.start > 0 && affix(text.slice(last.end), site)) text = text.slice(0, last.start).trim();
    const first = separators(text)[0];
    if (first !== undefined && first.end < text.length && affix(text.slice(0, first.start), site)) text = text.slice(first.end).trim();
    // "Kestrel Watch: First eggs" — only by a name the site states: a host name alone would also
    // take "Boston: City council votes…" on boston.example for a site prefix.
    const colon = /^([^:]{2,60}):\s+(?=\S)/.exec(text);
    if (colon !== null && isSiteName(colon[1] ?? '', { ...site, hostLabels: [] }, false)) text = text.slice(colon[0].length).trim();
    if (text === before || text === '') break;
  }
  return text === '' ? title.trim() : text;
}

/** For tests and callers with one site name: "Headline | The Site" → "Headline". */
export function stripSiteName(title: string, siteName: string | undefined): string {
  if (siteName === undefined || siteName.trim() === '') return title.trim();
  return stripSiteAffixes(title, { names: [siteName], hostLabels: [], owners: [] });
}

interface Entry {
  text: string;
  key: string;
  weight: number;
  truncated: boolean;
  order: number;
}

/** 1-word "headlines" are mostly sections and site names. */
function shapeFactor(text: string): number {
  const words = text.split(/\s+/).length;
  if (words >= 3 || (words === 1 && text.length >= 12)) return 1;
  return words === 2 ? 0.8 : 0.5;
}

/** The headline the evidence supports, or undefined when no source states one. */
export function chooseHeadline(candidates: readonly TitleCandidate[], site: SiteIdentity): string | undefined {
  const entries: Entry[] = [];
  candidates.forEach((c, order) => {
    // A title stuffed with keywords is still a title: cut to what an Article can hold, never dropped.
    const raw = c.text.replace(/\s+/g, ' ').trim().slice(0, 1000);
    if (raw === '') return;
    const text = stripSiteAffixes(raw, site);
    if (GENERIC.test(text) || isSiteName(text, site, false)) return;
    const truncated = TRUNCATED.test(text);
    const key = looseKey(text.replace(TRUNCATED, ''));
    if (key === '') return;
    entries.push({ text, key, weight: c.weight, truncated, order });
  });
  if (entries.length === 0) return undefined;

  const score = new Map<string, number>();
  const add = (key: string, w: number): void => void score.set(key, (score.get(key) ?? 0) + w);
  for (const e of entries) add(e.key, e.weight);
  const keys = [...score.keys()];
  for (const e of entries) {
    // "X | Y" speaks for "X" (and "Y"); a cut-off "X…" speaks for what starts with X.
    const parts = new Set<string>();
    for (const sep of separators(e.text)) {
      parts.add(looseKey(e.text.slice(0, sep.start)));
      parts.add(looseKey(e.text.slice(sep.end)));
    }
    for (const key of keys) {
      if (key === e.key) continue;
      if (parts.has(key) || (e.truncated && key.startsWith(e.key))) add(key, 0.9 * e.weight);
    }
  }
  let best: Entry | undefined;
  let bestScore = -1;
  for (const e of entries) {
    // A cut-off text only wins when nothing else is stated.
    const s = (score.get(e.key) ?? 0) * shapeFactor(e.text) * (e.truncated ? 0.3 : 1);
    if (s > bestScore || (s === bestScore && best !== undefined && e.order < best.order)) {
      best = e;
      bestScore = s;
    }
  }
  if (best === undefined) return undefined;
  // The spelling of the heaviest source among those that agree.
  const agreeing = entries.filter((e) => e.key === best.key).sort((a, b) => b.weight - a.weight || a.order - b.order);
  return (agreeing[0] ?? best).text;
}
