/**
 * Whether two pieces of an article say the same thing — a summary that repeats the title,
 * a deck that is the title again — so a post shows it once. Compared as a reader would:
 * case, spacing and closing punctuation aside.
 */
export function sameText(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const key = (s: string) => s.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').replace(/[\s.!?…:;,]+$/u, '').trim();
  const ka = key(a);
  return ka !== '' && ka === key(b);
}
