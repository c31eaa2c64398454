import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createTwitterAdapter } from '../../../adapters/twitter/index.js';
import { PermanentError, RateLimitedError, TransientError } from '../../../adapters/errors.js';
import type { SendContext, TwitterPost } from '../../../adapters/types.js';
import { TwitterTarget } from '../../../config/targets/twitter.js';
import { toArticle, type ArticleInput } from '../../../src/article/schema.js';
import { silentLogger } from '../../../src/logging.js';
import { listen, type RunningServer } from '../../../src/sandbox/http.js';
import { startTwitterFake, type TwitterFake } from '../../../src/sandbox/twitter.js';

const CREDS = { appKey: 'app-key', appSecret: 'app-secret', accessToken: '1-access-token', accessSecret: 'access-secret' };
const START = Date.UTC(2026, 2, 3, 9, 0, 0);

let fake: TwitterFake;
let site: RunningServer;
let image: Buffer;
let now = START;
const clock = () => now;

beforeAll(async () => {
  fake = await startTwitterFake({ per15min: 5, per24h: 50, credentials: { appKey: CREDS.appKey, accessToken: CREDS.accessToken }, now: clock });
  image = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#1d3557' } }).webp().toBuffer();
  site = await listen((req, res) => {
    if (req.url === '/ferry.webp') {
      res.writeHead(200, { 'content-type': 'image/webp', 'content-length': image.length });
      res.end(image);
    } else {
      res.writeHead(404).end();
    }
  });
});
afterAll(async () => {
  await fake.close();
  await site.close();
});
beforeEach(() => {
  fake.reset();
  now = START;
});

const target = (extra: Record<string, unknown> = {}) => TwitterTarget.parse({ id: 'x-main', platform: 'twitter', ...CREDS, apiRoot: fake.url, ...extra });
const adapterFor = (extra: Record<string, unknown> = {}, allowPrivateNetwork = true) =>
  createTwitterAdapter(target(extra), { logger: silentLogger, allowPrivateNetwork }, { now: clock });
const article = (extra: Partial<ArticleInput> = {}) =>
  toArticle({ url: 'https://news.example.com/2026/03/ferry', title: 'Harbour Town opens its first night ferry', ...extra });

function context(progress: Record<string, string> = {}, onSave?: (key: string, value: string) => void): SendContext & { progress: Record<string, string> } {
  return {
    signal: new AbortController().signal,
    progress,
    saveProgress: async (key, value) => {
      progress[key] = value;
      onSave?.(key, value);
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('X adapter against the fake X API', () => {
  it('should deliver a tweet through twitter-api-v2 and estimate its cost', async () => {
    const adapter = adapterFor();
    const result = await adapter.send(adapter.format(article()), context());
    expect(fake.tweets.map((t) => t.text)).toEqual(['Harbour Town opens its first night ferry\n\nhttps://news.example.com/2026/03/ferry']);
    const id = fake.tweets[0]?.id as string;
    expect(result).toEqual({ remoteId: id, url: `https://x.com/i/web/status/${id}`, status: 'delivered', costUsd: 0.2 });
    await adapter.close?.();
  });

  it('should price a post without a URL at the plain rate', async () => {
    const adapter = adapterFor({ template: '{title}' });
    expect((await adapter.send(adapter.format(article()), context())).costUsd).toBe(0.015);
  });

  it('should turn a 429 into RateLimitedError until the reset, then deliver after it', async () => {
    const first = adapterFor();
    for (let i = 0; i < 5; i++) await first.send(first.format(article({ title: `Story ${i}` })), context());
    // Another worker without shared counters runs into X's limit.
    const second = adapterFor();
    const error = await failure(second.send(second.format(article({ title: 'Story 5' })), context()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(15 * 60_000 + 1000);
    expect(fake.rateLimited).toBe(1);
    // It now waits for the reset without asking X again.
    const calls = fake.calls.length;
    await expect(second.send(second.format(article({ title: 'Story 5' })), context())).rejects.toBeInstanceOf(RateLimitedError);
    expect(fake.calls.length).toBe(calls);
    now += 15 * 60_000 + 1000;
    await expect(second.send(second.format(article({ title: 'Story 5' })), context())).resolves.toMatchObject({ status: 'delivered' });
  });

  it('should stop before X when its headers say the window is spent', async () => {
    const adapter = adapterFor();
    for (let i = 0; i < 5; i++) await adapter.send(adapter.format(article({ title: `Story ${i}` })), context());
    const calls = fake.calls.length;
    const error = await failure(adapter.send(adapter.format(article({ title: 'Story 5' })), context()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(fake.calls.length).toBe(calls);
    expect(fake.rateLimited).toBe(0);
  });

  it('should refuse before calling X once the configured per15min cap is used', async () => {
    const adapter = adapterFor({ caps: { per15min: 2 } });
    await adapter.send(adapter.format(article({ title: 'One' })), context());
    await adapter.send(adapter.format(article({ title: 'Two' })), context());
    const calls = fake.calls.length;
    const error = await failure(adapter.send(adapter.format(article({ title: 'Three' })), context()));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toContain('2 posts per 15 min');
    expect(fake.calls.length).toBe(calls);
    expect(fake.tweets).toHaveLength(2);
  });

  it('should resume a thread interrupted by a 500 after its second tweet at the third, with no reposts', async () => {
    const adapter = adapterFor({ thread: true });
    const lead = Array.from({ length: 10 }, (_, i) => `Sentence ${i} explains one more detail of the ferry timetable and the new bike lanes.`).join(' ');
    const post = adapter.format(article({ summary: lead }));
    expect(post.tweets.length).toBeGreaterThanOrEqual(4);
    const ctx = context({}, (key) => {
      if (key === 'tweet:1') fake.faults.push({ status: 500, body: { title: 'Internal Server Error', detail: 'Internal Server Error', type: 'about:blank', status: 500 } });
    });
    const error = await failure(adapter.send(post, ctx));
    expect(error).toBeInstanceOf(TransientError);
    expect(fake.tweets).toHaveLength(2);
    expect(Object.keys(ctx.progress).sort()).toEqual(['tweet:0', 'tweet:1']);

    const result = await adapter.send(post, context(ctx.progress));
    expect(fake.tweets.map((t) => t.text)).toEqual(post.tweets.map((t) => t.text));
    const ids = fake.tweets.map((t) => t.id);
    expect(fake.tweets.map((t) => t.replyTo)).toEqual([undefined, ...ids.slice(0, -1)]);
    expect(result.remoteId).toBe(ids[0]);
    expect(result.costUsd).toBeCloseTo(0.2 + 0.015 * (post.tweets.length - 1), 10);
  });

  it('should continue a thread under its first tweet when X took it but the progress was never recorded', async () => {
    const adapter = adapterFor({ thread: true });
    const post = adapter.format(article({ summary: 'First part of the lead. '.repeat(12) + 'Second part of the lead. '.repeat(12) }));
    expect(post.tweets.length).toBeGreaterThanOrEqual(3);
    const crashing: SendContext = {
      signal: new AbortController().signal,
      progress: {},
      saveProgress: async () => {
        throw new Error('worker died');
      },
    };
    await expect(adapter.send(post, crashing)).rejects.toBeInstanceOf(TransientError);
    expect(fake.tweets).toHaveLength(1);

    const result = await adapter.send(post, context());
    expect(result.status).toBe('delivered');
    expect(fake.tweets.map((t) => t.text)).toEqual(post.tweets.map((t) => t.text));
    expect(result.remoteId).toBe(fake.tweets[0]?.id);
    expect(fake.tweets[1]?.replyTo).toBe(fake.tweets[0]?.id);
  });

  it('should record a duplicate as duplicate, not as an error', async () => {
    const adapter = adapterFor();
    const post = adapter.format(article());
    await adapter.send(post, context());
    const again = await adapter.send(post, context());
    expect(again.status).toBe('duplicate');
    expect(again.remoteId).toBe('');
    expect(fake.tweets).toHaveLength(1);
  });

  it('should upload the image as JPEG with its alt text, attach it, and not upload it again on retry', async () => {
    const adapter = adapterFor();
    const post = adapter.format(article({ image: { url: `${site.url}/ferry.webp`, alt: 'The night ferry at the east pier' } }));
    const ctx = context({}, (key) => {
      if (key === 'media:0:alt') fake.faults.push({ status: 503, body: { title: 'Service Unavailable' } });
    });
    await expect(adapter.send(post, ctx)).rejects.toBeInstanceOf(TransientError);
    const result = await adapter.send(post, context(ctx.progress));
    expect(fake.media).toHaveLength(1);
    const media = fake.media[0];
    expect(media).toMatchObject({ mime: 'image/jpeg', alt: 'The night ferry at the east pier', category: 'tweet_image', finalized: true });
    expect(await sharp(media?.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 64, height: 48 });
    expect(fake.tweets[0]?.mediaIds).toEqual([media?.id]);
    expect(result.notes).toBeUndefined();
  });

  it('should post without an image that cannot be fetched, and note why', async () => {
    const adapter = adapterFor();
    const missing = await adapter.send(adapter.format(article({ image: { url: `${site.url}/gone.jpg` } })), context());
    expect(missing.status).toBe('delivered');
    expect(missing.notes?.[0]).toMatch(/^image skipped: cannot fetch .*404/);
    expect(fake.tweets[0]?.mediaIds).toEqual([]);

    const privateOnly = adapterFor({}, false);
    const refused = await privateOnly.send(privateOnly.format(article({ title: 'Other', image: { url: `${site.url}/ferry.webp` } })), context());
    expect(refused.notes?.[0]).toMatch(/^image skipped: .*loopback/);
    expect(fake.media).toHaveLength(0);
  });

  it('should find a posted tweet again when reconciling, and report an absent one', async () => {
    const adapter = adapterFor();
    const post = adapter.format(article({ title: 'Ferry & bikes', tags: ['Climate'] }));
    const sent = await adapter.send(post, context());
    const signal = new AbortController().signal;
    const since = new Date(now - 60_000);
    await expect(adapter.reconcile?.(post, { signal, since })).resolves.toMatchObject({ remoteId: sent.remoteId, status: 'delivered' });
    const absent: TwitterPost = { ...post, tweets: [{ text: 'Never posted' }] };
    await expect(adapter.reconcile?.(absent, { signal, since })).resolves.toBeUndefined();
    // Only tweets from `since` on are looked at (X's start_time): one posted before cannot be this delivery's.
    await expect(adapter.reconcile?.(post, { signal, since: new Date(now + 60_000) })).resolves.toBeUndefined();
  });

  it('should read every page since the send in doubt, and not claim absence past what it can read', async () => {
    const adapter = adapterFor();
    const post = adapter.format(article({ title: 'Deep in the timeline' }));
    await adapter.send(post, context());
    const signal = new AbortController().signal;
    const since = new Date(now - 60_000);
    const mine = fake.tweets.at(-1)!;
    const filler = (n: number) => ({ ...mine, id: String(9_000_000 + n), text: `Filler ${n}`, createdAt: new Date(now).toISOString() });
    for (let n = 0; n < 250; n++) fake.tweets.push(filler(n));
    await expect(adapter.reconcile?.(post, { signal, since })).resolves.toMatchObject({ remoteId: mine.id });
    for (let n = 250; n < 1001; n++) fake.tweets.push(filler(n));
    const error = await adapter.reconcile?.(post, { signal, since }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toMatch(/^cannot tell: the account posted more than 1000 tweets since/);
  });

  it('should fail permanently without credentials or with rejected ones, and for an invalid tweet', async () => {
    const noCreds = createTwitterAdapter(TwitterTarget.parse({ id: 'x-none', platform: 'twitter', apiRoot: fake.url }), { logger: silentLogger });
    const missing = await failure(noCreds.send(noCreds.format(article()), context()));
    expect(missing).toBeInstanceOf(PermanentError);
    expect(missing.message).toBe('X credentials missing for target "x-none": appKey, appSecret, accessToken, accessSecret');
    expect(fake.calls).toHaveLength(0);

    const wrong = adapterFor({ accessToken: '9-someone-else' });
    const rejected = await failure(wrong.send(wrong.format(article()), context()));
    expect(rejected).toBeInstanceOf(PermanentError);
    expect(rejected.message).toBe('X rejected the credentials: Unauthorized');

    const adapter = adapterFor();
    const invalid = await failure(adapter.send({ target: 'x-main', platform: 'twitter', tweets: [{ text: 'a'.repeat(300) }] }, context()));
    expect(invalid).toBeInstanceOf(PermanentError);
    expect(invalid.message).toContain('Your Tweet text is too long');
  });

  it('should treat timeouts, unreachable servers and aborts as transient', async () => {
    const slow = adapterFor({ timeoutMs: 100 });
    fake.faults.push({ status: 201, body: {}, delayMs: 1000 });
    expect(await failure(slow.send(slow.format(article()), context()))).toBeInstanceOf(TransientError);

    const closed = await listen(() => undefined);
    await closed.close();
    const down = createTwitterAdapter(TwitterTarget.parse({ id: 'x-down', platform: 'twitter', ...CREDS, apiRoot: closed.url }), { logger: silentLogger });
    const unreachable = await failure(down.send(down.format(article()), context()));
    expect(unreachable).toBeInstanceOf(TransientError);
    expect(unreachable.message).toBe('X unreachable: ECONNREFUSED');

    const adapter = adapterFor();
    const controller = new AbortController();
    controller.abort();
    const aborted = await failure(adapter.send(adapter.format(article()), { ...context(), signal: controller.signal }));
    expect(aborted).toBeInstanceOf(TransientError);
    expect(fake.tweets).toHaveLength(0);
  });
});
