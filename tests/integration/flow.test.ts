import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import twitterText from 'twitter-text';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { App } from '../../src/app.js';
import { loadArticle } from '../../src/article/load.js';
import type { Article } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { jobId } from '../../queues/names.js';
import { completedJob, deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 2's end-to-end proof: an article of our own, in the seed's shape, through real
 * Redis and real BullMQ queues, to the three sandbox platforms via the real SDKs.
 */
describe('publish → queues → three platforms', () => {
  let sandbox: Sandbox;
  let app: App;
  let prefix: string;
  let base: Article;
  let counter = 0;

  beforeAll(async () => {
    sandbox = await startSandbox();
    prefix = uniquePrefix('flow');
    const targets = sandbox.targets().map((t) => ({ ...t, backoffMs: 20, attempts: 5 }));
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix },
        media: { dir: mkdtempSync(join(tmpdir(), 'crier-flow-media-')), allowPrivateNetwork: true },
        targets,
      },
      {},
    );
    app = new App(config, { logger: silentLogger });
    await app.startWorkers();
    const markdown = readFileSync(new URL('../fixtures/articles/ridgeline-dispatch.md', import.meta.url), 'utf8');
    base = loadArticle(markdown, {});
  });

  afterAll(async () => {
    await app.close(2000);
    await sandbox.close();
    await deletePrefix(prefix);
  });

  beforeEach(() => {
    sandbox.telegram.reset();
    sandbox.telegram.faults.clear();
    sandbox.twitter.faults.clear();
    sandbox.instagram.faults.clear();
  });

  /** A fresh article (new id) with the fixture's content and an image served on loopback. */
  const fresh = (): Article => {
    counter++;
    const parsed = new URL(base.url);
    parsed.searchParams.set('n', String(counter));
    const url = parsed.toString();
    return { ...base, id: `flow-${counter}`, url, title: `${base.title} (${counter})`, image: { url: `${sandbox.site.url}/images/ferry.jpg`, alt: 'Pipes' } };
  };
  const settled = (articleId: string, target: string, states = ['delivered', 'failed', 'duplicate']) =>
    eventually(async () => {
      const r = await app.ledger.get(articleId, target);
      return r && states.includes(r.state) ? r : undefined;
    }, 20_000, `${target} to settle`);

  it('should deliver one well-formed post to each platform, and nothing new when published again', async () => {
    const article = fresh();
    const tweetsBefore = sandbox.twitter.tweets.length;
    const igBefore = sandbox.instagram.posts.length;
    const first = await app.publish(article);
    expect(first.outcomes.map((o) => [o.target, o.enqueued])).toEqual([
      ['telegram', true],
      ['twitter', true],
      ['instagram', true],
    ]);
    for (const t of ['telegram', 'twitter', 'instagram']) expect((await settled(article.id, t)).state).toBe('delivered');

    // Telegram: one post that Telegram's parser accepted, with the title and the link.
    expect(sandbox.telegram.sent).toHaveLength(1);
    const tg = sandbox.telegram.sent[0]!;
    const tgText = tg.caption ?? tg.text ?? '';
    // The fake records the visible text after parsing the HTML, so the title shows literally.
    expect(tgText).toContain(article.title);
    expect(JSON.stringify(tg.params)).toContain(article.url);

    // X: one valid tweet with the link and the image attached with alt text.
    const tweets = sandbox.twitter.tweets.slice(tweetsBefore);
    expect(tweets).toHaveLength(1);
    expect(twitterText.parseTweet(tweets[0]!.text).valid).toBe(true);
    expect(tweets[0]!.text).toContain('/2025/01/06/villages-water-utility');
    expect(tweets[0]!.mediaIds).toHaveLength(1);

    // Instagram: one JPEG within the aspect-ratio rules and a caption with the title.
    const ig = sandbox.instagram.posts.slice(igBefore);
    expect(ig).toHaveLength(1);
    expect(ig[0]!.caption).toContain(article.title);
    expect(ig[0]!.width / ig[0]!.height).toBeGreaterThanOrEqual(0.8);
    expect(ig[0]!.width / ig[0]!.height).toBeLessThanOrEqual(1.91);

    const again = await app.publish(article);
    expect(again.outcomes.every((o) => !o.enqueued && o.state === 'delivered')).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(sandbox.telegram.sent).toHaveLength(1);
    expect(sandbox.twitter.tweets.length - tweetsBefore).toBe(1);
    expect(sandbox.instagram.posts.length - igBefore).toBe(1);
  });

  it('should end in exactly one delivery when a platform answers 500 twice', async () => {
    const article = fresh();
    sandbox.telegram.faults.push({ status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } }, 2);
    await app.publish(article, ['telegram']);
    const record = await settled(article.id, 'telegram');
    expect(record.state).toBe('delivered');
    expect(record.attempts).toBe(3);
    expect(sandbox.telegram.sent).toHaveLength(1);
    const job = await completedJob(app.queues.get({ id: 'telegram' }), jobId(article.id));
    expect(job?.attemptsMade).toBe(3);
  });

  it('should honour a 429 retry_after without spending an attempt', async () => {
    const article = fresh();
    sandbox.telegram.faults.push({
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
    });
    const started = Date.now();
    await app.publish(article, ['telegram']);
    const record = await settled(article.id, 'telegram');
    expect(record.state).toBe('delivered');
    // The retry waited for the platform's retry_after (1 s) rather than the 20 ms backoff.
    expect(Date.parse(record.deliveredAt!) - started).toBeGreaterThanOrEqual(1000);
    const job = await completedJob(app.queues.get({ id: 'telegram' }), jobId(article.id));
    expect(job?.attemptsMade).toBe(1);
    expect(sandbox.telegram.rateLimited).toBe(1);
    expect(sandbox.telegram.sent).toHaveLength(1);
  });

  it('should fail a permanent error at once with the reason in the ledger', async () => {
    const article = fresh();
    sandbox.telegram.faults.push({
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot is not a member of the channel chat' },
    });
    await app.publish(article, ['telegram']);
    const record = await settled(article.id, 'telegram');
    expect(record.state).toBe('failed');
    expect(record.attempts).toBe(1);
    expect(record.lastError).toContain('bot is not a member of the channel chat');
    expect(sandbox.telegram.sent).toHaveLength(0);
  });

  it('should pause Instagram on a checkpoint and deliver the waiting post exactly once after resume', async () => {
    const article = fresh();
    const before = sandbox.instagram.posts.length;
    sandbox.instagram.mode = 'challenge_required';
    await app.publish(article, ['instagram']);
    await settled(article.id, 'instagram', ['paused']);
    const queue = app.queues.get({ id: 'instagram' });
    expect(await queue.isPaused()).toBe(true);
    expect(sandbox.instagram.posts.length).toBe(before);

    sandbox.instagram.mode = 'ok'; // a human approved the login
    await app.resume('instagram');
    const record = await settled(article.id, 'instagram');
    expect(record.state).toBe('delivered');
    await new Promise((r) => setTimeout(r, 300));
    expect(sandbox.instagram.posts.length - before).toBe(1);
    expect(sandbox.instagram.posts[before]!.caption).toContain(article.title);
  });

  it('should post a generated title card to Instagram when the article image is unreachable', async () => {
    const article = { ...fresh(), image: { url: `${sandbox.site.url}/images/missing.jpg` } };
    const before = sandbox.instagram.posts.length;
    await app.publish(article, ['instagram']);
    expect((await settled(article.id, 'instagram')).state).toBe('delivered');
    const post = sandbox.instagram.posts[before]!;
    expect([post.width, post.height]).toEqual([1080, 1350]);
    const meta = await sharp(readFileSync(join(app.config.media.dir, readdirFirstJpeg(app.config.media.dir)))).metadata();
    expect(meta.format).toBe('jpeg');
  });
});

function readdirFirstJpeg(dir: string): string {
  const files = readdirSync(dir, { recursive: true }) as string[];
  const jpeg = files.find((f) => f.endsWith('.jpg') || f.endsWith('.jpeg'));
  if (jpeg === undefined) throw new Error('no prepared JPEG in the media directory');
  return jpeg;
}
