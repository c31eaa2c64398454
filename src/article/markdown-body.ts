/** Finishing touches on the body paragraphs once the boilerplate is gone. */

export interface Paragraph {
  text: string;
  italic: boolean;
}

const ENDS_SENTENCE = /[.!?:;…"'”’»)\]]$/;
const BIO = /\b(?:is|was)\s+(?:a|an|the)\b|\bfollow (?:him|her|them)\b|\b(?:author|writer|journalist|editor|correspondent) (?:of|at|for)\b/i;

/**
 * Converters sometimes break a paragraph mid-sentence ("…the\n\nlast nuclear treaty…").
 * Join a paragraph that does not end a sentence with a following one that starts in lowercase.
 */
export function mergeBrokenParagraphs(paragraphs: Paragraph[]): Paragraph[] {
  const out: Paragraph[] = [];
  for (const p of paragraphs) {
    const prev = out[out.length - 1];
    if (prev !== undefined && !prev.italic && !p.italic && !ENDS_SENTENCE.test(prev.text) && /^\p{Ll}/u.test(p.text)) {
      prev.text = `${prev.text} ${p.text}`;
    } else out.push({ ...p });
  }
  return out;
}

/** Drop a trailing italic author bio ("*Jane Doe is a reporter at …*") left after the last paragraph. */
export function dropTrailingBio(paragraphs: Paragraph[]): Paragraph[] {
  const out = [...paragraphs];
  while (out.length > 1) {
    const last = out[out.length - 1];
    if (last === undefined || !last.italic || last.text.length > 600 || !BIO.test(last.text)) break;
    out.pop();
  }
  return out;
}

/** The italic lead when there is one near the top, else the first paragraph. */
export function pickSummary(paragraphs: Paragraph[]): string | undefined {
  const lead = paragraphs.slice(0, 2).find((p) => p.italic);
  return (lead ?? paragraphs[0])?.text;
}
