import { ArticleError, toArticle, type Article } from './schema.js';

/** Article JSON (the webhook body shape) → Article. `{"article": {...}}` (preview output) is accepted too. */

/**
 * Offset of the first syntax error, found by a small validating scanner: V8's messages only
 * sometimes say "at position N", and an editor needs line and column.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    if (text[i] !== '"') fail();
    for (i++; i < text.length && text[i] !== '"'; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (depth: number): void => {
    if (depth > 1000) fail();
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === '{') {
          ws();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m === null) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

function position(text: string): string {
  const at = jsonErrorOffset(text);
  if (at < 0) return '';
  const before = text.slice(0, at).split('\n');
  return ` (line ${before.length}, column ${(before[before.length - 1] ?? '').length + 1})`;
}

export function parseJsonText(text: string): unknown {
  const source = text.replace(/^\ufeff/, '');
  try {
    return JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ').trim();
    throw new ArticleError(`not valid JSON: ${message.slice(0, 200)}${position(source)}`);
  }
}

export function extractJson(text: string, opts: { url?: string } = {}): Article {
  const value = parseJsonText(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ArticleError(`article JSON must be an object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  let record = value as Record<string, unknown>;
  const inner = record.article;
  if (record.title === undefined && record.url === undefined && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
    record = inner as Record<string, unknown>;
  }
  const input: Record<string, unknown> = { ...record };
  if (input.title === undefined || input.title === null || (typeof input.title === 'string' && input.title.trim() === '')) {
    throw new ArticleError('article has no title');
  }
  if (input.url === undefined || input.url === null || input.url === '') {
    if (opts.url === undefined) throw new ArticleError('article has no URL: pass --url URL');
    input.url = opts.url;
  }
  return toArticle(input);
}
