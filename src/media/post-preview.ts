import sharp, { type OverlayOptions } from 'sharp';
import { decodeEntities } from '../text/entities.js';
import type { Post } from '../../adapters/types.js';
import { loadCardFonts, type CardFonts } from './fonts.js';
import { paragraphDirection } from '../text/direction.js';
import { drawableText, escapeMarkup, runSpans } from './script-runs.js';
import { drawMarkup, type TextImage } from './text-draw.js';

/**
 * A picture of a post as a reader would roughly see it — platform and target, the image
 * when it is a local file (the prepared Instagram JPEG, the title card), and the text
 * drawn with the card fonts (every script, Telegram's bold/italic/links) — for
 * `crier preview --png DIR`, so editors and tests can look at what will be posted. Not a
 * pixel copy of any app.
 */

const WIDTH = 720;
const PAD = 32;
const INNER = WIDTH - 2 * PAD;
const TEXT_SIZE = 24;
const BRAND: Record<Post['platform'], { name: string; colour: string }> = {
  telegram: { name: 'Telegram', colour: '#229ed9' },
  twitter: { name: 'X', colour: '#0f1419' },
  instagram: { name: 'Instagram', colour: '#c13584' },
};

/** Telegram's HTML (the tags PLATFORMS.md lists) → Pango markup with the card fonts. */
export function telegramHtmlToMarkup(html: string, fonts: CardFonts): string {
  const open: string[] = [];
  let out = '';
  for (const m of html.matchAll(/<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"]*")*)\s*>|([^<]+)/gi)) {
    if (m[4] !== undefined) {
      out += runSpans(drawableText(decodeEntities(m[4]), fonts.coverage, { lines: true }).text, { fonts, size: TEXT_SIZE });
      continue;
    }
    const tag = (m[2] ?? '').toLowerCase();
    if (m[1] === '/') {
      const close = open.pop();
      if (close !== undefined) out += close;
      continue;
    }
    const spoiler = tag === 'tg-spoiler' || /class="tg-spoiler"/.test(m[3] ?? '');
    const [start, end] =
      tag === 'b' || tag === 'strong' ? ['<b>', '</b>']
      : tag === 'i' || tag === 'em' || tag === 'blockquote' ? ['<i>', '</i>']
      : tag === 'u' || tag === 'ins' ? ['<u>', '</u>']
      : tag === 's' || tag === 'strike' || tag === 'del' ? ['<s>', '</s>']
      : tag === 'code' || tag === 'pre' ? ['<tt>', '</tt>']
      : tag === 'a' ? ['<span foreground="#1d6fb8" underline="single">', '</span>']
      : spoiler ? ['<span background="#c8c8c8" foreground="#c8c8c8">', '</span>']
      : ['<span>', '</span>'];
    out += start;
    open.push(end);
  }
  return out + open.reverse().join('');
}

const paragraph = (inner: string, colour: string, size = TEXT_SIZE, bold = false) =>
  `<span size="${size * 1024}" foreground="${colour}"${bold ? ' font_weight="bold"' : ''}>${inner}</span>`;

function plain(text: string, fonts: CardFonts): string {
  return runSpans(drawableText(text, fonts.coverage, { lines: true }).text.trim(), { fonts, size: TEXT_SIZE });
}

/** The blocks of a post, top to bottom: markup to draw, or an image file. */
function blocks(post: Post, fonts: CardFonts): Array<{ markup: string } | { image: string }> {
  const out: Array<{ markup: string } | { image: string }> = [];
  const note = (text: string) => out.push({ markup: paragraph(escapeMarkup(text), '#687684', 20) });
  if (post.platform === 'telegram') {
    if (post.photo !== undefined) note(`photo: ${post.photo}`);
    out.push({ markup: paragraph(telegramHtmlToMarkup(post.text ?? post.caption ?? '', fonts), '#111111') });
    for (const row of post.reply_markup?.inline_keyboard ?? []) note(row.map((b) => `[ ${b.text} ]`).join('  '));
  } else if (post.platform === 'twitter') {
    post.tweets.forEach((tweet, i) => {
      if (i > 0) note('↳ reply');
      out.push({ markup: paragraph(plain(tweet.text, fonts), '#0f1419') });
      for (const media of tweet.media ?? []) {
        if (media.path !== undefined) out.push({ image: media.path });
        else if (media.url !== undefined) note(`image: ${media.url}`);
      }
    });
  } else {
    if (post.image.path !== undefined) out.push({ image: post.image.path });
    else if (post.image.url !== undefined) note(`image: ${post.image.url}`);
    out.push({ markup: paragraph(plain(post.caption, fonts), '#111111') });
  }
  return out;
}

/** The post drawn as a PNG, WIDTH px wide. */
export async function renderPostPreview(post: Post): Promise<Buffer> {
  const fonts = await loadCardFonts();
  const brand = BRAND[post.platform];
  const pieces: Array<{ data: Buffer; width: number; height: number; raw: boolean; rtl?: boolean }> = [];
  const text = async (markup: string) => {
    const img: TextImage = await drawMarkup(markup, INNER, 'word-char');
    // Pango aligns a right-to-left paragraph to the right of the layout; the ink box is placed the same way.
    pieces.push({ ...img, raw: true, rtl: paragraphDirection(markup.replace(/<[^>]*>/g, '')) === 'rtl' });
  };
  await text(paragraph(runSpans(drawableText(`${brand.name} · ${post.target}`, fonts.coverage).text, { fonts, size: 22 }), brand.colour, 22, true));
  for (const block of blocks(post, fonts)) {
    if ('image' in block) {
      const img = await sharp(block.image).resize({ width: INNER, height: 1200, fit: 'inside', withoutEnlargement: true }).png().toBuffer({ resolveWithObject: true });
      pieces.push({ data: img.data, width: img.info.width, height: img.info.height, raw: false });
    } else if (block.markup.replace(/<[^>]*>/g, '').trim() !== '') await text(block.markup);
  }
  const gap = 20;
  let top = PAD;
  const layers: OverlayOptions[] = [];
  for (const p of pieces) {
    const left = p.rtl === true ? PAD + INNER - p.width : PAD;
    layers.push(p.raw ? { input: p.data, raw: { width: p.width, height: p.height, channels: 4 }, left, top } : { input: p.data, left, top });
    top += p.height + gap;
  }
  const height = top - gap + PAD;
  return sharp({ create: { width: WIDTH, height, channels: 3, background: '#ffffff' } })
    .composite([{ input: { create: { width: WIDTH, height: 6, channels: 3, background: brand.colour } }, left: 0, top: 0 }, ...layers])
    .png()
    .toBuffer();
}
