import { describe, expect, it } from 'vitest';
import { BodyError, jsonDepth, parseJsonBody } from '../../src/http/json-body.js';

const parse = (s: string) => parseJsonBody(Buffer.from(s));

describe('parseJsonBody', () => {
  it('should parse ordinary JSON', () => {
    expect(parse('{"title":"a [b] {c}","tags":["x"]}')).toEqual({ title: 'a [b] {c}', tags: ['x'] });
  });

  it('should refuse prototype-polluting keys at any depth', () => {
    expect(() => parse('{"__proto__":{"polluted":true}}')).toThrow(/forbidden key "__proto__"/);
    expect(() => parse('{"a":[{"constructor":{"prototype":{}}}]}')).toThrow(BodyError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should count nesting outside strings only and refuse deep nesting', () => {
    expect(jsonDepth('{"a":"[[[[{{{{","b":[1,[2]]}')).toBe(3);
    expect(jsonDepth('{"a":"\\"[[[["}')).toBe(1);
    expect(() => parse('['.repeat(33) + ']'.repeat(33))).toThrow(/nested deeper than 32/);
    expect(parse('['.repeat(32) + ']'.repeat(32))).toBeInstanceOf(Array);
  });

  it('should explain empty and broken bodies', () => {
    expect(() => parse('  ')).toThrow(/empty body/);
    expect(() => parse('{"title": }')).toThrow(/^invalid JSON: /);
  });
});

describe('webhook body charsets', () => {
  const latin1 = Buffer.from([...Buffer.from('{"title":"Caf'), 0xe9, ...Buffer.from(' cr'), 0xe8, ...Buffer.from('me '), 0x96, ...Buffer.from(' 5 '), 0x80, ...Buffer.from('"}')]);

  it('should read a body in the charset its Content-Type names, windows-1252 punctuation included', () => {
    expect(parseJsonBody(latin1, undefined, 'application/json; charset=iso-8859-1')).toEqual({ title: 'Café crème – 5 €' });
    expect(parseJsonBody(latin1, undefined, 'application/json; charset="windows-1252"')).toEqual({ title: 'Café crème – 5 €' });
    expect(parseJsonBody(Buffer.from('{"title":"Café – 5 €"}'), undefined, 'application/json; charset=utf-8')).toEqual({ title: 'Café – 5 €' });
  });

  it('should refuse bytes that are not UTF-8 when no charset is named, and a charset nobody knows', () => {
    expect(() => parseJsonBody(latin1, undefined, 'application/json')).toThrow(/not valid UTF-8: send UTF-8, or name its charset/);
    expect(() => parseJsonBody(latin1)).toThrow(BodyError);
    expect(() => parseJsonBody(latin1, undefined, 'application/json; charset=utf-8')).toThrow(/not valid UTF-8/);
    expect(() => parseJsonBody(Buffer.from('{}'), undefined, 'application/json; charset=klingon')).toThrow(/unknown charset "klingon"/);
  });
});
