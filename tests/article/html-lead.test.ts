import { describe, expect, it } from 'vitest';
import { chooseLead, withoutDateline } from '../../src/article/html-lead.js';

const body = [
  'For ninety-two summers the open-air pool has opened at six in the morning, rain or shine. This September it closes for good.',
  'The council says repairs would cost more than a new indoor pool.',
  "There's no going back from here.",
  'That was how Jean Tully, 81, put it as she climbed out of the deep end.',
];
const lead = (description: string, title = 'The last season of the lido') => chooseLead({ descriptions: [description], paragraphs: body, title, site: { names: ['Northern Review'], hostLabels: [], owners: [] } });

describe('chooseLead', () => {
  it('should keep a description that is a summary of the article', () => {
    expect(lead('The open-air pool closes this September after ninety-two summers, and the council says repairs would cost too much.')).toMatch(/^The open-air pool closes/);
  });

  it.each([
    ["There's no going back from here.", 'a line pulled from the middle'],
    ['For ninety-two summers the open-air pool has opened at six in the…', 'cut off'],
    ['Click here to read the full story. Read more on Northern Review!', 'a call to action'],
    ['Northern Review: the best writing from the north since 1921.', "the site's blurb"],
    ['The last season of the lido', 'the headline again'],
    ['Pools, summers and the council', 'a phrase, not a sentence'],
  ])('should lead with the first real paragraph when the description is %j (%s)', (description) => {
    expect(lead(description)).toBe(body[0]);
  });

  it('should skip captions, labels and bylines to find the first real paragraph', () => {
    const paragraphs = ['Listen to this article · 4 min', 'The panels on display in 2019. Photo: museum archive', 'Advertisement', 'By Kofi Mensah-Bonsu', 'Four carved door panels were handed back on Wednesday at a ceremony in the village.'];
    expect(chooseLead({ descriptions: [], paragraphs, title: 'Museum returns panels' })).toBe(paragraphs[4]);
  });

  it('should give nothing in strict mode when no paragraph is prose', () => {
    expect(chooseLead({ descriptions: [], paragraphs: ['Crane', 'Work starts Monday.'], title: 'Harbour wall', strict: true })).toBeUndefined();
  });
});

describe('withoutDateline', () => {
  it.each([
    ['SANTA RITA, April 18 (GPA) - A magnitude 6.1 earthquake struck off the coast.', 'A magnitude 6.1 earthquake struck off the coast.'],
    ['PITTSBURGH, Oct. 10, 2023 /PRWire/ -- Northgate Robotics today announced a funding round.', 'Northgate Robotics today announced a funding round.'],
    ['/PRWire/ -- Northgate Robotics today announced a funding round.', 'Northgate Robotics today announced a funding round.'],
    ['KANSAS CITY, Mo. (WKRX) - A water main break flooded the intersection.', 'A water main break flooded the intersection.'],
    ['ABOARD THE RV KESTREL — The echo sounder pings the seabed 20 times a second.', 'The echo sounder pings the seabed 20 times a second.'],
    ['Rain, then more rain - what the forecast says for the fortnight ahead.', 'Rain, then more rain - what the forecast says for the fortnight ahead.'],
  ])('should read %j as %j', (text, out) => {
    expect(withoutDateline(text)).toBe(out);
  });
});
