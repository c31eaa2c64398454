import type { Article } from '../article/schema.js';

/**
 * Right-to-left text read right to left on every platform. Telegram and X pick a
 * paragraph's direction from its first strong letter, so an Arabic or Hebrew title that
 * opens with a brand name ("Google משיקה…") or a number was laid out left to right, its
 * words out of order. Each paragraph of such a post starts with a RIGHT-TO-LEFT MARK:
 * invisible, it sets the direction and changes nothing else. The title card and the post
 * previews lay their paragraphs out by the same rule.
 */
export const RLM = '\u200f';

const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ps', 'sd', 'ug', 'ur', 'yi']);
const RTL_LETTER = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/** A paragraph is right-to-left when most of its letters are (a Persian title starting with "iPhone" is still RTL). */
export function paragraphDirection(text: string): 'ltr' | 'rtl' {
  // Most text has no right-to-left letter at all: one scan says so (formatters run this on every post).
  if (!RTL_LETTER.test(text)) return 'ltr';
  let rtl = 0;
  let ltr = 0;
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    if (RTL_LETTER.test(ch)) rtl++;
    else ltr++;
  }
  return rtl > ltr ? 'rtl' : 'ltr';
}

/** By the article's language when it has one, else by its title and summary. */
export function isRightToLeft(article: Pick<Article, 'lang' | 'title' | 'summary'>): boolean {
  const lang = article.lang?.split('-')[0]?.toLowerCase();
  if (lang !== undefined && lang !== '') return RTL_LANGUAGES.has(lang);
  return paragraphDirection(`${article.title} ${article.summary ?? ''}`) === 'rtl';
}

/** Every non-empty line of `text` opened with the mark (once). */
export function rightToLeft(text: string): string {
  if (text === '') return text;
  return text
    .split('\n')
    .map((line) => (line === '' || line.startsWith(RLM) ? line : RLM + line))
    .join('\n');
}

const asItIs = (text: string): string => text;

/** What a formatter applies to each piece of a post's text: the mark for a right-to-left article, nothing otherwise. */
export function inDirectionOf(article: Pick<Article, 'lang' | 'title' | 'summary'>): (text: string) => string {
  return isRightToLeft(article) ? rightToLeft : asItIs;
}
