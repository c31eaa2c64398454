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
