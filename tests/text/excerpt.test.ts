import { describe, expect, it } from 'vitest';
import { completeExcerpt } from '../../src/text/excerpt.js';

const BODY =
  'The harbour reopened on Tuesday after three days of closure. Port officials said the damage was lighter than feared, and the first ferries left at noon. ' +
  'Fishermen counted their losses along the quay while the harbour authority inspected the breakwater.';

describe('completeExcerpt', () => {
  it('should end a summary cut mid-word (the body goes on with the word) after the last whole word, with an ellipsis', () => {
    const cut = BODY.slice(0, BODY.indexOf('closure') + 4); // "…after three days of clos"
    expect(completeExcerpt(cut, BODY)).toBe('The harbour reopened on Tuesday after three days of…');
  });

  it('should end at the last whole sentence when that keeps most of the summary', () => {
    const cut = BODY.slice(0, BODY.indexOf('Fishermen') + 'Fisherm'.length);
    expect(completeExcerpt(cut, BODY)).toBe('The harbour reopened on Tuesday after three days of closure. Port officials said the damage was lighter than feared, and the first ferries left at noon.');
  });

  it('should add only an ellipsis when the cut fell between words', () => {
    const cut = BODY.slice(0, BODY.indexOf(' after three'));
    expect(completeExcerpt(cut, BODY)).toBe('The harbour reopened on Tuesday…');
  });

  it('should cut a long summary that stops short after whole sentences even without the body', () => {
    const long = BODY.slice(0, BODY.indexOf('breakwater') + 5);
    expect(completeExcerpt(long)).toBe('The harbour reopened on Tuesday after three days of closure. Port officials said the damage was lighter than feared, and the first ferries left at noon.');
    // The last sentence is most of it: cut after its last whole word instead (the last word may be cut).
    const mostly = `The storm is over at last. ${'The fishermen counted their losses along the quay while the harbour authority inspected the damaged breakwater and the '.repeat(2)}ferri`;
    expect(completeExcerpt(mostly)).toBe(`${mostly.slice(0, -' ferri'.length)}…`);
  });

  it('should drop a link cut at the end whole, never half of it', () => {
    const body = 'The harbour reopened. Timetables for every ferry and every bus to the harbour are online at harbour.example.org/ferries/timetable';
    expect(completeExcerpt(body.slice(0, -6), body)).toBe('The harbour reopened. Timetables for every ferry and every bus to the harbour are online at…');
    const whole = `${body.slice(0, body.indexOf(' Timetables'))} Timetables are at https://harbour.example.org/t?c=1, and on the quay`;
    expect(completeExcerpt(whole.slice(0, whole.indexOf(' and on')), whole)).toBe('The harbour reopened. Timetables are at…');
  });

  it('should leave complete, already marked and deck-like summaries alone', () => {
    expect(completeExcerpt('The harbour reopened on Tuesday.', BODY)).toBe('The harbour reopened on Tuesday.');
    expect(completeExcerpt('«Мы вернёмся», — сказал капитан.')).toBe('«Мы вернёмся», — сказал капитан.');
    expect(completeExcerpt('港口周二重新开放。', '港口周二重新开放。渔民清点损失。')).toBe('港口周二重新开放。');
    expect(completeExcerpt('The harbour reopened on Tuesday [&hellip;]')).toBe('The harbour reopened on Tuesday [&hellip;]');
    expect(completeExcerpt('Dr. Smith backs the harbour plan')).toBe('Dr. Smith backs the harbour plan');
    expect(completeExcerpt('Council backs harbour plan', 'A different body.')).toBe('Council backs harbour plan');
  });

  it('should cut a CJK excerpt at its last sentence', () => {
    const body = '港口在风暴过后于周二重新开放。官员表示损失比预期的要轻。渔民们正在码头清点损失，港务局正在检查防波堤。';
    expect(completeExcerpt(body.slice(0, 40), body)).toBe('港口在风暴过后于周二重新开放。官员表示损失比预期的要轻。');
  });
});
