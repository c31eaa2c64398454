import { ELLIPSIS } from './truncate.js';

/**
 * A summary that a CMS cut for us, made whole again. Ghost's automatic `excerpt` is the
 * first 500 characters of the post's text, cut wherever that falls (often mid-word), and
 * other CMSs and feeds do the same. Posted as it is, a caption ends on "…the harbour auth".
 *
 * A summary is taken as cut when it does not end a sentence and either the body starts
 * with it and goes on (the excerpt is the body's beginning), or it is long and ends a
 * sentence earlier on (a run of sentences whose last one stops short). Then it ends at its last
 * whole sentence when that keeps most of it, else after its last whole word with "…".
 * A summary that is complete, already marked as cut, or a single unpunctuated line (a
 * deck-like summary) is left alone.
 */

const FINAL_PUNCTUATION = new Set([...'.!?。！？؟۔।॥‼⁉…']);
const CLOSERS = new Set([...`"'»”’)]」』`]);
/** Sentence ends that need no space after them (CJK, Devanagari danda, Urdu full stop), closing brackets included. */
const FULL_WIDTH_END = /[。！？।॥۔」』]/u;

/** True when `text` up to `end` ends a sentence: final punctuation, then any closing quotes or brackets and spaces. Looks back only as far as it must. */
function endsSentence(text: string, end: number): boolean {
  let i = end - 1;
  while (i >= 0 && /\s/u.test(text[i] as string)) i--;
  while (i >= 0 && CLOSERS.has(text[i] as string)) i--;
  return i >= 0 && FINAL_PUNCTUATION.has(text[i] as string);
}
const MARKED_CUT = /(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\[&hellip;\])$/u;
/** Characters dropped before the ellipsis: spaces, commas, dashes, opening quotes. */
const DANGLING = /[\s,;:\-–—([{"'«“‘]+$/u;
const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const LINK_LIKE = /[\p{L}\p{N}][./][\p{L}\p{N}]|^[@#]|:\/\//u;

const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });
const words = new Intl.Segmenter(undefined, { granularity: 'word' });

const squash = (s: string) => s.replace(/\s+/gu, ' ').trim();

/** Without the body as evidence: shortest summary taken as cut, and shortest first sentence in it. */
const MIN_CUT_LENGTH = 140;
const MIN_SENTENCE = 20;
/** How much of the end is read to find the last word (a longer "word" is not cut: there is no word to drop). */
const TAIL = 256;

/** Share of the text a whole-sentence cut must keep to be preferred over a word cut (as in truncate). */
const SENTENCE_SHARE = 0.6;

/** Where the sentences of `text` end (before the next one's start), increasing; never inside a token such as a URL's "?". */
function sentenceEnds(text: string): number[] {
  return [...sentences.segment(text)]
    .map((s) => s.index)
    .filter((i) => i > 0 && endsSentence(text, i) && (/\s/u.test(text[i - 1] as string) || FULL_WIDTH_END.test(text[i - 1] as string)));
}

export function completeExcerpt(summary: string, body?: string): string {
  const text = summary.trim();
  if (text === '' || endsSentence(text, text.length) || MARKED_CUT.test(text)) return summary;
  const flat = squash(text);
  const flatBody = body === undefined ? '' : squash(body);
  const bodyGoesOn = flatBody.length > flat.length && flatBody.startsWith(flat);
  // Without the body, only a long summary with a whole sentence in it counts ("Dr. Smith backs
  // the plan" is a deck, not a cut excerpt; ICU's sentence breaks fall after "Dr." too).
  const earlierSentence = text.length >= MIN_CUT_LENGTH && sentenceEnds(text).some((i) => i >= MIN_SENTENCE);
  if (!bodyGoesOn && !earlierSentence) return summary;

  // Was the last word cut? The body says so when it continues it; without the body, assume it was.
  const lastChar = text[text.length - 1] ?? '';
  const midWord = WORD_CHAR.test(lastChar) && (bodyGoesOn ? WORD_CHAR.test(flatBody[flat.length] ?? '') : true);
  let kept = text;
  if (midWord) {
    // A URL, domain, @mention or #hashtag goes whole: half of one is worse than none.
    const token = /\S+$/u.exec(text);
    if (token !== null && LINK_LIKE.test(token[0])) kept = text.slice(0, token.index);
    else {
      // Only the end matters: segmenting a whole 10,000-character summary can take ICU a long time.
      const from = Math.max(0, text.length - TAIL);
      const segments = [...words.segment(text.slice(from))];
      const last = segments[segments.length - 1];
      kept = last !== undefined && last.isWordLike === true && (last.index > 0 || from === 0) ? text.slice(0, from + last.index) : text;
    }
  }
  kept = kept.replace(DANGLING, '');
  if (endsSentence(kept, kept.length)) return kept;
  // Nor is an ellipsis glued to a link (it would read as part of it): the link goes too.
  const lastToken = /\S+$/u.exec(kept);
  if (lastToken !== null && LINK_LIKE.test(lastToken[0])) kept = kept.slice(0, lastToken.index).replace(DANGLING, '');
  const lastSentenceStart = sentenceEnds(kept).pop();
  if (lastSentenceStart !== undefined && lastSentenceStart >= SENTENCE_SHARE * kept.length) return kept.slice(0, lastSentenceStart).trimEnd();
  return kept === '' ? '' : kept + ELLIPSIS;
}
