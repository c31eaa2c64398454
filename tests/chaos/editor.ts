import type { TargetConfig } from '../../config/schema.js';
import type { DeliveryState, Ledger } from '../../queues/ledger.js';
import type { QueueSet } from '../../queues/queue-set.js';
import { retryDeliveries, skipDelivery } from '../../queues/retry.js';

/**
 * The chaos run's editor: watches the ledger of every published (article, target) and,
 * for a delivery left `unknown` (a worker died mid-send on a platform crier cannot ask),
 * does what an editor does with the Retry / Skip buttons — looks at the channel (the
 * fake's record) and presses Skip when the post is there, Retry when it is not.
 */

const SETTLED: ReadonlySet<DeliveryState> = new Set(['delivered', 'duplicate', 'skipped']);

export interface Decision {
  articleId: string;
  target: string;
  action: 'skip' | 'retry';
}

export class ChaosEditor {
  readonly decisions: Decision[] = [];
  /** Latest state per `articleId|target`. */
  readonly states = new Map<string, DeliveryState>();

  constructor(
    private readonly deps: { ledger: Ledger; queues: QueueSet; targets: readonly TargetConfig[] },
    /** Whether the platform shows this article's post for `target`. */
    private readonly onPlatform: (articleId: string, target: string) => boolean,
  ) {}

  /** One look at the ledger; acts on unknown deliveries. Returns how many pairs are settled. */
  async review(articleIds: readonly string[]): Promise<number> {
    let settled = 0;
    for (const articleId of articleIds) {
      const records = await this.deps.ledger.getAll(articleId);
      for (const record of records) {
        this.states.set(`${articleId}|${record.target}`, record.state);
        if (SETTLED.has(record.state)) settled++;
        if (record.state !== 'unknown') continue;
        if (this.onPlatform(articleId, record.target)) {
          if (await skipDelivery(articleId, record.target, this.deps.ledger)) this.decisions.push({ articleId, target: record.target, action: 'skip' });
        } else {
          const [outcome] = await retryDeliveries(articleId, this.deps.targets, this.deps, record.target);
          if (outcome?.result === 'retried') this.decisions.push({ articleId, target: record.target, action: 'retry' });
        }
      }
    }
    return settled;
  }

  count(state: DeliveryState): number {
    return [...this.states.values()].filter((s) => s === state).length;
  }
}
