import { TextDecoder } from 'node:util';
import { decodeWindows1252 } from './windows-1252.js';

/**
 * Bytes of a fetched document → text, in the encoding the document is really in.
 *
 *   1. a byte-order mark (UTF-8, UTF-16 LE/BE): it cannot be wrong about the bytes after it
 *      (RFC 7303 §3.2 and the WHATWG Encoding standard put it first);
 *   2. the HTTP `Content-Type: …; charset=…`;
 *   3. the document's own declaration, read in its first 1024 bytes: an XML prolog
 *      `<?xml version="1.0" encoding="ISO-8859-1"?>`, or an HTML `<meta charset>` /
 *      `<meta http-equiv="Content-Type" content="…; charset=…">`;
 *   4. a sniff: UTF-8 when the bytes are valid UTF-8, else windows-1252 (what "Latin-1" means
 *      on the web, and what a browser would use).
 *
 * Decoding is Node's TextDecoder (WHATWG labels: "latin1" and "iso-8859-1" are windows-1252,
 * "koi8-r", "shift_jis", "gb2312"… all there with Node's full ICU). A label it does not know
 * is skipped for the next source rather than guessed at.
 */

export type CharsetSource = 'bom' | 'http' | 'document' | 'sniff';

export interface DecodedBody {
  text: string;
  /** The WHATWG name of the encoding used ("utf-8", "windows-1252"…). */
  encoding: string;
  source: CharsetSource;
}

const BOMS: Array<{ bytes: number[]; encoding: string }> = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

interface Decoder {
  /** The WHATWG name of the encoding. */
  encoding: string;
  decode(bytes: Uint8Array): string;
}

const WINDOWS_1252: Decoder = { encoding: 'windows-1252', decode: decodeWindows1252 };

/** A decoder for a label, or undefined when the label names no encoding TextDecoder knows. */
export function decoderFor(label: string | undefined): Decoder | undefined {
  const name = label?.trim().replace(/^["']|["']$/g, '');
  if (name === undefined || name === '') return undefined;
  try {
    // ignoreBOM: false (the default) drops a BOM matching the encoding; text never starts with U+FEFF.
    const decoder = new TextDecoder(name);
    // TextDecoder knows the label but decodes windows-1252 as ISO-8859-1 on Node 20 (see windows-1252.ts).
    return decoder.encoding === 'windows-1252' ? WINDOWS_1252 : decoder;
  } catch {
    return undefined;
  }
}

/** The charset parameter of a Content-Type header value. */
export function httpCharset(contentType: string | null | undefined): string | undefined {
  return /;\s*charset\s*=\s*("?)([^";,\s]+)\1/i.exec(contentType ?? '')?.[2];
}

/** The encoding the document declares in its first 1024 bytes (XML prolog or HTML meta). */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  const xml = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml !== null) return xml[1];
  const meta = /<meta[^>]+charset\s*=\s*["']?([^"'\s/>;]+)/i.exec(head);
  return meta?.[1];
}

export function decodeBody(bytes: Uint8Array, contentType?: string | null): DecodedBody {
  for (const bom of BOMS) {
    if (bom.bytes.every((b, i) => bytes[i] === b)) return { text: new TextDecoder(bom.encoding).decode(bytes), encoding: bom.encoding, source: 'bom' };
  }
  const http = decoderFor(httpCharset(contentType));
  if (http !== undefined) return { text: http.decode(bytes), encoding: http.encoding, source: 'http' };
  const declared = decoderFor(declaredCharset(bytes));
  // A document whose prolog was readable as ASCII is not UTF-16, whatever it says (the HTML standard's rule too).
  if (declared !== undefined && !declared.encoding.startsWith('utf-16')) return { text: declared.decode(bytes), encoding: declared.encoding, source: 'document' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', source: 'sniff' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252', source: 'sniff' };
  }
}
