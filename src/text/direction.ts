import type { Article } from '../article/schema.js';

/**
 * Right-to-left articles read right to left on every platform. Telegram and X pick a
 * paragraph's direction from its first strong letter, so an Arabic or Hebrew title that
 * opens with a brand name ("Google משיקה…") or a number was laid out left to right, its
 * words out of order. Each paragraph of such a post starts with a RIGHT-TO-LEFT MARK:
 * invisible, it sets the direction and changes nothing else.
 */
export const RLM = '\u200f';

const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ps', 'sd', 'ug', 'ur', 'yi']);
const RTL_LETTER = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/gu;
const LETTER = /\p{L}/gu;

/** By the article's language when it has one, else by its title and summary: mostly right-to-left letters. */
export function isRightToLeft(article: Pick<Article, 'lang' | 'title' | 'summary'>): boolean {
  const lang = article.lang?.split('-')[0]?.toLowerCase();
  if (lang !== undefined && lang !== '') return RTL_LANGUAGES.has(lang);
  const text = `${article.title} ${article.summary ?? ''}`;
  const rtl = text.match(RTL_LETTER)?.length ?? 0;
  return rtl > 0 && rtl * 2 > (text.match(LETTER)?.length ?? 0);
}

/** Every non-empty line of `text` opened with the mark (once). */
export function rightToLeft(text: string): string {
  if (text === '') return text;
  return text
    .split('\n')
    .map((line) => (line === '' || line.startsWith(RLM) ? line : RLM + line))
    .join('\n');
}
