import { describe, expect, it } from 'vitest';
import { cleanByline, personName } from '../../src/article/byline.js';

describe('cleanByline', () => {
  it.each([
    // The three from issue 16: a date, a date and a comment count, an outlet glued on.
    ['By Nathan Willis March 25, 2015', [], ['Nathan Willis']],
    ['by Lucas Nolan22 Dec 2016651', [], ['Lucas Nolan']],
    ['By Kelli Miller WebMD Health News', ['WebMD'], ['Kelli Miller']],
    ['By Dana Whitfield CareWire Health News', [], ['Dana Whitfield']],
    ['Words by Esther Vale · Photographs by Tom Abara', [], ['Esther Vale']],
    ['Por Lucía Ferrer Soler · Valencia · 14 feb 2023 - 07:15', [], ['Lucía Ferrer Soler']],
    ['Por Ana Beatriz Lima, Jornal do Cerrado', ['Jornal do Cerrado'], ['Ana Beatriz Lima']],
    ['By Sabine Keller and Marco Bianchi, CNW', [], ['Sabine Keller', 'Marco Bianchi']],
    ['Door Femke de Groot en Joost van den Berg', [], ['Femke de Groot', 'Joost van den Berg']],
    ['Von Anna Behrendt, Hamburg', [], ['Anna Behrendt']],
    ['Autor: Piotr Zieliński', [], ['Piotr Zieliński']],
    ['بقلم: محمود علي', [], ['محمود علي']],
    ['كتبت سارة حسن', [], ['سارة حسن']],
    ['מאת דנה כהן', [], ['דנה כהן']],
    ['By Grace Obi Staff Reporter', [], ['Grace Obi']],
    ['By Marcus Bell mbell@elmcountyregister.example', [], ['Marcus Bell']],
    ['Posted on October 3, 2020 by Gareth Pryce', [], ['Gareth Pryce']],
    ['Harriet Cole | 26 January 2023', [], ['Harriet Cole']],
    ['By Kayla Brooks Published: Feb. 9, 2023 at 7:21 AM CST', [], ['Kayla Brooks']],
    ['By JANE MERCER and LUIS ORTEGA Associated Press', [], ['JANE MERCER', 'LUIS ORTEGA']],
    ['By Jordan Ellis, Maria Gonzalez and Kenji Watanabe\nAugust 16, 2023', [], ['Jordan Ellis', 'Maria Gonzalez', 'Kenji Watanabe']],
    ['By Jane Doe, Reuters', [], ['Jane Doe']],
    ['Daniel Sato', [], ['Daniel Sato']],
    ['By Theresa May', [], ['Theresa May']],
  ])('should read %j as the writers\' names', (text, sites, names) => {
    expect(cleanByline(text, { sites })).toEqual(names);
  });

  it.each(['Contributors to Wikimedia projects', 'admin', 'Staff Writer', 'Redacción', '@devonh', 'Medically Reviewed by Priya Raman, MD on August 03, 2022', 'News provided by Northgate Robotics', 'Rosa’s Kitchen Garden is proudly powered by WordPress', 'Records obtained by The Delta Desk show that a 2017 study recommended replacing the culvert under Lock Lane.'])(
    'should find no writer in %j',
    (text) => {
      expect(cleanByline(text)).toBeUndefined();
    },
  );

  it('should refuse the site itself as a byline, by the rule the caller gives', () => {
    expect(personName('Bayside Echo', { sites: ['Bayside Echo'] })).toBeUndefined();
    expect(personName('Mathilde Carrel', { isSite: (n) => n === 'Bayside Echo' })).toBe('Mathilde Carrel');
  });
});
