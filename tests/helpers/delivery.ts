import type { RedisClient } from '../../queues/connection.js';
import type { Adapter } from '../../adapters/types.js';
import { buildConfig } from '../../config/load.js';
import type { TargetConfig } from '../../config/schema.js';
import { createRedis } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import type { DeliveryObserver } from '../../queues/observer.js';
import { QueueSet } from '../../queues/queue-set.js';
import { DeliveryWorkers } from '../../queues/worker.js';
import { silentLogger } from '../../src/logging.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './redis.js';

/**
 * Queues, ledger and delivery workers on the real Redis under a prefix of their own, for
 * one Telegram-shaped target "chan" (3 attempts, 10 ms backoff, no limiter), driven by a
 * scripted adapter. `close()` stops everything and deletes the keys.
 */
export interface DeliveryHarness {
  prefix: string;
  redis: RedisClient;
  queues: QueueSet;
  ledger: Ledger;
  target: TargetConfig;
  /** Start the workers for `target` with this adapter (once per harness). */
  start(adapter: Adapter, options?: { concurrency?: number; observer?: DeliveryObserver }): Promise<DeliveryWorkers>;
  close(): Promise<void>;
}

export function deliveryHarness(name: string): DeliveryHarness {
  const prefix = uniquePrefix(name);
  const redis = createRedis(REDIS_URL);
  const workerRedis = createRedis(REDIS_URL, 'worker');
  const queues = new QueueSet(redis, prefix);
  const ledger = new Ledger(redis, prefix);
  const target = buildConfig({ targets: [{ id: 'chan', platform: 'telegram', attempts: 3, backoffMs: 10, limiter: { max: 0, duration: 1000 } }] }, {}).targets[0]!;
  let workers: DeliveryWorkers | undefined;
  return {
    prefix,
    redis,
    queues,
    ledger,
    target,
    async start(adapter, options = {}) {
      workers = new DeliveryWorkers({
        connection: workerRedis,
        prefix,
        targets: [target],
        adapters: new Map([[target.id, adapter]]),
        queues,
        logger: silentLogger,
        concurrency: options.concurrency ?? 2,
        telegramGlobalPerSecond: 0,
        ...(options.observer ? { observer: options.observer } : {}),
      });
      workers.start();
      await workers.ready();
      return workers;
    },
    async close() {
      await workers?.close(1000);
      await queues.close();
      redis.disconnect();
      workerRedis.disconnect();
      await deletePrefix(prefix);
    },
  };
}
