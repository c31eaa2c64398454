/**
 * The small text on a title card: the site name (the configured one, else a readable short
 * form of the article's domain) and the date, written in the card's language with the
 * digits that language uses (Intl.DateTimeFormat: Arabic-Indic in Arabic, Persian digits in
 * Persian, the Buddhist year in Thai).
 */

/** Second-level labels under which a country's sites register (bbc.co.uk, abc.net.au, asahi.co.jp). */
const GENERIC_SLD = new Set(['co', 'com', 'org', 'net', 'gov', 'ac', 'edu', 'or', 'ne', 'go', 'gob', 'nic', 'mil', 'ltd', 'plc', 'sch', 'info', 'nom']);

/** Longest host shown as it is; a longer one is cut down to its registrable domain. */
const SHORT_HOST = 24;

/** "news.example.co.uk" stays; "international-public-broadcasting-network-ar.example.com" → "example.com". Lower case. */
export function shortDomain(url: string | undefined): string {
  if (url === undefined) return '';
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
  host = host.replace(/^(www\d*|m|amp|mobile)\./, '');
  if (host.length <= SHORT_HOST || /^[\d.]+$|:/.test(host)) return host;
  const labels = host.split('.');
  const tld = labels[labels.length - 1] ?? '';
  const sld = labels[labels.length - 2] ?? '';
  const keep = tld.length === 2 && GENERIC_SLD.has(sld) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** A language guessed from the title's script, for the date when neither the card nor the article names one. */
export function guessLanguage(title: string): string | undefined {
  const count = (re: RegExp) => title.match(re)?.length ?? 0;
  const scores: Array<[string, number]> = [
    ['ar', count(/\p{Script=Arabic}/gu)],
    ['he', count(/\p{Script=Hebrew}/gu)],
    ['hi', count(/\p{Script=Devanagari}/gu)],
    ['th', count(/\p{Script=Thai}/gu)],
    ['ja', count(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu) * 4],
    ['ko', count(/\p{Script=Hangul}/gu)],
    ['zh', count(/\p{Script=Han}/gu)],
    ['el', count(/\p{Script=Greek}/gu)],
    ['', count(/[\p{Script=Latin}\p{Script=Cyrillic}]/gu)],
  ];
  // Japanese mixes kana with Han: a few kana outweigh the kanji.
  const [best] = [...scores].sort((a, b) => b[1] - a[1]);
  if (best === undefined || best[1] === 0 || best[0] === '') return undefined;
  if (best[0] === 'ar') {
    if (/[ٹڈڑںےۓ]/u.test(title)) return 'ur';
    if (/[پچژگیک]/u.test(title)) return 'fa';
  }
  return best[0];
}

/** The locale the card is written in: the card's own setting, else the article's language, else a guess from the title, else en-GB. */
export function cardLocale(cardLocale: string | undefined, articleLang: string | undefined, title: string): string {
  for (const candidate of [cardLocale, articleLang, guessLanguage(title)]) {
    if (candidate === undefined || candidate === '') continue;
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf([candidate]).length > 0) return candidate;
    } catch {
      // not a well-formed language tag: try the next
    }
  }
  return 'en-GB';
}

/** "3 February 2026", "٣ فبراير ٢٠٢٦", "2026年2月3日" (UTC); "" when the date is absent or invalid. */
export function formatCardDate(iso: string | undefined, locale: string): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}
