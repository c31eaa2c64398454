import { describe, expect, it } from 'vitest';
import { hashtags, toHashtag } from '../../src/text/hashtags.js';

describe('hashtags', () => {
  it('should make well-formed hashtags from awkward tags', () => {
    expect(toHashtag('C++')).toBe('Cpp');
    expect(toHashtag('AT&T')).toBe('ATT');
    expect(toHashtag('node.js')).toBe('nodejs');
    expect(toHashtag('#Security')).toBe('Security');
    expect(toHashtag('Russia and FSU')).toBe('RussiaAndFSU');
    expect(toHashtag('C#')).toBe('CSharp');
    expect(toHashtag('Transport & Mobility')).toBe('TransportMobility');
    expect(toHashtag('Санкт-Петербург')).toBe('СанктПетербург');
  });

  it('should keep what spells the word: a Persian zero-width non-joiner, a decimal point (as _)', () => {
    expect(toHashtag('می\u200cخواهم')).toBe('می\u200cخواهم');
    expect(toHashtag('\u200cنشانه\u200c')).toBe('نشانه');
    expect(toHashtag('ฝุ่นPM2.5')).toBe('ฝุ่นPM2_5');
    expect(toHashtag('Covid 19.5% rise')).toBe('Covid19_5Rise');
    expect(toHashtag('node.js')).toBe('nodejs');
  });

  it('should set shouting tags in title case so they read, keeping short acronyms', () => {
    expect(toHashtag('BREAKING NEWS')).toBe('BreakingNews');
    expect(toHashtag('ELECTIONS')).toBe('Elections');
    expect(toHashtag('WAR IN UKRAINE')).toBe('WarInUkraine');
    expect(toHashtag('US ELECTION 2026')).toBe('USElection2026');
    expect(toHashtag('НОВОСТИ')).toBe('Новости');
    expect(toHashtag('NATO')).toBe('NATO');
    expect(toHashtag('COVID-19')).toBe('COVID19');
    expect(toHashtag('EU AI')).toBe('EUAI');
    expect(toHashtag('iPhone')).toBe('iPhone');
    // The publisher's own spelling (map) is kept as written.
    expect(toHashtag('BREAKING NEWS', { map: { 'breaking news': 'BREAKING' } })).toBe('BREAKING');
  });

  it('should drop tags that cannot become a valid hashtag', () => {
    expect(toHashtag('2024')).toBeUndefined();
    expect(toHashtag('!!!')).toBeUndefined();
    expect(toHashtag('')).toBeUndefined();
    expect(toHashtag('a'.repeat(41))).toBeUndefined();
  });

  it('should apply the per-site map, dedupe and cap the count', () => {
    const tags = ['Russia and FSU', 'USA', 'usa', 'Intelligence', 'Europe'];
    expect(hashtags(tags, { map: { 'russia and fsu': 'Russia' }, max: 3 })).toEqual(['#Russia', '#USA', '#Intelligence']);
    expect(hashtags(['Drop me', 'Keep'], { map: { 'Drop me': '' } })).toEqual(['#Keep']);
  });

  it('should give each map and length limit its own answer when the same tags come again', () => {
    const tags = ['Transport', 'Public transport policy'];
    for (let round = 0; round < 2; round++) {
      expect(hashtags(tags)).toEqual(['#Transport', '#PublicTransportPolicy']);
      expect(hashtags(tags, { map: { transport: 'Transit' } })).toEqual(['#Transit', '#PublicTransportPolicy']);
      expect(hashtags(tags, { map: { transport: 'Mobility' } })).toEqual(['#Mobility', '#PublicTransportPolicy']);
      expect(hashtags(tags, { maxLength: 12 })).toEqual(['#Transport']);
    }
  });
});
