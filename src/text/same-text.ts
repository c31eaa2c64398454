/** Characters a reader does not count when two texts are compared: closing punctuation and spaces. */
const TRAILING = new Set([' ', '\t', '\n', '.', '!', '?', '…', ':', ';', ',']);

/** A text as a reader compares it: case, runs of spaces and closing punctuation aside. */
function key(text: string): string {
  let end = text.length;
  while (end > 0 && TRAILING.has(text[end - 1] as string)) end--;
  let out = text.slice(0, end);
  if (/\s\s|[^\S ]/.test(out)) out = out.replace(/\s+/g, ' ');
  return out.trim().toLowerCase();
}

/**
 * Whether two pieces of an article say the same thing — a summary that repeats the title,
 * a deck that is the title again — so a post shows it once. Compared as a reader would:
 * case, spacing and closing punctuation aside. Runs for every post: cheap when they differ.
 */
export function sameText(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  // Texts of different lengths (beyond spacing and closing punctuation) differ: no need to
  // look closer to find out a whole summary is not the title. Callers pass one-line text.
  if (Math.abs(a.length - b.length) > 8) return false;
  const ka = key(a);
  return ka !== '' && ka === key(b);
}
