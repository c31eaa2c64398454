import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.js';
import type { Article } from '../src/article/schema.js';
import type { SendResult } from '../adapters/types.js';
import { defineLedgerScripts, type LedgerScripts } from './ledger-scripts.js';
import { settledMargin, slotMember, type SlidingWindow } from './limits.js';
import { redactText } from '../src/logging.js';
import { NotReplicatedError, unconfirmed, type ReplicaAcks } from './replica-acks.js';

/**
 * The delivery ledger: article × target → state, remote id, url, attempts, last error,
 * timestamps. Checked before every send and written right after, so a delivery is
 * never repeated once recorded. One Redis hash per (article, target); progress of a
 * multi-step send (thread tweet ids) lives in the same hash under `p:` fields.
 */

export const DELIVERY_STATES = [
  'queued', 'sending', 'retrying', 'rate_limited', 'paused', 'delivered', 'duplicate', 'failed', 'unknown', 'skipped',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** States after which nothing is ever sent again for this (article, target) without a human. */
export const FINAL_STATES: ReadonlySet<DeliveryState> = new Set(['delivered', 'duplicate', 'skipped']);

const ARTICLE_TTL_SECONDS = 90 * 24 * 3600;
/** How soon a delivery whose claim no replica confirmed is tried again. */
const UNCONFIRMED_RETRY_MS = 1000;

/** Reads a save-and-claim reply (from EXEC): per target the state found, undefined where the claim was new. */
export type ReadClaims = (reply: unknown) => Array<DeliveryState | undefined>;

/** A slot taken in budgets by `begin`, to settle once the platform answered. */
export interface Slot {
  member: string;
  windows: Array<{ key: string; windowMs: number }>;
}

export interface DeliveryRecord {
  articleId: string;
  target: string;
  platform: string;
  state: DeliveryState;
  attempts: number;
  remoteId?: string;
  url?: string;
  lastError?: string;
  costUsd?: number;
  notes?: string[];
  createdAt: string;
  updatedAt: string;
  deliveredAt?: string;
  progress: Record<string, string>;
}

/** What `begin` found: whether this attempt may send, the record, and the stored article. */
export interface Begun {
  started: boolean;
  record: DeliveryRecord;
  /** The article as published (absent when the record is final, a budget is full, or it expired). */
  article?: Article;
  /** A budget is full: nothing was taken; try again after this long. */
  waitMs?: number;
  slot?: Slot;
}

export class Ledger {
  private readonly scripts: LedgerScripts;

  /**
   * `acks`: with replicas, a send starts only once a replica confirmed its claim, and a
   * delivery counts as recorded only once a replica confirmed it (queues/replica-acks.ts),
   * so a failover cannot take either back and let the send happen twice.
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly acks?: ReplicaAcks,
  ) {
    this.scripts = defineLedgerScripts(redis);
  }

  private key(articleId: string, targetId: string): string {
    return `${this.prefix}:ledger:${articleId}:${targetId}`;
  }
  private targetsKey(articleId: string): string {
    return `${this.prefix}:ledger:${articleId}`;
  }
  private articleKey(articleId: string): string {
    return `${this.prefix}:article:${articleId}`;
  }

  async getArticle(articleId: string): Promise<Article | undefined> {
    const raw = await this.redis.get(this.articleKey(articleId));
    return raw === null ? undefined : (JSON.parse(raw) as Article);
  }

  /**
   * Publishing in one round trip: store the article and claim every target's record.
   * Returns, per target, the state found (undefined when this call created the record).
   */
  async saveAndClaim(article: Article, targets: ReadonlyArray<{ id: string; platform: string }>): Promise<Array<DeliveryState | undefined>> {
    const found = await this.scripts.crierLedgerSaveAndClaim(...this.saveAndClaimArgs(article, targets));
    return claimedStates(found, targets.length);
  }

  /**
   * saveAndClaim queued on a transaction (MULTI) of another connection, so publishing can
   * claim and enqueue in one round trip. Returns how to read the script's reply from EXEC.
   */
  saveAndClaimIn(
    tx: ChainableCommander,
    article: Article,
    targets: ReadonlyArray<{ id: string; platform: string }>,
  ): ReadClaims {
    (tx as unknown as LedgerScripts).crierLedgerSaveAndClaim(...this.saveAndClaimArgs(article, targets));
    return (reply) => claimedStates(reply as string[], targets.length);
  }

  private saveAndClaimArgs(article: Article, targets: ReadonlyArray<{ id: string; platform: string }>): [number, ...Array<string | Buffer>] {
    const keys = [this.articleKey(article.id), this.targetsKey(article.id), ...targets.map((t) => this.key(article.id, t.id))];
    // UTF-8 bytes, encoded once: as a string, one character past Latin-1 (€, —, “) makes
    // the whole JSON two bytes a character, and it is copied several times on its way to the socket.
    const args = [Buffer.from(JSON.stringify(article)), String(ARTICLE_TTL_SECONDS), new Date().toISOString(), ...targets.flatMap((t) => [t.id, t.platform])];
    return [keys.length, ...keys, ...args];
  }

  /**
   * The one round trip before a send: read the record (creating it when missing) and, when
   * the delivery may go ahead (queued, retrying, rate limited, paused), take a slot in each
   * budget and mark it `sending` with one more attempt — atomically, so two workers can
   * never both start the same send. `started` false leaves the record untouched: it is
   * final, held for a human (failed/unknown) or in doubt (`sending`: an earlier attempt
   * died mid-send); with `waitMs` a budget is full and nothing was taken. The slot taken
   * is settled (re-dated) by markDelivered or settle once the platform answered. The
   * article published under `articleId` comes back in the same round trip, so delivery
   * jobs carry only the id and the article is written to Redis once per publish.
   * With replicas, the claim must reach one before the send may start: when none confirms
   * it in time (a failover under way), the claim is taken back and `waitMs` says to try later.
   */
  async begin(
    articleId: string,
    targetId: string,
    platform: string,
    budgets: readonly SlidingWindow[] = [],
  ): Promise<Begun> {
    const windows = budgets.filter((b) => b.max > 0).map((b) => ({ key: b.key, max: b.max, windowMs: b.periodMs + settledMargin(b.periodMs) }));
    // This attempt's claim, and its slot's member in each budget.
    const member = slotMember();
    const keys = [this.key(articleId, targetId), this.targetsKey(articleId), this.articleKey(articleId)];
    const args = [targetId, platform, new Date().toISOString(), member];
    for (const b of windows) {
      keys.push(b.key);
      args.push(String(b.max), String(b.windowMs));
    }
    const ticket = this.acks?.ticket();
    const [outcome, flat, wait, json] = await this.scripts.crierLedgerBegin(keys.length, ...keys, ...args);
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
    const record = parseRecord(articleId, targetId, hash) as DeliveryRecord;
    const article = typeof json === 'string' ? { article: JSON.parse(json) as Article } : {};
    if (outcome === 2) return { started: false, record, waitMs: Number(wait) };
    if (outcome !== 1 && outcome !== 3) return { started: false, record, ...article };
    const before = { state: record.state, attempts: record.attempts };
    if (outcome === 1) {
      record.state = 'sending';
      record.attempts += 1;
    }
    const replicated = await this.acks?.confirm(ticket);
    if (unconfirmed(replicated)) {
      // Not sent, and the claim may not survive a failover: give it back, try again shortly.
      const budgetKeys = windows.map((w) => w.key);
      await this.scripts
        .crierLedgerUnclaim(1 + budgetKeys.length, this.key(articleId, targetId), ...budgetKeys, member, before.state, String(before.attempts), new Date().toISOString())
        .catch(() => undefined); // Redis failing too: the next attempt finds the claim in doubt and reconciles
      return { started: false, record: { ...record, ...before }, waitMs: UNCONFIRMED_RETRY_MS };
    }
    return { started: true, record, ...article, ...(windows.length > 0 ? { slot: { member, windows } } : {}) };
  }

  /** The platform answered (or the send failed): the slot counts from now on, not from when it was taken. */
  async settle(slot: Slot | undefined): Promise<void> {
    if (slot === undefined) return;
    await this.scripts.crierLedgerSettle(slot.windows.length, ...slot.windows.map((w) => w.key), slot.member, ...slot.windows.map((w) => String(w.windowMs)));
  }

  async get(articleId: string, targetId: string): Promise<DeliveryRecord | undefined> {
    const hash = await this.redis.hgetall(this.key(articleId, targetId));
    return parseRecord(articleId, targetId, hash);
  }

  /** Every target's record for an article, in target order. */
  async getAll(articleId: string): Promise<DeliveryRecord[]> {
    const targets = (await this.redis.smembers(this.targetsKey(articleId))).sort();
    if (targets.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const t of targets) pipeline.hgetall(this.key(articleId, t));
    const rows = (await pipeline.exec()) ?? [];
    return targets
      .map((t, i) => parseRecord(articleId, t, (rows[i]?.[1] ?? {}) as Record<string, string>))
      .filter((r): r is DeliveryRecord => r !== undefined);
  }

  /** Just before calling the platform: the crash window starts here. */
  async markSending(articleId: string, targetId: string): Promise<void> {
    const key = this.key(articleId, targetId);
    await this.redis.multi().hset(key, 'state', 'sending', 'updatedAt', new Date().toISOString()).hincrby(key, 'attempts', 1).exec();
  }

  /** Right after the platform accepted: the crash window ends here (and the budget slot is settled). */
  async markDelivered(articleId: string, targetId: string, result: SendResult, slot?: Slot): Promise<void> {
    const now = new Date().toISOString();
    const fields: Record<string, string> = {
      state: result.status === 'duplicate' ? 'duplicate' : 'delivered',
      remoteId: result.remoteId,
      updatedAt: now,
      deliveredAt: now,
    };
    if (result.url !== undefined) fields.url = result.url;
    if (result.costUsd !== undefined) fields.costUsd = String(result.costUsd);
    if (result.notes !== undefined && result.notes.length > 0) fields.notes = JSON.stringify(result.notes);
    const ticket = this.acks?.ticket();
    // Issued together: on the workers' write-combining connection they leave in one write.
    await Promise.all([this.redis.hset(this.key(articleId, targetId), fields), this.settle(slot)]);
    // With replicas: recorded only once a replica has it, else the caller writes it again.
    const replicated = await this.acks?.confirm(ticket);
    if (unconfirmed(replicated)) throw new NotReplicatedError(`the delivered record of ${articleId} → ${targetId}`, replicated);
  }

  /**
   * Record a state (and the last error) unless the record is in one of the `unless` states
   * (default: the final ones), so a late error from a stray attempt never turns `delivered`
   * back into `retrying`. Returns undefined when written, else the state that kept it.
   */
  async markState(
    articleId: string,
    targetId: string,
    state: DeliveryState,
    lastError?: string,
    unless: Iterable<DeliveryState> = FINAL_STATES,
  ): Promise<DeliveryState | undefined> {
    const args = ['state', state, 'updatedAt', new Date().toISOString()];
    if (lastError !== undefined) args.push('lastError', redactText(lastError).slice(0, 1000));
    const kept = await this.scripts.crierLedgerMark(this.key(articleId, targetId), [...unless].join(' '), ...args);
    return kept === null ? undefined : (kept as DeliveryState);
  }

  /** Compare-and-set on state, for handing a record back to the queue (retry). */
  async transition(articleId: string, targetId: string, from: readonly DeliveryState[], to: DeliveryState): Promise<boolean> {
    const script = `local s = redis.call('HGET', KEYS[1], 'state')
for i = 2, #ARGV do if s == ARGV[i] then redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updatedAt', ARGV[#ARGV]) return 1 end end
return 0`;
    const ok = await this.redis.eval(script, 1, this.key(articleId, targetId), to, ...from, new Date().toISOString());
    return ok === 1;
  }

  async saveProgress(articleId: string, targetId: string, step: string, value: string): Promise<void> {
    await this.redis.hset(this.key(articleId, targetId), `p:${step}`, value);
  }
}

/** saveAndClaim's reply → per target the state found, undefined where this call created the record. */
function claimedStates(found: readonly string[], count: number): Array<DeliveryState | undefined> {
  return Array.from({ length: count }, (_, i) => (found[i] === '' || found[i] === undefined ? undefined : (found[i] as DeliveryState)));
}

function parseRecord(articleId: string, target: string, hash: Record<string, string>): DeliveryRecord | undefined {
  if (hash.state === undefined) return undefined;
  const progress: Record<string, string> = {};
  for (const [k, v] of Object.entries(hash)) if (k.startsWith('p:')) progress[k.slice(2)] = v;
  const record: DeliveryRecord = {
    articleId,
    target,
    platform: hash.platform ?? '',
    state: hash.state as DeliveryState,
    attempts: Number(hash.attempts ?? 0),
    createdAt: hash.createdAt ?? '',
    updatedAt: hash.updatedAt ?? '',
    progress,
  };
  if (hash.remoteId !== undefined && hash.remoteId !== '') record.remoteId = hash.remoteId;
  if (hash.url !== undefined) record.url = hash.url;
  if (hash.lastError !== undefined) record.lastError = hash.lastError;
  if (hash.costUsd !== undefined) record.costUsd = Number(hash.costUsd);
  if (hash.notes !== undefined) record.notes = JSON.parse(hash.notes) as string[];
  if (hash.deliveredAt !== undefined) record.deliveredAt = hash.deliveredAt;
  return record;
}
