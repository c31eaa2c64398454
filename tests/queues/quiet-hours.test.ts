import { describe, expect, it } from 'vitest';
import { quietUntil } from '../../queues/quiet-hours.js';
import { dueAtOf, firstPostSchedule, LOW_PRIORITY, parseAt, priorityFromTags } from '../../queues/schedule.js';

const BERLIN = { from: '23:00', to: '07:00', tz: 'Europe/Berlin' };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('quiet hours (pure, luxon)', () => {
  it('holds a post due inside a window across midnight to its end, the same night or the next morning', () => {
    // 23:30 in Berlin (CET, UTC+1) → 07:00 the next morning.
    expect(iso(quietUntil(at('2026-01-14T22:30:00Z'), BERLIN))).toBe('2026-01-15T06:00:00.000Z');
    // 03:10 after midnight → 07:00 the same day.
    expect(iso(quietUntil(at('2026-01-15T02:10:00Z'), BERLIN))).toBe('2026-01-15T06:00:00.000Z');
    // Exactly 23:00 is inside; exactly 07:00 is outside.
    expect(iso(quietUntil(at('2026-01-14T22:00:00Z'), BERLIN))).toBe('2026-01-15T06:00:00.000Z');
    expect(quietUntil(at('2026-01-15T06:00:00Z'), BERLIN)).toBeUndefined();
    expect(quietUntil(at('2026-01-15T12:00:00Z'), BERLIN)).toBeUndefined();
    expect(quietUntil(at('2026-01-14T21:59:59Z'), BERLIN)).toBeUndefined();
  });

  it('follows the wall clock across the spring-forward night (the window is an hour shorter)', () => {
    // 28 → 29 March 2026: Berlin goes from UTC+1 to UTC+2 at 02:00.
    expect(iso(quietUntil(at('2026-03-28T22:30:00Z'), BERLIN))).toBe('2026-03-29T05:00:00.000Z');
    // 01:30 CET, before the jump, still ends at 07:00 CEST.
    expect(iso(quietUntil(at('2026-03-29T00:30:00Z'), BERLIN))).toBe('2026-03-29T05:00:00.000Z');
    // An end inside the gap (02:30 does not exist that night) is the jump past it: 03:00 CEST, not an hour later.
    expect(iso(quietUntil(at('2026-03-29T00:30:00Z'), { from: '01:00', to: '02:30', tz: 'Europe/Berlin' }))).toBe('2026-03-29T01:00:00.000Z');
    // Just past the jump the window is over; a window ending at 02:00 exactly ends at the jump too.
    expect(quietUntil(at('2026-03-29T01:00:00Z'), { from: '01:00', to: '02:30', tz: 'Europe/Berlin' })).toBeUndefined();
    expect(iso(quietUntil(at('2026-03-29T00:30:00Z'), { from: '01:00', to: '02:00', tz: 'Europe/Berlin' }))).toBe('2026-03-29T01:00:00.000Z');
    // A half-hour gap (Lord Howe Island: 02:00 → 02:30 on 4 October 2026): 02:15 ends at the jump.
    expect(iso(quietUntil(at('2026-10-03T14:45:00Z'), { from: '01:00', to: '02:15', tz: 'Australia/Lord_Howe' }))).toBe('2026-10-03T15:30:00.000Z');
  });

  it('follows the wall clock across the fall-back night (the window is an hour longer)', () => {
    // 24 → 25 October 2026: Berlin goes from UTC+2 to UTC+1 at 03:00.
    expect(iso(quietUntil(at('2026-10-24T21:30:00Z'), BERLIN))).toBe('2026-10-25T06:00:00.000Z');
    // 02:30 occurs twice; both are inside and end at 07:00 CET.
    expect(iso(quietUntil(at('2026-10-25T00:30:00Z'), BERLIN))).toBe('2026-10-25T06:00:00.000Z');
    expect(iso(quietUntil(at('2026-10-25T01:30:00Z'), BERLIN))).toBe('2026-10-25T06:00:00.000Z');
  });

  it('handles a window within one day, another zone, and an empty window', () => {
    const lunch = { from: '12:00', to: '13:30', tz: 'America/New_York' };
    expect(iso(quietUntil(at('2026-07-01T16:15:00Z'), lunch))).toBe('2026-07-01T17:30:00.000Z');
    expect(quietUntil(at('2026-07-01T17:30:00Z'), lunch)).toBeUndefined();
    expect(quietUntil(at('2026-07-01T15:59:00Z'), lunch)).toBeUndefined();
    expect(quietUntil(at('2026-07-01T16:15:00Z'), { from: '12:00', to: '12:00', tz: 'UTC' })).toBeUndefined();
    expect(() => quietUntil(0, { from: '25:00', to: '07:00', tz: 'UTC' })).toThrow(/not a time of day/);
  });
});

describe('due times and priority (pure)', () => {
  const now = at('2026-05-01T10:00:00Z');

  it('parses ISO times with an offset and relative times', () => {
    expect(parseAt('+30m', now)).toBe(now + 30 * 60_000);
    expect(parseAt('+2h', now)).toBe(now + 2 * 3_600_000);
    expect(parseAt('+90s', now)).toBe(now + 90_000);
    expect(parseAt('+1d', now)).toBe(now + 86_400_000);
    expect(parseAt('2026-05-01T18:00:00+02:00', now)).toBe(at('2026-05-01T16:00:00Z'));
    expect(parseAt('2026-05-01T18:00Z', now)).toBe(at('2026-05-01T18:00:00Z'));
    // No offset: ambiguous, refused rather than read in the server's zone.
    expect(() => parseAt('2026-05-01T18:00:00', now)).toThrow(/offset/);
    expect(() => parseAt('tomorrow', now)).toThrow(/not a time/);
    // A wall-clock time only where a zone is known (the editors' bot): its next occurrence there.
    expect(() => parseAt('18:00', now)).toThrow(/not a time/);
    expect(parseAt('18:00', now, 'Europe/Berlin')).toBe(at('2026-05-01T16:00:00Z'));
    expect(parseAt('09:30', now, 'Europe/Berlin')).toBe(at('2026-05-02T07:30:00Z'));
    // Across the fall-back night the next 09:30 is an hour later in UTC.
    expect(parseAt('09:30', at('2026-10-24T12:00:00Z'), 'Europe/Berlin')).toBe(at('2026-10-25T08:30:00Z'));
  });

  it('is due at `at`, else at a future publishedAt, else now', () => {
    expect(dueAtOf({ publishedAt: '2026-05-01T12:00:00.000Z' }, undefined, now)).toBe(at('2026-05-01T12:00:00Z'));
    expect(dueAtOf({ publishedAt: '2026-05-01T09:00:00.000Z' }, undefined, now)).toBeUndefined();
    expect(dueAtOf({}, undefined, now)).toBeUndefined();
    expect(dueAtOf({ publishedAt: '2026-05-01T12:00:00.000Z' }, now + 60_000, now)).toBe(now + 60_000);
    // An explicit time in the past sends now, whatever publishedAt says.
    expect(dueAtOf({ publishedAt: '2026-05-01T12:00:00.000Z' }, now - 1, now)).toBeUndefined();
    // A feed item dated in the future is already public (a time zone slip): now, unless a time is given.
    expect(dueAtOf({ publishedAt: '2027-05-01T12:00:00.000Z' }, undefined, now, true)).toBeUndefined();
    expect(dueAtOf({ publishedAt: '2027-05-01T12:00:00.000Z' }, now + 60_000, now, true)).toBe(now + 60_000);
  });

  it('maps priority to BullMQ cheaply: breaking lifo, low a priority, normal nothing', () => {
    expect(firstPostSchedule(undefined, 'normal', false, now)).toEqual({ data: {}, opts: {} });
    expect(firstPostSchedule(undefined, 'breaking', false, now)).toEqual({ data: { priority: 'breaking' }, opts: { lifo: true } });
    expect(firstPostSchedule(undefined, 'low', true, now)).toEqual({ data: { priority: 'low', feed: true }, opts: { priority: LOW_PRIORITY } });
    expect(firstPostSchedule(now + 5000, 'normal', false, now)).toEqual({ data: { dueAt: now + 5000 }, opts: { delay: 5000 } });
  });

  it('takes priority from configured tags, case-insensitively, breaking first', () => {
    const tags = { breaking: ['Breaking', 'eilmeldung'], low: ['evergreen'] };
    expect(priorityFromTags(['Politics', 'BREAKING'], tags)).toBe('breaking');
    expect(priorityFromTags(['Evergreen', 'Eilmeldung'], tags)).toBe('breaking');
    expect(priorityFromTags(['evergreen'], tags)).toBe('low');
    expect(priorityFromTags(['politics'], tags)).toBeUndefined();
    expect(priorityFromTags(['breaking'], { breaking: [], low: [] })).toBeUndefined();
  });
});
