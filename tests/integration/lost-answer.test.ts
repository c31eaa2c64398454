import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import type { DeliveryObserver } from '../../queues/observer.js';
import { App } from '../../src/app.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { Metrics } from '../../src/metrics.js';
import { listen, type FaultMatch, type RunningServer } from '../../src/sandbox/http.js';
import { startInstagramGraphFake, type InstagramGraphFake } from '../../src/sandbox/instagram-graph.js';
import { SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 12: the platform accepts the post and its answer never arrives — the connection is
 * reset after the request was handled, the answer comes after the client's timeout, or a
 * proxy answers 502 in its place. The fakes do exactly that (they record the post, then
 * lose the answer). crier must end with exactly one post on every platform: X and
 * Instagram (both backends) by looking the post up, Telegram (which cannot be asked) by
 * leaving the delivery `unknown` for an editor.
 */
const TIMEOUT_MS = 800;
const LATE_MS = TIMEOUT_MS + 700;

describe('an answer lost after the platform accepted the post', () => {
  let sandbox: Sandbox;
  let graph: InstagramGraphFake;
  let mediaServer: RunningServer;
  let app: App;
  let prefix: string;
  let metrics: Metrics;
  const unknown: Array<{ target: string; articleId: string; reason: string; lookAt?: string }> = [];
  let n = 0;

  beforeAll(async () => {
    sandbox = await startSandbox();
    graph = await startInstagramGraphFake({ pollsUntilFinished: 0 });
    const mediaDir = mkdtempSync(join(tmpdir(), 'crier-lost-answer-'));
    // Stands in for `crier serve`'s /media/<file> route, which Meta downloads from.
    mediaServer = await listen(async (req, res) => {
      try {
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(await readFile(join(mediaDir, basename(req.url ?? ''))));
      } catch {
        res.writeHead(404).end();
      }
    });
    prefix = uniquePrefix('lost-answer');
    const common = { backoffMs: 20, attempts: 5, timeoutMs: TIMEOUT_MS };
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix },
        media: { dir: mediaDir, allowPrivateNetwork: true },
        http: { publicBaseUrl: mediaServer.url },
        targets: [
          ...sandbox.targets().map((t) => ({ ...t, ...common })),
          { id: 'ig-graph', platform: 'instagram', backend: 'graph', limiter: { max: 0, duration: 1000 }, graph: { userId: graph.userId, accessToken: graph.accessToken, apiRoot: graph.url, pollIntervalMs: 1 }, ...common },
        ],
      },
      {},
    );
    metrics = new Metrics();
    const observer: DeliveryObserver = {
      ...metrics.observer,
      unknown: (e) => {
        unknown.push({ target: e.target, articleId: e.article.id, reason: e.reason, ...(e.lookAt !== undefined ? { lookAt: e.lookAt } : {}) });
        metrics.observer.unknown?.(e);
      },
    };
    app = new App(config, { logger: silentLogger, observer });
    await app.startWorkers();
  });

  afterAll(async () => {
    await app.close(2000);
    await Promise.all([sandbox.close(), graph.close(), mediaServer.close()]);
    await deletePrefix(prefix);
  });

  beforeEach(() => {
    for (const plan of [sandbox.telegram.faults, sandbox.twitter.faults, sandbox.instagram.faults, graph.faults]) plan.clear();
    unknown.length = 0;
  });

  const fresh = (): Article =>
    toArticle({
      url: `https://news.example.org/harbour/lost-answer-${prefix}-${++n}`,
      title: `Harbour cranes return to service after repairs, report ${n}`,
      summary: 'The two container cranes at the east quay are working again after four months of repairs.',
      authors: ['Ines Morel'],
      tags: ['Harbour Town'],
      image: { url: `${sandbox.site.url}/images/ferry.jpg`, alt: 'Cranes at the east quay' },
    });

  const settled = (articleId: string, target: string) =>
    eventually(async () => {
      const r = await app.ledger.get(articleId, target);
      return r && ['delivered', 'duplicate', 'failed', 'unknown'].includes(r.state) ? r : undefined;
    }, 20_000, `${target} to settle`);

  const onTelegram = (a: Article) => sandbox.telegram.sent.filter((m) => m.chatId === SANDBOX_CREDENTIALS.telegramChat && (m.text ?? m.caption ?? '').includes(a.title));
  const onX = (a: Article) => sandbox.twitter.tweets.filter((t) => t.text.includes(a.title));
  const onInstagram = (a: Article) => sandbox.instagram.posts.filter((p) => p.caption.includes(a.title));
  const onGraph = (a: Article) => graph.published.filter((p) => p.caption.includes(a.title));
  const path = (p: string): FaultMatch => (r) => r.path.endsWith(p);
  /** Time for a blind retry to have happened, had there been one. */
  const quiet = () => new Promise((r) => setTimeout(r, 400));

  for (const lose of ['reset', 'late', 'gateway'] as const) {
    it(`should leave Telegram's post unknown for an editor, never sending it twice (${lose})`, async () => {
      const a = fresh();
      sandbox.telegram.faults.push({ lose, delayMs: LATE_MS }, 1, path('/sendPhoto'));
      await app.publish(a, ['telegram']);
      const record = await settled(a.id, 'telegram');
      expect(record.state).toBe('unknown');
      expect(record.lastError).toMatch(/may have published it, but its answer was lost/);
      await quiet();
      expect(onTelegram(a)).toHaveLength(1);
      expect(sandbox.telegram.faults.lost[lose]).toBeGreaterThan(0);
      expect(unknown).toEqual([expect.objectContaining({ target: 'telegram', articleId: a.id, lookAt: 'https://t.me/crier_sandbox' })]);
    });
  }

  it('should retry Telegram as usual when the platform surely did nothing (a 500 with its own body)', async () => {
    const a = fresh();
    sandbox.telegram.faults.push({ status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } }, 1, path('/sendPhoto'));
    await app.publish(a, ['telegram']);
    const record = await settled(a.id, 'telegram');
    expect(record.state).toBe('delivered');
    expect(record.attempts).toBe(2);
    expect(onTelegram(a)).toHaveLength(1);
    expect(unknown).toEqual([]);
  });

  for (const lose of ['reset', 'late', 'gateway'] as const) {
    it(`should find the tweet X accepted and record it, not post it again (${lose})`, async () => {
      const a = fresh();
      sandbox.twitter.faults.push({ lose, delayMs: LATE_MS }, 1, (r) => r.method === 'POST' && r.path === '/2/tweets');
      await app.publish(a, ['twitter']);
      const record = await settled(a.id, 'twitter');
      expect(record.state).toBe('delivered');
      expect(record.notes?.join(' ')).toMatch(/found on twitter after a send in doubt \(answer lost:/);
      await quiet();
      expect(onX(a)).toHaveLength(1);
      expect(record.remoteId).toBe(onX(a)[0]?.id);
    });
  }

  it('should find the Instagram post whose configure answer was lost (private backend)', async () => {
    const a = fresh();
    sandbox.instagram.faults.push({ lose: 'reset' }, 1, path('/media/configure/'));
    await app.publish(a, ['instagram']);
    const record = await settled(a.id, 'instagram');
    expect(record.state).toBe('delivered');
    expect(record.notes?.join(' ')).toMatch(/found on instagram after a send in doubt/);
    await quiet();
    expect(onInstagram(a)).toHaveLength(1);
  });

  it('should send again when the lost answer was only an upload (nothing was posted)', async () => {
    const a = fresh();
    sandbox.instagram.faults.push({ lose: 'reset' }, 1, (r) => r.path.startsWith('/rupload_igphoto/'));
    await app.publish(a, ['instagram']);
    const record = await settled(a.id, 'instagram');
    expect(record.state).toBe('delivered');
    expect(record.notes ?? []).toEqual([]);
    expect(onInstagram(a)).toHaveLength(1);
  });

  for (const lose of ['reset', 'late'] as const) {
    it(`should find the Graph post whose media_publish answer was lost, never publishing it twice (${lose})`, async () => {
      const a = fresh();
      graph.faults.push({ lose, delayMs: LATE_MS }, 1, path('/media_publish'));
      await app.publish(a, ['ig-graph']);
      const record = await settled(a.id, 'ig-graph');
      expect(record.state).toBe('delivered');
      expect(record.notes?.join(' ')).toMatch(/found on instagram after a send in doubt/);
      await quiet();
      expect(onGraph(a)).toHaveLength(1);
      expect(record.remoteId).toBe(onGraph(a)[0]?.id);
    });
  }

  it('should count lost answers and how sends in doubt were settled', async () => {
    const text = (await metrics.text()).body;
    expect(text).toMatch(/crier_answers_lost_total\{platform="telegram",target="telegram"\} [1-9]/);
    expect(text).toMatch(/crier_sends_in_doubt_total\{platform="twitter",target="twitter",result="found"\} [1-9]/);
    expect(text).toMatch(/crier_sends_in_doubt_total\{platform="telegram",target="telegram",result="unknown"\} [1-9]/);
    expect(text).toMatch(/crier_deliveries_total\{platform="telegram",target="telegram",outcome="unknown"\} [1-9]/);
  });
});
