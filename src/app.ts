import { basename } from 'node:path';
import type { Logger } from 'pino';
import { createAdapter } from '../adapters/registry.js';
import type { Adapter } from '../adapters/types.js';
import { missingCredentials } from '../config/load.js';
import type { Config, TargetConfig } from '../config/schema.js';
import { createRedis, type RedisClient } from '../queues/connection.js';
import { Ledger } from '../queues/ledger.js';
import type { DeliveryObserver } from '../queues/observer.js';
import { ReplicaAcks } from '../queues/replica-acks.js';
import { publish, type PublishOptions, type PublishResult } from '../queues/publish.js';
import { countPending, listPending, type ListPendingOptions, type PendingDelivery } from '../queues/pending.js';
import { reschedule, unschedule, type ScheduleChange } from '../queues/reschedule.js';
import { priorityFromTags } from '../queues/schedule.js';
import { retract, type RetractOptions, type RetractResult } from '../queues/retract.js';
import { QueueSet } from '../queues/queue-set.js';
import { DeliveryWorkers } from '../queues/worker.js';
import type { Article } from './article/schema.js';

export class SetupError extends Error {
  override readonly name = 'SetupError';
}

/** Targets that deliver: enabled, and (for sending) with credentials. */
export function activeTargets(config: Config, needCredentials: boolean): TargetConfig[] {
  const enabled = config.targets.filter((t) => t.enabled);
  if (!needCredentials) return enabled;
  const ready = enabled.filter((t) => missingCredentials(t) === undefined);
  if (ready.length === 0) {
    const why = enabled.map((t) => missingCredentials(t)).filter((m) => m !== undefined);
    throw new SetupError(
      enabled.length === 0
        ? 'no target is enabled in the config'
        : `no target can send: ${why.join('; ')} (try \`crier demo\` to run against the sandbox platforms)`,
    );
  }
  return ready;
}

/** Replica confirmations (Redis WAIT) for the writes of one connection, as the config asks. */
function replicaAcks(client: RedisClient, config: Config, logger: Logger): ReplicaAcks {
  return new ReplicaAcks(client, {
    replicas: config.redis.waitReplicas,
    timeoutMs: config.redis.waitTimeoutMs,
    key: config.redis.prefix,
    highAvailability: config.redis.topology !== 'standalone',
    logger,
  });
}

/** Where `crier serve` publishes a prepared image (GET /media/<file>, for the Instagram Graph backend). */
export function publicMediaUrl(base: string): (path: string) => string {
  const root = base.replace(/\/+$/, '');
  return (path) => `${root}/media/${encodeURIComponent(basename(path))}`;
}

export interface AppOptions {
  logger: Logger;
  observer?: DeliveryObserver;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Only targets with credentials (default). Read-only tools (status) pass false. */
  requireCredentials?: boolean;
}

/**
 * The composition root: one Redis connection for producing, one for workers, the
 * ledger, the queues and one adapter per target. Nothing else builds these.
 */
export class App {
  readonly redis: RedisClient;
  readonly ledger: Ledger;
  readonly queues: QueueSet;
  readonly targets: TargetConfig[];
  private workerRedis: RedisClient | undefined;
  private readonly acks: ReplicaAcks;
  private workers: DeliveryWorkers | undefined;
  private adapters: Map<string, Adapter> | undefined;

  constructor(
    readonly config: Config,
    private readonly options: AppOptions,
  ) {
    // Targets first: a config that cannot send fails here, before a connection is opened
    // that would keep the process alive.
    this.targets = activeTargets(config, options.requireCredentials ?? true);
    this.redis = createRedis(config.redis, 'producer');
    this.redis.on('error', (error: Error) => options.logger.debug({ err: error.message }, 'redis error'));
    this.acks = replicaAcks(this.redis, config, options.logger);
    this.ledger = new Ledger(this.redis, config.redis.prefix);
    this.queues = new QueueSet(this.redis, config.redis.prefix);
  }

  get logger(): Logger {
    return this.options.logger;
  }

  target(id: string): TargetConfig | undefined {
    return this.targets.find((t) => t.id === id);
  }

  getAdapters(): Map<string, Adapter> {
    if (this.adapters === undefined) {
      this.adapters = new Map(
        this.targets.map((t) => [
          t.id,
          createAdapter(t, {
            logger: this.logger.child({ target: t.id }),
            redis: this.redis,
            keyPrefix: this.config.redis.prefix,
            allowPrivateNetwork: this.config.media.allowPrivateNetwork,
            mediaDir: this.config.media.dir,
            mediaMaxBytes: this.config.media.maxBytes,
            mediaTimeoutMs: this.config.media.timeoutMs,
            ...(this.config.http.publicBaseUrl !== undefined ? { publicMediaUrl: publicMediaUrl(this.config.http.publicBaseUrl) } : {}),
          }),
        ]),
      );
    }
    return this.adapters;
  }

  /**
   * Publish an article, or update it when its revision changed (`options.force` publishes a
   * retracted one again). Its priority: `options.priority`, else the article's own, else
   * what its tags say (config priorityTags); it is held to `options.at`, else to a future
   * publishedAt.
   */
  publish(article: Article, onlyTargets?: readonly string[], options: PublishOptions = {}): Promise<PublishResult> {
    const targets = onlyTargets === undefined ? this.targets : this.targets.filter((t) => onlyTargets.includes(t.id));
    const tagged = article.priority === undefined && options.priority === undefined ? priorityFromTags(article.tags, this.config.priorityTags) : undefined;
    const withPriority = tagged !== undefined && tagged !== 'normal' ? { ...article, priority: tagged } : article;
    return publish(withPriority, { queues: this.queues, ledger: this.ledger, targets, acks: this.acks }, options);
  }

  /** Deliveries not sent yet, with their due time and reason (queues/pending.ts), on every target or one. */
  pending(options: ListPendingOptions = {}): Promise<PendingDelivery[]> {
    return listPending(this.queues, this.ledger, this.targets, options);
  }

  /** Pending deliveries counted by target and reason (the metrics gauge). */
  pendingCounts(): Promise<Array<{ target: string; reason: string; count: number }>> {
    return countPending(this.queues, this.ledger, this.targets);
  }

  /** Cancel an article's scheduled (not yet sent) first posts; `crier retry` or reschedule brings them back. */
  unschedule(articleId: string, options: { target?: string; by?: string } = {}): Promise<ScheduleChange[]> {
    return unschedule(articleId, { queues: this.queues, ledger: this.ledger, targets: this.targets }, options);
  }

  /** Move an article's pending first posts to `at` (ISO 8601, "+2h", Date, epoch ms). */
  reschedule(articleId: string, at: Date | number | string, options: { target?: string; sendNow?: boolean } = {}): Promise<ScheduleChange[]> {
    return reschedule(articleId, at, { queues: this.queues, ledger: this.ledger, targets: this.targets }, options);
  }

  /** Retract an article everywhere: pending deliveries cancelled, posts taken down per target. */
  retract(articleId: string, options: RetractOptions = {}): Promise<RetractResult> {
    return retract(articleId, { queues: this.queues, ledger: this.ledger, targets: this.targets }, options);
  }

  async startWorkers(): Promise<DeliveryWorkers> {
    if (this.workers !== undefined) return this.workers;
    this.workerRedis = createRedis(this.config.redis, 'worker');
    this.workerRedis.on('error', (error: Error) => this.logger.debug({ err: error.message }, 'redis error'));
    this.workers = new DeliveryWorkers({
      connection: this.workerRedis,
      acks: replicaAcks(this.workerRedis, this.config, this.logger),
      prefix: this.config.redis.prefix,
      targets: this.targets,
      adapters: this.getAdapters(),
      queues: this.queues,
      logger: this.logger,
      concurrency: this.config.worker.concurrency,
      telegramGlobalPerSecond: this.config.telegramGlobalPerSecond,
      ...(this.options.observer ? { observer: this.options.observer } : {}),
      lockDurationMs: this.options.lockDurationMs ?? this.config.worker.lockDurationMs,
      stalledIntervalMs: this.options.stalledIntervalMs ?? this.config.worker.stalledIntervalMs,
    });
    this.workers.start();
    await this.workers.ready();
    return this.workers;
  }

  get workersRunning(): boolean {
    return this.workers?.running ?? false;
  }

  /** Resume a paused target's queue (after a human fixed the account); false when it was not paused. */
  async resume(targetId: string): Promise<boolean> {
    const target = this.target(targetId);
    if (target === undefined) throw new SetupError(`unknown target "${targetId}"`);
    const queue = this.queues.get(target);
    if (!(await queue.isPaused())) return false;
    await queue.resume();
    return true;
  }

  async close(graceMs = this.config.worker.shutdownGraceSeconds * 1000): Promise<void> {
    await this.workers?.close(graceMs);
    await Promise.all([...(this.adapters?.values() ?? [])].map((a) => a.close?.()));
    await this.queues.close();
    this.workerRedis?.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
