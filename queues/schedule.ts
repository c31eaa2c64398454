import { DateTime } from 'luxon';
import type { Article, Priority } from '../src/article/schema.js';
import type { DeliveryJobData } from './queue-set.js';

/**
 * When a first post goes out and how urgently: pure functions (the caller passes `now`).
 * An article is due at `at` when one is given (crier publish --at, the editors' /post … at),
 * else at its `publishedAt` when that lies in the future (an embargo, a Ghost scheduled
 * post); otherwise now. A future due time becomes a BullMQ delay on the job, so the
 * schedule lives in Redis and survives restarts. Priority maps onto BullMQ as cheaply as
 * it can: breaking → lifo (head of the wait list), normal → plain FIFO (no option: the hot
 * path pays nothing), low → a BullMQ priority (prioritized jobs are taken after every
 * waiting one).
 */

/** BullMQ priority given to low-priority jobs (any value > 0 puts them behind the wait list). */
export const LOW_PRIORITY = 10;

/**
 * A time given on the command line or in a bot command: ISO 8601 (with an offset or Z), or
 * "+30m", "+2h", "+90s", "+1d" from now. With a time zone (the editors' bot), also a wall-clock
 * "18:00" there: its next occurrence (today, else tomorrow), daylight saving included.
 */
export function parseAt(text: string, now: number, zone?: string): number {
  const trimmed = text.trim();
  const clock = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(trimmed);
  if (clock !== null && zone !== undefined) {
    const local = DateTime.fromMillis(now, { zone });
    if (!local.isValid) throw new Error(`unknown time zone "${zone}"`);
    const at = (day: DateTime) => DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Number(clock[1]), minute: Number(clock[2]) }, { zone }).toMillis();
    const today = at(local);
    return today > now ? today : at(local.plus({ days: 1 }));
  }
  const relative = /^\+(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i.exec(trimmed);
  if (relative !== null) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(relative[2] as string).toLowerCase() as 's' | 'm' | 'h' | 'd'];
    return withinReach(now + Math.round(Number(relative[1]) * unit), now, text);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)) {
    throw new Error(`"${text}" is not a time: give an ISO 8601 time with its offset (2026-03-01T18:00:00+01:00, …Z) or +30m, +2h, +1d`);
  }
  // Date.parse rolls 31 February over to 3 March: a typed embargo must be a real date.
  const parsed = DateTime.fromISO(trimmed, { setZone: true });
  if (!parsed.isValid) throw new UnusableTimeError(`"${text}" is not a valid time (${parsed.invalidExplanation ?? parsed.invalidReason ?? 'no such date'})`);
  // Offsets run from -12:00 to +14:00 on Earth; "+25:00" is a typo, not a zone.
  if (parsed.offset < -12 * 60 || parsed.offset > 14 * 60) throw new UnusableTimeError(`"${text}" is not a valid time (no zone has the offset ${parsed.toFormat('ZZ')})`);
  return withinReach(parsed.toMillis(), now, text);
}

/**
 * A time written as one that cannot be used: no such date, no such offset, too far ahead.
 * (parseAt's other errors say the text is no time at all.)
 */
export class UnusableTimeError extends Error {
  override readonly name = 'UnusableTimeError';
}

/** How far ahead a first post may be held: an embargo further out is a typo (a year, a unit). */
export const MAX_HOLD_MS = 366 * 86_400_000;

/** Why a hold cannot end at `at`, or undefined when it can. */
export function outOfReach(at: number, now: number): string | undefined {
  return !Number.isFinite(at) || at - now > MAX_HOLD_MS ? `more than a year ahead: posts are held at most ${MAX_HOLD_MS / 86_400_000} days` : undefined;
}

function withinReach(at: number, now: number, text: string): number {
  const why = outOfReach(at, now);
  if (why !== undefined) throw new UnusableTimeError(`"${text}" is ${why}`);
  return at;
}

/** A time given as a Date, epoch ms or a string (see parseAt). */
export function toEpoch(at: Date | number | string, now: number): number {
  if (at instanceof Date) return at.getTime();
  if (typeof at === 'number') return at;
  return parseAt(at, now);
}

/**
 * When the article's first posts are due (epoch ms), or undefined when they go out now: at
 * `at` when one is given, else at a future publishedAt (an embargo, a Ghost scheduled post) —
 * unless `fromFeed`: a feed lists what is already public, so a feed item dated in the future
 * is a time zone slip or a typo, not an embargo.
 */
export function dueAtOf(article: Pick<Article, 'publishedAt'>, at: number | undefined, now: number, fromFeed = false): number | undefined {
  if (at !== undefined) return Number.isFinite(at) && at > now ? at : undefined;
  if (fromFeed || article.publishedAt === undefined) return undefined;
  const due = Date.parse(article.publishedAt);
  return Number.isFinite(due) && due > now ? due : undefined;
}

/** Priority of an article: the one asked for, else the article's own, else normal. */
export function priorityOf(article: Pick<Article, 'priority'>, asked?: Priority): Priority {
  return asked ?? article.priority ?? 'normal';
}

/** The priority an article's tags give it (config priorityTags, compared case-insensitively); undefined when none matches. */
export function priorityFromTags(tags: readonly string[], priorityTags: { breaking: readonly string[]; low: readonly string[] }): Priority | undefined {
  if (priorityTags.breaking.length === 0 && priorityTags.low.length === 0) return undefined;
  const lower = new Set(tags.map((t) => t.toLowerCase()));
  if (priorityTags.breaking.some((t) => lower.has(t.toLowerCase()))) return 'breaking';
  if (priorityTags.low.some((t) => lower.has(t.toLowerCase()))) return 'low';
  return undefined;
}

/** What a first-post job carries beyond its article id, and the BullMQ options that schedule and order it. */
export interface FirstPostSchedule {
  data: Partial<DeliveryJobData>;
  opts: { delay?: number; lifo?: boolean; priority?: number };
}

const NOTHING: FirstPostSchedule = { data: {}, opts: {} };

/** The schedule of one first-post job (the same for every target). Normal, due now, not from a feed: nothing at all. */
export function firstPostSchedule(dueAt: number | undefined, priority: Priority, feed: boolean, now: number): FirstPostSchedule {
  if (dueAt === undefined && priority === 'normal' && !feed) return NOTHING;
  const data: Partial<DeliveryJobData> = {};
  const opts: FirstPostSchedule['opts'] = {};
  if (dueAt !== undefined) {
    data.dueAt = dueAt;
    opts.delay = Math.max(1, dueAt - now);
  }
  if (priority === 'breaking') {
    data.priority = 'breaking';
    opts.lifo = true;
  } else if (priority === 'low') {
    data.priority = 'low';
    opts.priority = LOW_PRIORITY;
  }
  if (feed) data.feed = true;
  return { data, opts };
}
