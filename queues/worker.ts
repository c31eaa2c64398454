import { Worker } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { Logger } from 'pino';
import type { Adapter } from '../adapters/types.js';
import type { TargetConfig } from '../config/schema.js';
import { deliver, type DeliverOutcome } from './deliver.js';
import { followUp } from './follow-up.js';
import { coalesceWrites } from './connection.js';
import { DEFAULT_LEASE_MS, Ledger } from './ledger.js';
import { Heartbeat } from './heartbeat.js';
import { LeaseKeeper } from './lease.js';
import { holdFor } from './hold.js';
import { HeadOfLine, headOfLineKey, registerHeadOfLineNow } from './head-of-line.js';
import { SlidingWindowLimiter, telegramBudgetKey } from './limits.js';
import { queueName } from './names.js';
import type { DeliveryObserver } from './observer.js';
import type { DeliveryJobData, QueueSet } from './queue-set.js';
import type { ReplicaAcks } from './replica-acks.js';

export interface WorkersOptions {
  /**
   * The workers' own connection, made with maxRetriesPerRequest: null (createRedis(url,
   * 'worker')). BullMQ and the workers' ledger both use it, with writes combined per turn
   * of the event loop (coalesceWrites), so a delivery's `delivered` record is written
   * before BullMQ's completion of its job, in order, on one socket.
   */
  connection: RedisClient;
  prefix: string;
  targets: readonly TargetConfig[];
  adapters: ReadonlyMap<string, Adapter>;
  queues: QueueSet;
  logger: Logger;
  observer?: DeliveryObserver;
  /** Default parallel deliveries per target, when the target sets none. */
  concurrency: number;
  /** Telegram's budget per bot token across all its targets (messages/second); 0 = off. */
  telegramGlobalPerSecond: number;
  /** With replicas: claims and delivered records confirmed by a replica (Redis WAIT) on `connection`. */
  acks?: ReplicaAcks;
  /** Lock duration for jobs (ms): how soon a crashed worker's job is picked up again. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Clock of quiet hours and spacing (tests); default Date.now. */
  now?: () => number;
}

/** Per-target defaults when the config sets no limiter (PLATFORMS.md). */
export function defaultLimiter(target: TargetConfig): { max: number; duration: number } | undefined {
  if (target.limiter !== undefined) return target.limiter.max > 0 ? target.limiter : undefined;
  switch (target.platform) {
    case 'telegram':
      return { max: 20, duration: 60_000 }; // per channel or group
    case 'instagram':
      return target.backend === 'private' ? { max: 1, duration: 10 * 60_000 } : { max: 50, duration: 24 * 3600_000 };
    case 'twitter':
      return undefined; // the adapter tracks X's caps from response headers
  }
}

/** A BullMQ limiter that never limits by itself, so manual rate limits (429s) bind every worker. */
const UNLIMITED = { max: 1e12, duration: 1000 };

/** One BullMQ worker per target, in this process. */
export class DeliveryWorkers {
  private readonly workers: Worker<DeliveryJobData, DeliverOutcome>[] = [];
  private heartbeat: Heartbeat | undefined;
  private headOfLine: HeadOfLine | undefined;

  constructor(private readonly options: WorkersOptions) {}

  start(): void {
    const o = this.options;
    coalesceWrites(o.connection);
    this.heartbeat = new Heartbeat(o.connection, o.prefix);
    this.heartbeat.start();
    const ledger = new Ledger(o.connection, o.prefix, o.acks);
    // A send's lease runs as long as a job's lock: both say "this worker is still at it".
    const leases = new LeaseKeeper(ledger, o.lockDurationMs ?? DEFAULT_LEASE_MS, o.logger);
    const budgets = new Map<string, SlidingWindowLimiter>();
    for (const target of o.targets) {
      const adapter = o.adapters.get(target.id);
      if (adapter === undefined) throw new Error(`no adapter for target "${target.id}"`);
      const targetBudgets: SlidingWindowLimiter[] = [];
      if (target.platform === 'telegram' && o.telegramGlobalPerSecond > 0 && target.botToken !== undefined) {
        const key = telegramBudgetKey(o.prefix, target.botToken);
        let budget = budgets.get(key);
        if (budget === undefined) {
          budget = new SlidingWindowLimiter(o.connection, key, o.telegramGlobalPerSecond, 1000);
          budgets.set(key, budget);
        }
        targetBudgets.push(budget);
      }
      const queue = o.queues.get(target);
      let limiter = defaultLimiter(target);
      if (target.platform === 'telegram' && limiter !== undefined) {
        // Telegram counts posts per chat over a sliding window; BullMQ's limiter restarts its
        // window on the first job, so two bursts at a window's edge would get a 429.
        targetBudgets.push(new SlidingWindowLimiter(o.connection, `${o.prefix}:budget:chat:${target.id}`, limiter.max, limiter.duration));
        limiter = undefined;
      }
      // BullMQ honours queue.rateLimit() (our 429 handling) only on workers that have a
      // limiter, so a target without a limit still gets one that never binds.
      limiter ??= UNLIMITED;
      const hold = holdFor(target, { redis: o.connection, prefix: o.prefix, ledger, logger: o.logger, observer: o.observer ?? {}, ...(o.now ? { now: o.now } : {}) });
      const worker: Worker<DeliveryJobData, DeliverOutcome> = new Worker<DeliveryJobData, DeliverOutcome>(
        queueName(target.id),
        (job, token, signal) =>
          (job.name === 'update' || job.name === 'retract' ? followUp : deliver)(
            job,
            signal,
            {
              target,
              adapter,
              ledger,
              queue,
              logger: o.logger,
              observer: o.observer ?? {},
              budgets: targetBudgets,
              leases,
              cancel: (reason) => void worker.cancelJob(job.id ?? '', reason),
              hold,
              headOfLine: (id) => registerHeadOfLineNow(o.connection, o.prefix, target.id, id, Date.now()),
            },
            token,
          ),
        {
          connection: o.connection,
          prefix: o.prefix,
          concurrency: target.concurrency ?? o.concurrency,
          limiter,
          ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs } : {}),
          ...(o.stalledIntervalMs ? { stalledInterval: o.stalledIntervalMs } : {}),
          maxStalledCount: 5,
        },
      );
      worker.on('error', (error) => o.logger.warn({ target: target.id, err: error.message }, 'worker error'));
      worker.on('failed', (job, error) =>
        o.logger.info({ target: target.id, jobId: job?.id, attempts: job?.attemptsMade, err: error.message }, 'delivery attempt failed'),
      );
      this.workers.push(worker);
    }
    // Breaking news that waited (scheduled, sent now by an editor, retried) goes first once due.
    this.headOfLine = new HeadOfLine(
      o.connection,
      o.targets.map((target, i) => {
        const keys = (this.workers[i] as Worker).keys;
        return { register: headOfLineKey(o.prefix, target.id), wait: keys.wait as string, paused: keys.paused as string, delayed: keys.delayed as string, active: keys.active as string };
      }),
      (error) => o.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not bring due breaking news to the head of its queue'),
    );
    this.headOfLine.start();
  }

  /** Resolves when every worker is connected and polling. */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  get running(): boolean {
    return this.workers.length > 0 && this.workers.every((w) => w.isRunning());
  }

  /**
   * Graceful stop: finish in-flight deliveries within `graceMs`; past that, abort them
   * (their AbortSignal fires) so BullMQ hands the jobs back for another worker.
   */
  async close(graceMs = 30_000): Promise<void> {
    this.headOfLine?.stop();
    await this.heartbeat?.stop();
    const closing = Promise.all(this.workers.map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const result = await Promise.race([closing.then(() => 'closed' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      for (const w of this.workers) w.cancelAllJobs('shutdown');
      await Promise.race([Promise.all(this.workers.map((w) => w.close(true))), new Promise((r) => setTimeout(r, 2000))]);
    }
    this.workers.length = 0;
  }
}
