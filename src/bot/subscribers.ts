/**
 * Direct subscribers (optional, `bot.subscribers: true`): users who /subscribe in a
 * private chat with the bot receive each new article as a message.
 *
 * Broadcasting goes through a BullMQ queue (`bot.broadcast`), one job per subscriber,
 * whose worker stays within Telegram's global budget twice over: a queue limiter of
 * `telegramGlobalPerSecond` per second, and the same Redis sliding window the channel
 * deliveries of this bot token use (queues/worker.ts), so posts and broadcasts together
 * never exceed it. A 429 waits `retry_after` without spending an attempt; users who
 * blocked the bot (403) or whose chat is gone are removed.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Telegram } from 'telegraf';
import { RateLimitedError } from '../../adapters/errors.js';
import { mapTelegramError } from '../../adapters/telegram/map-error.js';
import { createRedis, type RedisClient, type RedisSource } from '../../queues/connection.js';
import { SlidingWindowLimiter, telegramBudgetKey } from '../../queues/limits.js';
import type { Article } from '../article/schema.js';
import { renderBroadcast } from './render.js';

export const BROADCAST_QUEUE = 'bot.broadcast';
/** Added to the one-second budget window: see startWorker. */
export const BUDGET_MARGIN_MS = 100;

export interface BroadcastJob {
  chatId: number;
  articleId: string;
  html: string;
}

export interface SubscribersOptions {
  /** Producer connection (App.redis). */
  redis: RedisClient;
  /** Where Redis is (config.redis), for the worker's own connection. */
  redisConfig: RedisSource;
  prefix: string;
  telegram: Telegram;
  /** The bot's token: broadcasts share this token's global budget with channel posts. */
  botToken: string;
  /** Messages per second for this token (config.telegramGlobalPerSecond); 0 = no limit. */
  perSecond: number;
  logger: Logger;
}

export class Subscribers {
  readonly queue: Queue<BroadcastJob>;
  private worker: Worker<BroadcastJob> | undefined;
  private workerRedis: RedisClient | undefined;

  constructor(private readonly o: SubscribersOptions) {
    this.queue = new Queue<BroadcastJob>(BROADCAST_QUEUE, { connection: o.redis, prefix: o.prefix });
    this.queue.on('error', () => undefined);
  }

  private get setKey(): string {
    return `${this.o.prefix}:bot:subscribers`;
  }

  /** True when the chat was not subscribed yet. */
  async add(chatId: number): Promise<boolean> {
    return (await this.o.redis.sadd(this.setKey, String(chatId))) === 1;
  }

  /** True when the chat was subscribed. */
  async remove(chatId: number): Promise<boolean> {
    return (await this.o.redis.srem(this.setKey, String(chatId))) === 1;
  }

  async has(chatId: number): Promise<boolean> {
    return (await this.o.redis.sismember(this.setKey, String(chatId))) === 1;
  }

  async count(): Promise<number> {
    return this.o.redis.scard(this.setKey);
  }

  /**
   * Queue the article for every subscriber. Once per article: a second call (another
   * target delivered, a re-publish) enqueues nothing. Returns the number of jobs added.
   */
  async broadcastArticle(article: Article): Promise<number> {
    const first = await this.o.redis.set(`${this.o.prefix}:bot:broadcast:${article.id}`, '1', 'EX', 30 * 24 * 3600, 'NX');
    if (first !== 'OK') return 0;
    const html = renderBroadcast(article);
    let added = 0;
    let cursor = '0';
    do {
      const [next, members] = await this.o.redis.sscan(this.setKey, cursor, 'COUNT', 500);
      cursor = next;
      if (members.length === 0) continue;
      await this.queue.addBulk(
        members.map((chat) => ({
          name: 'broadcast',
          data: { chatId: Number(chat), articleId: article.id, html },
          opts: {
            jobId: `b-${encodeURIComponent(article.id)}-${chat}`,
            attempts: 5,
            backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
            removeOnComplete: { age: 24 * 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
      added += members.length;
    } while (cursor !== '0');
    this.o.logger.info({ articleId: article.id, subscribers: added }, 'broadcast queued');
    return added;
  }

  /** Start sending queued broadcasts from this process. */
  async startWorker(): Promise<void> {
    if (this.worker !== undefined) return;
    this.workerRedis = createRedis(this.o.redisConfig, 'worker');
    this.workerRedis.on('error', (error) => this.o.logger.debug({ err: error.message }, 'redis error'));
    // A window a little longer than Telegram's second absorbs the jitter between taking a
    // slot here and the request reaching Telegram, so a full budget never draws a 429.
    const budget = new SlidingWindowLimiter(this.workerRedis, telegramBudgetKey(this.o.prefix, this.o.botToken), this.o.perSecond, 1000 + BUDGET_MARGIN_MS);
    const worker: Worker<BroadcastJob> = new Worker<BroadcastJob>(BROADCAST_QUEUE, (job) => this.send(job, worker, budget), {
      connection: this.workerRedis,
      prefix: this.o.prefix,
      concurrency: 10,
      ...(this.o.perSecond > 0 ? { limiter: { max: this.o.perSecond, duration: 1000 } } : {}),
    });
    worker.on('error', (error) => this.o.logger.warn({ err: error.message }, 'broadcast worker error'));
    this.worker = worker;
    await worker.waitUntilReady();
  }

  private async send(job: Job<BroadcastJob>, worker: Worker<BroadcastJob>, budget: SlidingWindowLimiter): Promise<string> {
    const { chatId, html } = job.data;
    if (!(await this.has(chatId))) return 'unsubscribed';
    const wait = await budget.acquire();
    if (wait > 0) {
      await worker.rateLimit(wait);
      throw Worker.RateLimitError();
    }
    try {
      await this.o.telegram.sendMessage(chatId, html, { parse_mode: 'HTML', link_preview_options: { prefer_large_media: true } });
      return 'sent';
    } catch (error) {
      const mapped = mapTelegramError(error);
      if (mapped instanceof RateLimitedError) {
        await worker.rateLimit(mapped.retryAfterMs);
        throw Worker.RateLimitError();
      }
      if (mapped.kind === 'permanent' && (mapped.code === 403 || /chat not found|user is deactivated/i.test(mapped.message))) {
        await this.remove(chatId);
        this.o.logger.info({ chatId, reason: mapped.message }, 'subscriber removed: the bot cannot write to them any more');
        return 'removed';
      }
      if (mapped.kind === 'permanent') throw new UnrecoverableError(mapped.message);
      throw mapped;
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
    await this.queue.close();
    this.workerRedis?.disconnect();
  }
}
