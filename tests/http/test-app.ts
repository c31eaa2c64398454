import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClient } from '../../queues/connection.js';
import type { Logger } from 'pino';
import type { Adapter, SendContext, SendResult, Post } from '../../adapters/types.js';
import { buildConfig } from '../../config/load.js';
import type { Config, TargetConfig } from '../../config/schema.js';
import { createRedis } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import type { DeliveryObserver } from '../../queues/observer.js';
import { publish, type PublishOptions, type PublishResult } from '../../queues/publish.js';
import { retract, type RetractOptions, type RetractResult } from '../../queues/retract.js';
import { QueueSet } from '../../queues/queue-set.js';
import { listPending, type ListPendingOptions, type PendingDelivery } from '../../queues/pending.js';
import { reschedule, unschedule, type ScheduleChange } from '../../queues/reschedule.js';
import { DeliveryWorkers } from '../../queues/worker.js';
import type { Article } from '../../src/article/schema.js';
import type { ServeApp } from '../../src/http/server.js';
import { REDIS_URL } from '../helpers/redis.js';

/** Secrets a test config carries; none of them may ever show up in a log line or a response. */
export const SECRETS = {
  webhook: 'whsec_T3st-webhook-secret-0042',
  dashboard: 'dash-P4ssword-for-tests',
  botToken: '987654321:AAF-testTokenTestTokenTestToken123',
  twitterAppKey: 'tw-app-key-ABCDEF123456',
  twitterAppSecret: 'tw-app-secret-QWERTY987654',
  twitterAccessToken: '42-tw-access-token-ZXCVB',
  twitterAccessSecret: 'tw-access-secret-POIUY5555',
  instagramPassword: 'ig-Pa55word-never-log-me',
} as const;

export function testConfig(prefix: string, http: Record<string, unknown> = {}): Config {
  return buildConfig(
    {
      redis: { url: REDIS_URL, prefix },
      http: { webhookSecret: SECRETS.webhook, dashboardPassword: SECRETS.dashboard, ...http },
      media: { dir: mkdtempSync(join(tmpdir(), 'crier-http-media-')) },
      targets: [
        { id: 'chan', platform: 'telegram', botToken: SECRETS.botToken, chat: '@harbour', attempts: 3, backoffMs: 10, limiter: { max: 0, duration: 1000 } },
        {
          id: 'x', platform: 'twitter', appKey: SECRETS.twitterAppKey, appSecret: SECRETS.twitterAppSecret,
          accessToken: SECRETS.twitterAccessToken, accessSecret: SECRETS.twitterAccessSecret, attempts: 3, backoffMs: 10,
        },
        { id: 'gram', platform: 'instagram', username: 'harbour', password: SECRETS.instagramPassword, attempts: 3, backoffMs: 10, limiter: { max: 0, duration: 1000 } },
      ],
    },
    {},
  );
}

/** An adapter that fails as scripted (the first sends throw), then "posts" and returns a remote id. */
export class ScriptedAdapter implements Adapter {
  sends = 0;
  constructor(
    readonly target: TargetConfig,
    private readonly failFirst: Array<() => Error> = [],
  ) {}
  get platform() {
    return this.target.platform;
  }
  format(article: Article): Post {
    return { target: this.target.id, platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: article.title } as Post;
  }
  async send(_post: Post, _ctx: SendContext): Promise<SendResult> {
    this.sends++;
    const fail = this.failFirst.shift();
    if (fail) throw fail();
    return { remoteId: `${this.target.id}-${this.sends}`, url: `https://social.example/${this.target.id}/${this.sends}` };
  }
}

/** The App's serving surface, built from the queue pieces (no platform adapters needed). */
export class TestApp implements ServeApp {
  readonly redis: RedisClient;
  readonly ledger: Ledger;
  readonly queues: QueueSet;
  readonly targets: TargetConfig[];
  private workerRedis: RedisClient | undefined;
  private workers: DeliveryWorkers | undefined;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    this.redis = createRedis(config.redis);
    this.ledger = new Ledger(this.redis, config.redis.prefix);
    this.queues = new QueueSet(this.redis, config.redis.prefix);
    this.targets = config.targets;
  }

  publish(article: Article, onlyTargets?: readonly string[], options: PublishOptions = {}): Promise<PublishResult> {
    const targets = onlyTargets === undefined ? this.targets : this.targets.filter((t) => onlyTargets.includes(t.id));
    return publish(article, { queues: this.queues, ledger: this.ledger, targets }, options);
  }

  retract(articleId: string, options: RetractOptions = {}): Promise<RetractResult> {
    return retract(articleId, { queues: this.queues, ledger: this.ledger, targets: this.targets }, options);
  }

  pending(options: ListPendingOptions = {}): Promise<PendingDelivery[]> {
    return listPending(this.queues, this.ledger, this.targets, options);
  }

  unschedule(articleId: string, options: { target?: string; by?: string } = {}): Promise<ScheduleChange[]> {
    return unschedule(articleId, { queues: this.queues, ledger: this.ledger, targets: this.targets }, options);
  }

  reschedule(articleId: string, at: Date | number | string, options: { target?: string } = {}): Promise<ScheduleChange[]> {
    return reschedule(articleId, at, { queues: this.queues, ledger: this.ledger, targets: this.targets }, options);
  }

  get workersRunning(): boolean {
    return this.workers?.running ?? false;
  }

  async startWorkers(adapters: Map<string, Adapter>, observer?: DeliveryObserver): Promise<void> {
    this.workerRedis = createRedis(this.config.redis, 'worker');
    this.workers = new DeliveryWorkers({
      connection: this.workerRedis,
      prefix: this.config.redis.prefix,
      targets: this.targets,
      adapters,
      queues: this.queues,
      logger: this.logger,
      concurrency: 2,
      telegramGlobalPerSecond: 0,
      ...(observer ? { observer } : {}),
    });
    this.workers.start();
    await this.workers.ready();
  }

  async close(graceMs = 1000): Promise<void> {
    await this.workers?.close(graceMs);
    await this.queues.close();
    this.workerRedis?.disconnect();
    this.redis.disconnect();
  }
}
