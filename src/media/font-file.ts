import { inflateSync } from 'node:zlib';

/**
 * Reading font files without a font library: the table directory of an OpenType/TrueType
 * file (sfnt) or a WOFF 1.0 wrapper, and from it the three things crier needs — which code
 * points the font draws (`cmap`), its family name (`name`) and weight (`OS/2`) — plus
 * WOFF → sfnt, since FreeType in sharp's libvips reads TrueType/OpenType but not WOFF.
 * WOFF2 (Brotli + transformed glyf tables) is refused with a clear error.
 */

export class FontFileError extends Error {
  override readonly name = 'FontFileError';
}

interface Table {
  tag: string;
  checksum: number;
  data: Buffer;
}

const SFNT_VERSIONS = new Set([0x00010000, 0x4f54544f /* OTTO */, 0x74727565 /* true */]);

function kind(buf: Buffer): 'sfnt' | 'woff' {
  if (buf.length < 12) throw new FontFileError('not a font file: too short');
  const magic = buf.toString('latin1', 0, 4);
  if (magic === 'wOFF') return 'woff';
  if (magic === 'wOF2') throw new FontFileError('WOFF2 fonts are not supported: use the TTF, OTF or WOFF file');
  if (magic === 'ttcf') throw new FontFileError('font collections (.ttc) are not supported: use a single TTF or OTF file');
  if (SFNT_VERSIONS.has(buf.readUInt32BE(0))) return 'sfnt';
  throw new FontFileError('not a font file: expected TrueType, OpenType or WOFF');
}

/** Every table of a font, decompressed (WOFF) or sliced (sfnt). */
function tables(buf: Buffer): { flavor: number; tables: Table[] } {
  const out: Table[] = [];
  if (kind(buf) === 'woff') {
    const count = buf.readUInt16BE(12);
    for (let i = 0; i < count; i++) {
      const entry = 44 + i * 20;
      const offset = buf.readUInt32BE(entry + 4);
      const compLength = buf.readUInt32BE(entry + 8);
      const origLength = buf.readUInt32BE(entry + 12);
      if (offset + compLength > buf.length) throw new FontFileError('truncated WOFF file');
      const raw = buf.subarray(offset, offset + compLength);
      out.push({ tag: buf.toString('latin1', entry, entry + 4), checksum: buf.readUInt32BE(entry + 16), data: compLength < origLength ? inflateSync(raw) : raw });
    }
    return { flavor: buf.readUInt32BE(4), tables: out };
  }
  const count = buf.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const entry = 12 + i * 16;
    const offset = buf.readUInt32BE(entry + 8);
    const length = buf.readUInt32BE(entry + 12);
    if (offset + length > buf.length) throw new FontFileError('truncated font file');
    out.push({ tag: buf.toString('latin1', entry, entry + 4), checksum: buf.readUInt32BE(entry + 4), data: buf.subarray(offset, offset + length) });
  }
  return { flavor: buf.readUInt32BE(0), tables: out };
}

/** A TrueType/OpenType file as FreeType reads it: WOFF unwrapped, sfnt returned as is. */
export function toSfnt(buf: Buffer): Buffer {
  if (kind(buf) === 'sfnt') return buf;
  const { flavor, tables: list } = tables(buf);
  const n = list.length;
  let log2 = 0;
  while (1 << (log2 + 1) <= n) log2++;
  const searchRange = (1 << log2) * 16;
  const header = Buffer.alloc(12 + 16 * n);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(n, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(log2, 8);
  header.writeUInt16BE(n * 16 - searchRange, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  list.forEach((table, i) => {
    const entry = 12 + i * 16;
    header.write(table.tag, entry, 'latin1');
    header.writeUInt32BE(table.checksum, entry + 4);
    header.writeUInt32BE(offset, entry + 8);
    header.writeUInt32BE(table.data.length, entry + 12);
    const pad = (4 - (table.data.length % 4)) % 4;
    parts.push(table.data, Buffer.alloc(pad));
    offset += table.data.length + pad;
  });
  return Buffer.concat(parts);
}

function table(buf: Buffer, tag: string): Buffer | undefined {
  return tables(buf).tables.find((t) => t.tag === tag)?.data;
}

/** Code points the font maps to a real glyph (cmap format 4 or 12, Unicode encodings). */
export function fontCodePoints(buf: Buffer): Set<number> {
  const cmap = table(buf, 'cmap');
  const out = new Set<number>();
  if (cmap === undefined) return out;
  let best: { offset: number; format: number } | undefined;
  for (let i = 0; i < cmap.readUInt16BE(2); i++) {
    const platform = cmap.readUInt16BE(4 + i * 8);
    const encoding = cmap.readUInt16BE(6 + i * 8);
    const offset = cmap.readUInt32BE(8 + i * 8);
    const format = cmap.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || (format !== 4 && format !== 12)) continue;
    if (best === undefined || (format === 12 && best.format === 4)) best = { offset, format };
  }
  if (best === undefined) return out;
  const t = best.offset;
  if (best.format === 12) {
    for (let g = 0; g < cmap.readUInt32BE(t + 12); g++) {
      const start = cmap.readUInt32BE(t + 16 + g * 12);
      const end = cmap.readUInt32BE(t + 20 + g * 12);
      const glyph = cmap.readUInt32BE(t + 24 + g * 12);
      for (let cp = start; cp <= end; cp++) if (glyph + (cp - start) !== 0) out.add(cp);
    }
    return out;
  }
  const segments = cmap.readUInt16BE(t + 6) / 2;
  const ends = t + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s++) {
    const end = cmap.readUInt16BE(ends + s * 2);
    const start = cmap.readUInt16BE(starts + s * 2);
    const delta = cmap.readInt16BE(deltas + s * 2);
    const rangeOffset = cmap.readUInt16BE(rangeOffsets + s * 2);
    for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
      else {
        const at = rangeOffsets + s * 2 + rangeOffset + (cp - start) * 2;
        if (at + 2 > cmap.length) continue;
        glyph = cmap.readUInt16BE(at);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) out.add(cp);
    }
  }
  return out;
}

/** The family name fontconfig matches on: typographic family (name id 16), else family (id 1); English first. */
export function fontFamily(buf: Buffer): string {
  const name = table(buf, 'name');
  if (name === undefined) throw new FontFileError('font has no name table');
  const count = name.readUInt16BE(2);
  const strings = name.readUInt16BE(4);
  const found: Array<{ id: number; rank: number; value: string }> = [];
  for (let i = 0; i < count; i++) {
    const r = 6 + i * 12;
    const platform = name.readUInt16BE(r);
    const language = name.readUInt16BE(r + 4);
    const id = name.readUInt16BE(r + 6);
    if (id !== 1 && id !== 16) continue;
    const bytes = name.subarray(strings + name.readUInt16BE(r + 10), strings + name.readUInt16BE(r + 10) + name.readUInt16BE(r + 8));
    let value: string;
    if (platform === 3 || platform === 0) value = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
    else if (platform === 1) value = bytes.toString('latin1');
    else continue;
    const english = (platform === 3 && language === 0x409) || (platform === 1 && language === 0);
    found.push({ id, rank: (id === 16 ? 0 : 2) + (english ? 0 : 1), value: value.trim() });
  }
  const best = found.filter((f) => f.value !== '').sort((a, b) => a.rank - b.rank)[0];
  if (best === undefined) throw new FontFileError('font has no family name');
  return best.value;
}

/** usWeightClass from the OS/2 table (400 regular, 700 bold); 400 when absent. */
export function fontWeight(buf: Buffer): number {
  const os2 = table(buf, 'OS/2');
  return os2 === undefined || os2.length < 6 ? 400 : os2.readUInt16BE(4);
}
