import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Logger } from 'pino';
import { sha256 } from './cache.js';
import { fontCodePoints, fontFamily, toSfnt } from './font-file.js';

/**
 * A publisher's own fonts (`card.fonts`: TTF, OTF or WOFF files). Each is tried before the
 * shipped fonts for every character it has; the shipped ones still draw the rest. A file
 * is read once per process: its family and coverage from its own tables, then it is handed
 * to fontconfig through sharp's `fontfile` (WOFF unwrapped to TrueType first, in the
 * fonts directory). A file that cannot be read is logged and left out: the card is still drawn.
 */

export interface PublisherFonts {
  /** Family names, in the configured order. */
  families: string[];
  coverage: ReadonlySet<number>;
  /** Content hash of the files used: part of the card's cache key. */
  hash: string;
}

interface LoadedFont {
  family: string;
  coverage: Set<number>;
  hash: string;
}

const loaded = new Map<string, Promise<LoadedFont>>();

async function loadOne(file: string, fontsDir: string): Promise<LoadedFont> {
  const bytes = await readFile(file);
  const sfnt = toSfnt(bytes);
  const hash = sha256(bytes);
  let path = resolve(file);
  if (sfnt !== bytes) {
    await mkdir(join(fontsDir, 'publisher'), { recursive: true });
    path = join(fontsDir, 'publisher', `${hash.slice(0, 24)}.ttf`);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, sfnt);
    await rename(temp, path);
  }
  const family = fontFamily(sfnt);
  // libvips adds the file to fontconfig once (and tells Pango); later draws find the family by name.
  await sharp({ text: { text: 'x', fontfile: path, font: family } }).raw().toBuffer();
  return { family, coverage: fontCodePoints(sfnt), hash };
}

export async function loadPublisherFonts(files: readonly string[] | undefined, fontsDir: string, logger?: Logger): Promise<PublisherFonts> {
  const families: string[] = [];
  const coverage = new Set<number>();
  const hashes: string[] = [];
  for (const file of files ?? []) {
    let font = loaded.get(file);
    if (font === undefined) {
      font = loadOne(file, fontsDir);
      loaded.set(file, font);
      font.catch(() => loaded.delete(file));
    }
    try {
      const { family, coverage: points, hash } = await font;
      if (!families.includes(family)) families.push(family);
      for (const cp of points) coverage.add(cp);
      hashes.push(hash);
    } catch (error) {
      logger?.warn({ err: error, font: file }, 'card font could not be read; drawing the card without it');
    }
  }
  return { families, coverage, hash: hashes.join(',') };
}
