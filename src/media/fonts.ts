import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fontCodePoints, fontFamily, toSfnt } from './font-file.js';

/**
 * The card fonts, shipped through npm so every machine draws the same card: Noto Sans
 * (Latin, Cyrillic, Greek, Vietnamese), Noto Sans Arabic (Arabic, Persian, Urdu letters),
 * Hebrew, Devanagari, Bengali, Tamil, Gujarati, Gurmukhi, Kannada, Malayalam, Odia, Telugu
 * and Thai from Fontsource, Noto Sans SC/JP/KR from @embedpdf's
 * per-language packages (OpenType, regular and bold only are used) and Noto Color Emoji.
 *
 * Text is drawn by Pango (through sharp/libvips), which finds fonts through fontconfig.
 * So that the card never depends on what a machine has installed, the fonts are put in a
 * directory of their own (WOFF files unwrapped to TrueType, which FreeType reads) with a
 * fonts.conf that lists only that directory, and FONTCONFIG_FILE points at it before
 * the first text is drawn — writing the environment is the only way to steer the
 * fontconfig inside libvips, and nothing else in crier draws text. The directory
 * (`crier-fonts-<hash>` in the OS temp dir) is built once and reused; its name changes
 * with the font packages' versions.
 */

/** The Indic scripts besides Devanagari with a Noto Sans of their own (Bengali, Tamil, … Odia). */
export const INDIC_ROLES = ['bengali', 'tamil', 'gujarati', 'gurmukhi', 'kannada', 'malayalam', 'oriya', 'telugu'] as const;
export type IndicRole = (typeof INDIC_ROLES)[number];
export type FontRole = 'latin' | 'arabic' | 'hebrew' | 'devanagari' | IndicRole | 'thai' | 'sc' | 'jp' | 'kr' | 'emoji';
export type CardWeight = 400 | 700;
export const CARD_WEIGHTS: readonly CardWeight[] = [400, 700];

interface FontSource {
  role: FontRole;
  package: string;
  /** Files (relative to the package) for a weight. */
  files(weight: CardWeight): string[];
}

const NOTO_SANS_SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'];
const fontsource = (pkg: string, subset: string) => (w: CardWeight) => [`files/noto-sans-${pkg}-${subset}-${w}-normal.woff`];
const embedpdf = (file: string) => (w: CardWeight) => [`fonts/${file}-${w === 700 ? 'Bold' : 'Regular'}.otf`];

/** In fallback order: a script's own font goes first for its runs (see script-runs.ts), the rest follow in this order. */
export const FONT_SOURCES: readonly FontSource[] = [
  { role: 'latin', package: '@fontsource/noto-sans', files: (w) => NOTO_SANS_SUBSETS.map((s) => `files/noto-sans-${s}-${w}-normal.woff`) },
  { role: 'arabic', package: '@fontsource/noto-sans-arabic', files: fontsource('arabic', 'arabic') },
  { role: 'hebrew', package: '@fontsource/noto-sans-hebrew', files: fontsource('hebrew', 'hebrew') },
  { role: 'devanagari', package: '@fontsource/noto-sans-devanagari', files: fontsource('devanagari', 'devanagari') },
  ...INDIC_ROLES.map((role): FontSource => ({ role, package: `@fontsource/noto-sans-${role}`, files: fontsource(role, role) })),
  { role: 'thai', package: '@fontsource/noto-sans-thai', files: fontsource('thai', 'thai') },
  { role: 'sc', package: '@embedpdf/fonts-sc', files: embedpdf('NotoSansHans') },
  { role: 'jp', package: '@embedpdf/fonts-jp', files: embedpdf('NotoSansJP') },
  { role: 'kr', package: '@embedpdf/fonts-kr', files: embedpdf('NotoSansKR') },
  // The whole font in one file (the numbered subsets split emoji sequences from their ligatures); one colour weight serves both.
  { role: 'emoji', package: '@fontsource/noto-color-emoji', files: () => ['files/noto-color-emoji-emoji-400-normal.woff'] },
];

/** Bump when the directory's layout or fonts.conf changes. */
const FONTS_VERSION = 'fonts-v5';

export interface CardFonts {
  /** The directory holding the fonts, fonts.conf and fontconfig's cache. */
  dir: string;
  /** Family name of each role's font, as fontconfig knows it. */
  families: Record<FontRole, string>;
  /** Code points each role's font draws (every weight). */
  roleCoverage: Record<FontRole, ReadonlySet<number>>;
  /** Code points some shipped font draws. */
  coverage: ReadonlySet<number>;
}

const require = createRequire(import.meta.url);

/** A package's root directory (works for packages whose `exports` hide package.json). */
function packageRoot(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    let dir = dirname(require.resolve(name));
    while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`cannot find the package directory of ${name}`);
      dir = up;
    }
    return dir;
  }
}

interface Planned {
  role: FontRole;
  weight: CardWeight;
  source: string;
  /** File name inside the fonts directory. */
  name: string;
}

function plan(): { files: Planned[]; key: string } {
  const files: Planned[] = [];
  const hash = createHash('sha256').update(FONTS_VERSION);
  for (const source of FONT_SOURCES) {
    const root = packageRoot(source.package);
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
    hash.update(`\n${source.package}@${version}:${root}`);
    for (const weight of CARD_WEIGHTS) {
      for (const file of source.files(weight)) {
        const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.(woff|otf|ttf)$/, '');
        files.push({ role: source.role, weight, source: join(root, file), name: `${source.role}-${base}${file.endsWith('.otf') ? '.otf' : '.ttf'}` });
      }
    }
  }
  return { files, key: hash.digest('hex').slice(0, 16) };
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** fontconfig sees only `dir`; no hinting or sub-pixel tricks, so glyphs are drawn the same everywhere. */
export function fontsConf(fontsDir: string, cacheDir: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>${escapeXml(fontsDir)}</dir>
  <cachedir>${escapeXml(cacheDir)}</cachedir>
  <match target="font">
    <edit name="antialias" mode="assign"><bool>true</bool></edit>
    <edit name="hinting" mode="assign"><bool>false</bool></edit>
    <edit name="hintstyle" mode="assign"><const>hintnone</const></edit>
    <edit name="rgba" mode="assign"><const>none</const></edit>
    <edit name="embeddedbitmap" mode="assign"><bool>false</bool></edit>
  </match>
</fontconfig>
`;
}

/** Write `data` to `path` atomically (another process may be building the same directory). */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/** Point `path` at `source` with a symbolic link, replacing whatever (a dangling link) is there. */
async function linkAtomic(source: string, path: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await symlink(source, temp);
  await rename(temp, path);
}

type Ranges = Array<[number, number]>;

function toRanges(points: ReadonlySet<number>): Ranges {
  const sorted = [...points].sort((a, b) => a - b);
  const out: Ranges = [];
  for (const cp of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === cp - 1) last[1] = cp;
    else out.push([cp, cp]);
  }
  return out;
}

function fromRanges(ranges: Ranges): Set<number> {
  const out = new Set<number>();
  for (const [a, b] of ranges) for (let cp = a; cp <= b; cp++) out.add(cp);
  return out;
}

interface Manifest {
  families: Record<FontRole, string>;
  coverage: Record<FontRole, Ranges>;
}

/** Build (or complete) the fonts directory; returns what the fonts draw. */
async function build(dir: string, files: Planned[]): Promise<Manifest> {
  const fontsDir = join(dir, 'files');
  await mkdir(fontsDir, { recursive: true });
  await mkdir(join(dir, 'cache'), { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const complete = existsSync(manifestPath) && files.every((f) => existsSync(join(fontsDir, f.name)));
  if (complete) return JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  const families: Partial<Record<FontRole, string>> = {};
  const perWeight = new Map<string, Set<number>>();
  // A file may serve several weights (the emoji font): read and write it once.
  const points = new Map<string, Set<number>>();
  for (const file of files) {
    let cps = points.get(file.name);
    if (cps === undefined) {
      const bytes = await readFile(file.source);
      const sfnt = toSfnt(bytes);
      const target = join(fontsDir, file.name);
      // OpenType files are linked where the package has them; WOFF files are written unwrapped.
      if (!existsSync(target)) await (sfnt === bytes ? linkAtomic(file.source, target) : writeAtomic(target, sfnt));
      families[file.role] ??= fontFamily(sfnt);
      cps = fontCodePoints(sfnt);
      points.set(file.name, cps);
    }
    const key = `${file.role}/${file.weight}`;
    const set = perWeight.get(key) ?? new Set<number>();
    for (const cp of cps) set.add(cp);
    perWeight.set(key, set);
  }
  const coverage = {} as Record<FontRole, Ranges>;
  for (const source of FONT_SOURCES) {
    const sets = CARD_WEIGHTS.map((w) => perWeight.get(`${source.role}/${w}`) ?? new Set<number>());
    const [first, ...rest] = sets;
    coverage[source.role] = toRanges(new Set([...(first ?? [])].filter((cp) => rest.every((s) => s.has(cp)))));
  }
  const manifest: Manifest = { families: families as Record<FontRole, string>, coverage };
  await writeAtomic(join(dir, 'fonts.conf'), fontsConf(fontsDir, join(dir, 'cache')));
  await writeAtomic(manifestPath, JSON.stringify(manifest));
  return manifest;
}

let loaded: Promise<CardFonts> | undefined;

/**
 * The card fonts, loaded once per process; the first call also points fontconfig at them
 * (call it before sharp draws any text). `baseDir` defaults to the OS temp directory.
 */
export function loadCardFonts(baseDir: string = tmpdir()): Promise<CardFonts> {
  loaded ??= (async () => {
    const { files, key } = plan();
    const dir = join(baseDir, `crier-fonts-${key}`);
    const manifest = await build(dir, files);
    process.env.FONTCONFIG_FILE = join(dir, 'fonts.conf');
    const roleCoverage = {} as Record<FontRole, ReadonlySet<number>>;
    const coverage = new Set<number>();
    for (const source of FONT_SOURCES) {
      const set = fromRanges(manifest.coverage[source.role]);
      roleCoverage[source.role] = set;
      for (const cp of set) coverage.add(cp);
    }
    return { dir, families: manifest.families, roleCoverage, coverage };
  })();
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
