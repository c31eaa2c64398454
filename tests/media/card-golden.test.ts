import { describe, expect, it } from 'vitest';
import { CARD_TEXT, GOLDEN_STYLE, SCRIPT_TITLES } from './card-cases.js';
import { diffImages, GOLDEN_TOLERANCE, goldenPath, readRaw, renderGolden } from './golden.js';
import { renderCardImage } from '../../src/media/card.js';

describe('title card golden images', () => {
  it.each(SCRIPT_TITLES.map((s) => s.script))('should draw the %s card as its golden image, within tolerance', async (script) => {
    const diff = diffImages(await renderGolden(script), await readRaw(goldenPath(script)));
    expect(diff.changed).toBeLessThanOrEqual(GOLDEN_TOLERANCE.changed);
    expect(diff.mean).toBeLessThanOrEqual(GOLDEN_TOLERANCE.mean);
  });

  it('should tell a card with one word changed from its golden image', async () => {
    const latin = SCRIPT_TITLES[0]!;
    const changed = (await renderCardImage({ ...CARD_TEXT, title: latin.title.replace('storm', 'gale') }, GOLDEN_STYLE)).raw;
    const diff = diffImages(changed, await readRaw(goldenPath(latin.script)));
    expect(diff.changed > GOLDEN_TOLERANCE.changed || diff.mean > GOLDEN_TOLERANCE.mean).toBe(true);
  });
});
