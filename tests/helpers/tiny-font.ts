/**
 * A minimal TrueType font made in code, for tests of publisher fonts: one glyph (a filled
 * square, 800 × 700 units of 1000) mapped to each of the given BMP code points, under the
 * given family name. Real enough for FreeType, fontconfig and Pango.
 */

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
function i16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
const cat = (...parts: Buffer[]) => Buffer.concat(parts);

function cmap(points: number[]): Buffer {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  // One segment per code point (all map to glyph 1), then the required 0xFFFF segment.
  const ends = [...sorted, 0xffff];
  const starts = [...sorted, 0xffff];
  const deltas = [...sorted.map((cp) => (1 - cp) & 0xffff), 1];
  const segX2 = ends.length * 2;
  const sub = cat(
    u16(4), u16(16 + segX2 * 4), u16(0), u16(segX2), u16(2), u16(0), u16(0),
    ...ends.map(u16), u16(0), ...starts.map(u16), ...deltas.map(u16), ...ends.map(() => u16(0)),
  );
  return cat(u16(0), u16(1), u16(3), u16(1), u32(12), sub);
}

function name(family: string): Buffer {
  const records: Array<[number, string]> = [[1, family], [2, 'Regular'], [4, `${family} Regular`], [6, family.replace(/[^A-Za-z0-9]/g, '') + '-Regular']];
  const strings = records.map(([, s]) => Buffer.from(s, 'utf16le').swap16());
  let offset = 0;
  const entries = records.map(([id], i) => {
    const e = cat(u16(3), u16(1), u16(0x409), u16(id), u16((strings[i] as Buffer).length), u16(offset));
    offset += (strings[i] as Buffer).length;
    return e;
  });
  return cat(u16(0), u16(records.length), u16(6 + 12 * records.length), ...entries, ...strings);
}

export function tinyFont(family: string, codePoints: number[]): Buffer {
  const square = cat(i16(1), i16(100), i16(0), i16(900), i16(700), u16(3), u16(0), Buffer.from([1, 1, 1, 1]), i16(100), i16(0), i16(800), i16(0), i16(0), i16(700), i16(0), i16(-700));
  const glyf = cat(square, Buffer.alloc(square.length % 2));
  const tables: Record<string, Buffer> = {
    'OS/2': cat(
      u16(1), i16(1000), u16(400), u16(5), u16(0), ...Array.from({ length: 11 }, () => i16(0)), Buffer.alloc(10), u32(0), u32(0), u32(0), u32(0),
      Buffer.from('TEST'), u16(0x40), u16(Math.min(...codePoints)), u16(Math.max(...codePoints)), i16(800), i16(-200), i16(0), u16(800), u16(200), u32(1), u32(0),
    ),
    cmap: cmap(codePoints),
    glyf,
    head: cat(u32(0x00010000), u32(0x00010000), u32(0), u32(0x5f0f3cf5), u16(0x000b), u16(1000), Buffer.alloc(16), i16(0), i16(0), i16(1000), i16(800), u16(0), u16(8), i16(2), i16(0), i16(0)),
    hhea: cat(u32(0x00010000), i16(800), i16(-200), i16(0), u16(1000), i16(0), i16(0), i16(900), i16(1), i16(0), i16(0), Buffer.alloc(8), i16(0), u16(2)),
    hmtx: cat(u16(1000), i16(0), u16(1000), i16(100)),
    loca: cat(u16(0), u16(0), u16(glyf.length / 2)),
    maxp: cat(u32(0x00010000), u16(2), u16(4), u16(1), u16(0), u16(0), u16(2), ...Array.from({ length: 8 }, () => u16(0))),
    name: name(family),
    post: cat(u32(0x00030000), u32(0), i16(-100), i16(50), u32(0), u32(0), u32(0), u32(0), u32(0)),
  };
  const tags = Object.keys(tables).sort();
  const header = cat(u32(0x00010000), u16(tags.length), u16(128), u16(3), u16(tags.length * 16 - 128));
  let offset = 12 + 16 * tags.length;
  const dir: Buffer[] = [];
  const data: Buffer[] = [];
  for (const tag of tags) {
    const t = tables[tag] as Buffer;
    dir.push(cat(Buffer.from(tag, 'latin1'), u32(0), u32(offset), u32(t.length)));
    const padded = cat(t, Buffer.alloc((4 - (t.length % 4)) % 4));
    data.push(padded);
    offset += padded.length;
  }
  return cat(header, ...dir, ...data);
}
