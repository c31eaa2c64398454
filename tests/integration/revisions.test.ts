import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import type { DeliveryRecord } from '../../queues/ledger.js';
import { updateJobId } from '../../queues/names.js';
import { jobOptions } from '../../queues/publish.js';
import { App } from '../../src/app.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { listen, type FaultMatch, type RunningServer } from '../../src/sandbox/http.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { startInstagramFake, type InstagramFake } from '../../src/sandbox/instagram.js';
import { startInstagramGraphFake, type InstagramGraphFake } from '../../src/sandbox/instagram-graph.js';
import { startSandboxSite, type SandboxSite } from '../../src/sandbox/site.js';
import { startTelegramFake, type TelegramFake } from '../../src/sandbox/telegram.js';
import { startTwitterFake, type TwitterFake } from '../../src/sandbox/twitter.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 13: when the article changes, the posts change with it; when it is retracted, they
 * go. Real Redis, BullMQ, SDKs and the sandbox fakes (which keep edits and deletions).
 */
const CHAT = SANDBOX_CREDENTIALS.telegramChat;

describe('corrections and retractions', () => {
  let telegram: TelegramFake;
  let twitter: TwitterFake;
  let instagram: InstagramFake;
  let graph: InstagramGraphFake;
  let site: SandboxSite;
  let mediaServer: RunningServer;
  let app: App;
  let prefix: string;
  let clock = Date.now();
  const notices: Array<{ target: string; reason: string }> = [];
  let n = 0;

  beforeAll(async () => {
    [telegram, twitter, instagram, graph, site] = await Promise.all([
      startTelegramFake({ token: SANDBOX_CREDENTIALS.telegramToken, perChatPerMinute: 0, globalPerSecond: 0, now: () => clock }),
      startTwitterFake({}),
      startInstagramFake({ username: SANDBOX_CREDENTIALS.instagram.username, password: SANDBOX_CREDENTIALS.instagram.password }),
      startInstagramGraphFake({ pollsUntilFinished: 0 }),
      startSandboxSite(),
    ]);
    const mediaDir = mkdtempSync(join(tmpdir(), 'crier-revisions-'));
    mediaServer = await listen(async (req, res) => {
      try {
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(await readFile(join(mediaDir, basename(req.url ?? ''))));
      } catch {
        res.writeHead(404).end();
      }
    });
    prefix = uniquePrefix('revisions');
    const common = { backoffMs: 20, attempts: 5, timeoutMs: 3000, limiter: { max: 0, duration: 1000 } };
    const x = { ...SANDBOX_CREDENTIALS.twitter, apiRoot: twitter.url };
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix },
        media: { dir: mediaDir, allowPrivateNetwork: true },
        http: { publicBaseUrl: mediaServer.url },
        targets: [
          { id: 'telegram', platform: 'telegram', botToken: SANDBOX_CREDENTIALS.telegramToken, chat: CHAT, apiRoot: telegram.url, ...common },
          { id: 'x', platform: 'twitter', ...x, ...common },
          { id: 'x-reply', platform: 'twitter', ...x, onUpdate: 'reply', template: 'Also on X: {title}\n\n{url}', ...common },
          { id: 'x-thread', platform: 'twitter', ...x, thread: true, onUpdate: 'replace', minChange: 'any', template: 'Thread: {title}\n\n{url}', ...common },
          { id: 'instagram', platform: 'instagram', ...SANDBOX_CREDENTIALS.instagram, apiRoot: instagram.url, jitterMs: 0, dailyCap: 0, ...common },
          { id: 'ig-graph', platform: 'instagram', backend: 'graph', graph: { userId: graph.userId, accessToken: graph.accessToken, apiRoot: graph.url, pollIntervalMs: 1 }, ...common },
        ],
      },
      {},
    );
    app = new App(config, { logger: silentLogger, observer: { notice: (e) => void notices.push({ target: e.target, reason: e.reason }) } });
    await app.startWorkers();
  });

  afterAll(async () => {
    await app.close(2000);
    await Promise.all([telegram.close(), twitter.close(), instagram.close(), graph.close(), site.close(), mediaServer.close()]);
    await deletePrefix(prefix);
  });

  beforeEach(() => {
    for (const plan of [telegram.faults, twitter.faults, instagram.faults, graph.faults]) plan.clear();
    notices.length = 0;
    clock = Date.now();
  });

  const fresh = (extra: Record<string, unknown> = {}): Article =>
    toArticle({
      url: `https://news.example.org/harbour/revisions-${prefix}-${++n}`,
      title: `Harbour bridge closes for repairs, story ${n}`,
      summary: 'The old swing bridge closes on Monday. Ferries run every twenty minutes instead. Work should take six weeks.',
      authors: ['Lena Varga'],
      tags: ['Harbour Town'],
      image: { url: `${site.url}/images/ferry.jpg`, alt: 'The swing bridge' },
      ...extra,
    });
  const record = (a: Article, target: string) => app.ledger.get(a.id, target) as Promise<DeliveryRecord>;
  const until = (a: Article, target: string, check: (r: DeliveryRecord) => boolean, what: string) =>
    eventually(async () => {
      const r = await app.ledger.get(a.id, target);
      return r !== undefined && check(r) ? r : undefined;
    }, 20_000, `${target}: ${what}`);
  const delivered = (a: Article, targets: readonly string[]) => Promise.all(targets.map((t) => until(a, t, (r) => r.state === 'delivered', 'delivered')));
  const telegramMessage = async (a: Article) => telegram.message(CHAT, Number((await record(a, 'telegram')).remoteId));
  const path = (p: string): FaultMatch => (r) => r.path.endsWith(p);
  const quiet = () => new Promise((r) => setTimeout(r, 300));
  const ALL = ['telegram', 'x', 'x-reply', 'x-thread', 'instagram', 'ig-graph'];

  it('should edit Telegram and Instagram in place, apply each X policy, and say where an update cannot go', async () => {
    const a = fresh();
    const first = await app.publish(a);
    expect(first).toMatchObject({ action: 'publish', rev: 1 });
    await delivered(a, ALL);
    const tweetsBefore = twitter.tweets.length;
    const original = await record(a, 'x-thread');

    const corrected = { ...a, title: `${a.title} (corrected)` };
    const second = await app.publish(corrected, undefined, { by: 'webhook' });
    expect(second).toMatchObject({ action: 'update', rev: 2 });
    expect(second.outcomes.every((o) => o.updating === true)).toBe(true);
    for (const t of ALL) await until(a, t, (r) => r.rev === 2, 'at revision 2');

    // Telegram: the photo post's caption edited in place, the same message.
    expect((await telegramMessage(a))?.caption).toContain('(corrected)');
    expect(telegram.sent.filter((m) => (m.caption ?? '').includes(a.title))).toHaveLength(1);
    // Instagram (private): the caption edited.
    const post = instagram.posts.find((p) => p.caption.includes(a.title));
    expect(post?.caption).toContain('(corrected)');
    expect(post?.edits).toHaveLength(1);
    // X, default policy: left alone. x-reply: one correction reply in the thread. x-thread: deleted and posted anew.
    expect((await record(a, 'x')).history?.at(-1)).toMatchObject({ rev: 2, action: 'ignored' });
    const reply = twitter.tweets.slice(tweetsBefore).find((t) => t.text.startsWith('Correction: '));
    expect(reply?.text).toContain('(corrected)');
    expect(reply?.replyTo).toBe((await record(a, 'x-reply')).remoteId);
    const replaced = await record(a, 'x-thread');
    expect(replaced.history?.at(-1)?.action).toBe('replaced');
    expect(replaced.remoteId).not.toBe(original.remoteId);
    expect(twitter.tweets.find((t) => t.id === original.remoteId)?.deletedAt).toBeDefined();
    expect(twitter.visible.filter((t) => t.text.startsWith('Thread: ') && t.text.includes(a.title))).toHaveLength(1);
    // Graph: no caption edit in the API — recorded and the editors told.
    expect((await record(a, 'ig-graph')).history?.at(-1)).toMatchObject({ rev: 2, action: 'not_supported' });
    expect(notices.some((e) => e.target === 'ig-graph')).toBe(true);

    // The same revision again changes nothing.
    const again = await app.publish(corrected);
    expect(again.action).toBe('same');
    await quiet();
    expect(instagram.posts.find((p) => p.caption.includes(a.title))?.edits).toHaveLength(1);
  });

  it('should bring the targets a correction left out up to date when the same revision is published to all', async () => {
    const a = fresh();
    await app.publish(a);
    await delivered(a, ['telegram', 'instagram']);
    const corrected = { ...a, title: `${a.title} (corrected)` };
    // The correction goes to Telegram only (crier publish --target telegram).
    expect(await app.publish(corrected, ['telegram'])).toMatchObject({ action: 'update', rev: 2 });
    await until(a, 'telegram', (r) => r.rev === 2, 'at revision 2');
    expect((await record(a, 'instagram')).rev).toBe(1);
    // Then to every target: the revision is the same, but Instagram's caption still shows the first.
    const all = await app.publish(corrected);
    expect(all.action).toBe('same');
    expect(all.outcomes.find((o) => o.target === 'instagram')).toMatchObject({ updating: true, enqueued: false });
    expect(all.outcomes.find((o) => o.target === 'telegram')?.updating).toBeUndefined();
    await until(a, 'instagram', (r) => r.rev === 2, 'brought to revision 2');
    expect(instagram.posts.find((p) => p.caption.includes(a.title))?.caption).toContain('(corrected)');
    // Once every target has it, publishing it again changes nothing more.
    for (const t of ALL) await until(a, t, (r) => r.rev === 2, 'at revision 2');
    const again = await app.publish(corrected);
    expect(again.outcomes.every((o) => o.updating === undefined)).toBe(true);
    await quiet();
    expect(instagram.posts.find((p) => p.caption.includes(a.title))?.edits).toHaveLength(1);
    expect(telegram.sent.filter((m) => (m.caption ?? '').includes(a.title))).toHaveLength(1);
  });

  it('should send only the newest revision when the update arrives before the first post went out', async () => {
    const queue = app.queues.get(app.target('telegram')!);
    await queue.pause();
    const a = fresh();
    try {
      await app.publish(a, ['telegram']);
      await app.publish({ ...a, title: `${a.title}, updated` }, ['telegram']);
    } finally {
      await queue.resume();
    }
    const r = await until(a, 'telegram', (x) => x.state === 'delivered', 'delivered');
    await quiet();
    const sent = telegram.sent.filter((m) => (m.caption ?? '').includes(a.title));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.caption).toContain(', updated');
    expect(r.rev).toBe(2);
    expect(telegram.calls.filter((c) => c.method.startsWith('edit') && Number(c.params.message_id) === Number(r.remoteId))).toHaveLength(0);
  });

  it('should never let a late job for an older revision undo a newer one', async () => {
    const a = fresh();
    await app.publish(a, ['telegram']);
    await delivered(a, ['telegram']);
    await app.publish({ ...a, title: `${a.title} v2` }, ['telegram']);
    await app.publish({ ...a, title: `${a.title} v3` }, ['telegram']);
    await until(a, 'telegram', (r) => r.rev === 3, 'at revision 3');
    const edits = telegram.calls.filter((c) => c.method.startsWith('edit')).length;
    // The update job of revision 2 arriving late (re-added after it was cleaned away): nothing happens.
    const target = app.target('telegram')!;
    const late = updateJobId(a.id, 2);
    await (await app.queues.get(target).getJob(late))?.remove();
    await app.queues.get(target).add('update', { articleId: a.id, rev: 2 }, { ...jobOptions(target), jobId: late });
    await eventually(async () => ((await (await app.queues.get(target).getJob(late))?.isCompleted()) ? true : undefined));
    expect(telegram.calls.filter((c) => c.method.startsWith('edit')).length).toBe(edits);
    expect((await telegramMessage(a))?.caption).toContain(' v3');
    expect((await record(a, 'telegram')).rev).toBe(3);
  });

  it('should take every post down on retraction, refuse to publish it again without force, and publish it with force', async () => {
    const a = fresh();
    await app.publish(a);
    await delivered(a, ALL);
    const before = { tg: await record(a, 'telegram'), ig: instagram.posts.find((p) => p.caption.includes(a.title)) };
    const result = await app.retract(a.id, { reason: 'wrong bridge', by: 'cli' });
    expect(result.known).toBe(true);
    expect(result.outcomes.every((o) => o.outcome === 'retracting')).toBe(true);
    for (const t of ALL.filter((t) => t !== 'ig-graph')) await until(a, t, (r) => r.state === 'retracted', 'retracted');
    await until(a, 'ig-graph', (r) => r.retraction === 'not_supported', 'not supported');

    expect(telegram.deleted).toContainEqual({ chat: expect.any(Number), message_id: Number(before.tg.remoteId) });
    expect(await telegramMessage(a)).toBeUndefined();
    expect(twitter.visible.filter((t) => t.text.includes(a.title))).toHaveLength(0);
    expect(before.ig?.deleted).toBe(true);
    expect(notices.some((e) => e.target === 'ig-graph' && /retraction could not be applied/.test(e.reason))).toBe(true);

    // A replayed webhook cannot resurrect it…
    const replay = await app.publish(a, undefined, { by: 'webhook' });
    expect(replay.action).toBe('retracted');
    await quiet();
    expect(telegram.sent.filter((m) => (m.caption ?? '').includes(a.title))).toHaveLength(1);
    // …an editor's force can.
    const again = await app.publish(a, ['telegram'], { by: 'editor', force: true });
    expect(again).toMatchObject({ action: 'republish', rev: 2 });
    await until(a, 'telegram', (r) => r.state === 'delivered', 'delivered again');
    expect(telegram.sent.filter((m) => (m.caption ?? '').includes(a.title))).toHaveLength(2);
  });

  it('should cancel a delivery still queued instead of sending then deleting it', async () => {
    const target = app.target('telegram')!;
    const queue = app.queues.get(target);
    await queue.pause();
    const a = fresh();
    try {
      await app.publish(a, ['telegram']);
      const result = await app.retract(a.id);
      expect(result.outcomes.find((o) => o.target === 'telegram')?.outcome).toBe('cancelled');
    } finally {
      await queue.resume();
    }
    await quiet();
    expect(telegram.sent.filter((m) => (m.caption ?? '').includes(a.title))).toHaveLength(0);
    expect(await record(a, 'telegram')).toMatchObject({ state: 'retracted', retraction: 'never_posted' });
  });

  it('should end with nothing visible when a retraction races a first post still in flight', async () => {
    const a = fresh();
    // The first post is slow: accepted at once, answered after 800 ms (within the 3 s timeout).
    telegram.faults.push({ lose: 'late', delayMs: 800 }, 1, path('/sendPhoto'));
    await app.publish(a, ['telegram']);
    await until(a, 'telegram', (r) => r.state === 'sending', 'sending');
    await app.retract(a.id);
    const r = await until(a, 'telegram', (x) => x.state === 'retracted', 'retracted');
    expect(r.retraction).toBe('deleted');
    expect(telegram.sent.filter((m) => (m.caption ?? '').includes(a.title))).toHaveLength(1);
    expect(await telegram.message(CHAT, Number(r.remoteId))).toBeUndefined();
  });

  it('should edit a Telegram post to the notice when it is older than 48 hours', async () => {
    const a = fresh();
    await app.publish(a, ['telegram']);
    const { remoteId } = (await delivered(a, ['telegram']))[0]!;
    clock += 49 * 3600_000;
    await app.retract(a.id);
    const r = await until(a, 'telegram', (x) => x.state === 'retracted', 'retracted');
    expect(r.retraction).toBe('notice');
    expect(r.history?.at(-1)?.note).toMatch(/older than 48 hours/);
    const message = telegram.message(CHAT, Number(remoteId));
    expect(message?.caption).toBe('This post was withdrawn by the publisher.');
    expect(message?.reply_markup).toEqual({ inline_keyboard: [] });
  });

  it('should apply an edit and a delete whose answers were lost exactly once, by trying them again', async () => {
    const a = fresh();
    await app.publish(a, ['telegram', 'instagram']);
    await delivered(a, ['telegram', 'instagram']);
    telegram.faults.push({ lose: 'reset' }, 1, path('/editMessageCaption'));
    instagram.faults.push({ lose: 'reset' }, 1, path('/edit_media/'));
    await app.publish({ ...a, title: `${a.title} (fixed)` }, ['telegram', 'instagram']);
    await until(a, 'telegram', (r) => r.rev === 2, 'rev 2');
    await until(a, 'instagram', (r) => r.rev === 2, 'rev 2');
    expect((await telegramMessage(a))?.caption).toContain('(fixed)');
    expect((await record(a, 'telegram')).history?.at(-1)?.action).toBe('not_modified'); // the lost edit had gone through
    expect(instagram.posts.find((p) => p.caption.includes(a.title))?.caption).toContain('(fixed)');

    telegram.faults.push({ lose: 'reset' }, 1, path('/deleteMessage'));
    instagram.faults.push({ lose: 'late', delayMs: 3500 }, 1, path('/delete/'));
    await app.retract(a.id);
    for (const t of ['telegram', 'instagram']) await until(a, t, (r) => r.state === 'retracted', 'retracted');
    expect((await record(a, 'telegram')).retraction).toBe('gone'); // deleted by the lost attempt; the retry found it gone
    expect(instagram.posts.find((p) => p.caption.includes(a.title))?.deleted).toBe(true);
  });

  it('should delete each tweet of a thread once when a retraction is interrupted between deletes', async () => {
    const a = fresh({ summary: 'First point about the bridge. Second point about the ferries. Third point about the detour for cyclists and walkers.' });
    await app.publish(a, ['x-thread']);
    await delivered(a, ['x-thread']);
    const thread = twitter.tweets.filter((t) => t.text.includes(a.title) || t.replyTo !== undefined).filter((t) => t.deletedAt === undefined);
    const ids = Object.entries((await record(a, 'x-thread')).progress).filter(([k]) => k.startsWith('tweet:')).map(([, id]) => id);
    expect(ids.length).toBeGreaterThan(1);
    expect(thread.length).toBeGreaterThan(1);
    // The second delete fails before X acts (a 503 in X's words): the attempt stops there and is tried again.
    let deletes = 0;
    twitter.faults.push({ status: 503, body: { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status: 503 } }, 1, (r) => r.method === 'DELETE' && ++deletes === 2);
    const calls = twitter.calls.length;
    await app.retract(a.id);
    await until(a, 'x-thread', (r) => r.state === 'retracted', 'retracted');
    for (const id of ids) expect(twitter.tweets.find((t) => t.id === id)?.deletedAt).toBeDefined();
    const deleteCalls = twitter.calls.slice(calls).filter((c) => c.method === 'DELETE');
    // One call per tweet, plus the one that failed: none deleted twice.
    expect(deleteCalls).toHaveLength(ids.length + 1);
    expect(new Set(deleteCalls.map((c) => c.path)).size).toBe(ids.length);
  });
});
