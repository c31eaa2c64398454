/**
 * What the platforms recorded versus what was published: for every (article, target)
 * the number of posts the fake accepted. Articles are told apart by the number in their
 * title ("… chaos check <run> number <n>"), which every platform's post shows.
 */

export const TITLE_MARK = /chaos check (\w+) number (\d+)\b/;

export interface Tally {
  expected: number;
  delivered: number;
  duplicates: number;
  lost: number;
  /** (target, article number) pairs with no post, for the report. */
  missing: Array<{ target: string; n: number }>;
  /** Pairs with more than one post. */
  doubled: Array<{ target: string; n: number; posts: number }>;
}

/** Posts per article number in one platform's texts (only this run's). */
export function countPosts(texts: readonly string[], run: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const text of texts) {
    const match = TITLE_MARK.exec(text);
    if (match === null || match[1] !== run) continue;
    const n = Number(match[2]);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

export function tally(articles: number, byTarget: ReadonlyMap<string, ReadonlyMap<number, number>>): Tally {
  const out: Tally = { expected: 0, delivered: 0, duplicates: 0, lost: 0, missing: [], doubled: [] };
  for (const [target, counts] of byTarget) {
    for (let n = 0; n < articles; n++) {
      out.expected++;
      const posts = counts.get(n) ?? 0;
      if (posts === 0) {
        out.lost++;
        out.missing.push({ target, n });
        continue;
      }
      out.delivered++;
      if (posts > 1) {
        out.duplicates += posts - 1;
        out.doubled.push({ target, n, posts });
      }
    }
  }
  return out;
}
