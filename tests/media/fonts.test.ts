import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fontsConf, loadCardFonts, type FontRole } from '../../src/media/fonts.js';

/** Characters of a legacy national character set, decoded through TextDecoder (the encodings' own lists). */
function decode(encoding: string, lead: [number, number], trail: [number, number], skip?: (hi: number, lo: number) => boolean): string[] {
  const bytes: number[] = [];
  for (let hi = lead[0]; hi <= lead[1]; hi++) {
    for (let lo = trail[0]; lo <= trail[1]; lo++) if (!skip?.(hi, lo)) bytes.push(hi, lo);
  }
  return [...new TextDecoder(encoding).decode(Uint8Array.from(bytes))].filter((c) => c !== '\ufffd');
}

const range = (from: number, to: number, except: number[] = []) => Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((cp) => !except.includes(cp)).map((cp) => String.fromCodePoint(cp));
const chars = (s: string) => [...s];

/** What each script of issue 15 needs, and which shipped font must draw it. */
const SCRIPTS: Array<{ script: string; role: FontRole; chars: string[] }> = [
  { script: 'Latin (with Latin-1 and Extended-A)', role: 'latin', chars: [...range(0x41, 0x5a), ...range(0x61, 0x7a), ...range(0xc0, 0xff, [0xd7, 0xf7]), ...range(0x100, 0x17f)] },
  { script: 'Cyrillic (Russian, Ukrainian, Serbian)', role: 'latin', chars: [...range(0x410, 0x44f), ...chars('ЁёІіЇїЄєҐґЂђЈјЉљЊњЋћЏџ')] },
  { script: 'Greek', role: 'latin', chars: range(0x391, 0x3c9, [0x3a2]) },
  { script: 'Vietnamese', role: 'latin', chars: chars('ẠạẢảẤấẦầẨẩẪẫẬậắằẳẵặẸẹẺẻẼẽếềểễệỈỉỊịỌọỎỏốồổỗộớờởỡợỤụỦủứừửữựỲỳỴỵỶỷỸỹĐđƠơƯư') },
  { script: 'Arabic', role: 'arabic', chars: [...range(0x621, 0x63a), ...range(0x641, 0x64a), ...range(0x64b, 0x652), ...range(0x660, 0x669), ...chars('،؛؟')] },
  { script: 'Persian', role: 'arabic', chars: [...chars('پچژگکیۀ'), ...range(0x6f0, 0x6f9)] },
  { script: 'Hebrew', role: 'hebrew', chars: [...range(0x5d0, 0x5ea), ...range(0x5b0, 0x5bc)] },
  { script: 'Devanagari', role: 'devanagari', chars: [...range(0x901, 0x939), ...range(0x93c, 0x94d), ...range(0x950, 0x954), ...range(0x958, 0x970)] },
  { script: 'Bengali', role: 'bengali', chars: [...range(0x985, 0x98c), ...range(0x995, 0x9a8), ...range(0x9be, 0x9c4), ...range(0x9e6, 0x9ef)] },
  { script: 'Tamil', role: 'tamil', chars: [...range(0xb85, 0xb8a), ...chars('கஙசஞடணதநனபமயரறலளழவ'), ...range(0xbe6, 0xbef)] },
  { script: 'Gujarati', role: 'gujarati', chars: [...range(0xa85, 0xa8b), ...range(0xa95, 0xaa8), ...range(0xae6, 0xaef)] },
  { script: 'Gurmukhi (Punjabi)', role: 'gurmukhi', chars: [...range(0xa15, 0xa28), ...range(0xa66, 0xa6f)] },
  { script: 'Kannada', role: 'kannada', chars: [...range(0xc95, 0xca8), ...range(0xce6, 0xcef)] },
  { script: 'Malayalam', role: 'malayalam', chars: [...range(0xd15, 0xd28), ...range(0xd66, 0xd6f)] },
  { script: 'Odia', role: 'oriya', chars: [...range(0xb15, 0xb28), ...range(0xb66, 0xb6f)] },
  { script: 'Telugu', role: 'telugu', chars: [...range(0xc15, 0xc28), ...range(0xc66, 0xc6f)] },
  { script: 'Thai', role: 'thai', chars: [...range(0xe01, 0xe3a), ...range(0xe3f, 0xe5b)] },
  { script: 'Simplified Chinese (every GB 2312 hanzi)', role: 'sc', chars: decode('gbk', [0xb0, 0xf7], [0xa1, 0xfe]).filter((c) => /\p{Script=Han}/u.test(c)) },
  { script: 'Traditional Chinese (every Big5 hanzi, drawn by the SC font)', role: 'sc', chars: decode('big5', [0xa4, 0xf9], [0x40, 0xfe]).filter((c) => /\p{Script=Han}/u.test(c)) },
  { script: 'Japanese kana', role: 'jp', chars: [...range(0x3041, 0x3096), ...range(0x30a1, 0x30fa), ...chars('ー、。「」')] },
  { script: 'Japanese kanji (JIS X 0208 level 1)', role: 'jp', chars: decode('shift_jis', [0x88, 0x98], [0x40, 0xfc], (hi, lo) => lo === 0x7f || (hi === 0x88 && lo < 0x9f) || (hi === 0x98 && lo > 0x72)) },
  { script: 'Korean (every modern Hangul syllable)', role: 'kr', chars: range(0xac00, 0xd7a3) },
  { script: 'Korean hanja (KS X 1001)', role: 'kr', chars: decode('euc-kr', [0xca, 0xfd], [0xa1, 0xfe]).filter((c) => /\p{Script=Han}/u.test(c)) },
  { script: 'Emoji', role: 'emoji', chars: [...chars('😀🌊🔥⚽🎉👍🏽👨👩👧🇺🇦❤🗳📰⚠'), ...range(0x1f1e6, 0x1f1ff)] },
];

describe('shipped card fonts', () => {
  it('should cover every script of the list with a shipped font, read from the fonts\' cmap', async () => {
    const fonts = await loadCardFonts();
    for (const { script, role, chars: needed } of SCRIPTS) {
      expect(needed.length, script).toBeGreaterThan(10);
      const missing = needed.filter((ch) => !fonts.roleCoverage[role].has(ch.codePointAt(0) as number));
      expect({ script, missing }).toEqual({ script, missing: [] });
    }
    expect(fonts.roleCoverage.kr.size).toBeGreaterThan(11_172);
    for (const ch of ['\u0D9A', '\u1780', '\u10D0']) expect(fonts.coverage.has(ch.codePointAt(0) as number)).toBe(false); // Sinhala, Khmer, Georgian: not shipped
  });

  it('should name each role\'s font family as fontconfig will match it', async () => {
    const { families } = await loadCardFonts();
    expect(families).toMatchObject({ latin: 'Noto Sans', arabic: 'Noto Sans Arabic', hebrew: 'Noto Sans Hebrew', devanagari: 'Noto Sans Devanagari', thai: 'Noto Sans Thai', emoji: 'Noto Color Emoji' });
    expect(families.sc).toMatch(/Noto Sans/);
    expect(new Set([families.sc, families.jp, families.kr]).size).toBe(3);
  });

  it('should keep the fonts in a directory of their own and point fontconfig only at it', async () => {
    const fonts = await loadCardFonts();
    const conf = readFileSync(join(fonts.dir, 'fonts.conf'), 'utf8');
    expect(process.env.FONTCONFIG_FILE).toBe(join(fonts.dir, 'fonts.conf'));
    expect([...conf.matchAll(/<dir>([^<]*)<\/dir>/g)].map((m) => m[1])).toEqual([join(fonts.dir, 'files')]);
    expect(existsSync(join(fonts.dir, 'files', 'latin-noto-sans-latin-700-normal.ttf'))).toBe(true);
    // Unwrapped from WOFF: a TrueType file FreeType can read.
    expect(readFileSync(join(fonts.dir, 'files', 'latin-noto-sans-latin-700-normal.ttf')).readUInt32BE(0)).toBe(0x00010000);
  });

  it('should escape the directory names it writes into fonts.conf', () => {
    expect(fontsConf('/tmp/a&b<c', '/tmp/c"d')).toContain('<dir>/tmp/a&amp;b&lt;c</dir>');
    expect(fontsConf('/tmp/a&b<c', '/tmp/c"d')).toContain('<cachedir>/tmp/c&quot;d</cachedir>');
  });
});
