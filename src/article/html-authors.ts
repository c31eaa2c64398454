import { cleanByline, nameKey, personName, type BylineContext } from './byline.js';

/**
 * The byline, by evidence. Each source (JSON-LD author of the page's article, meta author,
 * article:author, microdata, rel=author links, byline elements, a "By …" line under the
 * headline) gives a list of names, cleaned by byline.ts; a name's score is the weight of
 * the sources that give it. Names scoring at least half the best are the byline, in the
 * order the heaviest source gives them — so three JSON-LD authors beat a meta tag naming
 * the first, and a stray name in a related-stories box does not get in.
 */

export interface AuthorCandidate {
  /** The raw byline texts of one source (several meta tags, several JSON-LD authors). */
  texts: readonly string[];
  weight: number;
  /** Names of organisations as declared (a wire service, a ministry): taken whole, not cleaned as a person's. */
  organisations?: boolean;
}

/** Names from one source, cleaned; empty when the source names nobody. */
export function namesOf(candidate: AuthorCandidate, ctx: BylineContext): string[] {
  if (candidate.organisations === true) return candidate.texts.map((t) => personName(t, ctx)).filter((n): n is string => n !== undefined);
  return candidate.texts.flatMap((t) => cleanByline(t, ctx) ?? []);
}

export function chooseAuthors(candidates: readonly AuthorCandidate[], ctx: BylineContext): string[] {
  const lists = candidates
    .map((c, order) => ({ names: namesOf(c, ctx), weight: c.weight, order }))
    .filter((l) => l.names.length > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  const score = new Map<string, number>();
  for (const list of lists) {
    for (const key of new Set(list.names.map(nameKey))) score.set(key, (score.get(key) ?? 0) + list.weight);
  }
  const best = Math.max(0, ...score.values());
  const out: string[] = [];
  const taken = new Set<string>();
  for (const list of lists) {
    for (const name of list.names) {
      const key = nameKey(name);
      if (taken.has(key) || (score.get(key) ?? 0) < best / 2) continue;
      taken.add(key);
      out.push(name);
    }
  }
  return out;
}
