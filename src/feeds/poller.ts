import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { createRedis, type RedisClient, type RedisSource } from '../../queues/connection.js';
import { boilerplate } from '../article/boilerplate.js';
import { pollFeed, type FeedConfig, type FeedObserver, type FeedPollReport, type PollDeps } from './poll.js';
import { FeedStore, feedKey } from './state.js';

export type { FeedConfig, FeedObserver, FeedPollReport, FeedPollResult } from './poll.js';

/**
 * The feed poller: one BullMQ job scheduler per feed on the `feeds` queue. A scheduler
 * makes one job per interval however many crier instances run, and one worker takes it,
 * so feeds are never polled twice; a per-feed lock covers the rest (a manual poll, a
 * stalled job picked up again). Each feed is its own job: one bad feed never stops the others.
 */

export const FEEDS_QUEUE = 'feeds';
const SCHEDULER_PREFIX = 'feed-';

export interface FeedPollerOptions {
  /** Where Redis is (config.redis). */
  redisConfig: RedisSource;
  prefix: string;
  feeds: readonly FeedConfig[];
  publish: PollDeps['publish'];
  logger: Logger;
  observer?: FeedObserver;
  fetch?: { allowPrivateNetwork?: boolean; timeoutMs?: number; maxBytes?: number };
  /** Overrides every feed's `backfill` for feeds polled for the first time. */
  backfill?: number;
  /** Parallel feed polls per process. Default 4. */
  concurrency?: number;
  /** Clock (tests). */
  now?: () => number;
  /** Longest pause between attempts of a failing feed. Default 6 hours. */
  maxBackoffMs?: number;
  /** Forget items absent from their feed for this long. Default 400 days. */
  seenRetentionMs?: number;
  /** Boilerplate paragraph patterns (config `extract`) dropped from item text; default: the built-in list. */
  boilerplate?: readonly string[];
}

interface PollJob {
  url: string;
}

export function schedulerId(url: string): string {
  return SCHEDULER_PREFIX + feedKey(url);
}

export class FeedPoller {
  private readonly redis: RedisClient;
  private workerRedis: RedisClient | undefined;
  private worker: Worker<PollJob, FeedPollReport | { result: 'unknown' }> | undefined;
  readonly queue: Queue<PollJob>;
  private readonly deps: PollDeps;
  private readonly byUrl: Map<string, FeedConfig>;

  constructor(private readonly options: FeedPollerOptions) {
    this.redis = createRedis(options.redisConfig, 'producer');
    this.redis.on('error', (error) => options.logger.debug({ err: error.message }, 'redis error (feeds)'));
    this.queue = new Queue<PollJob>(FEEDS_QUEUE, { connection: this.redis, prefix: options.prefix });
    this.queue.on('error', () => undefined);
    this.byUrl = new Map(options.feeds.map((f) => [f.url, f]));
    this.deps = {
      store: new FeedStore(this.redis, options.prefix),
      publish: options.publish,
      logger: options.logger,
      ...(options.observer ? { observer: options.observer } : {}),
      fetch: {
        allowPrivateNetwork: options.fetch?.allowPrivateNetwork ?? false,
        timeoutMs: options.fetch?.timeoutMs ?? 15_000,
        maxBytes: options.fetch?.maxBytes ?? 10 * 1024 * 1024,
      },
      ...(options.backfill !== undefined ? { backfill: options.backfill } : {}),
      now: options.now ?? Date.now,
      maxBackoffMs: options.maxBackoffMs ?? 6 * 3600_000,
      seenRetentionMs: options.seenRetentionMs ?? 400 * 24 * 3600_000,
      boilerplate: boilerplate(options.boilerplate),
    };
  }

  /** Poll one configured feed now, in this process (tests, `crier serve` start-up checks). */
  pollNow(url: string): Promise<FeedPollReport> {
    const feed = this.byUrl.get(url);
    if (feed === undefined) throw new TypeError(`Unknown feed: ${url}`);
    return pollFeed(feed, this.deps);
  }

  /** Register (or update) one scheduler per feed, drop schedulers of feeds no longer configured, start the worker. */
  async start(): Promise<void> {
    if (this.worker !== undefined) return;
    const wanted = new Set<string>();
    for (const feed of this.options.feeds) {
      const id = schedulerId(feed.url);
      wanted.add(id);
      await this.queue.upsertJobScheduler(
        id,
        { every: feed.intervalSeconds * 1000 },
        { name: 'poll', data: { url: feed.url }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
      );
    }
    for (const scheduler of await this.queue.getJobSchedulers()) {
      if (scheduler.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(scheduler.key)) {
        await this.queue.removeJobScheduler(scheduler.key);
        this.options.logger.info({ scheduler: scheduler.key }, 'removed the schedule of a feed no longer configured');
      }
    }
    if (this.options.feeds.length === 0) return;
    this.workerRedis = createRedis(this.options.redisConfig, 'worker');
    this.workerRedis.on('error', (error) => this.options.logger.debug({ err: error.message }, 'redis error (feeds worker)'));
    this.worker = new Worker<PollJob, FeedPollReport | { result: 'unknown' }>(
      FEEDS_QUEUE,
      async (job) => {
        const feed = this.byUrl.get(job.data.url);
        // Another instance's config may list feeds this one does not know: leave them to it.
        if (feed === undefined) return { result: 'unknown' };
        return pollFeed(feed, this.deps);
      },
      { connection: this.workerRedis, prefix: this.options.prefix, concurrency: this.options.concurrency ?? 4 },
    );
    this.worker.on('error', (error) => this.options.logger.warn({ err: error.message }, 'feed worker error'));
    await this.worker.waitUntilReady();
    this.options.logger.info({ feeds: this.options.feeds.length }, 'feed poller running');
  }

  get running(): boolean {
    return this.worker?.isRunning() ?? false;
  }

  /** Stop taking poll jobs (an in-flight poll finishes) and close connections. Schedulers stay in Redis. */
  async close(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
    await this.queue.close();
    this.workerRedis?.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
