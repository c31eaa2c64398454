import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, RateLimitedError, TransientError } from '../../../adapters/errors.js';
import { apiRootOf, postUrl } from '../../../adapters/telegram/client.js';
import { createTelegramAdapter } from '../../../adapters/telegram/index.js';
import type { SendContext, TelegramPost } from '../../../adapters/types.js';
import { TelegramTarget } from '../../../config/targets/telegram.js';
import { toArticle } from '../../../src/article/schema.js';
import { silentLogger } from '../../../src/logging.js';
import { startTelegramFake, type TelegramFake, type TelegramFakeOptions } from '../../../src/sandbox/telegram.js';
import { eventually } from '../../helpers/redis.js';

let redis: Redis;
const prefix = `test-tg-${randomUUID()}`;
let fake: TelegramFake | undefined;

beforeAll(() => {
  redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const ctx = (signal = new AbortController().signal): SendContext => ({ signal, progress: {}, saveProgress: async () => {} });
const article = toArticle({
  url: 'https://news.example.org/2026/talks',
  title: 'Talks <resume> in Ankara & Geneva',
  summary: 'Negotiators met again on Tuesday.',
  tags: ['Diplomacy'],
});

async function setup(fakeOptions: TelegramFakeOptions = {}, targetExtra: Record<string, unknown> = {}, withRedis = false) {
  fake = await startTelegramFake(fakeOptions);
  const target = TelegramTarget.parse({ id: `t${randomUUID().slice(0, 8)}`, platform: 'telegram', botToken: fake.token, chat: '@crier_news', apiRoot: fake.url, ...targetExtra });
  const deps = { logger: silentLogger, keyPrefix: prefix, ...(withRedis ? { redis } : {}) };
  return { fake, target, deps, adapter: createTelegramAdapter(target, deps) };
}

describe('Telegram client through telegraf against the fake Bot API', () => {
  it('should deliver a message and return its id and public link', async () => {
    const { fake, adapter } = await setup();
    const post = adapter.format(article);
    const result = await adapter.send(post, ctx());
    expect(result).toEqual({ remoteId: '1', url: 'https://t.me/crier_news/1', remote: { chat: '-1001000000001', kind: 'text' }, status: 'delivered' });
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ chatId: '@crier_news', method: 'sendMessage', message_id: 1 });
    expect(fake.sent[0]?.text?.startsWith('Talks <resume> in Ankara & Geneva\n')).toBe(true);
    expect(fake.sent[0]?.params).toMatchObject({ parse_mode: 'HTML', link_preview_options: post.link_preview_options, reply_markup: post.reply_markup });
  });

  it('should fall back to a message with a large link preview when Telegram cannot fetch the photo', async () => {
    const { fake, adapter } = await setup({ fetchablePhoto: () => false });
    const post = adapter.format({ ...article, image: { url: 'https://news.example.org/img/gone.jpg' } });
    expect(post.method).toBe('sendPhoto');
    const result = await adapter.send(post, ctx());
    expect(result.status).toBe('delivered');
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ method: 'sendMessage' });
    expect(fake.sent[0]?.text?.startsWith('Talks <resume> in Ankara & Geneva')).toBe(true);
    expect(fake.sent[0]?.params.link_preview_options).toEqual({ url: 'https://news.example.org/2026/talks', prefer_large_media: true });
  });

  it('should deliver a photo post with its caption', async () => {
    const { fake, adapter } = await setup();
    const post = adapter.format({ ...article, image: { url: 'https://news.example.org/img/a.jpg' } });
    expect(post.method).toBe('sendPhoto');
    await adapter.send(post, ctx());
    expect(fake.sent[0]).toMatchObject({ method: 'sendPhoto', photo: 'https://news.example.org/img/a.jpg' });
    expect(fake.sent[0]?.caption).toContain('Negotiators met again on Tuesday.');
  });

  it('should link numeric channel ids through t.me/c', async () => {
    const { adapter } = await setup({ knownChats: [{ id: -1009876543210, type: 'channel' }] }, { chat: '-1009876543210' });
    expect((await adapter.send(adapter.format(article), ctx())).url).toBe('https://t.me/c/9876543210/1');
  });

  it('should turn a 429 into a RateLimitedError with the retry time', async () => {
    const { fake, adapter } = await setup();
    fake.faults.push({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 17', parameters: { retry_after: 17 } } });
    const error = await adapter.send(adapter.format(article), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(17_000);
  });

  it('should get 429 from the fake for a burst beyond the per-chat limit', async () => {
    const now = 1_700_000_000_000;
    const { fake, adapter } = await setup({ now: () => now });
    const post = adapter.format(article);
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => adapter.send(post, ctx())));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect(rejected).toHaveLength(5);
    for (const reason of rejected) {
      expect(reason).toBeInstanceOf(RateLimitedError);
      expect((reason as RateLimitedError).retryAfterMs).toBe(60_000);
    }
    expect(fake.rateLimited).toBe(5);
    expect(fake.sent).toHaveLength(20);
  });

  it('should make "not a member" permanent with Telegram description', async () => {
    const { adapter } = await setup({ knownChats: [{ id: -1001, username: 'crier_news', forbidden: 'not_member' }] });
    const error = await adapter.send(adapter.format(article), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toBe('Forbidden: bot is not a member of the channel chat');
  });

  it('should make a rejected post, a bad token and missing credentials permanent', async () => {
    const { fake, target, deps, adapter } = await setup();
    const bad: TelegramPost = { target: target.id, platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: '<p>x</p>' };
    await expect(adapter.send(bad, ctx())).rejects.toThrow(`Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0`);
    const wrongToken = createTelegramAdapter({ ...target, botToken: '1:nope' }, deps);
    await expect(wrongToken.send(adapter.format(article), ctx())).rejects.toSatisfy((e: unknown) => e instanceof PermanentError && e.message === 'Unauthorized');
    const { botToken: _unused, ...noToken } = target;
    await expect(createTelegramAdapter(noToken, deps).send(adapter.format(article), ctx())).rejects.toThrow(PermanentError);
    expect(fake.sent).toHaveLength(0);
  });

  it('should make a 500 transient', async () => {
    const { fake, adapter } = await setup();
    fake.faults.push({ status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    const error = await adapter.send(adapter.format(article), ctx()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe(500);
    await adapter.send(adapter.format(article), ctx());
    expect(fake.sent).toHaveLength(1);
  });

  it('should make a hung request transient after target.timeoutMs, and a cancelled one too', async () => {
    const { fake, adapter } = await setup({}, { timeoutMs: 150 });
    fake.faults.push({ status: 200, body: { ok: true, result: {} }, delayMs: 5000 });
    await expect(adapter.send(adapter.format(article), ctx())).rejects.toSatisfy((e: unknown) => e instanceof TransientError && e.message === 'request timed out after 150 ms');
    // Cancelled while the request is on its way: maybe sent.
    const controller = new AbortController();
    fake.faults.push({ status: 200, body: { ok: true, result: {} }, delayMs: 5000 });
    const before = fake.requests;
    const pending = adapter.send(adapter.format(article), ctx(controller.signal));
    await eventually(() => (fake.requests > before ? true : undefined));
    controller.abort();
    await expect(pending).rejects.toSatisfy((e: unknown) => e instanceof TransientError && e.message === 'request aborted' && e.maybeSent);
    // Cancelled before anything was written: certainly not sent, and the fake never hears of it.
    const early = new AbortController();
    early.abort();
    const requests = fake.requests;
    await expect(adapter.send(adapter.format(article), ctx(early.signal))).rejects.toSatisfy((e: unknown) => e instanceof TransientError && e.message === 'telegram: aborted before sending' && !e.maybeSent);
    expect(fake.requests).toBe(requests);
  });

  it('should make a refused connection transient', async () => {
    const target = TelegramTarget.parse({ id: 'down', platform: 'telegram', botToken: '1:x', chat: '@c', apiRoot: 'http://127.0.0.1:9' });
    const adapter = createTelegramAdapter(target, { logger: silentLogger });
    await expect(adapter.send(adapter.format(article), ctx())).rejects.toSatisfy((e: unknown) => e instanceof TransientError && e.code === 'ECONNREFUSED');
  });

  it('should follow a group upgraded to a supergroup, across processes through Redis', async () => {
    const { fake, target, deps, adapter } = await setup({ knownChats: [{ id: -4242, type: 'group', migrateTo: -1004242 }] }, { chat: '-4242' }, true);
    const post = adapter.format(article);
    await expect(adapter.send(post, ctx())).rejects.toThrow(TransientError);
    expect(await redis.get(`${prefix}:tg:chat:${target.id}`)).toBe('-1004242');
    await adapter.send(post, ctx());
    // Another worker (a fresh adapter) reads the new chat id from Redis.
    await createTelegramAdapter(target, deps).send(post, ctx());
    expect(fake.sent.map((s) => s.chatId)).toEqual(['-1004242', '-1004242']);
  });
});

describe('Telegram client helpers', () => {
  it('should give telegraf an apiRoot with a trailing slash', () => {
    expect(apiRootOf('http://127.0.0.1:8081/tg')).toBe('http://127.0.0.1:8081/tg/');
    expect(apiRootOf('https://api.telegram.org/')).toBe('https://api.telegram.org/');
  });

  it('should build public post links only where Telegram has them', () => {
    expect(postUrl({ id: -100123, username: 'news' }, '-100123', 5)).toBe('https://t.me/news/5');
    expect(postUrl({ id: -100123 }, '@News', 5)).toBe('https://t.me/News/5');
    expect(postUrl({ id: -100123 }, '-100123', 5)).toBe('https://t.me/c/123/5');
    expect(postUrl({ id: -555 }, '-555', 5)).toBeUndefined();
  });
});
