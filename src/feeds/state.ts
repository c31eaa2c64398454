import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../../queues/connection.js';

/**
 * What crier remembers about each feed, in Redis (so restarts and other instances share it):
 *   <prefix>:feed:<key>       hash: etag, lastModified, failures, nextAttemptAt, initializedAt, lastError
 *   <prefix>:feed:<key>:seen  sorted set: item keys (g:<guid>, l:<canonical link>) → last time seen in the feed
 *   <prefix>:feed:<key>:lock  a short lock so one feed is never polled twice at once
 *   <prefix>:feed:<key>:items hash: item identity (g:<guid> or l:<link>) → JSON {id, title, summary, image}:
 *                              the article id an item was published under and what the feed last said of it
 */

/** A feed item crier published: the article id, and what the feed said of it (to notice a correction). */
export interface PublishedItem {
  id: string;
  title: string;
  summary?: string;
  image?: string;
}

export interface FeedState {
  etag?: string;
  lastModified?: string;
  failures: number;
  /** Epoch ms before which the feed is not fetched (exponential backoff after errors). */
  nextAttemptAt: number;
  /** True once a first poll has succeeded (its items are the baseline, not news). */
  initialized: boolean;
  lastError?: string;
}

/** A stable short key for a feed URL. */
export function feedKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 20);
}

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class FeedStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(feed: string, suffix = ''): string {
    return `${this.prefix}:feed:${feed}${suffix}`;
  }

  async get(feed: string): Promise<FeedState> {
    const h = await this.redis.hgetall(this.key(feed));
    const state: FeedState = {
      failures: Number(h.failures ?? 0),
      nextAttemptAt: Number(h.nextAttemptAt ?? 0),
      initialized: h.initializedAt !== undefined,
    };
    if (h.etag !== undefined && h.etag !== '') state.etag = h.etag;
    if (h.lastModified !== undefined && h.lastModified !== '') state.lastModified = h.lastModified;
    if (h.lastError !== undefined && h.lastError !== '') state.lastError = h.lastError;
    return state;
  }

  /** A successful fetch (200 or 304): errors forgotten; validators stored when given. */
  async saveSuccess(feed: string, validators: { etag?: string | undefined; lastModified?: string | undefined }, now: number): Promise<void> {
    const fields: Record<string, string> = { failures: '0', nextAttemptAt: '0', lastSuccessAt: String(now), lastError: '' };
    if (validators.etag !== undefined) fields.etag = validators.etag;
    if (validators.lastModified !== undefined) fields.lastModified = validators.lastModified;
    await this.redis.hset(this.key(feed), fields);
  }

  /** Count a failure; returns the number of consecutive failures so far. */
  async saveFailure(feed: string, error: string, nextAttemptAt: (failures: number) => number): Promise<number> {
    const failures = await this.redis.hincrby(this.key(feed), 'failures', 1);
    await this.redis.hset(this.key(feed), { nextAttemptAt: String(nextAttemptAt(failures)), lastError: error.slice(0, 500) });
    return failures;
  }

  async markInitialized(feed: string, now: number): Promise<void> {
    await this.redis.hsetnx(this.key(feed), 'initializedAt', String(now));
  }

  /** Which of these keys (g:<guid>, l:<canonical link>) earlier polls of the feed remembered. */
  async known(feed: string, keys: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return new Set();
    const scores = await this.redis.zmscore(this.key(feed, ':seen'), ...unique);
    return new Set(unique.filter((_, i) => scores[i] !== null && scores[i] !== undefined));
  }

  /** Remember keys as seen now; forget keys absent from the feed for longer than `retentionMs`. */
  async remember(feed: string, keys: readonly string[], now: number, retentionMs?: number): Promise<void> {
    if (keys.length === 0) return;
    const args: Array<string | number> = [];
    for (const k of keys) args.push(now, k);
    const multi = this.redis.multi().zadd(this.key(feed, ':seen'), ...args);
    if (retentionMs !== undefined) multi.zremrangebyscore(this.key(feed, ':seen'), '-inf', `(${now - retentionMs}`);
    await multi.exec();
  }

  /** What the feed last said of each published item (see `:items`). */
  async publishedItems(feed: string, identities: readonly string[]): Promise<Map<string, PublishedItem>> {
    const out = new Map<string, PublishedItem>();
    if (identities.length === 0) return out;
    const values = await this.redis.hmget(this.key(feed, ':items'), ...identities);
    identities.forEach((identity, i) => {
      try {
        const parsed = JSON.parse(values[i] ?? 'null') as PublishedItem | null;
        if (parsed !== null && typeof parsed.id === 'string') out.set(identity, parsed);
      } catch {
        /* an unreadable entry is no entry */
      }
    });
    return out;
  }

  async savePublishedItem(feed: string, identity: string, item: PublishedItem): Promise<void> {
    await this.redis.hset(this.key(feed, ':items'), identity, JSON.stringify(item));
  }

  /** Take the feed's poll lock; returns a token to release it with, or undefined when held elsewhere. */
  async lock(feed: string, ttlMs: number): Promise<string | undefined> {
    const token = randomBytes(8).toString('hex');
    const ok = await this.redis.set(this.key(feed, ':lock'), token, 'PX', ttlMs, 'NX');
    return ok === 'OK' ? token : undefined;
  }

  async unlock(feed: string, token: string): Promise<void> {
    await this.redis.eval(UNLOCK, 1, this.key(feed, ':lock'), token);
  }
}
