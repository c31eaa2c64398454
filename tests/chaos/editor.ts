import type { TargetConfig } from '../../config/schema.js';
import type { DeliveryState, Ledger } from '../../queues/ledger.js';
import type { QueueSet } from '../../queues/queue-set.js';
import { confirmPosted, retryDeliveries } from '../../queues/retry.js';

/**
 * The chaos run's editor: watches the ledger of every published (article, target) and,
 * for a delivery left `unknown` (a worker died mid-send, or the platform's answer was lost,
 * on a platform crier cannot ask), does what an editor does with the alert's buttons —
 * looks at the channel (the fake's record) and presses Posted when the post is there,
 * Not posted — send again when it is not.
 */

const SETTLED: ReadonlySet<DeliveryState> = new Set(['delivered', 'duplicate', 'skipped']);

export interface Decision {
  articleId: string;
  target: string;
  action: 'posted' | 'retry';
}

export class ChaosEditor {
  readonly decisions: Decision[] = [];
  /** Latest state per `articleId|target`. */
  readonly states = new Map<string, DeliveryState>();
  /** `target|articleId` of deliveries crier settled itself by finding the post after a send in doubt. */
  readonly reconciled = new Set<string>();

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
        if (record.notes?.some((n) => n.includes('after a send in doubt')) === true) this.reconciled.add(`${record.target}|${articleId}`);
        if (record.state !== 'unknown') continue;
        if (this.onPlatform(articleId, record.target)) {
          if (await confirmPosted(articleId, record.target, this.deps.ledger, 'the chaos editor')) this.decisions.push({ articleId, target: record.target, action: 'posted' });
        } else {
          const [outcome] = await retryDeliveries(articleId, this.deps.targets, this.deps, record.target);
          if (outcome?.result === 'retried') this.decisions.push({ articleId, target: record.target, action: 'retry' });
        }
      }
    }
    return settled;
  }

  /** Per target: deliveries crier reconciled itself, and deliveries left unknown for the editor. */
  byTarget(): Record<string, { reconciled: number; unknown: number }> {
    const out: Record<string, { reconciled: number; unknown: number }> = {};
    const row = (t: string) => (out[t] ??= { reconciled: 0, unknown: 0 });
    for (const key of this.reconciled) row(key.split('|')[0] as string).reconciled++;
    for (const d of this.decisions) row(d.target).unknown++;
    return out;
  }

  count(state: DeliveryState): number {
    return [...this.states.values()].filter((s) => s === state).length;
  }
}
