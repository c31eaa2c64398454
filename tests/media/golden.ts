import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { renderCardImage } from '../../src/media/card.js';
import { CARD_TEXT, GOLDEN_STYLE, SCRIPT_TITLES, type Raw } from './card-cases.js';

/**
 * Golden images of the title card, one per script, in tests/media/golden/. Regenerate after
 * a deliberate change to the card (and look at every one) with
 *   node bin/tsx-run.js tests/media/update-golden.ts
 */

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

export const goldenPath = (script: string) => join(GOLDEN_DIR, `card-${script}.png`);

export async function renderGolden(script: string): Promise<Raw> {
  const found = SCRIPT_TITLES.find((s) => s.script === script);
  if (found === undefined) throw new Error(`no golden case for ${script}`);
  return (await renderCardImage({ title: found.title, ...CARD_TEXT }, GOLDEN_STYLE)).raw;
}

export async function readRaw(path: string): Promise<Raw> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export function toPng(raw: Raw): Promise<Buffer> {
  return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer();
}

export interface ImageDiff {
  /** Share of pixels where some channel differs by more than 64. */
  changed: number;
  /** Mean absolute difference per channel, 0..255. */
  mean: number;
}

export function diffImages(a: Raw, b: Raw): ImageDiff {
  if (a.width !== b.width || a.height !== b.height) return { changed: 1, mean: 255 };
  let changed = 0;
  let total = 0;
  for (let i = 0; i < a.data.length; i += 3) {
    let max = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs((a.data[i + c] as number) - (b.data[i + c] as number));
      total += d;
      if (d > max) max = d;
    }
    if (max > 64) changed++;
  }
  return { changed: changed / (a.width * a.height), mean: total / a.data.length };
}

/** What a card may differ from its golden image by: anti-aliasing and rounding, not a moved or missing glyph. */
export const GOLDEN_TOLERANCE: ImageDiff = { changed: 0.004, mean: 1.5 };
