/**
 * Dates as articles write them ("November 15, 2022", "15 Nov 2022 10:00 GMT", "2022-11-15T10:00:00+01:00",
 * "Tue, 15 Nov 2022 10:00:00 +0000", "15.11.2022", "2022/11/15") → ISO 8601 (UTC, toISOString()).
 * A date with no time is midnight UTC; a time with no zone is taken as UTC. Ambiguous numeric dates
 * (03/04/2022) and impossible ones (February 30) give undefined: better absent than wrong.
 */

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11,
  dec: 12, december: 12,
};

/** Offsets in minutes for the zone abbreviations news sites actually print. */
const ZONES: Record<string, number> = {
  z: 0, utc: 0, gmt: 0, ut: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  bst: 60, ist: 330, cet: 60, cest: 120, eet: 120, eest: 180, msk: 180, jst: 540, aest: 600, aedt: 660,
};

const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const WEEKDAY = '(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\\.?,?\\s+)?';
const ZONE = '(z|utc|gmt|ut|[a-z]{3,4}|(?:utc|gmt)?\\s?[+-]\\d{1,2}(?::?\\d{2})?)';
const TIME = `(?:(?:,|\\s|t|\\s+at\\s+|\\s*[-–—|]\\s*)\\s*(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?\\s*([ap]\\.?m\\.?)?(?:\\s*${ZONE})?(?![a-z]))?`;

interface Pattern {
  re: RegExp;
  parts: (m: RegExpExecArray) => { y: number; mo: number; d: number } | undefined;
  timeAt: number;
}

const num = (s: string | undefined): number => Number(s ?? 'NaN');
const monthOf = (s: string | undefined): number => MONTHS[(s ?? '').toLowerCase().replace(/\.$/, '')] ?? NaN;

const PATTERNS: Pattern[] = [
  {
    re: new RegExp(`(?<![\\d])(\\d{4})-(\\d{1,2})-(\\d{1,2})${TIME}`, 'gi'),
    parts: (m) => ({ y: num(m[1]), mo: num(m[2]), d: num(m[3]) }),
    timeAt: 4,
  },
  {
    re: new RegExp(`\\b${WEEKDAY}${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})${TIME}`, 'gi'),
    parts: (m) => ({ y: num(m[3]), mo: monthOf(m[1]), d: num(m[2]) }),
    timeAt: 4,
  },
  {
    re: new RegExp(`\\b${WEEKDAY}(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})${TIME}`, 'gi'),
    parts: (m) => ({ y: num(m[3]), mo: monthOf(m[2]), d: num(m[1]) }),
    timeAt: 4,
  },
  {
    re: new RegExp(`(?<![\\d.])(\\d{4})[/.](\\d{1,2})[/.](\\d{1,2})(?![\\d.])${TIME}`, 'gi'),
    parts: (m) => ({ y: num(m[1]), mo: num(m[2]), d: num(m[3]) }),
    timeAt: 4,
  },
  {
    re: new RegExp(`(?<![\\d./])(\\d{1,2})([/.])(\\d{1,2})\\2(\\d{4})(?![\\d./])${TIME}`, 'gi'),
    parts: (m) => {
      const a = num(m[1]);
      const b = num(m[3]);
      const y = num(m[4]);
      if (m[2] === '.') return { y, mo: b, d: a }; // 15.11.2022 is day-first everywhere it is used
      if (a > 12 && b <= 12) return { y, mo: b, d: a };
      if (b > 12 && a <= 12) return { y, mo: a, d: b };
      if (a === b) return { y, mo: a, d: b };
      return undefined; // 03/04/2022: March or April? Leave it absent.
    },
    timeAt: 5,
  },
];

function zoneOffset(raw: string | undefined): number | undefined {
  if (raw === undefined) return 0;
  const zone = raw.toLowerCase().replace(/\s+/g, '');
  if (zone in ZONES) return ZONES[zone];
  const m = /^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (m === null) return undefined;
  const minutes = num(m[2]) * 60 + (m[3] === undefined ? 0 : num(m[3]));
  if (num(m[2]) > 14 || num(m[3] ?? '0') > 59) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

function build(m: RegExpExecArray, p: Pattern): string | undefined {
  const date = p.parts(m);
  if (date === undefined) return undefined;
  const { y, mo, d } = date;
  if (!(y >= 1900 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return undefined;
  let h = 0;
  let mi = 0;
  let s = 0;
  let fraction = 0;
  let offset: number | undefined = 0;
  if (m[p.timeAt] !== undefined) {
    h = num(m[p.timeAt]);
    mi = num(m[p.timeAt + 1]);
    s = m[p.timeAt + 2] === undefined ? 0 : num(m[p.timeAt + 2]);
    fraction = m[p.timeAt + 3] === undefined ? 0 : Math.floor(num(`0.${m[p.timeAt + 3]}`) * 1000);
    const ampm = m[p.timeAt + 4]?.toLowerCase().replace(/\./g, '');
    if (ampm !== undefined) h = h >= 1 && h <= 12 ? (h % 12) + (ampm === 'pm' ? 12 : 0) : 99;
    offset = zoneOffset(m[p.timeAt + 5]);
    if (offset === undefined) offset = 0; // an unknown word after the time is not a zone
    if (h > 23 || mi > 59 || s > 60) {
      // The date is fine, the "time" next to it is not one: keep the day.
      h = mi = s = fraction = offset = 0;
    }
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), fraction) - offset * 60_000;
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return new Date(ms).toISOString();
}

/** The first date found anywhere in `text`, with where it was. */
export function findDate(text: string): { iso: string; index: number; length: number } | undefined {
  let best: { iso: string; index: number; length: number } | undefined;
  for (const pattern of PATTERNS) {
    pattern.re.lastIndex = 0;
    for (let m = pattern.re.exec(text); m !== null; m = pattern.re.exec(text)) {
      if (best !== undefined && m.index >= best.index) break;
      const iso = build(m, pattern);
      if (iso !== undefined) {
        best = { iso, index: m.index, length: m[0].length };
        break;
      }
    }
  }
  return best;
}

/** A whole value that should be a date (front matter, meta tags, JSON-LD). */
export function parseDate(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    const date = new Date(value > 1e12 ? value : value * 1000);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '' || text.length > 200) return undefined;
  // 20230502 (parsely, some CMSs' pubdate): only as a whole value.
  const compact = /^((?:19|20)\d\d)(\d\d)(\d\d)$/.exec(text);
  if (compact !== null) return findDate(`${compact[1]}-${compact[2]}-${compact[3]}`)?.iso;
  return findDate(text)?.iso;
}
