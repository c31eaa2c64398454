import { boilerplate, isTrailerStart, type Boilerplate } from './boilerplate.js';
import { finishArticle, type Extracted } from './extract-common.js';
import { dropTrailingBio, mergeBrokenParagraphs, pickSummary, type Paragraph } from './markdown-body.js';
import { splitBlocks, type Block } from './markdown-blocks.js';
import { frontMatterFields, splitFrontMatter } from './markdown-frontmatter.js';
import { findImages, isItalic, isLinkOnly, plainText, type MdImage } from './markdown-inline.js';
import { classifyLine, type MetaLine } from './markdown-meta.js';
import type { Article } from './schema.js';

/**
 * An article page converted to Markdown → Article. The shape: optional front matter, a title heading,
 * a deck, byline, dateline(s), "Region:/Theme:" tag lines, an italic lead, the body, and site
 * boilerplate (share prompts, notes to readers, bios, copyright and disclaimer trailers) to drop.
 */

export interface ExtractOptions {
  /** Used when the file names no URL of its own. */
  url?: string;
  /** Case-insensitive regexes; a paragraph matching any is boilerplate. Default: DEFAULT_BOILERPLATE. */
  boilerplate?: readonly string[];
}

interface Scan {
  title?: string;
  subtitle?: string;
  url?: string;
  authors: string[];
  dates: { iso: string; updated: boolean }[];
  tags: string[];
  source?: { name?: string; url?: string };
  sourceHint?: string;
  image?: MdImage;
  paragraphs: Paragraph[];
}

const sameText = (a: string, b: string): boolean => a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();

/** Every visual line of a paragraph block is metadata → the findings; else undefined. */
function metaOf(block: Block, inHeader: boolean): MetaLine[] | undefined {
  if (block.kind !== 'paragraph') return undefined;
  const classify = (lines: string[]): MetaLine[] | undefined => {
    const metas: MetaLine[] = [];
    for (const line of lines) {
      const meta = classifyLine(line, plainText(line), inHeader);
      if (meta === undefined) return undefined;
      metas.push(meta);
    }
    return metas.some((m) => m.kind !== 'noise') ? metas : undefined;
  };
  // "By X⏎Site, May 2, 2024" soft-wraps into one line; the lines as written may each be metadata.
  if (block.sourceLines.length !== block.lines.length && block.sourceLines.length <= 20) {
    const written = classify(block.sourceLines);
    if (written !== undefined) return written;
  }
  return block.lines.length <= 20 ? classify(block.lines) : undefined;
}

function record(scan: Scan, meta: MetaLine): void {
  switch (meta.kind) {
    case 'url':
      scan.url ??= meta.url;
      break;
    case 'title':
      scan.title ??= plainText(meta.title, { keepTags: true });
      break;
    case 'date':
      scan.dates.push({ iso: meta.iso, updated: meta.updated });
      if (meta.sourceName !== undefined) scan.sourceHint ??= meta.sourceName;
      break;
    case 'byline':
      if (scan.authors.length === 0) scan.authors.push(...meta.authors);
      if (meta.iso !== undefined) scan.dates.push({ iso: meta.iso, updated: false });
      break;
    case 'tags':
      scan.tags.push(...meta.tags);
      break;
    case 'source':
      scan.source ??= { ...(meta.name !== undefined ? { name: meta.name } : {}), ...(meta.url !== undefined ? { url: meta.url } : {}) };
      break;
    case 'noise':
      break;
  }
}

/** In the trailer, only labelled lines count: where the piece first ran, its tags, its URL. */
function recordLabelled(scan: Scan, line: string): void {
  const meta = classifyLine(line, plainText(line), false);
  if (meta !== undefined && (meta.kind === 'source' || meta.kind === 'tags' || meta.kind === 'url')) record(scan, meta);
}

const imageOnly = (b: Block | undefined): boolean => b?.kind === 'paragraph' && plainText(b.lines.join('\n')) === '' && findImages(b.lines.join('\n')).length > 0;

/** Where the title is: the first `#` heading, else a `Title:` line, else the first heading of level ≤ 3. */
function locateTitle(blocks: Block[], bp: Boilerplate): { index: number; title?: string } {
  // Several H1s (a site name, then the headline): prefer the one a byline or dateline follows.
  const h1s = blocks.flatMap((b, i) => (b.kind === 'heading' && b.level === 1 && plainText(b.raw) !== '' ? [i] : []));
  const h1 = h1s.length > 1 ? (h1s.slice(0, 5).find((i) => metaFollows(blocks, i + 1, bp)) ?? h1s[0] ?? -1) : (h1s[0] ?? -1);
  const titleLine = blocks.findIndex((b) => metaOf(b, true)?.some((m) => m.kind === 'title') === true);
  const any = blocks.findIndex((b) => b.kind === 'heading' && b.level <= 3 && plainText(b.raw) !== '');
  const index = h1 >= 0 ? h1 : titleLine >= 0 ? titleLine : any;
  const block = blocks[index];
  if (block?.kind === 'heading') return { index, title: plainText(block.raw, { keepTags: true }) };
  return { index }; // a Title: line (recorded with the other metadata) or nothing
}

/** Does a byline/dateline/tag line follow (skipping separators, images and boilerplate)? */
function metaFollows(blocks: Block[], from: number, bp: Boilerplate): boolean {
  for (let i = from, seen = 0; i < blocks.length && seen < 4; i++) {
    const b = blocks[i];
    if (b === undefined || b.kind === 'separator' || imageOnly(b)) continue;
    if (b.kind === 'paragraph' && bp.matches(plainText(b.lines.join('\n')))) {
      seen++;
      continue;
    }
    return metaOf(b, true)?.some((m) => m.kind === 'byline' || m.kind === 'date' || m.kind === 'tags' || m.kind === 'source') === true;
  }
  return false;
}

function scanBlocks(blocks: Block[], bp: Boilerplate): Scan {
  const scan: Scan = { authors: [], dates: [], tags: [], paragraphs: [] };
  const located = locateTitle(blocks, bp);
  if (located.title !== undefined) scan.title = located.title;
  // Before the title: only explicit metadata lines count (converter headers such as "URL Source:").
  for (const b of blocks.slice(0, Math.max(located.index, 0))) metaOf(b, true)?.forEach((m) => record(scan, m));
  // header → body → trailer; in the trailer only labelled lines (source, tags, URL) still count.
  let state: 'header' | 'body' | 'trailer' = 'header';
  let deckOpen = located.title !== undefined;
  let separatorPending = false;
  let afterImage = false;
  for (let i = Math.max(located.index, 0); i < blocks.length; i++) {
    const b = blocks[i];
    if (b === undefined || (i === located.index && b.kind === 'heading')) continue;
    if (state === 'trailer') {
      if (b.kind === 'paragraph') b.lines.forEach((line) => recordLabelled(scan, line));
      continue;
    }
    if (b.kind === 'separator') {
      if (state === 'body') separatorPending = true;
      continue;
    }
    if (b.kind === 'code') {
      state = 'body';
      deckOpen = false;
      scan.paragraphs.push({ text: b.text, italic: false });
      continue;
    }
    if (b.kind === 'heading') {
      const plain = plainText(b.raw);
      if (plain === '' || (scan.title !== undefined && sameText(plain, scan.title))) continue;
      const junk = bp.matches(plain) || isTrailerStart(plain);
      if (state === 'header' && deckOpen && !junk && b.level >= 2) scan.subtitle = plain;
      else if (junk) {
        if (state === 'body') state = 'trailer';
      } else {
        state = 'body';
        scan.paragraphs.push({ text: plain, italic: false });
      }
      deckOpen = false;
      continue;
    }
    const raw = b.lines.join('\n');
    const firstImage = findImages(raw).find((img) => img.url.trim() !== '' && !img.url.trim().startsWith('data:'));
    if (scan.image === undefined && firstImage !== undefined) scan.image = firstImage;
    const plain = plainText(raw);
    const wasAfterImage = afterImage;
    afterImage = plain === '' && findImages(raw).length > 0;
    if (plain === '' || isLinkOnly(raw)) continue;

    const metas = metaOf(b, state === 'header');
    if (deckOpen) {
      deckOpen = false;
      // A deck is prose; a line that is all metadata (a byline, a bare date) is not one.
      const proseLike = metas === undefined || metas.every((m) => m.kind === 'date' && m.extraWords > 3);
      if (proseLike && !bp.matches(plain) && plain.length <= 600 && metaFollows(blocks, i + 1, bp)) {
        scan.subtitle = plain;
        continue;
      }
    }
    if (state === 'body') {
      const trailerAt = b.lines.findIndex((line) => isTrailerStart(plainText(line)));
      if (trailerAt >= 0) {
        b.lines.forEach((line) => recordLabelled(scan, line));
        state = 'trailer';
        continue;
      }
    }
    if (metas !== undefined) {
      metas.forEach((m) => record(scan, m));
      continue;
    }
    if (bp.matches(plain)) {
      if (state === 'body' && separatorPending) state = 'trailer'; // "***" then "Note to readers…": the trailer has begun
      continue;
    }
    const cleaned = bp.clean(plain);
    if (cleaned === undefined) continue;
    const italic = isItalic(raw);
    if (wasAfterImage && italic && cleaned.length <= 150) continue; // an image caption
    state = 'body';
    separatorPending = false;
    scan.paragraphs.push({ text: cleaned, italic });
  }
  scan.paragraphs = dropTrailingBio(mergeBrokenParagraphs(scan.paragraphs));
  return scan;
}

export function extractMarkdown(text: string, opts: ExtractOptions = {}): Article {
  const { data, content } = splitFrontMatter(text);
  const explicit = data === undefined ? {} : frontMatterFields(data);
  const bp = boilerplate(opts.boilerplate);
  // "Markdown Content:" (a common converter header) introduces the page; it is not part of it.
  const blocks = splitBlocks(content.replace(/^[ \t]*markdown content:[ \t]*$/gim, ''));
  const scan = scanBlocks(blocks, bp);

  const found: Extracted = { authors: scan.authors, tags: scan.tags };
  if (scan.title !== undefined) found.title = scan.title;
  if (scan.subtitle !== undefined) found.subtitle = scan.subtitle;
  if (scan.url !== undefined) found.url = scan.url;
  const date = scan.dates.find((d) => !d.updated) ?? scan.dates[0];
  if (date !== undefined) found.publishedAt = date.iso;
  const summary = pickSummary(scan.paragraphs);
  if (summary !== undefined) found.summary = summary;
  if (scan.paragraphs.length > 0) found.body = scan.paragraphs.map((p) => p.text).join('\n\n');
  if (scan.image !== undefined) found.image = scan.image.alt === '' ? { url: scan.image.url } : { url: scan.image.url, alt: scan.image.alt };
  const source = scan.source ?? (scan.sourceHint !== undefined ? { name: scan.sourceHint } : undefined);
  if (source !== undefined) found.source = source;
  return finishArticle(found, explicit, opts.url);
}
