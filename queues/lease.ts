import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Ledger } from './ledger.js';

/**
 * The leases of the sends this process has in flight.
 *
 * An attempt that marks a delivery `sending` (or takes over one in doubt) holds a lease on
 * it in the ledger: `leaseUntil`, at Redis's clock. While the lease runs, any other attempt
 * at the same delivery — BullMQ hands a job to a second worker when the first one's lock
 * was lost, say across a Redis restart — waits instead of looking the post up and sending
 * it while the first attempt's request may still be on its way. A SIGKILLed worker's lease
 * simply runs out, and the next attempt reconciles.
 *
 * The keeper renews each lease a third of the way through it, one timer for all of them
 * (a send that takes milliseconds never costs a renewal). When a lease cannot be renewed
 * in time (Redis unreachable) or was taken over, the attempt is cancelled — its AbortSignal
 * fires — so it stops before calling the platform: past the lease, another attempt may act.
 * Renewals are timed with this process's own clock from when each request left, so clocks
 * of different machines never need to agree.
 */

interface Held {
  articleId: string;
  targetId: string;
  token: string;
  /** Local time the last successful renewal (or the begin) was sent: the lease runs at least `ms` from then. */
  validFrom: number;
  renewing: boolean;
  lost(reason: string): void;
}

const TOKEN_PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

/** A token no other attempt, in this process or another, ever uses. */
export function leaseToken(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${TOKEN_PREFIX}.${counter.toString(36)}`;
}

export class LeaseKeeper {
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ledger: Ledger,
    /** Lease length (ms). */
    readonly ms: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Keep the lease `token` took at local time `takenAt` (before its request left) until the
   * returned function is called. `lost` is called (once) when it cannot be kept.
   */
  hold(articleId: string, targetId: string, token: string, takenAt: number, lost: (reason: string) => void): () => void {
    this.held.set(token, { articleId, targetId, token, validFrom: takenAt, renewing: false, lost });
    this.timer ??= setInterval(() => this.tick(), Math.max(10, Math.floor(this.ms / 6))).unref();
    return () => this.drop(token);
  }

  get size(): number {
    return this.held.size;
  }

  private drop(token: string): void {
    this.held.delete(token);
    if (this.held.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private lose(h: Held, reason: string): void {
    if (!this.held.has(h.token)) return;
    this.drop(h.token);
    this.logger.warn({ articleId: h.articleId, target: h.targetId, reason }, 'lost the lease of a send in flight: cancelling the attempt');
    h.lost(reason);
  }

  private tick(): void {
    const now = this.now();
    for (const h of [...this.held.values()]) {
      const age = now - h.validFrom;
      // A quarter of the lease is kept in hand for the cancel to take effect.
      if (age > this.ms - this.ms / 4) {
        this.lose(h, `lease not renewed for ${age} ms`);
        continue;
      }
      if (age < this.ms / 3 || h.renewing) continue;
      h.renewing = true;
      const sentAt = now;
      this.ledger.lease(h.articleId, h.targetId, h.token, this.ms).then(
        (kept) => {
          h.renewing = false;
          if (kept) h.validFrom = Math.max(h.validFrom, sentAt);
          else this.lose(h, 'another attempt took the delivery over');
        },
        () => {
          h.renewing = false; // Redis unreachable: the next tick tries again, or gives up in time.
        },
      );
    }
  }
}
