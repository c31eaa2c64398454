import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FontFileError, fontCodePoints, fontFamily, fontWeight, toSfnt } from '../../src/media/font-file.js';
import { tinyFont } from '../helpers/tiny-font.js';

const require = createRequire(import.meta.url);
const woff = readFileSync(require.resolve('@fontsource/noto-sans-hebrew/files/noto-sans-hebrew-hebrew-700-normal.woff'));

describe('font files', () => {
  it('should unwrap a WOFF file into a TrueType file with the same tables', () => {
    const sfnt = toSfnt(woff);
    expect(sfnt.readUInt32BE(0)).toBe(0x00010000);
    expect(sfnt.readUInt16BE(4)).toBe(woff.readUInt16BE(12));
    expect(fontFamily(sfnt)).toBe('Noto Sans Hebrew');
    expect(fontWeight(sfnt)).toBe(700);
    expect([...fontCodePoints(sfnt)].sort()).toEqual([...fontCodePoints(woff)].sort());
    expect(fontCodePoints(sfnt).has(0x5d0)).toBe(true); // א
    // Every table starts on a 4-byte boundary.
    for (let i = 0; i < sfnt.readUInt16BE(4); i++) expect(sfnt.readUInt32BE(12 + i * 16 + 8) % 4).toBe(0);
  });

  it('should read the family and the code points of a TrueType file as it is', () => {
    const font = tinyFont('Crier Test Blocks', [0x58, 0xe000]);
    expect(toSfnt(font)).toBe(font);
    expect(fontFamily(font)).toBe('Crier Test Blocks');
    expect([...fontCodePoints(font)].sort((a, b) => a - b)).toEqual([0x58, 0xe000]);
  });

  it('should refuse WOFF2, collections and files that are not fonts, saying which', () => {
    expect(() => toSfnt(Buffer.from('wOF2' + '\0'.repeat(60), 'latin1'))).toThrow(new FontFileError('WOFF2 fonts are not supported: use the TTF, OTF or WOFF file'));
    expect(() => toSfnt(Buffer.from('ttcf' + '\0'.repeat(60), 'latin1'))).toThrow(/collections/);
    expect(() => toSfnt(Buffer.from('<html>not a font</html>'))).toThrow(new FontFileError('not a font file: expected TrueType, OpenType or WOFF'));
    expect(() => toSfnt(woff.subarray(0, woff.length / 2))).toThrow(/truncated/);
  });
});
