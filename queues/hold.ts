import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { TargetConfig } from '../config/schema.js';
import type { RedisClient } from './connection.js';
import type { Ledger } from './ledger.js';
import type { DeliveryObserver } from './observer.js';
import { quietUntil } from './quiet-hours.js';
import type { DeliveryJobData } from './queue-set.js';
import { gapMsOf, passSlot, reserveSlot, spacingKey } from './spacing.js';

/**
 * The worker's check, just before a first post is sent, of the target's quiet hours and
 * spacing. A post due inside quiet hours is held to the window's end; one that would come
 * too soon after the last post is held to its reserved slot. Holding moves the job back to
 * BullMQ's delayed set without spending an attempt and without touching the ledger (the
 * record stays `queued`), and records the reason and time in the job's data, where
 * `crier queue` reads them. A feed item that would be older than the target's maxAgeHours
 * when quiet hours end is dropped instead (ledger `skipped`, with the reason). Breaking
 * news ignores both, and so does an editor's "send now". Targets without quietHours and minGapMinutes get no check at all.
 */
export type Hold = (job: Job<DeliveryJobData>, lockToken: string | undefined) => Promise<{ state: 'skipped' } | undefined>;

export interface HoldDeps {
  redis: RedisClient;
  prefix: string;
  ledger: Ledger;
  logger: Logger;
  observer: DeliveryObserver;
  /** Clock of quiet hours (a seam for tests); spacing uses the real clock. */
  now?: () => number;
}

/** A spacing slot counts as reached this long before its time (clocks of different processes differ a little). */
const SLOT_TOLERANCE_MS = 1000;

/** The check for a target, or undefined when it has neither quiet hours nor spacing. */
export function holdFor(target: TargetConfig, deps: HoldDeps): Hold | undefined {
  const quiet = target.quietHours;
  const gapMs = gapMsOf(target);
  if (quiet === undefined && gapMs === undefined) return undefined;
  const clock = deps.now ?? Date.now;
  const key = spacingKey(deps.prefix, target.id);

  /** Hold the job until `at` on this check's clock (recorded and scheduled on the real one: they differ only in tests). */
  const park = async (job: Job<DeliveryJobData>, lockToken: string | undefined, reason: 'quiet_hours' | 'spacing', at: number, now: number): Promise<never> => {
    const until = Date.now() + (at - now);
    const { hold: _hold, slot: _slot, ...rest } = job.data;
    await job.updateData(reason === 'spacing' ? { ...rest, hold: { reason, until }, slot: until } : { ...rest, hold: { reason, until } });
    deps.observer.held?.({ target: target.id, platform: target.platform, reason, untilMs: until });
    deps.logger.info({ target: target.id, articleId: job.data.articleId, reason, until: new Date(until).toISOString() }, 'holding a post back');
    await job.moveToDelayed(until, lockToken);
    throw new DelayedError();
  };

  return async (job, lockToken) => {
    if (job.name !== 'deliver') return undefined;
    if (job.data.priority === 'breaking' || job.data.sendNow === true) {
      // Past quiet hours and spacing — but the posts after it keep their distance from it.
      if (gapMs !== undefined) await passSlot(deps.redis, key, gapMs);
      return undefined;
    }
    const now = clock();
    if (quiet !== undefined) {
      const until = quietUntil(now, quiet);
      if (until !== undefined) {
        if (job.data.feed === true && target.maxAgeHours !== undefined) {
          const publishedAt = Date.parse((await deps.ledger.getArticle(job.data.articleId))?.publishedAt ?? '');
          if (Number.isFinite(publishedAt) && until - publishedAt > target.maxAgeHours * 3_600_000) {
            const reason = `dropped: quiet hours on ${target.id} end ${new Date(until).toISOString()}, when this feed item would be older than ${target.maxAgeHours} h (maxAgeHours)`;
            if (await deps.ledger.transition(job.data.articleId, target.id, ['queued'], 'skipped', { lastError: reason })) {
              deps.observer.held?.({ target: target.id, platform: target.platform, reason: 'dropped', untilMs: until });
              return { state: 'skipped' };
            }
          }
        }
        return park(job, lockToken, 'quiet_hours', until, now);
      }
    }
    if (gapMs !== undefined) {
      // Spacing runs on Redis's clock (the reservation) and this process's, never the seam.
      const real = Date.now();
      const slot = job.data.slot;
      // Woken at its reserved slot: it goes (a retry long after the slot reserves again).
      if (slot !== undefined && real >= slot - SLOT_TOLERANCE_MS && real < slot + gapMs) return undefined;
      const wait = await reserveSlot(deps.redis, key, gapMs);
      if (wait > 0) return park(job, lockToken, 'spacing', real + wait, real);
    }
    return undefined;
  };
}
