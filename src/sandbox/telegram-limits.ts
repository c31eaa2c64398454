/**
 * Sliding-window rate limits, as the Telegram fake enforces them: at most `limit` accepted
 * sends per key in any `windowMs` span. A refused send is not counted.
 */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until `key` may send again; 0 when it may send now (or when the limit is off). */
  waitMs(key: string): number {
    if (this.limit <= 0) return 0;
    const list = this.prune(key);
    if (list.length < this.limit) return 0;
    const oldest = list[list.length - this.limit] as number;
    return Math.max(1, oldest + this.windowMs - this.now());
  }

  record(key: string): void {
    if (this.limit <= 0) return;
    const list = this.prune(key);
    list.push(this.now());
    this.hits.set(key, list);
  }

  clear(): void {
    this.hits.clear();
  }

  private prune(key: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    this.hits.set(key, list);
    return list;
  }
}

/** Telegram's retry_after: whole seconds, at least 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
