import { describe, expect, it } from 'vitest';
import { chooseDate, urlDate } from '../../src/article/html-date.js';

describe('chooseDate', () => {
  it('should not take the modified time for the published one when another source says earlier', () => {
    expect(
      chooseDate([
        { raw: '2022-07-19T21:14:52.000Z', weight: 3, kind: 'published' },
        { raw: '2022-07-18T10:00:00.000Z', weight: 3, kind: 'published' },
        { raw: '2022-07-19T21:14:52.000Z', weight: 1, kind: 'modified' },
      ]),
    ).toBe('2022-07-18T10:00:00.000Z');
  });

  it('should keep a published time that equals the modified one when nothing contradicts it', () => {
    expect(chooseDate([{ raw: '2023-02-07T13:01:14+00:00', weight: 3, kind: 'published' }, { raw: '2023-02-07T13:01:14+00:00', weight: 1, kind: 'modified' }])).toBe('2023-02-07T13:01:14.000Z');
  });

  it('should let dates without a time support an instant on that day, and say the day with that time', () => {
    expect(
      chooseDate([
        { raw: '22 Dec 2016', weight: 1, kind: 'published' },
        { raw: '2016-12-22', weight: 1, kind: 'published' },
        { raw: '2016-12-22T09:41:33Z', weight: 1, kind: 'published' },
        { raw: '2016-11-02T08:00:00Z', weight: 1.5, kind: 'published' },
      ]),
    ).toBe('2016-12-22T09:41:33.000Z');
  });

  it('should give no date when only a modified date is known', () => {
    expect(chooseDate([{ raw: '3 March 2008', weight: 1, kind: 'modified' }])).toBeUndefined();
  });
});

describe('urlDate', () => {
  it.each([
    ['https://margins.example/2021/11/08/hidden-cost/', '2021-11-08'],
    ['https://www.courier.example/sport/cricket/2022/sep/13/pitch-award', '13 sep 2022'],
    ['https://care.example/diabetes/news/20220803/short-walks', '2022-08-03'],
    ['https://x.example/news/2021/13/45/nope', undefined],
    ['https://x.example/about', undefined],
  ])('should read %s as %s', (url, raw) => {
    expect(urlDate(url)).toBe(raw);
  });
});
