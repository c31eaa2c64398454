/**
 * windows-1252 ("Latin-1" on the web; what the WHATWG labels latin1, iso-8859-1 and ascii
 * mean), decoded by hand: Node 20's TextDecoder (from 20.18.3, nodejs/node#56542) decodes
 * it as ISO-8859-1, so the bytes 0x80–0x9F — curly quotes, dashes, €, … — came out as
 * invisible C1 control characters. The five bytes windows-1252 leaves undefined map to the
 * control character of the same number, as the WHATWG Encoding standard says.
 */
const HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

const C1 = /[\u0080-\u009f]/g;

export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(C1, (c) => String.fromCharCode(HIGH[c.charCodeAt(0) - 0x80] as number));
}
