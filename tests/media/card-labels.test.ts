import { describe, expect, it } from 'vitest';
import { cardLocale, formatCardDate, guessLanguage, shortDomain } from '../../src/media/card-labels.js';

describe('card labels', () => {
  it('should shorten a long domain to a readable registrable domain, in lower case', () => {
    expect(shortDomain('https://INTERNATIONAL-PUBLIC-BROADCASTING-NETWORK-AR.EXAMPLE.COM/news/1')).toBe('example.com');
    expect(shortDomain('https://www.harbour-gazette.example/story')).toBe('harbour-gazette.example');
    expect(shortDomain('https://regional-desk-international-service.example.co.uk/a')).toBe('example.co.uk');
    expect(shortDomain('https://news.example.org/a')).toBe('news.example.org');
    expect(shortDomain('not a url')).toBe('');
    expect(shortDomain(undefined)).toBe('');
  });

  it('should guess the language of a title from its script, Persian and Urdu by their own letters', () => {
    expect(guessLanguage('إعادة فتح الميناء بعد العاصفة')).toBe('ar');
    expect(guessLanguage('بندر پس از طوفان دوباره باز شد')).toBe('fa');
    expect(guessLanguage('طوفان کے بعد بندرگاہ دوبارہ کھل گئی')).toBe('ur');
    expect(guessLanguage('嵐の後、港が再開した')).toBe('ja');
    expect(guessLanguage('风暴过后港口重新开放')).toBe('zh');
    expect(guessLanguage('폭풍 후 항구 재개장')).toBe('ko');
    expect(guessLanguage('ท่าเรือเปิดอีกครั้ง')).toBe('th');
    expect(guessLanguage('Harbour reopens')).toBeUndefined();
    expect(guessLanguage('Порт снова открыт')).toBeUndefined();
  });

  it('should take the card locale, else the article language, else the guess, skipping tags that are not languages', () => {
    expect(cardLocale('de-DE', 'fr', 'الميناء')).toBe('de-DE');
    expect(cardLocale(undefined, 'fr', 'الميناء')).toBe('fr');
    expect(cardLocale(undefined, undefined, 'الميناء')).toBe('ar');
    expect(cardLocale('not a tag!', undefined, 'Harbour')).toBe('en-GB');
  });

  it('should write the date as the locale writes it, digits and calendar included', () => {
    const iso = '2026-02-03T09:00:00Z';
    expect(formatCardDate(iso, 'en-GB')).toBe('3 February 2026');
    expect(formatCardDate(iso, 'ar-EG')).toBe('٣ فبراير ٢٠٢٦');
    expect(formatCardDate(iso, 'fa')).toMatch(/^۱۴ بهمن ۱۴۰۴$/);
    expect(formatCardDate(iso, 'ja')).toBe('2026年2月3日');
    expect(formatCardDate(iso, 'th')).toContain('2569');
    expect(formatCardDate('not a date', 'en-GB')).toBe('');
    expect(formatCardDate(undefined, 'en-GB')).toBe('');
  });
});
