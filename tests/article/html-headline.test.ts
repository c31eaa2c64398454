import { describe, expect, it } from 'vitest';
import { chooseHeadline, stripSiteAffixes } from '../../src/article/html-headline.js';
import type { SiteIdentity } from '../../src/article/html-site.js';

const site = (names: string[], hostLabels: string[] = [], owners: string[] = []): SiteIdentity => ({ names, hostLabels, owners });

describe('stripSiteAffixes', () => {
  it.each([
    ['Brno otevře noční linku | Zpravodaj.cz', site(['Zpravodaj.cz – Víte, co se právě děje', 'Zpravodaj.cz']), 'Brno otevře noční linku'],
    ['Seven cheap ways to keep warm - ThriftyHome.com', site(['Thrifty Home']), 'Seven cheap ways to keep warm'],
    ['List of lighthouses - Wikipedia', site([], ['wikipedia']), 'List of lighthouses'],
    ['Tester sans horloge | Mathilde Carrel', site([], [], ['Mathilde Carrel']), 'Tester sans horloge'],
    ['A new scheduler [KernelWeekly.net]', site(['KernelWeekly.net']), 'A new scheduler'],
    ['市営バス、深夜便を試験運行｜みなと新報', site(['みなと新報']), '市営バス、深夜便を試験運行'],
    ["Rosa's Kitchen Garden » Blog Archive » Saving seeds", site(["Rosa's Kitchen Garden"]), 'Saving seeds'],
    ['Kestrel Watch: First eggs of the season', site(['Kestrel Watch']), 'First eggs of the season'],
    ['Why search got slower | by Jonas Ekberg | Tidewater Engineering | Jan, 2022 | Medium-ish', site(['Medium-ish', 'Tidewater Engineering']), 'Why search got slower'],
    ['Groundskeeper wins award | Cricket | The Courier', site(['the Courier']), 'Groundskeeper wins award | Cricket'],
    // Not the site: kept.
    ['Rain, then more rain - what the forecast says', site(['Weatherline']), 'Rain, then more rain - what the forecast says'],
    ['Boston: City council votes', site(['Boston Daily'], ['boston']), 'Boston: City council votes'],
    ['The Site', site(['The Site']), 'The Site'],
  ])('should turn %j into the headline', (title, identity, headline) => {
    expect(stripSiteAffixes(title, identity)).toBe(headline);
  });
});

describe('chooseHeadline', () => {
  it('should let agreeing sources outvote one that describes another entity (Wikipedia JSON-LD)', () => {
    const chosen = chooseHeadline(
      [
        { text: 'constitutional monarchy in the North Atlantic', weight: 3 },
        { text: 'Monarchy of the Ostmark Isles', weight: 2 },
        { text: 'Monarchy of the Ostmark Isles - Wikipedia', weight: 2 },
        { text: 'Monarchy of the Ostmark Isles', weight: 1.5 },
      ],
      site([], ['wikipedia']),
    );
    expect(chosen).toBe('Monarchy of the Ostmark Isles');
  });

  it('should take the words the <h1> states when the others say them with a section in front', () => {
    const chosen = chooseHeadline(
      [
        { text: 'Opinion | Our towns were built for cars.', weight: 3 },
        { text: 'Opinion | Our towns were built for cars.', weight: 3 },
        { text: 'Our towns were built for cars.', weight: 2 },
        { text: 'Opinion | Our towns were built for cars. - The Ledger', weight: 2 },
      ],
      site(['The Ledger']),
    );
    expect(chosen).toBe('Our towns were built for cars.');
  });

  it('should not let a cut-off headline win, nor the site name, nor an app shell title', () => {
    expect(chooseHeadline([{ text: 'Researchers find that the oldest…', weight: 3 }, { text: 'Researchers find that the oldest wreck carried salt', weight: 2 }], site([]))).toBe(
      'Researchers find that the oldest wreck carried salt',
    );
    expect(chooseHeadline([{ text: 'Town Crier', weight: 3 }, { text: 'Loading…', weight: 2 }, { text: 'Market goes car-free', weight: 2 }], site(['Town Crier']))).toBe('Market goes car-free');
    expect(chooseHeadline([{ text: 'Town Crier', weight: 3 }], site(['Town Crier']))).toBeUndefined();
  });

  it('should keep a headline stuffed past any sane length, cut to what an Article holds', () => {
    const stuffed = `Cheap flights ${'deals offers '.repeat(150)}`;
    expect(chooseHeadline([{ text: stuffed, weight: 2 }], site([]))?.length).toBe(1000);
  });
});
