import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildConfig } from '../../config/load.js';
import { App } from '../../src/app.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import { startLocalRedis } from '../../src/local-redis.js';
import { silentLogger } from '../../src/logging.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { startInstagramFake } from '../../src/sandbox/instagram.js';
import { startSandboxSite } from '../../src/sandbox/site.js';
import { startTelegramFake } from '../../src/sandbox/telegram.js';
import { startTwitterFake } from '../../src/sandbox/twitter.js';
import { ChaosEditor } from './editor.js';
import { storm } from './faults.js';
import { countPosts, tally, type Tally } from './tally.js';
import { WorkerPool } from './workers.js';

/**
 * The chaos scenario: real `crier worker` processes, a Redis of its own with AOF on a spare
 * port, the sandbox fakes in this process. Articles × 3 targets are published while workers
 * are SIGKILLed at random moments and restarted, Redis is restarted, and every fake fails a
 * share of requests (5xx, hangs past the client timeout, 429s) — some *after* accepting
 * them (the post exists, the answer is reset, late or a proxy's 502). An editor settles
 * deliveries left `unknown`. At the end the fakes' records are compared with what was published.
 */

export interface ChaosOptions {
  articles: number;
  workers: number;
  kills: number;
  redisRestarts: number;
  /** Share of requests each fake fails while the storm lasts. */
  faultRate: number;
  /** Besides the storm's random ones: answers each fake loses after accepting a post (reset, late, gateway in turn). */
  lostAnswersPerPlatform?: number;
  publishPerSecond: number;
  /** Give up waiting for deliveries to settle after this long (from the start). */
  deadlineMs: number;
  log(line: string): void;
  /** Keep the temporary directory (config, worker logs) even when the run is clean. */
  keep?: boolean;
}

export interface ChaosReport extends Tally {
  unknown: number;
  /** Unknown deliveries the editor found on the platform and confirmed as posted. */
  posted: number;
  /** Per target: sends in doubt crier settled by finding the post, and those left to the editor. */
  inDoubt: Record<string, { reconciled: number; unknown: number }>;
  /** Answers the fakes lost after accepting a request, by kind. */
  lostAnswers: { reset: number; late: number; gateway: number };
  retried: number;
  failed: number;
  kills: number;
  redisRestarts: number;
  faultsServed: number;
  seconds: number;
  settled: boolean;
  dir: string;
}

const TIMEOUT_MS = 2000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

function chaosArticle(run: string, n: number, image: string): Article {
  return toArticle({
    url: `https://news.example.org/chaos/${run}/${n}/ferry-timetable`,
    title: `Ferry timetable changes, chaos check ${run} number ${n}`,
    summary: `The night ferry runs every 40 minutes from Monday; story ${n} of a run that kills workers on purpose.`,
    authors: ['Ana Ferreira'],
    tags: ['Harbour Town', 'Transport'],
    publishedAt: '2026-05-04T08:00:00Z',
    image: { url: image, alt: 'The ferry at the east pier' },
  });
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const run = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'crier-chaos-'));
  const redis = await startLocalRedis({ appendOnly: true });
  const [telegram, twitter, instagram, site] = await Promise.all([
    startTelegramFake({ token: SANDBOX_CREDENTIALS.telegramToken, perChatPerMinute: 0, globalPerSecond: 0 }),
    startTwitterFake({ per15min: 1_000_000, per24h: 1_000_000 }),
    startInstagramFake({ username: SANDBOX_CREDENTIALS.instagram.username, password: SANDBOX_CREDENTIALS.instagram.password }),
    startSandboxSite(),
  ]);
  const common = { attempts: 25, backoffMs: 100, timeoutMs: TIMEOUT_MS };
  const raw = {
    redis: { url: redis.url, prefix: 'crier-chaos' },
    telegramGlobalPerSecond: 0,
    worker: { concurrency: 5, lockDurationMs: 5000, stalledIntervalMs: 3000, shutdownGraceSeconds: 2 },
    media: { dir: join(dir, 'media'), allowPrivateNetwork: true },
    targets: [
      { id: 'telegram', platform: 'telegram', botToken: SANDBOX_CREDENTIALS.telegramToken, chat: SANDBOX_CREDENTIALS.telegramChat, apiRoot: telegram.url, limiter: { max: 0, duration: 1000 }, ...common },
      { id: 'twitter', platform: 'twitter', ...SANDBOX_CREDENTIALS.twitter, apiRoot: twitter.url, caps: { per15min: 1_000_000, per24h: 1_000_000 }, ...common },
      { id: 'instagram', platform: 'instagram', ...SANDBOX_CREDENTIALS.instagram, apiRoot: instagram.url, limiter: { max: 0, duration: 1000 }, jitterMs: 0, dailyCap: 0, ...common },
    ],
  };
  const configFile = join(dir, 'crier.yaml');
  writeFileSync(configFile, stringify(raw));
  const app = new App(buildConfig(raw, {}), { logger: silentLogger });
  const pool = new WorkerPool({ count: o.workers, configFile, redisUrl: redis.url, logDir: dir });
  const articles = Array.from({ length: o.articles }, (_, n) => chaosArticle(run, n, `${site.url}/images/ferry.jpg`));
  const numberOf = new Map(articles.map((a, n) => [a.id, n]));
  const platformTexts = (target: string): string[] =>
    target === 'telegram'
      ? telegram.sent.filter((m) => m.chatId === SANDBOX_CREDENTIALS.telegramChat).map((m) => m.caption ?? m.text ?? '')
      : target === 'twitter'
        ? twitter.tweets.map((t) => t.text)
        : instagram.posts.map((p) => p.caption);
  const editor = new ChaosEditor({ ledger: app.ledger, queues: app.queues, targets: app.targets }, (articleId, target) => {
    const n = numberOf.get(articleId);
    return n !== undefined && (countPosts(platformTexts(target), run).get(n) ?? 0) > 0;
  });
  let redisRestarts = 0;
  let faultsServed = 0;
  const countFault = () => void faultsServed++;
  for (const plan of [telegram.faults, twitter.faults, instagram.faults]) {
    const next = plan.next.bind(plan);
    plan.next = (request) => {
      const fault = next(request);
      if (fault !== undefined) countFault();
      return fault;
    };
  }
  let settled = false;
  try {
    pool.startAll();
    await waitForWorkers(app, o.workers, 60_000);
    o.log(`chaos: ${o.workers} workers up, Redis with AOF on ${redis.url}, storm ${Math.round(o.faultRate * 100)}%`);
    for (const [plan, platform] of [[telegram.faults, 'telegram'], [twitter.faults, 'twitter'], [instagram.faults, 'instagram']] as const) {
      storm(plan, platform, { rate: o.faultRate, hangMs: TIMEOUT_MS + 500 });
    }
    const posting: Record<string, (r: { method: string; path: string }) => boolean> = {
      telegram: (r) => /\/send(Photo|Message)$/.test(r.path),
      twitter: (r) => r.method === 'POST' && r.path === '/2/tweets',
      instagram: (r) => r.path === '/api/v1/media/configure/',
    };
    for (const [plan, platform] of [[telegram.faults, 'telegram'], [twitter.faults, 'twitter'], [instagram.faults, 'instagram']] as const) {
      for (let i = 0; i < (o.lostAnswersPerPlatform ?? 0); i++) {
        plan.push({ lose: (['reset', 'late', 'gateway'] as const)[i % 3] ?? 'reset', delayMs: TIMEOUT_MS + 500 }, 1, posting[platform]);
      }
    }

    const publishMs = (o.articles / o.publishPerSecond) * 1000;
    const t0 = Date.now();
    const at = (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
    const killTimes = Array.from({ length: o.kills }, () => between(0.1, 1.3) * publishMs).sort((a, b) => a - b);
    const events: Array<Promise<void>> = killTimes.map(async (ms) => {
      await at(ms);
      // A running worker: two kill times close together must not both pick the one already down.
      let running = pool.alive();
      while (running.length === 0) {
        await sleep(100);
        running = pool.alive();
      }
      const i = running[Math.floor(Math.random() * running.length)] as number;
      await pool.kill(i);
      o.log(`chaos: SIGKILL worker ${i} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleep(between(300, 1500));
      pool.start(i);
    });
    for (let r = 0; r < o.redisRestarts; r++) {
      events.push(
        (async () => {
          await at(between(0.3, 0.8) * publishMs);
          await redis.restart();
          redisRestarts++;
          o.log(`chaos: Redis restarted at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        })(),
      );
    }
    const publishing = articles.map(async (article, n) => {
      await at((n * 1000) / o.publishPerSecond);
      for (let tries = 0; ; tries++) {
        try {
          await app.publish(article);
          return;
        } catch (error) {
          if (tries > 100) throw error;
          await sleep(300); // Redis is restarting: publishing is idempotent, try again
        }
      }
    });
    const ids = articles.map((a) => a.id);
    const review = async () => {
      try {
        return await editor.review(ids);
      } catch {
        return 0; // Redis is restarting
      }
    };
    await Promise.all([...publishing, ...events]);
    // The storm passes once everything has been published and every crash has happened.
    await sleep(5000);
    for (const plan of [telegram.faults, twitter.faults, instagram.faults]) storm(plan, 'telegram', { rate: 0, hangMs: 0 });
    o.log(`chaos: published ${o.articles} articles, storm over at ${((Date.now() - t0) / 1000).toFixed(1)} s; settling`);

    const expected = o.articles * 3;
    while (Date.now() - started < o.deadlineMs) {
      const done = (await review()) + editor.count('failed');
      if (done >= expected) {
        settled = true;
        break;
      }
      await sleep(1000);
    }
    const crashed = pool.crashed();
    if (crashed.length > 0) o.log(`chaos: workers that exited on their own: ${crashed.join(', ')}`);
  } finally {
    await pool.stopAll();
    await app.close(1000);
  }
  const byTarget = new Map(['telegram', 'twitter', 'instagram'].map((t) => [t, countPosts(platformTexts(t), run)]));
  const result = tally(o.articles, byTarget);
  await Promise.all([telegram.close(), twitter.close(), instagram.close(), site.close()]);
  // redis-server runs unref'd: keep the event loop alive until it has exited.
  const keepAlive = setInterval(() => undefined, 500);
  await redis.stop().finally(() => clearInterval(keepAlive));
  const clean = result.duplicates === 0 && result.lost === 0;
  if (clean && o.keep !== true) rmSync(dir, { recursive: true, force: true });
  return {
    ...result,
    unknown: editor.decisions.length,
    posted: editor.decisions.filter((d) => d.action === 'posted').length,
    inDoubt: editor.byTarget(),
    lostAnswers: lostAnswers([telegram.faults, twitter.faults, instagram.faults]),
    retried: editor.decisions.filter((d) => d.action === 'retry').length,
    failed: editor.count('failed'),
    kills: pool.kills,
    redisRestarts,
    faultsServed,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    settled,
    dir,
  };
}

/** Until every target's queue has `count` workers connected. */
async function waitForWorkers(app: App, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(app.targets.map((t) => app.queues.get(t).getWorkersCount()));
    if (counts.every((c) => c >= count)) return;
    if (Date.now() > deadline) throw new Error(`workers did not come up: ${counts.join(', ')} of ${count}`);
    await sleep(250);
  }
}

function lostAnswers(plans: ReadonlyArray<{ lost: { reset: number; late: number; gateway: number } }>): ChaosReport['lostAnswers'] {
  const out = { reset: 0, late: 0, gateway: 0 };
  for (const p of plans) for (const k of ['reset', 'late', 'gateway'] as const) out[k] += p.lost[k];
  return out;
}
