import { DateTime, IANAZone } from 'luxon';

/**
 * Quiet hours: a daily window, in a target's own time zone, when nothing but breaking news
 * is posted there. Pure: the caller gives the time (a clock seam for tests); luxon handles
 * the zone and its daylight-saving changes, so "23:00 to 07:00 in Berlin" means the wall
 * clock in Berlin on every night of the year.
 */
export interface QuietHours {
  /** Start of the window, "HH:MM" local time. */
  from: string;
  /** End of the window, "HH:MM" local time; earlier than `from` when the window spans midnight. */
  to: string;
  /** IANA time zone ("Europe/Berlin"). */
  tz: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of an "HH:MM" time; throws on anything else. */
export function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (m === null) throw new Error(`"${hhmm}" is not a time of day (HH:MM, 00:00-23:59)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** True when `tz` is an IANA time zone luxon knows. */
export function isTimeZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/**
 * When the quiet window that `nowMs` falls in ends (epoch ms), or undefined when `nowMs` is
 * outside every window. A window whose `from` equals its `to` is empty. An end that does not
 * exist on a spring-forward night (02:30 in a zone that jumps from 02:00 to 03:00) is the
 * jump itself (03:00: the first wall-clock time past it); an end that occurs twice on a fall-back night is its
 * first occurrence.
 */
export function quietUntil(nowMs: number, quiet: QuietHours): number | undefined {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return undefined;
  const local = DateTime.fromMillis(nowMs, { zone: quiet.tz });
  if (!local.isValid) throw new Error(`unknown time zone "${quiet.tz}"`);
  const minute = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
  let endDay: DateTime;
  if (from < to) {
    if (minute < from || minute >= to) return undefined;
    endDay = local;
  } else if (minute >= from) endDay = local.plus({ days: 1 });
  else if (minute < to) endDay = local;
  else return undefined;
  const end = DateTime.fromObject(
    { year: endDay.year, month: endDay.month, day: endDay.day, hour: Math.floor(to / 60), minute: to % 60 },
    { zone: quiet.tz },
  );
  if (end.hour * 60 + end.minute === to) return end.toMillis();
  // `to` falls in a spring-forward gap, and luxon moved it a whole gap on (02:30 → 03:30): the
  // window ends when the clock jumps past `to` (03:00), the first minute whose wall clock is not before it.
  let at = end.toMillis();
  for (let i = 0; i < 24 * 60; i++) {
    const before = DateTime.fromMillis(at - 60_000, { zone: quiet.tz });
    if (before.day !== end.day || before.hour * 60 + before.minute < to) break;
    at -= 60_000;
  }
  return at;
}
