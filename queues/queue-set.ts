import { Queue } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { TargetConfig } from '../config/schema.js';
import type { Article } from '../src/article/schema.js';
import { queueName } from './names.js';

/**
 * What a delivery job carries: the article's id. The article itself is stored once by
 * publish and comes back with the ledger's `begin`, in the round trip the worker makes
 * anyway. Jobs queued by older versions carry the article too; it is used when the stored
 * one has expired.
 */
export interface DeliveryJobData {
  articleId: string;
  /** Update and retract jobs: the revision they were queued for. */
  rev?: number;
  article?: Article;
  /** A scheduled first post (embargo): when it is due, epoch ms (queues/schedule.ts). */
  dueAt?: number;
  /** Absent for normal priority. */
  priority?: 'breaking' | 'low';
  /** Published by a feed poller (quiet hours may drop it when it grew too old: maxAgeHours). */
  feed?: true;
  /** Why the worker last held this job back and until when (quiet hours, spacing): what `crier queue` shows. */
  hold?: { reason: 'quiet_hours' | 'spacing'; until: number };
  /** An editor's "send now": past quiet hours and spacing, as breaking news goes. */
  sendNow?: true;
  /** The spacing slot this job reserved (epoch ms): when it wakes there it goes without reserving again. */
  slot?: number;
}

/** Job names: the first post of an article, an update of a delivered post, a retraction. */
export type DeliveryJobName = 'deliver' | 'update' | 'retract';

/** One BullMQ queue per target, created once and shared by the producer side. */
export class QueueSet {
  private readonly queues = new Map<string, Queue<DeliveryJobData>>();
  private isClosed = false;

  constructor(
    private readonly connection: RedisClient,
    readonly prefix: string,
  ) {}

  get(target: Pick<TargetConfig, 'id'>): Queue<DeliveryJobData> {
    let queue = this.queues.get(target.id);
    if (queue === undefined) {
      queue = new Queue<DeliveryJobData>(queueName(target.id), { connection: this.connection, prefix: this.prefix });
      queue.on('error', () => undefined);
      this.queues.set(target.id, queue);
    }
    return queue;
  }

  /** The connection the queues share (for crier's own keys beside them). */
  get client(): RedisClient {
    return this.connection;
  }

  /** True once close() was called: nothing may be published through them any more. */
  get closed(): boolean {
    return this.isClosed;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
