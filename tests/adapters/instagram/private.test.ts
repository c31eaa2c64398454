import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { createInstagramAdapter } from '../../../adapters/instagram/index.js';
import { sessionKey } from '../../../adapters/instagram/session-store.js';
import { PausedError, PermanentError, RateLimitedError, TransientError } from '../../../adapters/errors.js';
import type { InstagramPost, SendContext } from '../../../adapters/types.js';
import { InstagramTarget } from '../../../config/targets/instagram.js';
import { toArticle } from '../../../src/article/schema.js';
import { silentLogger } from '../../../src/logging.js';
import { startInstagramFake, type InstagramFake } from '../../../src/sandbox/instagram.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../../helpers/redis.js';

const USER = 'harbour_news';
const PASSWORD = 'correct-horse-42';

let fake: InstagramFake;
let redis: Redis;
let mediaDir: string;
let prefix: string;

const ctx = (): SendContext => ({ signal: new AbortController().signal, progress: {}, saveProgress: async () => undefined });

function adapter(extra: Record<string, unknown> = {}) {
  const target = InstagramTarget.parse({ id: 'ig-harbour', platform: 'instagram', username: USER, password: PASSWORD, apiRoot: fake.url, jitterMs: 0, ...extra });
  return createInstagramAdapter(target, { logger: silentLogger, redis, keyPrefix: prefix, mediaDir, allowPrivateNetwork: true });
}

const article = (n: number) =>
  toArticle({ url: `https://news.example.org/harbour-${n}`, title: `Harbour update number ${n}`, summary: 'Ferries run again.', tags: ['Harbour', 'Ferries'] });

async function prepared(a: ReturnType<typeof adapter>, n: number): Promise<InstagramPost> {
  const post = a.format(article(n));
  return (await a.prepare?.(post, { signal: new AbortController().signal })) ?? post;
}

beforeAll(async () => {
  fake = await startInstagramFake({ username: USER, password: PASSWORD });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  mediaDir = await mkdtemp(join(tmpdir(), 'crier-ig-private-'));
});

afterAll(async () => {
  await fake.close();
  redis.disconnect();
  await rm(mediaDir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.reset();
  prefix = uniquePrefix('ig-private');
});

afterEach(async () => {
  await deletePrefix(prefix);
});

describe('Instagram private backend (instagram-private-api against the fake)', () => {
  it('should log in once and publish the prepared JPEG with the caption', async () => {
    const a = adapter();
    const post = await prepared(a, 1);
    const result = await a.send(post, ctx());
    expect(fake.logins).toBe(1);
    expect(fake.lastPasswordOk).toBe(true);
    expect(fake.posts).toHaveLength(1);
    const [sent] = fake.posts;
    expect(sent).toMatchObject({ caption: post.caption, width: 1080, height: 1350, user: USER });
    expect(result).toMatchObject({ remoteId: sent?.pk, url: `https://www.instagram.com/p/${sent?.code}/`, status: 'delivered' });
    const stored = JSON.parse((await redis.get(sessionKey(prefix, 'ig-harbour'))) ?? '{}') as { username?: string; state?: Record<string, unknown> };
    expect(stored.username).toBe(USER);
    expect(stored.state?.authorization).toMatch(/^Bearer IGT:2:/);
    expect(stored.state).not.toHaveProperty('constants');
    await a.close?.();
  });

  it('should reuse the session stored in Redis after a worker restart without logging in again', async () => {
    const first = adapter();
    await first.send(await prepared(first, 2), ctx());
    await first.close?.();
    const restarted = adapter();
    await restarted.send(await prepared(restarted, 3), ctx());
    expect(fake.posts).toHaveLength(2);
    expect(fake.logins).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/api/v1/accounts/login/')).toHaveLength(1);
    await restarted.close?.();
  });

  it('should log in again once when the session expired, then post', async () => {
    const a = adapter();
    await a.send(await prepared(a, 4), ctx());
    fake.revokeSessions();
    await a.send(await prepared(a, 5), ctx());
    expect(fake.logins).toBe(2);
    expect(fake.posts).toHaveLength(2);
  });

  it('should fail permanently when the session is still refused after one fresh login', async () => {
    const a = adapter();
    await a.send(await prepared(a, 6), ctx());
    fake.mode = 'login_required';
    const error = await a.send(await prepared(a, 7), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'login_required' });
    expect(fake.logins).toBe(2);
    expect(fake.posts).toHaveLength(1);
  });

  it('should pause the target with instructions on a checkpoint', async () => {
    const a = adapter();
    await a.send(await prepared(a, 8), ctx());
    fake.mode = 'challenge_required';
    const error = await a.send(await prepared(a, 9), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PausedError);
    expect((error as PausedError).action).toMatch(/challenge/);
    expect((error as PausedError).resumeAfterMs).toBeUndefined();
    expect(fake.posts).toHaveLength(1);
  });

  it('should pause for about a day on feedback_required (action spam)', async () => {
    const a = adapter();
    fake.mode = 'feedback_required';
    const error = await a.send(await prepared(a, 10), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PausedError);
    expect((error as PausedError).code).toBe('feedback_required');
    expect((error as PausedError).resumeAfterMs).toBe(24 * 60 * 60 * 1000);
    expect(fake.posts).toHaveLength(0);
  });

  it('should fail permanently on a bad password, whether the fake refuses it or the password is wrong', async () => {
    fake.mode = 'bad_password';
    const forced = await adapter().send(await prepared(adapter(), 11), ctx()).catch((e: unknown) => e);
    expect(forced).toBeInstanceOf(PermanentError);
    expect(forced).toMatchObject({ code: 'bad_password' });
    fake.mode = 'ok';
    const wrong = adapter({ password: 'not-the-password' });
    const error = await wrong.send(await prepared(wrong, 12), ctx()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad_password' });
    expect(fake.lastPasswordOk).toBe(false);
    expect(fake.logins).toBe(0);
  });

  it('should treat 5xx as transient and "Please wait a few minutes" as rate limited', async () => {
    const a = adapter();
    await a.send(await prepared(a, 13), ctx());
    fake.mode = 'server_error';
    await expect(a.send(await prepared(a, 14), ctx())).rejects.toBeInstanceOf(TransientError);
    fake.mode = 'ok';
    fake.faults.push({ status: 400, body: { message: 'Please wait a few minutes before you try again.', status: 'fail' } });
    const error = await a.send(await prepared(a, 15), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
  });

  it('should stop at the daily cap with a rate-limit error until the window resets', async () => {
    const a = adapter({ dailyCap: 1 });
    await a.send(await prepared(a, 16), ctx());
    const error = await a.send(await prepared(a, 17), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect(fake.posts).toHaveLength(1);
  });

  it('should refuse a JPEG outside Instagram rules before uploading anything', async () => {
    const a = adapter();
    const path = join(mediaDir, 'too-wide.jpg');
    await writeFile(path, await sharp({ create: { width: 1200, height: 400, channels: 3, background: '#336699' } }).jpeg().toBuffer());
    const post: InstagramPost = { ...a.format(article(18)), image: { path, width: 1200, height: 400, mime: 'image/jpeg' } };
    const error = await a.send(post, ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/aspect ratio/);
    expect(fake.requests).toHaveLength(0);
  });

  it('should format and prepare without credentials and fail the send with a clear message', async () => {
    const target = InstagramTarget.parse({ id: 'ig-anon', platform: 'instagram', apiRoot: fake.url });
    const a = createInstagramAdapter(target, { logger: silentLogger, mediaDir });
    const post = await prepared(a, 19);
    expect(post.image.mime).toBe('image/jpeg');
    await expect(a.send(post, ctx())).rejects.toThrow('Missing Instagram username.');
    expect(fake.requests).toHaveLength(0);
  });

  it('should log in afresh, not fail, when the stored session belongs to another server (a second sandbox run)', async () => {
    const first = adapter();
    await first.send(await prepared(first, 31), ctx());
    await first.close?.();
    expect(await redis.get(sessionKey(prefix, 'ig-harbour'))).not.toBeNull();
    // The same prefix, a new fake (new port, new password-encryption key): what `crier serve --sandbox` run twice does.
    const other = await startInstagramFake({ username: USER, password: PASSWORD });
    try {
      const target = InstagramTarget.parse({ id: 'ig-harbour', platform: 'instagram', username: USER, password: PASSWORD, apiRoot: other.url, jitterMs: 0 });
      const second = createInstagramAdapter(target, { logger: silentLogger, redis, keyPrefix: prefix, mediaDir, allowPrivateNetwork: true });
      const result = await second.send(await prepared(second, 32), ctx());
      expect(result.remoteId).toBeTruthy();
      expect(other.posts).toHaveLength(1);
      expect(other.logins).toBe(1);
      await second.close?.();
    } finally {
      await other.close();
    }
  });

  it('should fall back to a fresh login when Instagram rejects the stored session and its password key went stale', async () => {
    const first = adapter();
    await first.send(await prepared(first, 33), ctx());
    await first.close?.();
    // Instagram expires the session and rotates its password-encryption key.
    fake.revokeSessions();
    fake.rotatePasswordKey();
    const again = adapter();
    await again.send(await prepared(again, 34), ctx());
    expect(fake.posts).toHaveLength(2);
    expect(fake.lastPasswordOk).toBe(true);
  });
});
