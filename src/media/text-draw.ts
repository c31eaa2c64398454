import sharp, { type CreateText } from 'sharp';
import { truncateAsync } from '../text/truncate.js';

/**
 * Drawing text with Pango (through sharp/libvips: HarfBuzz shapes, FriBidi orders, Pango
 * breaks lines) and fitting it into a box: the largest size at which the text fits whole,
 * else a clean break inside over-long words, else the text cut at a word with an ellipsis.
 * sharp returns the text's ink box, so what is measured is exactly what will be drawn.
 */

export interface TextImage {
  /** RGBA, not premultiplied. */
  data: Buffer;
  width: number;
  height: number;
}

export type Wrap = 'word' | 'word-char';

/** Draw Pango markup; with `width`, lines wrap at it (a word longer than the width still overflows with 'word'). */
export async function drawMarkup(markup: string, width?: number, wrap: Wrap = 'word'): Promise<TextImage> {
  const text: CreateText = { text: markup, rgba: true, dpi: 72 };
  if (width !== undefined) Object.assign(text, { width, wrap, align: 'left' });
  const { data, info } = await sharp({ text }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export interface FitBox {
  width: number;
  height: number;
  minSize: number;
  maxSize: number;
  /** Sizes tried are maxSize, maxSize − step, … down to minSize. */
  step: number;
}

export interface FittedText {
  image: TextImage;
  /** The text drawn: the input, or shortened with an ellipsis. */
  text: string;
  size: number;
  wrap: Wrap;
}

type Markup = (text: string, size: number) => string;

/** Draws for one fitting, remembered: the search asks about the same candidate more than once. */
class Drawer {
  private readonly drawn = new Map<string, Promise<TextImage>>();
  constructor(private readonly markup: Markup) {}

  draw(text: string, size: number, width?: number, wrap: Wrap = 'word'): Promise<TextImage> {
    const key = `${size}|${width ?? ''}|${wrap}|${text}`;
    let image = this.drawn.get(key);
    if (image === undefined) {
      image = drawMarkup(this.markup(text, size), width, wrap);
      this.drawn.set(key, image);
    }
    return image;
  }

  async fits(text: string, size: number, box: FitBox, wrap: Wrap): Promise<boolean> {
    const image = await this.draw(text, size, box.width, wrap);
    return image.width <= box.width && image.height <= box.height;
  }
}

/** Largest size (of the box's steps) at which `text` fits with `wrap`, by binary search; undefined when not even minSize does. */
async function largestFitting(d: Drawer, text: string, box: FitBox, wrap: Wrap): Promise<number | undefined> {
  const sizes: number[] = [];
  for (let s = box.maxSize; s > box.minSize; s -= box.step) sizes.push(s);
  sizes.push(box.minSize);
  // sizes decrease: find the first index that fits.
  let lo = 0;
  let hi = sizes.length - 1;
  let best: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (await d.fits(text, sizes[mid] as number, box, wrap)) {
      best = sizes[mid];
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return best;
}

/**
 * Fit `text` (already drawable) into the box: whole words at the largest size that fits;
 * when a word is wider than the box even at minSize, lines may also break inside words;
 * when the text is still too tall at minSize it is cut after the last word that fits, with
 * an ellipsis. Undefined only when not even one grapheme fits.
 */
export async function fitText(text: string, markup: Markup, box: FitBox): Promise<FittedText | undefined> {
  const d = new Drawer(markup);
  const done = async (drawn: string, size: number, wrap: Wrap): Promise<FittedText> => ({ image: await d.draw(drawn, size, box.width, wrap), text: drawn, size, wrap });
  const whole = await largestFitting(d, text, box, 'word');
  if (whole !== undefined) return done(text, whole, 'word');
  const wrap: Wrap = (await d.draw(text, box.minSize, box.width, 'word')).width > box.width ? 'word-char' : 'word';
  if (wrap === 'word-char') {
    const broken = await largestFitting(d, text, box, wrap);
    if (broken !== undefined) return done(text, broken, wrap);
  }
  const shortened = await truncateAsync(text, (candidate) => d.fits(candidate, box.minSize, box, wrap), { sentences: false });
  return shortened === '' ? undefined : done(shortened, box.minSize, wrap);
}

/** One line of text at a fixed size, cut at a word (with an ellipsis) to `maxWidth`; undefined when nothing fits. */
export async function fitLine(text: string, markup: Markup, size: number, maxWidth: number): Promise<{ image: TextImage; text: string } | undefined> {
  if (text === '') return undefined;
  const d = new Drawer(markup);
  const drawn = await truncateAsync(text, async (candidate) => candidate !== '' && (await d.draw(candidate, size)).width <= maxWidth, { sentences: false });
  return drawn === '' ? undefined : { image: await d.draw(drawn, size), text: drawn };
}
