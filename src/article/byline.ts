/**
 * Person names in bylines, for every input format: "By Jane Doe and John Roe", "Words by X ·
 * Photographs by Y", "by Lena Novak22 Dec 2016651" (name, date and comment count run together),
 * "By Kelli Miller WebMD Health News" (the outlet glued on), "Por Ana Lima, Jornal do Cerrado".
 * Cleaning keeps the writers' names and drops roles, dates, counts, outlets and desks.
 */

/** Name particles that may be lowercase inside a person's name. */
const PARTICLES = new Set(['de', 'da', 'del', 'della', 'der', 'den', 'di', 'du', 'van', 'von', 'la', 'le', 'al', 'el', 'bin', 'ibn', 'y', 'dos', 'das', 'ter', 'ten', 'zu', 'of']);
const ROLE = /\b(?:staff|writer|correspondent|reporter|editor|contributor|columnist|bureau|updated|published|photos?|video|illustrations?|special to|for)\b/i;
const AGENCY = /^(?:the )?(?:associated press|reuters|afp|ap|dpa|bloomberg)$/i;

/** "Dave DeCamp", "Ana María de la Cruz", "J.R. Smith" — not "officials said the talks failed". */
export function looksLikeName(text: string): boolean {
  const words = text.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0 || words.length > 6 || text.length > 80) return false;
  if (/[.!?]$/.test(text) && !/\b[A-Z]\.$/.test(text)) return false;
  // Scripts without capitals (Korean, Chinese, Japanese, Arabic…) write names in "other letters".
  return words.every((w) => PARTICLES.has(w.toLowerCase()) || /^[\p{Lu}\p{Lt}\p{Lo}'’(@]/u.test(w) || /^\p{Lu}?\.$/u.test(w));
}

/** "X and Y", "X, Y & Z", "X; Y" → names; undefined when the parts do not look like names. */
export function splitAuthors(text: string): string[] | undefined {
  const cleaned = text.replace(/\s*[|–—]\s*$/, '').replace(/\s+(?:on|at|in|updated|published)\s*$/i, '').trim();
  if (cleaned === '' || cleaned.length > 300) return undefined;
  const parts = cleaned
    .split(/\s*(?:,|;|\||\s&\s|\band\b|\s+[–—-]\s+)\s*/i)
    .map((p) => p.replace(/^@/, '').trim())
    .filter((p) => p !== '');
  const names: string[] = [];
  for (const part of parts) {
    if (ROLE.test(part) && names.length > 0) continue; // "By Jane Doe, Staff Writer"
    if (AGENCY.test(part)) {
      names.push(part);
      continue;
    }
    if (!looksLikeName(part)) return undefined;
    names.push(part);
  }
  return names.length > 0 ? names : undefined;
}

/** Compare names and site names loosely: case, accents and punctuation aside. */
export function nameKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Labels in front of the writers' names, in the languages of the pages crier reads. */
const WRITER_LABEL =
  /^(?:(?:written|words|story|text|reporting|reported|posted|compiled|escrito|publicado|publié|écrit|geschrieben|scritto)\s+(?:by|por|par|von|da)|by|von|por|par|door|di|af|av|autor(?:ka|es|en)?|auteur(?:e|s)?|authors?|texto?|redacción por|بقلم|كتب(?:ت|ه)?|نوشته|מאת)\s*:?\s+/iu;
const INNER_LABEL = /\s((?:by|von|por|par|door)\s+\S.*)$/i;
/** "Reviewed by", "Photographed by", "Powered by", "News provided by": someone, but not the writer. */
const NOT_WRITING = /\b(?:review(?:ed)?|fact[- ]?checked|edited|photo(?:graph)?(?:s|ed)?|illustrat(?:ed|ions?)|produced|provided|translated|narrated|read|designed|filmed|shot|curated|sponsored|presented|powered|supported|funded|hosted|made|built|inspired|owned|run|operated|published)\s*$/i;
/** Credits that are not the writer's: photographs, illustrations, video, additional reporting. */
const OTHER_CREDIT = /^(?:photo(?:graph)?s?|pictures?|images?|illustrations?|graphics?|video|visuals?|design|data|additional reporting|edited|fotos?|fotografías?)\b/i;
const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const WEEKDAY = '(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)';
/**
 * Where the names stop in a byline line: a digit (dates, times, counts), a link or address, a
 * label ("on", "Published:"), a month or weekday that starts a date (not "Theresa May", "Daniel Sato").
 */
const NAME_END = new RegExp(
  `\\d|https?:|\\S+@\\S+|\\s(?:on|at|in|updated|published|posted|last|le|el|am|il|op)[\\s:]|\\s${MONTH}\\.?\\s*\\d|\\s${WEEKDAY}\\.?,?\\s+(?:\\d|${MONTH}\\b)`,
  'i',
);
/** "김민지 기자", "山田太郎記者": a reporter's title after the name, in languages that put it there. */
const TITLE_AFTER = /\s*(?:기자|특파원|선임기자|논설위원|記者|记者|特派員|特派员|編集委員|编辑|編輯|主筆)$/u;
/** Words of an outlet or desk glued after a name: "WebMD Health News", "Staff Reporter". */
const OUTLET_WORD = /^(?:news|newsroom|health|daily|wire|press|media|network|online|magazine|staff|desk|service|reporter|correspondent|writer|editor|contributor)$/i;

/** Who is never a byline: accounts, desks and collectives. */
const ANONYMOUS =
  /^(?:admin(?:istrator)?|letters(?: to the editor)?|readers'? letters|webmaster|root|user|guest(?: author)?|anonymous|unknown|staff(?: writer| reporter)?|editors?|the editors|editorial(?: team| staff| board| desk)?|newsroom|news ?desk|web ?desk|online desk|digital desk|desk|team|redaktion|redaktor|redacci[oó]n|redactie|r[ée]daction|redazione|reda[cç][aã]o|press office|press team|communications(?: office| team)?|wikipedia contributors|contributors to .+|.+ contributors|author|autor|auteur)$/i;

/** A brand glued to a name: "CareWire", "WebMD", "CNW" (not "McLeod", "DeCamp", "MacDonald"). */
const isBrand = (word: string): boolean => /\p{Ll}{3}\p{Lu}|\p{Ll}\p{Lu}{2}|^\p{Lu}{2,}$/u.test(word) && !/\./.test(word);

export interface BylineContext {
  /** The site's own names (og:site_name, publisher…): cut off when glued after a name. */
  sites?: readonly string[];
  /** Whether a name is the site itself (then it is no byline). Default: equal to one of `sites`. */
  isSite?: (name: string) => boolean;
}

/** A name as a byline may give it, or undefined when it is a handle, an address, a desk or the site. */
export function personName(raw: string, ctx: BylineContext = {}): string | undefined {
  const name = raw.replace(/\s+/g, ' ').replace(/^[\s,;:·|–—-]+|[\s,;:·|–—-]+$/g, '').trim();
  if (name === '' || name.length > 80 || /^@|\S+@\S+|^https?:|\d/.test(name)) return undefined;
  if (ANONYMOUS.test(name)) return undefined;
  const key = nameKey(name);
  if (key === '') return undefined;
  const isSite = ctx.isSite ?? ((n: string) => (ctx.sites ?? []).some((s) => nameKey(s) === nameKey(n)));
  return isSite(name) ? undefined : name;
}

/** Cut a name part where an outlet or role glued after it begins ("Dana Whitfield CareWire Health News"). */
function trimGlued(part: string, sites: readonly string[]): string {
  let text = part;
  const agency = / (?:the )?(?:associated press|reuters|afp|dpa|bloomberg)$/i.exec(text);
  if (agency !== null && agency.index > 0) text = text.slice(0, agency.index);
  const named = (w: string): boolean => !PARTICLES.has(w.toLowerCase());
  for (const site of sites) {
    const at = site.trim().length < 3 ? -1 : text.toLowerCase().indexOf(site.trim().toLowerCase());
    // Only where a word starts, after a whole name: "Dana Whitfield CareWire Health News".
    if (at > 0 && /\s/.test(text[at - 1] ?? '') && text.slice(0, at).trim().split(/\s+/).filter(named).length >= 2) text = text.slice(0, at);
  }
  const words = text.trim().split(/\s+/);
  for (let i = 2; i < words.length; i++) {
    const w = words[i] as string;
    if (words.slice(0, i).filter(named).length >= 2 && (OUTLET_WORD.test(w) || isBrand(w))) return words.slice(0, i).join(' ');
  }
  return text.trim();
}

/** The names in one segment of a byline ("By A and B, Outlet"), or undefined. */
function segmentNames(segment: string, ctx: BylineContext): string[] | undefined {
  const sites = ctx.sites ?? [];
  let text = segment.replace(WRITER_LABEL, '');
  const end = NAME_END.exec(` ${text} `);
  if (end !== null) text = ` ${text} `.slice(0, end.index);
  // Parts with the separator before each: a single word after a comma is a place or an outlet
  // ("Von Anna Behrendt, Hamburg"), a single word after "and" may be a writer.
  const pieces = text.split(/(\s*(?:,|;|\s&\s|\s(?:[Aa]nd|und|et|y|e|en|og|och|i|a)\s)\s*)/);
  const names: string[] = [];
  for (let i = 0; i < pieces.length; i += 2) {
    const part = (pieces[i] ?? '').trim();
    const after = (pieces[i - 1] ?? '').trim();
    if (part === '') continue;
    if (ROLE.test(part) && names.length > 0) continue;
    const trimmed = trimGlued(part.replace(TITLE_AFTER, ''), sites);
    const name = personName(trimmed, ctx);
    if (name === undefined) continue;
    if (AGENCY.test(name) && names.length > 0) continue; // "By Jane Doe, Reuters": the outlet, not a second writer
    if (!looksLikeName(name) && !AGENCY.test(name)) {
      if (names.length > 0) continue;
      return undefined;
    }
    if (names.length > 0 && !/\s/.test(name) && (/^[,;]$/.test(after) || /^\p{Lu}+$/u.test(name))) continue;
    names.push(name);
  }
  return names.length > 0 ? names : undefined;
}

/**
 * The writers named by a byline text (a meta tag, a JSON-LD author name, a "By …" line, the
 * text of a byline element), or undefined when it names nobody. `labelled` says the text must
 * start with a writer label ("By", "Von", "Por", "Autor:"…), as a line of body text must.
 */
export function cleanByline(raw: string, ctx: BylineContext = {}, labelled = false): string[] | undefined {
  for (const line of raw.split(/\n+/)) {
    const text = line.replace(/\s+/g, ' ').trim();
    // A sentence is no byline ("Records obtained by The Delta Desk show that…").
    if (text === '' || text.length > 300 || (text.split(' ').length > 12 && /[.!?]$/.test(text))) continue;
    const segments = text.split(/\s+[·|•]\s+|\s+[—–]\s+(?=\S)/).map((s) => s.trim()).filter((s) => s !== '');
    // "Posted on May 2, 2023 by Helen Barros": the label may follow a date.
    const inner = segments.flatMap((s) => {
      if (WRITER_LABEL.test(s)) return [s];
      const m = INNER_LABEL.exec(s);
      return m === null || m[1] === undefined || NOT_WRITING.test(s.slice(0, m.index)) ? [] : [m[1]];
    });
    const writers = inner.filter((s) => WRITER_LABEL.test(s));
    if (labelled && writers.length === 0) continue;
    const pool = writers.length > 0 ? writers : segments.filter((s) => !OTHER_CREDIT.test(s));
    for (const segment of pool) {
      if (OTHER_CREDIT.test(segment)) continue;
      const names = segmentNames(segment, ctx);
      if (names !== undefined) return writers.length > 1 ? [...names, ...writers.slice(writers.indexOf(segment) + 1).flatMap((w) => segmentNames(w, ctx) ?? [])] : names;
    }
  }
  return undefined;
}

/** True when the text starts with a writer label: "By …", "Von …", "Autor: …". */
export function hasWriterLabel(text: string): boolean {
  return WRITER_LABEL.test(text.trim());
}
