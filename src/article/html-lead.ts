import { hasWriterLabel } from './byline.js';
import { looseKey } from './html-headline.js';
import { isSiteName, type SiteIdentity } from './html-site.js';

/**
 * The lead a subscriber reads under the headline: the page's description when it is one —
 * a summary in full sentences about this article — else the article's first real paragraph.
 * A description is not one when it is the headline again, the site's blurb, a call to
 * action ("Click here…", "Listen now."), cut off ("…more than…"), a phrase rather than a
 * sentence, or a line pulled from the middle of the piece ("There's no going back from here.").
 */

/** "LONDON (Reuters) - ", "KANSAS CITY, Mo. (KCTV) - ", "SANTA RITA, April 18 (GPA) - ", "Aug. 3, 2022 -- ", "/PRWire/ -- " at the start. */
const DATELINE =
  /^(?:(?:[\p{Lu}][\p{Lu}\p{Lt} .'’-]{2,40}|[\p{Lu}][\p{L}.'’-]+(?: [\p{Lu}][\p{L}.'’-]+){0,3}),\s+)?(?:(?:[A-Z][a-z]{0,4}\.\s?){1,2}\s*(?=\(|\/|--|—|–|-))?(?:(?:[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?|\d{1,2} [A-Z][a-z]{2,8}(?: \d{4})?)\s*)?(?:\([\p{L}. ]{1,24}\)|\/[\p{L}. ]{2,30}\/)?\s*(?:--|—|–|-)\s+(?=\p{Lu}|\d|["“])/u;
const CITY_DATELINE = /^[\p{Lu}][\p{Lu} .'’-]{2,40}(?:\([\p{L}. ]{1,24}\))?\s*(?:--|—|–|-)\s+(?=\p{Lu}|\d|["“])/u;
const CALL_TO_ACTION =
  /\b(?:click here|read (?:more|on|the full)|continue reading|find out (?:more|how|what)|learn more|listen (?:now|here)|watch (?:now|here|the video)|sign up|subscribe (?:now|today)|tap here|see more)\b/i;
const TRAILER = /\s*(?:tagged with\b.*|read more\W*|continue reading\W*|\(more…\)|\[…\]|\[\.\.\.\])$/i;
const TRUNCATED = /(?:…|\.\.\.)\s*$/;
const SENTENCE_END = /[.!?。！？…"”’')»]\s*$/;
/** Labels, credits and prompts: short lines or "Label: …" that start so, and credits at the end of a caption. */
const LABEL = /^(?:photo(?:graph)?s?|image|picture|credit|source|sources|advertisement|anzeige|reklama|publicité|listen|watch|read|sign up|subscribe|share|follow|updated|published|posted|last (?:updated|modified))\b/i;
const CREDIT = /\b(?:photo|image|credit|foto|picture)\s*:\s*\S+[^.!?]*$/i;
const notProse = (text: string): boolean => (LABEL.test(text) && (text.length < 80 || /^[^:]{0,24}:/.test(text))) || CREDIT.test(text);

/** The part of a line of text a dateline takes up, removed: "GREYHAVEN, May 22, 2023 – The town…" → "The town…". */
export function withoutDateline(text: string): string {
  const stripped = text.replace(DATELINE, '').replace(CITY_DATELINE, '');
  return stripped.length >= 20 ? stripped : text;
}

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? [];

/** Words in a text; Chinese and Japanese write none of the spaces, so two characters count as one. */
function wordCount(text: string): number {
  const cjk = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
  return text.split(/\s+/).filter((w) => w !== '').length + Math.floor(cjk / 2);
}

/** Share of the description's words that the article's text contains. */
function overlap(description: string, body: Set<string>): number {
  const own = words(description);
  return own.length === 0 ? 1 : own.filter((w) => body.has(w)).length / own.length;
}

/**
 * The first paragraph that is prose: not a caption, a label, a credit line, a byline or a
 * heading. With `strict` false (pages), the first paragraph at all when none is.
 */
export function firstRealParagraph(paragraphs: readonly string[], strict = false): string | undefined {
  for (const p of paragraphs.slice(0, 15)) {
    const text = withoutDateline(p.replace(/\s+/g, ' ').trim());
    const count = wordCount(text);
    if (text.length < (count >= 12 ? 20 : 40) || count < 6 || !SENTENCE_END.test(text) || notProse(text) || hasWriterLabel(text)) continue;
    return text;
  }
  return strict ? undefined : paragraphs[0]?.trim();
}

export interface LeadInput {
  /** Descriptions from the page's metadata, best source first. */
  descriptions: readonly string[];
  /** The article's paragraphs (headline, byline and boilerplate already dropped). */
  paragraphs: readonly string[];
  title: string | undefined;
  /** The site's names (a description that is the site's blurb is no lead); none for a CMS body. */
  site?: SiteIdentity;
  /** Only prose leads: no first paragraph "at all" (a caption) when none is prose. */
  strict?: boolean;
}

const NO_SITE: SiteIdentity = { names: [], hostLabels: [], owners: [] };

/** Why a description is not the lead, or undefined when it is. */
function rejection(text: string, input: LeadInput, first: string | undefined, bodyWords: Set<string>): string | undefined {
  const key = looseKey(text);
  if (input.title !== undefined && looseKey(input.title).includes(key)) return 'the headline';
  const site = input.site ?? NO_SITE;
  if (isSiteName(text, site, false) || (site.names.some((n) => n.length >= 3 && text.includes(n)) && overlap(text, bodyWords) < 0.5)) return 'the site';
  if (CALL_TO_ACTION.test(text)) return 'a call to action';
  if (input.paragraphs.length >= 2 && words(text).length >= 4 && overlap(text, bodyWords) < 0.34) return 'not about the article';
  if (TRUNCATED.test(text)) return 'cut off';
  if (!SENTENCE_END.test(text)) return 'not a sentence';
  const inBody = input.paragraphs.findIndex((p) => looseKey(p).includes(key));
  if (wordCount(text) < 9 && inBody >= 0 && !(first !== undefined && looseKey(first).startsWith(key))) return 'a line from the middle';
  return undefined;
}

export function chooseLead(input: LeadInput): string | undefined {
  const first = firstRealParagraph(input.paragraphs, input.strict === true);
  const bodyWords = new Set(words(input.paragraphs.join(' ')));
  const cleaned = input.descriptions.map((d) => withoutDateline(d.replace(TRAILER, '').trim())).filter((d) => d !== '');
  for (const text of cleaned) {
    if (rejection(text, input, first, bodyWords) === undefined) return text;
    // A description cut off where the first paragraph goes on: the paragraph is the whole of it.
    const stem = looseKey(text.replace(TRUNCATED, ''));
    if (TRUNCATED.test(text) && first !== undefined && stem !== '' && looseKey(first).startsWith(stem)) return first;
  }
  if (first !== undefined) return first;
  return cleaned.find((d) => input.title === undefined || looseKey(d) !== looseKey(input.title));
}
