import { PermanentError } from '../../../adapters/errors.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInstagramAdapter } from '../../../adapters/instagram/index.js';
import type { InstagramPost, SendContext } from '../../../adapters/types.js';
import { InstagramTarget } from '../../../config/targets/instagram.js';
import { toArticle } from '../../../src/article/schema.js';
import { silentLogger } from '../../../src/logging.js';
import { startInstagramFake, type InstagramFake } from '../../../src/sandbox/instagram.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../../helpers/redis.js';

/**
 * After a crash the Instagram adapter looks a post up in the account's own recent posts
 * (the private API's user feed, which the fake serves newest first, 18 a page); and posts
 * made at the same time — by one worker or by several sharing Redis — never share an
 * upload id (two uploads under one id would swap their pictures).
 */

const USER = 'quay_news';
const PASSWORD = 'quay-password-77';

let fake: InstagramFake;
let redis: Redis;
let dir: string;
let jpeg: string;
let prefix: string;

const ctx = (): SendContext => ({ signal: new AbortController().signal, progress: {}, saveProgress: async () => undefined });
const signal = () => new AbortController().signal;

function adapter() {
  const target = InstagramTarget.parse({ id: 'ig-quay', platform: 'instagram', username: USER, password: PASSWORD, apiRoot: fake.url, jitterMs: 0, dailyCap: 0 });
  return createInstagramAdapter(target, { logger: silentLogger, redis, keyPrefix: prefix, mediaDir: dir });
}

function post(a: ReturnType<typeof adapter>, n: number): InstagramPost {
  const formatted = a.format(toArticle({ url: `https://news.example.org/quay-${n}`, title: `Quay works, day ${n}`, summary: `The crane arrived on day ${n}.` }));
  return { ...formatted, image: { path: jpeg, width: 1080, height: 1080, mime: 'image/jpeg' } };
}

beforeAll(async () => {
  fake = await startInstagramFake({ username: USER, password: PASSWORD });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  dir = await mkdtemp(join(tmpdir(), 'crier-ig-reconcile-'));
  jpeg = join(dir, 'square.jpg');
  await writeFile(jpeg, await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#336699' } }).jpeg().toBuffer());
});

afterAll(async () => {
  await fake.close();
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.reset();
  prefix = uniquePrefix('ig-reconcile');
});

afterEach(async () => {
  await deletePrefix(prefix);
});

describe('Instagram reconcile and concurrent posts', () => {
  it('should find a post the account already has, even a few pages down its feed', async () => {
    const a = adapter();
    const first = await a.send(post(a, 0), ctx());
    for (let n = 1; n <= 40; n++) await a.send(post(a, n), ctx());
    const found = await a.reconcile?.(post(a, 0), { signal: signal(), since: new Date(Date.now() - 60_000) });
    expect(found).toEqual({ remoteId: first.remoteId, url: first.url, status: 'delivered', remote: first.remote });
    expect(first.remote?.mediaId).toMatch(/^\d+_\d+$/);
    const recent = await a.reconcile?.(post(a, 40), { signal: signal(), since: new Date(Date.now() - 60_000) });
    expect(recent?.remoteId).toBe(fake.posts.at(-1)?.pk);
    expect(fake.requests.filter((r) => r.path.startsWith('/api/v1/feed/user/')).length).toBe(4);
  });

  it('should read the feed only down to posts older than the send in doubt', async () => {
    const a = adapter();
    for (let n = 0; n < 40; n++) await a.send(post(a, n), ctx());
    const before = fake.requests.length;
    // Every post is older than `since`: the first page shows it, no need to read on.
    expect(await a.reconcile?.(post(a, 99), { signal: signal(), since: new Date(Date.now() + 5000) })).toBeUndefined();
    expect(fake.requests.slice(before).filter((r) => r.path.startsWith('/api/v1/feed/user/'))).toHaveLength(1);
  });

  it('should not claim a post is absent when the account posted more since then than it can read', async () => {
    const a = adapter();
    await a.send(post(a, 0), ctx());
    const template = fake.posts[0]!;
    const now = Math.floor(Date.now() / 1000);
    for (let n = 0; n < 400; n++) fake.posts.push({ ...template, caption: `Filler ${n}`, pk: String(4_000_000 + n), takenAt: now });
    const error = await a.reconcile?.(post(a, 99), { signal: signal(), since: new Date(Date.now() - 60_000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toMatch(/cannot tell: the account posted more than 20 pages/);
  });

  it('should say a post is absent when the account does not have it', async () => {
    const a = adapter();
    await a.send(post(a, 1), ctx());
    expect(await a.reconcile?.(post(a, 2), { signal: signal(), since: new Date(Date.now() - 60_000) })).toBeUndefined();
  });

  it('should post many at once from one worker and from two, each exactly once with its own picture slot', async () => {
    const one = adapter();
    const two = adapter();
    const sends = Array.from({ length: 12 }, (_, n) => (n % 2 === 0 ? one : two).send(post(n % 2 === 0 ? one : two, n), ctx()));
    const results = await Promise.all(sends);
    expect(new Set(results.map((r) => r.remoteId)).size).toBe(12);
    expect(fake.posts.map((p) => p.caption.split('\n')[0]).sort()).toEqual(Array.from({ length: 12 }, (_, n) => `Quay works, day ${n}`).sort());
  });
});
