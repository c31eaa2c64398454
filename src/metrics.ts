import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryObserver } from '../queues/observer.js';
import type { FeedObserver } from './feeds/poller.js';

/** A queue whose job counts are read on every scrape (BullMQ `Queue` fits). */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

export interface MetricsOptions {
  /** Queues whose depth is reported, read on each scrape (targets may change at runtime). */
  queues?: () => readonly CountableQueue[];
  /** Pending deliveries by target and reason (queues/pending.ts countPending), read on each scrape. */
  pending?: () => Promise<ReadonlyArray<{ target: string; reason: string; count: number }>>;
  /** Node.js process metrics (crier_process_*, crier_nodejs_*); off in tests. */
  defaultMetrics?: boolean;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'failed', 'completed', 'waiting-children'] as const;

/**
 * crier's Prometheus metrics, all prefixed `crier_`, on a registry of their own (not
 * prom-client's global one), so several apps in one process never collide.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly deliveries: Counter<'platform' | 'target' | 'outcome'>;
  readonly latency: Histogram<'platform' | 'target'>;
  readonly retries: Counter<'platform' | 'target'>;
  readonly rateLimitWaits: Counter<'platform' | 'target' | 'source'>;
  readonly rateLimitWaitSeconds: Counter<'platform' | 'target' | 'source'>;
  readonly webhooks: Counter<'outcome'>;
  readonly feedPolls: Counter<'feed' | 'result'>;
  readonly feedErrors: Counter<'feed' | 'kind'>;
  readonly feedItems: Counter<'feed'>;
  readonly answersLost: Counter<'platform' | 'target'>;
  readonly inDoubt: Counter<'platform' | 'target' | 'result'>;
  readonly followUps: Counter<'platform' | 'target' | 'kind' | 'action'>;
  readonly holds: Counter<'platform' | 'target' | 'reason'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.deliveries = new Counter({
      name: 'crier_deliveries_total',
      help: 'Deliveries that reached an outcome (delivered, duplicate, failed, paused, unknown)',
      labelNames: ['platform', 'target', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'crier_delivery_latency_seconds',
      help: 'Time from enqueue to the platform accepting the post',
      labelNames: ['platform', 'target'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.answersLost = new Counter({
      name: 'crier_answers_lost_total',
      help: 'Sends the platform may have acted on whose answer was lost (reset, timeout, gateway error): never retried blindly',
      labelNames: ['platform', 'target'],
      registers,
    });
    this.inDoubt = new Counter({
      name: 'crier_sends_in_doubt_total',
      help: 'Sends in doubt (lost answer or crash mid-send) by how they were settled: found on the platform, absent (sent now), unknown (left to an editor)',
      labelNames: ['platform', 'target', 'result'],
      registers,
    });
    this.followUps = new Counter({
      name: 'crier_follow_ups_total',
      help: 'Updates and retractions of delivered posts by what they did (edited, not_modified, replied, replaced, ignored, not_supported, deleted, notice, gone)',
      labelNames: ['platform', 'target', 'kind', 'action'],
      registers,
    });
    this.retries = new Counter({
      name: 'crier_delivery_retries_total',
      help: 'Transient delivery errors that will be retried with backoff',
      labelNames: ['platform', 'target'],
      registers,
    });
    this.rateLimitWaits = new Counter({
      name: 'crier_rate_limit_waits_total',
      help: 'Times a delivery waited for a rate limit (platform 429 or crier budget)',
      labelNames: ['platform', 'target', 'source'],
      registers,
    });
    this.rateLimitWaitSeconds = new Counter({
      name: 'crier_rate_limit_wait_seconds_total',
      help: 'Seconds deliveries were told to wait by rate limits',
      labelNames: ['platform', 'target', 'source'],
      registers,
    });
    this.webhooks = new Counter({
      name: 'crier_webhook_requests_total',
      help: 'POST /publish requests by outcome (accepted, duplicate, unauthorized, invalid, …)',
      labelNames: ['outcome'],
      registers,
    });
    this.feedPolls = new Counter({
      name: 'crier_feed_polls_total',
      help: 'Feed polls by result (ok, not_modified, error, backoff, busy)',
      labelNames: ['feed', 'result'],
      registers,
    });
    this.feedErrors = new Counter({
      name: 'crier_feed_fetch_errors_total',
      help: 'Feed fetch or parse errors (each backs the feed off exponentially)',
      labelNames: ['feed', 'kind'],
      registers,
    });
    this.feedItems = new Counter({
      name: 'crier_feed_items_published_total',
      help: 'Feed items handed to publish',
      labelNames: ['feed'],
      registers,
    });
    this.holds = new Counter({
      name: 'crier_holds_total',
      help: 'First posts held back by the worker (quiet_hours, spacing) or dropped (a feed item too old by the end of quiet hours)',
      labelNames: ['platform', 'target', 'reason'],
      registers,
    });
    const pending = options.pending;
    if (pending !== undefined) {
      new Gauge({
        name: 'crier_pending_deliveries',
        help: 'Deliveries not sent yet by target and reason (embargo, quiet_hours, spacing, rate_limit, paused, retrying, queued), read at scrape time',
        labelNames: ['target', 'reason'],
        registers,
        async collect() {
          this.reset();
          try {
            for (const { target, reason, count } of await pending()) this.set({ target, reason }, count);
          } catch {
            /* Redis unreachable: the scrape still answers, without these */
          }
        },
      });
    }
    const queues = options.queues;
    if (queues !== undefined) {
      new Gauge({
        name: 'crier_queue_jobs',
        help: 'Jobs in each BullMQ queue by state, read at scrape time',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          this.reset();
          await Promise.all(
            queues().map(async (queue) => {
              try {
                const counts = await queue.getJobCounts(...QUEUE_STATES);
                for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
              } catch {
                /* Redis unreachable: the scrape still answers, without this queue */
              }
            }),
          );
        },
      });
    }
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: 'crier_' });
  }

  /** The worker's events as metrics. */
  get observer(): DeliveryObserver {
    return {
      delivered: (e) => {
        this.deliveries.inc({ platform: e.platform, target: e.target, outcome: e.duplicate ? 'duplicate' : 'delivered' });
        this.latency.observe({ platform: e.platform, target: e.target }, Math.max(0, e.latencyMs) / 1000);
      },
      failed: (e) => void this.deliveries.inc({ platform: e.platform, target: e.target, outcome: 'failed' }),
      paused: (e) => void this.deliveries.inc({ platform: e.platform, target: e.target, outcome: 'paused' }),
      unknown: (e) => void this.deliveries.inc({ platform: e.platform, target: e.target, outcome: 'unknown' }),
      retrying: (e) => void this.retries.inc({ platform: e.platform, target: e.target }),
      answerLost: (e) => void this.answersLost.inc({ platform: e.platform, target: e.target }),
      reconciled: (e) => void this.inDoubt.inc({ platform: e.platform, target: e.target, result: e.result }),
      followedUp: (e) => void this.followUps.inc({ platform: e.platform, target: e.target, kind: e.kind, action: e.action }),
      held: (e) => void this.holds.inc({ platform: e.platform, target: e.target, reason: e.reason }),
      rateLimited: (e) => {
        const labels = { platform: e.platform, target: e.target, source: e.source };
        this.rateLimitWaits.inc(labels);
        this.rateLimitWaitSeconds.inc(labels, Math.max(0, e.waitMs) / 1000);
      },
    };
  }

  /** The feed poller's events as metrics. */
  get feedObserver(): FeedObserver {
    return {
      polled: (feed, result) => void this.feedPolls.inc({ feed, result }),
      fetchError: (feed, kind) => void this.feedErrors.inc({ feed, kind }),
      published: (feed, count) => void this.feedItems.inc({ feed }, count),
    };
  }

  /** Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
