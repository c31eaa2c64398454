import { TextDecoder } from 'node:util';
import { decoderFor, httpCharset } from '../net/decode-body.js';

/**
 * JSON from an untrusted request body: refuses prototype-polluting keys (`__proto__`,
 * `constructor`, `prototype`) and nesting deeper than a webhook ever needs, before
 * anything else looks at the object.
 */

export class BodyError extends Error {
  override readonly name = 'BodyError';
}

export const MAX_DEPTH = 32;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Deepest array/object nesting in JSON text, counted outside strings (linear, no recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * The body's text: in the charset its Content-Type declares (a CMS sending Latin-1 says
 * so), else UTF-8, as JSON must be. Bytes that are not UTF-8 and declare nothing are
 * refused: read as UTF-8 they would reach every platform as "Caf� cr�me".
 */
function bodyText(raw: Buffer, contentType: string | undefined): string {
  const declared = httpCharset(contentType);
  if (declared !== undefined) {
    const decoder = decoderFor(declared);
    if (decoder === undefined) throw new BodyError(`unknown charset "${declared}" in Content-Type`);
    if (decoder.encoding !== 'utf-8') return decoder.decode(raw);
  }
  try {
    return UTF8.decode(raw);
  } catch {
    throw new BodyError('the body is not valid UTF-8: send UTF-8, or name its charset in Content-Type (application/json; charset=iso-8859-1)');
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parse a body as JSON; throws BodyError with a one-line reason. */
export function parseJsonBody(raw: Buffer, maxDepth = MAX_DEPTH, contentType?: string): unknown {
  const text = bodyText(raw, contentType).replace(/^\ufeff/, '');
  if (text.trim() === '') throw new BodyError('empty body: expected a JSON object');
  if (jsonDepth(text) > maxDepth) throw new BodyError(`JSON nested deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN.has(key)) throw new BodyError(`forbidden key "${key}" in JSON`);
      return value;
    });
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError(`invalid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}
