import { parseDate } from './parse-date.js';

/**
 * The publication date, by evidence. Candidates come from article:published_time, the
 * JSON-LD of the page's own article, microdata, <time> elements, labelled lines under the
 * headline and the URL's /yyyy/mm/dd/; modified dates (article:modified_time,
 * og:updated_time, dateModified, "Updated …") are collected too. Sources that agree add
 * up (a day-only date supports an instant on that day), and a "published" instant that is
 * one of the modified dates while another source gives an earlier one is taken for what
 * it is: the modified date.
 */

export interface DateCandidate {
  raw: string;
  weight: number;
  kind: 'published' | 'modified';
}

interface Parsed {
  iso: string;
  ms: number;
  /** True when the source gave a time of day, not just a date. */
  timed: boolean;
  weight: number;
}

const HOUR = 3600_000;
const hasTime = (raw: string): boolean => /\d{1,2}:\d{2}|T\d{2}|\d{1,2}\s*[ap]\.?m\b/i.test(raw);

/** Whether an instant may be the same publication as a date given without a time (any time zone). */
const onDay = (instant: Parsed, day: Parsed): boolean => instant.ms >= day.ms - 14 * HOUR && instant.ms < day.ms + 38 * HOUR;

export function chooseDate(candidates: readonly DateCandidate[]): string | undefined {
  const parse = (c: DateCandidate): Parsed | undefined => {
    const iso = parseDate(c.raw);
    return iso === undefined ? undefined : { iso, ms: Date.parse(iso), timed: hasTime(c.raw), weight: c.weight };
  };
  const published = candidates.filter((c) => c.kind === 'published').map(parse).filter((p): p is Parsed => p !== undefined);
  if (published.length === 0) return undefined;
  const modified = new Set(candidates.filter((c) => c.kind === 'modified').map(parse).map((p) => p?.ms));
  const earliest = Math.min(...published.map((p) => p.ms));

  const score = (p: Parsed): number => {
    let s = 0;
    for (const q of published) {
      if (q.timed === p.timed ? q.ms === p.ms : p.timed ? onDay(p, q) : onDay(q, p)) s += q.timed === p.timed ? q.weight : 0.7 * q.weight;
    }
    // The modified time under the name of the published one.
    if (p.timed && modified.has(p.ms) && earliest < p.ms - 60_000) s *= 0.3;
    return s;
  };
  let best: Parsed | undefined;
  let bestScore = -1;
  for (const p of published) {
    // At equal evidence, the more precise: an instant over a bare day.
    const s = score(p) + (p.timed ? 0.01 : 0);
    if (s > bestScore) {
      best = p;
      bestScore = s;
    }
  }
  if (best !== undefined && !best.timed) {
    // The day won: say it with the time a source on that day gives.
    const day = best;
    const timed = published.filter((p) => p.timed && onDay(p, day)).sort((a, b) => score(b) - score(a))[0];
    if (timed !== undefined) best = timed;
  }
  return best?.iso;
}

/** /2021/11/08/, /2022/sep/13/, /20220803/ in a URL path → that day as a date without a time; undefined otherwise. */
export function urlDate(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const parts = /\/((?:19|20)\d\d)\/(\d\d|[a-z]{3})\/(\d\d)(?:\/|$|[-_])/i.exec(path) ?? /\/((?:19|20)\d\d)(\d\d)(\d\d)(?:\/|$)/.exec(path);
  if (parts === null) return undefined;
  const [, y, m, d] = parts;
  const raw = /^\d+$/.test(m ?? '') ? `${y}-${m}-${d}` : `${d} ${m} ${y}`;
  return parseDate(raw) === undefined ? undefined : raw;
}
