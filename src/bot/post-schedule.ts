/**
 * The "when" and "how urgent" of an editor's `/post`: a trailing `at <time>` and a trailing
 * `!` (breaking), read off the command's text before the link and short text are. Pure:
 * the caller gives the time (`now`) and the editors' time zone (config `bot.timeZone`).
 *
 *   /post <link> at 18:00            the next 18:00 in the editors' zone (today or tomorrow)
 *   /post <link> at +30m             30 minutes from now (+90s, +2h, +1d)
 *   /post <link> at 2026-12-03 18:00 that wall-clock time in the editors' zone
 *   /post <link> at 2026-12-03T18:00:00+01:00   an ISO 8601 time with its offset (or Z)
 *   /post <link> !                   breaking: ahead of every queue, quiet hours and spacing
 *   /post <link> at 18:00 !          both (in either order)
 *
 * `at` is only read as a schedule when what follows it looks like a time (a digit or "+"),
 * so a short post ending "… at noon" stays text.
 */
import { DateTime } from 'luxon';
import { outOfReach, parseAt, UnusableTimeError } from '../../queues/schedule.js';

export type PostSchedule =
  | { ok: true; payload: string; at?: number; breaking: boolean }
  | { ok: false; message: string };

const BREAKING = /(?:^|\s)!$/;
const AT = /(?:^|\s)at\s+(\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}(?::\d{2})?|[+\d]\S*)$/i;

/**
 * A lone link (or, replying to a message, nothing) followed by "at" and one or two words: a
 * time the editor meant, readable or not. Longer text ("At least 12 injured…") is a short post.
 */
const LINK_THEN_AT = /^(?:https?:\/\/\S+\s+)?at\s+(\S+(?:\s+\S+)?)$/i;
/** A day word left before a time ("tomorrow at 18:00"): the time needs a date instead. */
const DAY_WORDS = /^(?:https?:\/\/\S+\s+)?(tomorrow|today|tonight|now|noon|midnight|morning|evening)$/i;

const FORMS = 'Write the time as 18:00 (the next 18:00), +30m, +2h, 2026-12-03 18:00 or an ISO time with its offset';

/** Split a `/post` payload into the rest (link, text) and its schedule and priority. */
export function splitPostSchedule(payload: string, now: number, zone: string): PostSchedule {
  let rest = payload.trim();
  let breaking = false;
  let at: number | undefined;
  let atSeen = false;
  // A short post's own words ("… at 5pm") stay its words: an "at …" that is not a time is an
  // error only after a lone link (`/post <link> at 18:0`).
  const lone = (text: string) => !/\s/.test(text.trim());
  for (let i = 0; i < 2; i++) {
    if (!breaking && BREAKING.test(rest)) {
      breaking = true;
      rest = rest.replace(BREAKING, '').trimEnd();
      continue;
    }
    const m = atSeen ? null : AT.exec(rest);
    if (m === null && !atSeen) {
      // "<link> at <something>": after a lone link, "at" can only mean a time; one that
      // cannot be read is refused (it used to become a short post saying "at 18:00 CET").
      const written = LINK_THEN_AT.exec(rest);
      if (written !== null) return { ok: false, message: `"${(written[1] as string).trim()}" is not a time I understand. ${FORMS}.` };
    }
    if (m !== null) {
      atSeen = true;
      const before = rest.slice(0, m.index).trimEnd();
      const read = readTime(m[1] as string, now, zone);
      if (!read.ok) {
        // A time written as one but wrong (past, out of reach, no such date) is refused even
        // after a short post's words; what is no time at all stays their words.
        if (lone(before) || read.written) return { ok: false, message: read.message };
        continue;
      }
      at = read.at;
      rest = before;
    }
  }
  const day = at === undefined ? null : DAY_WORDS.exec(rest);
  if (day !== null) return { ok: false, message: `"${day[1] as string}" is not a time I understand: give the date (${FORMS.charAt(0).toLowerCase()}${FORMS.slice(1)}).` };
  return { ok: true, payload: rest, ...(at !== undefined ? { at } : {}), breaking };
}

/**
 * A time as an editor types it (see the module comment), in the future. `written`: the text
 * has the form of a time but is not a usable one (past, out of reach, no such date or hour).
 */
export function readTime(text: string, now: number, zone: string): { ok: true; at: number } | { ok: false; message: string; written?: boolean } {
  const t = text.trim().replace(/\s+/g, ' ');
  let at: number;
  const clock = /^(\d{1,2})[:.](\d{2})$/.exec(t);
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (clock !== null) {
    const hour = Number(clock[1]);
    const minute = Number(clock[2]);
    if (hour > 23 || minute > 59) return { ok: false, message: `"${t}" is not a time of day (00:00 to 23:59).`, written: true };
    at = nextClockTime(hour, minute, now, zone);
  } else if (local !== null) {
    const [, date, h, min, sec] = local;
    const dt = DateTime.fromISO(`${date as string}T${(h as string).padStart(2, '0')}:${min as string}:${sec ?? '00'}`, { zone });
    if (!dt.isValid) return { ok: false, message: `"${t}" is not a valid date and time. ${FORMS}.`, written: true };
    at = dt.toMillis();
    const far = outOfReach(at, now);
    if (far !== undefined) return { ok: false, message: `${formatTime(at, zone)} is ${far}.`, written: true };
  } else {
    try {
      at = parseAt(t, now);
    } catch (error) {
      // parseAt's own reason when the time is written as one but unusable; else the forms.
      if (error instanceof UnusableTimeError) return { ok: false, message: `${error.message}.`, written: true };
      return { ok: false, message: `"${t}" is not a time I understand. ${FORMS}.` };
    }
  }
  if (at <= now) return { ok: false, message: `${formatTime(at, zone)} is in the past (it is now ${formatTime(now, zone)}). Give a later time, or leave "at …" out to publish now.`, written: true };
  return { ok: true, at };
}

/** The next `hour:minute` on the wall clock of `zone` after `now` (today or tomorrow; a time a DST jump skips moves past the gap). */
export function nextClockTime(hour: number, minute: number, now: number, zone: string): number {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  for (const day of [today, today.plus({ days: 1 })]) {
    const at = day.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
    if (at > now) return at;
  }
  return today.plus({ days: 2 }).set({ hour, minute }).toMillis();
}

/**
 * A time as the editors read it, in their zone with its offset:
 * "Thu 3 Dec 2026, 18:00 Europe/Berlin (UTC+01:00)", "Thu 3 Dec 2026, 18:00 UTC".
 * Seconds are shown when there are any. `short` leaves out the weekday and year.
 */
export function formatTime(ms: number, zone: string, options: { short?: boolean } = {}): string {
  const dt = DateTime.fromMillis(ms, { zone }).setLocale('en');
  const clock = dt.second !== 0 ? 'HH:mm:ss' : 'HH:mm';
  const day = options.short === true ? 'd LLL' : 'ccc d LLL yyyy,';
  const where = zone === 'UTC' ? 'UTC' : `${zone} (UTC${dt.toFormat('ZZ')})`;
  return `${dt.toFormat(`${day} ${clock}`)} ${options.short === true && zone !== 'UTC' ? `(UTC${dt.toFormat('ZZ')})` : where}`;
}
