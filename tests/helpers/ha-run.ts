import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../../config/load.js';
import { deletePrefix } from '../../queues/connection.js';
import type { DeliveryState } from '../../queues/ledger.js';
import { App } from '../../src/app.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import type { Logger } from 'pino';
import { silentLogger } from '../../src/logging.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { startInstagramFake } from '../../src/sandbox/instagram.js';
import { startSandboxSite } from '../../src/sandbox/site.js';
import { startTelegramFake } from '../../src/sandbox/telegram.js';
import { startTwitterFake } from '../../src/sandbox/twitter.js';
import { countPosts, tally, type Tally } from '../chaos/tally.js';

/**
 * crier on a real HA topology: the App (producer and workers, in this process) on the
 * settings given, the sandbox fakes, and a run of articles × 3 targets through a failover.
 * What the fakes recorded decides lost and duplicates, as in the chaos suite.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface HaHarness {
  app: App;
  prefix: string;
  /** Posts each fake accepted for this run's articles. */
  posts(): Map<string, Map<number, number>>;
  /** When each delivery was recorded (ms since epoch). */
  deliveredAt: number[];
  close(): Promise<void>;
}

export async function startHaHarness(redis: Record<string, unknown>, options: { lockDurationMs?: number; stalledIntervalMs?: number; telegramLatencyMs?: number; logger?: Logger } = {}): Promise<HaHarness & { run: string; article(n: number): Article }> {
  const run = randomBytes(3).toString('hex');
  // Hash-tagged: the same prefix serves every topology, a cluster included.
  const prefix = `{crier-ha-${run}}`;
  const dir = mkdtempSync(join(tmpdir(), 'crier-ha-'));
  const [telegram, twitter, instagram, site] = await Promise.all([
    startTelegramFake({ token: SANDBOX_CREDENTIALS.telegramToken, perChatPerMinute: 0, globalPerSecond: 0, latencyMs: options.telegramLatencyMs ?? 0 }),
    startTwitterFake({ per15min: 1_000_000, per24h: 1_000_000 }),
    startInstagramFake({ username: SANDBOX_CREDENTIALS.instagram.username, password: SANDBOX_CREDENTIALS.instagram.password }),
    startSandboxSite(),
  ]);
  const common = { attempts: 25, backoffMs: 200 };
  const config = buildConfig(
    {
      redis: { ...redis, prefix },
      telegramGlobalPerSecond: 0,
      // The default job lock (30 s) outlasts a failover: a delivery in flight keeps its job.
      worker: {
        concurrency: 5,
        shutdownGraceSeconds: 2,
        ...(options.lockDurationMs !== undefined ? { lockDurationMs: options.lockDurationMs } : {}),
        ...(options.stalledIntervalMs !== undefined ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
      },
      media: { dir: join(dir, 'media'), allowPrivateNetwork: true },
      targets: [
        { id: 'telegram', platform: 'telegram', botToken: SANDBOX_CREDENTIALS.telegramToken, chat: SANDBOX_CREDENTIALS.telegramChat, apiRoot: telegram.url, limiter: { max: 0, duration: 1000 }, ...common },
        { id: 'twitter', platform: 'twitter', ...SANDBOX_CREDENTIALS.twitter, apiRoot: twitter.url, caps: { per15min: 1_000_000, per24h: 1_000_000 }, ...common },
        { id: 'instagram', platform: 'instagram', ...SANDBOX_CREDENTIALS.instagram, apiRoot: instagram.url, limiter: { max: 0, duration: 1000 }, jitterMs: 0, dailyCap: 0, ...common },
      ],
    },
    {},
  );
  const deliveredAt: number[] = [];
  const app = new App(config, { logger: options.logger ?? silentLogger, observer: { delivered: () => void deliveredAt.push(Date.now()) } });
  await app.startWorkers();
  const image = `${site.url}/images/ferry.jpg`;
  return {
    app,
    prefix,
    run,
    deliveredAt,
    article: (n) =>
      toArticle({
        url: `https://news.example.org/ha/${run}/${n}/harbour-ferry`,
        // "chaos check <run> number <n>": the mark tests/chaos/tally.ts counts posts by.
        title: `Harbour ferry timetable, failover chaos check ${run} number ${n}`,
        summary: `The night ferry runs every 40 minutes from Monday; story ${n} of a run through a Redis failover.`,
        authors: ['Ana Ferreira'],
        tags: ['Harbour Town', 'Transport'],
        publishedAt: '2026-05-04T08:00:00Z',
        image: { url: image, alt: 'The ferry at the east pier' },
      }),
    posts: () =>
      new Map([
        ['telegram', countPosts(telegram.sent.map((m) => m.caption ?? m.text ?? ''), run)],
        ['twitter', countPosts(twitter.tweets.map((t) => t.text), run)],
        ['instagram', countPosts(instagram.posts.map((p) => p.caption), run)],
      ]),
    async close() {
      await app.close(2000);
      await deletePrefix(config.redis, prefix).catch(() => undefined);
      await Promise.all([telegram.close(), twitter.close(), instagram.close(), site.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FailoverReport extends Tally {
  /** Ledger states at the end, counted. */
  states: Partial<Record<DeliveryState, number>>;
  /** Deliveries that took more than one attempt. */
  retried: number;
  /** Seconds from the failover's start until the new master served crier. */
  failoverSeconds: number;
  /** Longest gap between two deliveries after the failover started (s): how long delivering paused. */
  pauseSeconds: number;
  /** From the failover's start to the last delivery (s): the stragglers are jobs whose state went with the old master, taken back by BullMQ's stalled-job check. */
  lastDeliverySeconds: number;
  /** Publishes that raised and were tried again (the producer's retries ran out). */
  publishRetries: number;
  seconds: number;
  settled: boolean;
}

/**
 * Publish `articles` articles at `perSecond`, start `failover` once `afterDeliveries` posts
 * have been recorded, then wait until every delivery settled (or `deadlineMs`).
 */
export async function runThroughFailover(
  h: HaHarness & { article(n: number): Article; run: string },
  o: { articles: number; perSecond: number; afterDeliveries: number; failover(): Promise<void>; deadlineMs: number },
): Promise<FailoverReport> {
  const started = Date.now();
  const articles = Array.from({ length: o.articles }, (_, n) => h.article(n));
  let publishRetries = 0;
  const publishing = articles.map(async (article, n) => {
    await sleep((n * 1000) / o.perSecond);
    for (let tries = 0; ; tries++) {
      try {
        await h.app.publish(article);
        return;
      } catch (error) {
        if (tries > 60) throw error;
        publishRetries++;
        await sleep(500); // publishing is idempotent: a caller whose request failed sends it again
      }
    }
  });
  const delivered = () => [...h.posts().values()].reduce((sum, counts) => sum + counts.size, 0);
  while (delivered() < o.afterDeliveries && Date.now() - started < o.deadlineMs) await sleep(20);
  const failoverStart = Date.now();
  await o.failover();
  const failoverSeconds = (Date.now() - failoverStart) / 1000;
  await Promise.all(publishing);

  const expected = o.articles * 3;
  const final = new Set<DeliveryState>(['delivered', 'duplicate', 'skipped', 'failed', 'unknown']);
  let settled = false;
  let records: Awaited<ReturnType<typeof h.app.ledger.getAll>> = [];
  while (Date.now() - started < o.deadlineMs) {
    try {
      records = (await Promise.all(articles.map((a) => h.app.ledger.getAll(a.id)))).flat();
      if (records.length === expected && records.every((r) => final.has(r.state)) && delivered() >= expected) {
        settled = true;
        break;
      }
    } catch {
      /* Redis still failing over */
    }
    await sleep(250);
  }
  // A little longer: a duplicate would show up now, not later.
  await sleep(1500);
  const states: FailoverReport['states'] = {};
  for (const r of records) states[r.state] = (states[r.state] ?? 0) + 1;
  const after = h.deliveredAt.filter((t) => t >= failoverStart).sort((a, b) => a - b);
  let pause = after.length > 0 ? (after[0] as number) - failoverStart : 0;
  for (let i = 1; i < after.length; i++) pause = Math.max(pause, (after[i] as number) - (after[i - 1] as number));
  return {
    ...tally(o.articles, h.posts()),
    states,
    retried: records.filter((r) => r.attempts > 1).length,
    failoverSeconds,
    pauseSeconds: pause / 1000,
    lastDeliverySeconds: after.length > 0 ? ((after[after.length - 1] as number) - failoverStart) / 1000 : 0,
    publishRetries,
    seconds: (Date.now() - started) / 1000,
    settled,
  };
}

/** One line for the test log: the figures README quotes. */
export function describeReport(name: string, r: FailoverReport): string {
  const states = Object.entries(r.states).map(([s, n]) => `${s} ${n}`).join(', ');
  return (
    `ha: ${name}: ${r.delivered}/${r.expected} posted, lost ${r.lost}, duplicates ${r.duplicates} (ledger: ${states}); ` +
    `new master serving after ${r.failoverSeconds.toFixed(1)} s, deliveries paused ${r.pauseSeconds.toFixed(1)} s (last one ${r.lastDeliverySeconds.toFixed(1)} s after the failover began), ` +
    `${r.publishRetries} publish call(s) refused and sent again, ${r.retried} deliveries needed a second attempt; run ${r.seconds.toFixed(1)} s`
  );
}

/**
 * The run `npm run test:ha` makes through each failover, and the smoke version in `npm test`:
 * the failover starts after the first deliveries, while articles are still being published.
 */
export const FULL_RUN = { articles: 100, perSecond: 20, afterDeliveries: 30, deadlineMs: 150_000 } as const;
export const SMOKE_RUN = { articles: 10, perSecond: 20, afterDeliveries: 6, deadlineMs: 50_000 } as const;

/** What a clean run looks like, to compare a report with: everything settled, delivered once. */
export function outcome(r: FailoverReport): { settled: boolean; lost: number; duplicates: number; states: FailoverReport['states'] } {
  return { settled: r.settled, lost: r.lost, duplicates: r.duplicates, states: r.states };
}
