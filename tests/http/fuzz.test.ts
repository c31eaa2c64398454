import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.js';
import { signBody } from '../../src/http/signature.js';
import { silentLogger } from '../../src/logging.js';
import { countJobs, deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { SECRETS, TestApp, testConfig } from './test-app.js';

/**
 * Bad input at volume: 1,000 generated webhook bodies that are not articles — random
 * bytes, truncated JSON, wrong types, huge strings, deep nesting, prototype-pollution
 * keys — sent to POST /publish signed (a valid signature) and unsigned (none, or a forged
 * one). Every one must get a 4xx, nothing may be enqueued or written to the ledger, the
 * server must still work afterwards, Object.prototype must stay clean and the heap must
 * come back to where it was.
 */

const GOOD = {
  url: 'https://gazette.example/2026/07/quay-plan',
  title: 'Quay plan approved after a long night',
  summary: 'The council voted 23 to 8.',
  tags: ['Harbour'],
};
const BODY_LIMIT = 256 * 1024;

/** A real GC, whether or not the process was started with --expose-gc. */
function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const json = (value: unknown) => JSON.stringify(value);
const nest = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }));

/** Bodies that are never an article, each tagged with its kind. */
const badBody: fc.Arbitrary<{ kind: string; body: Buffer }> = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ kind: 'random bytes', body: Buffer.from(bytes) })),
  fc.string({ unit: 'binary', maxLength: 2000 }).map((text) => ({ kind: 'random text', body: Buffer.from(text) })),
  fc
    .record({ extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), cut: fc.double({ min: 0, max: 0.999, noNaN: true }) })
    .map(({ extra, cut }) => {
      const text = json({ ...extra, ...GOOD });
      return { kind: 'truncated JSON', body: Buffer.from(text.slice(0, Math.floor(text.length * cut))) };
    }),
  fc.constantFrom('url', 'title').chain((field) => wrongType.map((value) => ({ kind: `wrong type (${field})`, body: Buffer.from(json({ ...GOOD, [field]: value })) }))),
  fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)), fc.constant([GOOD])).map((value) => ({ kind: 'not an object', body: Buffer.from(json(value)) })),
  fc.constantFrom('title', 'url', 'summary', 'body', 'tags').chain((field) =>
    fc.integer({ min: 1, max: 4 }).map((scale) => {
      // Each just past the schema's limit (or the body limit): 1000, 10,000, 500,000 characters, 2048 for a URL, 100 tags.
      const huge = 'ü'.repeat(field === 'title' ? 1000 * scale + 1 : field === 'summary' ? 10_000 * scale + 1 : field === 'body' ? 500_000 * scale + 1 : 2049 * scale);
      const value = field === 'url' ? `https://gazette.example/${huge}` : field === 'tags' ? Array.from({ length: 101 * scale }, () => 'tag') : huge;
      return { kind: `huge ${field}`, body: Buffer.from(json({ ...GOOD, [field]: value })) };
    }),
  ),
  fc.integer({ min: 33, max: 20_000 }).chain((depth) =>
    fc.constantFrom('[', '{"a":').map((open) => {
      const inner = nest(depth, open, open === '[' ? ']' : '}');
      return { kind: 'deep nesting', body: Buffer.from(`{"url":"${GOOD.url}","title":"t","tags":${inner}}`) };
    }),
  ),
  fc
    .constantFrom(
      `{"__proto__":{"polluted":"yes"},"url":"${GOOD.url}","title":"t"}`,
      `{"url":"${GOOD.url}","title":"t","constructor":{"prototype":{"polluted":"yes"}}}`,
      `{"url":"${GOOD.url}","title":"t","image":{"url":"${GOOD.url}","__proto__":{"polluted":"yes"}}}`,
      `{"post":{"current":{"__proto__":{"polluted":"yes"},"url":"${GOOD.url}","title":"t"}}}`,
      `{"url":"${GOOD.url}","title":"t","tags":[{"__proto__":{"polluted":"yes"}}]}`,
      `{"url":"${GOOD.url}","title":"t","source":{"prototype":{"polluted":"yes"}}}`,
      `{"__proto__":{"__proto__":{"polluted":"yes"}}}`,
    )
    .map((text) => ({ kind: 'prototype pollution', body: Buffer.from(text) })),
);

describe('POST /publish under 1,000 bad bodies', () => {
  const prefix = uniquePrefix('fuzz');
  let app: TestApp;
  let server: FastifyInstance;
  const now = 1_780_000_000;

  beforeAll(async () => {
    app = new TestApp(testConfig(prefix, { bodyLimit: BODY_LIMIT }), silentLogger);
    server = await buildServer({ app, now: () => now });
  });

  afterAll(async () => {
    await server.close();
    await app.close();
    await deletePrefix(prefix);
  });

  const jobCount = () => countJobs(app);
  const keysLike = async (pattern: string) => {
    const redis = new Redis(REDIS_URL);
    try {
      return (await redis.keys(`${prefix}:${pattern}`)).length;
    } finally {
      redis.disconnect();
    }
  };

  it('should answer every bad body with a 4xx, enqueue nothing, keep Object.prototype clean and the heap in bounds', async () => {
    const samples = fc.sample(badBody, { numRuns: 1000, seed: 20260707 });
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;

    const unexpected: string[] = [];
    const kinds = new Map<string, number>();
    for (const [i, { kind, body }] of samples.entries()) {
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      const mode = i % 4; // 0, 1: signed; 2: unsigned; 3: forged signature
      const headers: Record<string, string> = { 'content-type': i % 7 === 0 ? 'text/plain' : 'application/json' };
      if (mode <= 1) {
        headers['x-crier-timestamp'] = String(now - (i % 250));
        headers['x-crier-signature'] = signBody(SECRETS.webhook, now - (i % 250), body);
      } else if (mode === 3) {
        headers['x-crier-timestamp'] = String(now);
        headers['x-crier-signature'] = signBody('not-the-secret-at-all-0000', now, body);
      }
      const res = await server.inject({ method: 'POST', url: '/publish', headers, payload: body });
      if (res.statusCode < 400 || res.statusCode > 499) unexpected.push(`#${i} ${kind} (${mode <= 1 ? 'signed' : 'unsigned'}): ${res.statusCode} ${res.body.slice(0, 200)}`);
    }

    expect(unexpected).toEqual([]);
    expect([...kinds.keys()].sort()).toEqual(expect.arrayContaining(['deep nesting', 'prototype pollution', 'random bytes', 'truncated JSON']));
    expect(await jobCount()).toBe(0);
    expect(await keysLike('ledger:*')).toBe(0);
    expect(await keysLike('article:*')).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);

    collectGarbage();
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
    expect(grownMb).toBeLessThan(16);

    // Still serving: a good signed article goes through and is enqueued once per target.
    const good = Buffer.from(json(GOOD));
    const res = await server.inject({
      method: 'POST',
      url: '/publish',
      headers: { 'content-type': 'application/json', 'x-crier-timestamp': String(now), 'x-crier-signature': signBody(SECRETS.webhook, now, good) },
      payload: good,
    });
    expect(res.statusCode).toBe(202);
    expect(await jobCount()).toBe(app.targets.length);
  }, 120_000);
});
