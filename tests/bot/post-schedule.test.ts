import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { formatTime, readTime, splitPostSchedule } from '../../src/bot/post-schedule.js';

const LINK = 'https://news.example.org/a';
// Wednesday 2 December 2026, 16:10 UTC = 17:10 in Berlin (UTC+01:00).
const NOW = Date.parse('2026-12-02T16:10:00Z');

describe('/post schedule and priority (post-schedule)', () => {
  it('should read "at HH:MM" as the next such time in the editors\' zone', () => {
    expect(splitPostSchedule(`${LINK} at 18:00`, NOW, 'Europe/Berlin')).toEqual({ ok: true, payload: LINK, at: Date.parse('2026-12-02T17:00:00Z'), breaking: false });
    // 17:00 in Berlin has passed: tomorrow.
    expect(splitPostSchedule(`${LINK} at 17:00`, NOW, 'Europe/Berlin')).toMatchObject({ at: Date.parse('2026-12-03T16:00:00Z') });
    // The same words in UTC mean a different instant.
    expect(splitPostSchedule(`${LINK} at 18:00`, NOW, 'UTC')).toMatchObject({ at: Date.parse('2026-12-02T18:00:00Z') });
    expect(splitPostSchedule(`${LINK} AT 9.30`, NOW, 'America/New_York')).toMatchObject({ at: Date.parse('2026-12-03T14:30:00Z') });
  });

  it('should keep the wall-clock time across a DST change', () => {
    // Saturday 28 March 2026, 12:00 UTC: Berlin changes to UTC+02:00 in the night.
    const before = Date.parse('2026-03-28T12:00:00Z');
    expect(readTime('09:00', before, 'Europe/Berlin')).toEqual({ ok: true, at: Date.parse('2026-03-29T07:00:00Z') });
  });

  it('should read +30m, a local date and time, and ISO times with an offset', () => {
    expect(splitPostSchedule(`${LINK} at +30m`, NOW, 'UTC')).toMatchObject({ payload: LINK, at: NOW + 30 * 60_000 });
    expect(splitPostSchedule(`${LINK} at 2026-12-03 18:00`, NOW, 'Europe/Berlin')).toMatchObject({ at: Date.parse('2026-12-03T17:00:00Z') });
    expect(splitPostSchedule(`${LINK} at 2026-12-03T18:00`, NOW, 'UTC')).toMatchObject({ at: Date.parse('2026-12-03T18:00:00Z') });
    expect(splitPostSchedule(`${LINK} at 2026-12-03T18:00:00+05:00`, NOW, 'Europe/Berlin')).toMatchObject({ at: Date.parse('2026-12-03T13:00:00Z') });
  });

  it('should read a last "!" as breaking, with or without a time, in either order', () => {
    expect(splitPostSchedule(`${LINK} !`, NOW, 'UTC')).toEqual({ ok: true, payload: LINK, breaking: true });
    expect(splitPostSchedule(`${LINK} Floods close the valley road !`, NOW, 'UTC')).toEqual({ ok: true, payload: `${LINK} Floods close the valley road`, breaking: true });
    expect(splitPostSchedule(`${LINK} at +1h !`, NOW, 'UTC')).toEqual({ ok: true, payload: LINK, at: NOW + 3_600_000, breaking: true });
    // A short post's own "at …" that is not a time stays text; after a lone link it is an error.
    expect(splitPostSchedule(`${LINK} Doors open at 5pm`, NOW, 'UTC')).toEqual({ ok: true, payload: `${LINK} Doors open at 5pm`, breaking: false });
    expect(splitPostSchedule(`${LINK} at 5pm`, NOW, 'UTC')).toMatchObject({ ok: false });
    expect(splitPostSchedule(`${LINK} ! at +1h`, NOW, 'UTC')).toEqual({ ok: true, payload: LINK, at: NOW + 3_600_000, breaking: true });
    // An exclamation in the text is not a priority.
    expect(splitPostSchedule(`${LINK} Floods!`, NOW, 'UTC')).toEqual({ ok: true, payload: `${LINK} Floods!`, breaking: false });
  });

  it('should leave text alone: no time after "at", or "at" not last', () => {
    expect(splitPostSchedule(`${LINK} Lunch at noon`, NOW, 'UTC')).toEqual({ ok: true, payload: `${LINK} Lunch at noon`, breaking: false });
    expect(splitPostSchedule(`${LINK} at 18:00 the council meets`, NOW, 'UTC')).toEqual({ ok: true, payload: `${LINK} at 18:00 the council meets`, breaking: false });
    expect(splitPostSchedule('at 18:00', NOW, 'UTC')).toEqual({ ok: true, payload: '', at: Date.parse('2026-12-02T18:00:00Z'), breaking: false });
  });

  it('should refuse a time in the past or one it cannot read, saying why', () => {
    const past = splitPostSchedule(`${LINK} at 2026-12-01 18:00`, NOW, 'Europe/Berlin');
    expect(past).toEqual({ ok: false, message: expect.stringMatching(/^Tue 1 Dec 2026, 18:00 Europe\/Berlin \(UTC\+01:00\) is in the past \(it is now Wed 2 Dec 2026, 17:10 Europe\/Berlin/) });
    expect(splitPostSchedule(`${LINK} at 25:00`, NOW, 'UTC')).toEqual({ ok: false, message: '"25:00" is not a time of day (00:00 to 23:59).' });
    expect(splitPostSchedule(`${LINK} at 2026-02-30 10:00`, NOW, 'UTC')).toEqual({ ok: false, message: expect.stringMatching(/^"2026-02-30 10:00" is not a valid date and time/) });
    expect(splitPostSchedule(`${LINK} at +30x`, NOW, 'UTC')).toEqual({ ok: false, message: expect.stringMatching(/^"\+30x" is not a time I understand\. Write the time as 18:00/) });
    expect(splitPostSchedule(`${LINK} at 2026-12-02T10:00:00Z`, NOW, 'UTC')).toMatchObject({ ok: false, message: expect.stringContaining('is in the past') });
  });

  it('should show a time in the zone with its offset', () => {
    expect(formatTime(Date.parse('2026-12-02T17:00:00Z'), 'Europe/Berlin')).toBe('Wed 2 Dec 2026, 18:00 Europe/Berlin (UTC+01:00)');
    expect(formatTime(Date.parse('2026-07-02T17:00:05Z'), 'Europe/Berlin')).toBe('Thu 2 Jul 2026, 19:00:05 Europe/Berlin (UTC+02:00)');
    expect(formatTime(Date.parse('2026-12-02T17:00:00Z'), 'UTC')).toBe('Wed 2 Dec 2026, 17:00 UTC');
    expect(formatTime(Date.parse('2026-12-02T17:00:00Z'), 'Asia/Kolkata', { short: true })).toBe('2 Dec 22:30 (UTC+05:30)');
  });

  it('should take the editors\' zone from bot.timeZone (default UTC) and refuse one that is not IANA', () => {
    expect(buildConfig({}, {}).bot.timeZone).toBe('UTC');
    expect(buildConfig({ bot: { timeZone: 'America/Sao_Paulo' } }, {}).bot.timeZone).toBe('America/Sao_Paulo');
    expect(() => buildConfig({ bot: { timeZone: 'Mars/Olympus' } }, {})).toThrow(/bot\.timeZone: must be an IANA time zone/);
  });
});

describe('/post times that cannot be used are refused, never posted as text', () => {
  it('should refuse an "at" after a lone link (or alone, replying) that is no readable time, with its reason', () => {
    for (const words of ['18:00 CET', 'yesterday', 'now', '+30 m', '18:00 tomorrow']) {
      const read = splitPostSchedule(`${LINK} at ${words}`, NOW, 'Europe/Berlin');
      expect(read, words).toMatchObject({ ok: false, message: expect.stringMatching(/is not a time I understand/) });
      expect(splitPostSchedule(`at ${words}`, NOW, 'Europe/Berlin'), `reply: ${words}`).toMatchObject({ ok: false });
    }
    expect(splitPostSchedule(`${LINK} tomorrow at 18:00`, NOW, 'Europe/Berlin')).toMatchObject({ ok: false, message: expect.stringMatching(/"tomorrow" is not a time I understand: give the date/) });
    // A short post that merely starts with "At" keeps its words.
    expect(splitPostSchedule(`${LINK} At least 12 boats were damaged`, NOW, 'UTC')).toEqual({ ok: true, payload: `${LINK} At least 12 boats were damaged`, breaking: false });
  });

  it('should refuse a time written as one but unusable — past, a year out, no such date or offset — even after a short post\'s words', () => {
    expect(splitPostSchedule(`${LINK} Regatta at 2099-01-01 10:00`, NOW, 'Europe/Berlin')).toMatchObject({ ok: false, message: expect.stringMatching(/more than a year ahead: posts are held at most 366 days/) });
    expect(splitPostSchedule(`${LINK} at +400d`, NOW, 'UTC')).toMatchObject({ ok: false, message: expect.stringMatching(/more than a year ahead/) });
    expect(splitPostSchedule(`${LINK} at 2099-01-01T10:00Z`, NOW, 'UTC')).toMatchObject({ ok: false, message: expect.stringMatching(/more than a year ahead/) });
    expect(splitPostSchedule(`${LINK} at 2026-12-04T10:00:00+25:00`, NOW, 'UTC')).toMatchObject({ ok: false, message: expect.stringMatching(/no zone has the offset \+25:00/) });
    expect(splitPostSchedule(`${LINK} Regatta at 2026-02-30 10:00`, NOW, 'UTC')).toMatchObject({ ok: false, message: expect.stringMatching(/not a valid date/) });
    expect(splitPostSchedule(`${LINK} Regatta at 2026-12-01 10:00`, NOW, 'UTC')).toMatchObject({ ok: false, message: expect.stringMatching(/is in the past/) });
  });
});
