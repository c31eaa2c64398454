import { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TargetConfig } from '../config/schema.js';
import { defineLedgerScripts, type LedgerScripts } from './ledger-scripts.js';
import type { Ledger } from './ledger.js';
import { jobId, retractJobId, updateJobId } from './names.js';
import { jobOptions, rememberRevision } from './publish.js';
import type { DeliveryJobData, QueueSet } from './queue-set.js';
import { releaseJobSlot } from './spacing.js';

/**
 * Retracting an article: in one transaction, its meta says retracted (a replayed webhook
 * cannot publish it again without `force`), every target whose post has not gone out is
 * marked retracted at once (its pending job then sends nothing — no send-then-delete), and
 * every target gets a retract job that takes down what is there: deleted, or edited to a
 * notice, per the target's `onRetract`. A post still being sent is taken down once its send
 * settles. Waiting first-post and update jobs are then removed from the queues (best
 * effort: the ledger already makes them no-ops).
 */

export type RetractTargetOutcome = 'cancelled' | 'retracting' | 'done' | 'none';

export interface RetractResult {
  articleId: string;
  /** False when the article was never published here (nothing done). */
  known: boolean;
  /** It had been retracted before (the call still makes sure every post is taken down). */
  already: boolean;
  outcomes: Array<{ target: string; platform: string; outcome: RetractTargetOutcome }>;
}

export interface RetractOptions {
  reason?: string;
  /** Who retracts (history): cli, webhook, editor. */
  by?: string;
}

export async function retract(articleId: string, deps: { queues: QueueSet; ledger: Ledger; targets: readonly TargetConfig[] }, options: RetractOptions = {}): Promise<RetractResult> {
  const { queues, ledger, targets } = deps;
  if (targets.length === 0) return { articleId, known: false, already: false, outcomes: [] };
  if (queues.closed) throw new Error('crier is shutting down: the queues are closed');
  const client = (await queues.get(targets[0] as TargetConfig).getBackend().client) as unknown as Redis;
  defineLedgerScripts(client);
  const [state] = await ledger.revisionStates([articleId]);
  if (state === undefined || state.rev === 0) return { articleId, known: false, already: false, outcomes: [] };
  const rev = Math.max(1, state?.rev ?? 1);
  const id = retractJobId(articleId, rev);
  const jobs = targets.map((target) => new Job<DeliveryJobData>(queues.get(target), 'retract', { articleId, rev }, { ...jobOptions(target), jobId: id }, id));
  const tx = client.multi();
  const keys = [ledger.metaKey(articleId), ledger.historyKey(articleId), `${queues.prefix}:article:${articleId}`, ...targets.map((t) => ledger.key(articleId, t.id))];
  (tx as unknown as LedgerScripts).crierLedgerRetract(keys.length, ...keys, new Date().toISOString(), options.reason ?? '', options.by ?? 'cli');
  for (const job of jobs) void job.addJob(tx as never);
  const replies = (await tx.exec()) ?? [];
  for (const [error] of replies) if (error !== null) throw error;
  const marked = (replies[0]?.[1] ?? []) as string[];
  if (marked[0] === 'unknown') {
    // Never published here: the retract jobs just added find nothing to do; take them back.
    await Promise.all(targets.map(async (t) => (await queues.get(t).getJob(id))?.remove().catch(() => undefined)));
    return { articleId, known: false, already: false, outcomes: [] };
  }
  rememberRevision(queues, articleId, { ...state, retracted: true });
  await Promise.all(targets.map((t) => removePending(queues, t, articleId, rev)));
  return {
    articleId,
    known: true,
    already: marked[0] === 'already',
    outcomes: targets.map((t, i) => ({ target: t.id, platform: t.platform, outcome: (marked[i + 1] ?? 'none') as RetractTargetOutcome })),
  };
}

/** First-post and update jobs of the article still waiting in a target's queue: removed (nothing of them may go out now). */
async function removePending(queues: QueueSet, target: TargetConfig, articleId: string, rev: number): Promise<void> {
  const queue = queues.get(target);
  const ids = [jobId(articleId), ...Array.from({ length: rev }, (_, i) => updateJobId(articleId, i + 1))];
  await Promise.all(
    ids.map(async (id) => {
      const job = await queue.getJob(id);
      if (job === undefined) return;
      const state = await job.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
        await job.remove().catch(() => undefined);
        // Held for spacing: its slot goes back, so the next post need not wait behind it.
        if (job.name === 'deliver') await releaseJobSlot(queues.client, queues.prefix, target, job.data.slot);
      }
    }),
  );
}
