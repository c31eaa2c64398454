import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.js';
import type { Article } from '../src/article/schema.js';
import type { SendResult } from '../adapters/types.js';
import { defineLedgerScripts, type LedgerScripts } from './ledger-scripts.js';
import { settledMargin, slotMember, type SlidingWindow } from './limits.js';
import { redactText } from '../src/logging.js';
import { revisionOf, titleHashOf } from '../src/article/revision.js';
import { NotReplicatedError, unconfirmed, type ReplicaAcks } from './replica-acks.js';
import { processArticleCache, type ArticleCache } from './article-cache.js';

/**
 * The delivery ledger: article × target → state, remote id, url, attempts, last error,
 * timestamps. Checked before every send and written right after, so a delivery is
 * never repeated once recorded. One Redis hash per (article, target); progress of a
 * multi-step send (thread tweet ids) lives in the same hash under `p:` fields.
 */

export const DELIVERY_STATES = [
  'queued', 'sending', 'retrying', 'rate_limited', 'paused', 'delivered', 'duplicate', 'failed', 'unknown', 'skipped', 'retracted',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * States after which nothing is ever sent again for this (article, target) without a human
 * (`retracted`: taken down, or never sent because the article was retracted first).
 */
export const FINAL_STATES: ReadonlySet<DeliveryState> = new Set(['delivered', 'duplicate', 'skipped', 'retracted']);

const ARTICLE_TTL_SECONDS = 90 * 24 * 3600;
/** How soon a delivery whose claim no replica confirmed is tried again. */
const UNCONFIRMED_RETRY_MS = 1000;

/** What publishing did to the article: see SAVE_AND_CLAIM in ledger-scripts.ts. */
/** `outdated`: a revision the CMS changed before the one published (a webhook retried late): not applied. */
export type PublishAction = 'publish' | 'same' | 'update' | 'republish' | 'outdated' | 'retracted' | 'stale';

/** A save-and-claim reply (from EXEC): the action, and per target the state found (undefined where the claim was new). */
export interface Claims {
  action: PublishAction;
  states: Array<DeliveryState | undefined>;
  /** Per target, with `same`: its post shows an older revision than the stored one (a correction it was left out of). */
  behind: boolean[];
}

/** Reads a save-and-claim reply. */
export type ReadClaims = (reply: unknown) => Claims;

/** An article's revision state, read before publishing it. */
export interface RevisionState {
  /** 0 when the article is unknown. */
  rev: number;
  revision: string | undefined;
  retracted: boolean;
  /** When the CMS last changed the published revision (epoch ms), when it said. */
  updated?: number;
}

/** What a publish expects to find and writes (the script checks `expectedRev` and refuses a stale plan). */
export interface PublishPlan {
  expectedRev: number;
  /** What the caller expects SAVE_AND_CLAIM to decide (given the state it read). */
  action: PublishAction;
  revision: string;
  titleHash: string;
  /** Who publishes: webhook, feed, editor, cli… (history). */
  by: string;
  /** Publish a retracted article again. */
  force: boolean;
  /** 'skip': a known article is left as it is (a feed item the webhook already brought); default 'update'. */
  ifKnown: 'update' | 'skip';
  /** The article's updatedAt (epoch ms), when it has one. */
  updated?: number;
}

/** The stored article and the revision number it carries (`_rev` in the stored JSON; 1 for articles stored before revisions). */
export function parseStoredArticle(json: string): { article: Article; rev: number } {
  const { _rev, ...article } = JSON.parse(json) as Article & { _rev?: number };
  return { article, rev: typeof _rev === 'number' ? _rev : 1 };
}

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
  /** The revision the platform's post reflects. */
  rev?: number;
  /** What the platform needs to find the post again (Telegram chat and message kind, Instagram media id). */
  remote?: Record<string, string>;
  /** An update or retraction in progress. */
  op?: string;
  /** How a retraction ended where nothing was deleted (never_posted, in_doubt, not_supported…). */
  retraction?: string;
  /** Why the last update or retraction failed (the post stays as it was). */
  opError?: string;
  /** Updates and retractions of this post, oldest first (the last 20). */
  history?: PostHistoryEntry[];
  /** The priority its first post was queued with, kept when the job was taken away (unscheduled) so it comes back with it. */
  priority?: 'breaking' | 'low';
}

/** What beginOp found: go ahead (with the record, the newest article and its rev), wait, or nothing to do. */
export type OpBegun =
  | { outcome: 'go'; record: DeliveryRecord; article: Article; rev: number; inDoubt: boolean; postedTitle: string }
  | { outcome: 'wait'; waitMs: number }
  | { outcome: 'none' | 'never_posted'; detail: string }
  | { outcome: 'in_doubt'; detail: string; record?: DeliveryRecord };

/** An article's revisions: the current one, whether it is retracted, and what happened when (by whom). */
export interface ArticleHistory {
  rev: number;
  retracted: boolean;
  reason?: string;
  history: Array<{ rev: number; action: string; at: string; by?: string; reason?: string }>;
}

/** One update or retraction of a delivered post. */
export interface PostHistoryEntry {
  rev: number;
  action: string;
  at: string;
  note?: string;
}

/** What `begin` found: whether this attempt may send, the record, and the stored article. */
export interface Begun {
  started: boolean;
  record: DeliveryRecord;
  /** The article as published (absent when the record is final, a budget is full, or it expired). */
  article?: Article;
  /** The revision number of that article (what a delivered post reflects). */
  rev?: number;
  /** A budget is full: nothing was taken; try again after this long. */
  waitMs?: number;
  /** Another attempt holds the lease of this send, in flight: look again after this long. */
  heldMs?: number;
  slot?: Slot;
}

/** The lease an attempt takes on a delivery while it sends (or reconciles): token and length. */
export interface LeaseRequest {
  token: string;
  ms: number;
}

/** Lease length when none is given: as long as BullMQ's default job lock. */
export const DEFAULT_LEASE_MS = 30_000;

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
    private readonly articles: ArticleCache = processArticleCache,
  ) {
    this.scripts = defineLedgerScripts(redis);
  }

  /** The record of one (article, target). */
  key(articleId: string, targetId: string): string {
    return `${this.prefix}:ledger:${articleId}:${targetId}`;
  }
  private targetsKey(articleId: string): string {
    return `${this.prefix}:ledger:${articleId}`;
  }
  private articleKey(articleId: string): string {
    return `${this.prefix}:article:${articleId}`;
  }
  /** The article's revision state: revision hash, rev, retracted, title hash per rev (`t:<rev>`). */
  metaKey(articleId: string): string {
    return `${this.prefix}:meta:${articleId}`;
  }
  historyKey(articleId: string): string {
    return `${this.prefix}:history:${articleId}`;
  }

  async getArticle(articleId: string): Promise<Article | undefined> {
    const raw = await this.redis.get(this.articleKey(articleId));
    return raw === null ? undefined : parseStoredArticle(raw).article;
  }

  /** The article's revisions and retractions, oldest first, and where it stands (see the `meta` and `history` keys). */
  async getHistory(articleId: string): Promise<ArticleHistory> {
    const [[, meta], [, entries]] = ((await this.redis.multi().hgetall(this.metaKey(articleId)).lrange(this.historyKey(articleId), 0, -1).exec()) ?? []) as [[null, Record<string, string>], [null, string[]]];
    const history = (entries ?? []).map((e) => JSON.parse(e) as ArticleHistory['history'][number]);
    // The first publish is kept in the meta itself (at, by), not in the list.
    if (meta?.at !== undefined) history.unshift({ rev: 1, action: 'publish', at: meta.at, ...(meta.by !== undefined ? { by: meta.by } : {}) });
    return { rev: Number(meta?.rev ?? 0), retracted: meta?.retracted === '1', ...(meta?.reason ? { reason: meta.reason } : {}), history };
  }

  /** Each article's revision state, in one round trip (before publishing them). */
  async revisionStates(articleIds: readonly string[]): Promise<RevisionState[]> {
    const pipeline = this.redis.pipeline();
    for (const id of articleIds) pipeline.hmget(this.metaKey(id), 'revision', 'rev', 'retracted', 'updated').exists(this.articleKey(id));
    const rows = (await pipeline.exec()) ?? [];
    return articleIds.map((_, i) => {
      const [error, meta] = rows[2 * i] ?? [null, []];
      if (error) throw error;
      const [revision, rev, retracted, updated] = meta as Array<string | null>;
      const stored = rows[2 * i + 1]?.[1] === 1;
      const n = Number(rev ?? 0) || (stored ? 1 : 0);
      return { rev: n, revision: revision ?? undefined, retracted: retracted === '1', ...(updated ? { updated: Number(updated) } : {}) };
    });
  }

  /**
   * Publishing in one round trip: store the article and claim every target's record
   * (what `plan` expects, else nothing: see SAVE_AND_CLAIM). Without a plan, the article is
   * taken as new or the same revision as stored.
   */
  async saveAndClaim(article: Article, targets: ReadonlyArray<{ id: string; platform: string }>, plan?: PublishPlan): Promise<Claims> {
    const chosen = plan ?? planFor(article, (await this.revisionStates([article.id]))[0] as RevisionState, 'cli', false);
    const found = await this.scripts.crierLedgerSaveAndClaim(...this.saveAndClaimArgs(article, targets, chosen));
    return readClaims(found, targets.length);
  }

  /**
   * A publish that stored `article` as revision `rev` (not one that kept the stored article:
   * `same`): later deliveries in this process take it from memory.
   */
  remember(article: Article, rev: number): void {
    this.articles.set(this.articleKey(article.id), article, rev);
  }

  /**
   * saveAndClaim queued on a transaction (MULTI) of another connection, so publishing can
   * claim and enqueue in one round trip. Returns how to read the script's reply from EXEC.
   */
  saveAndClaimIn(tx: ChainableCommander, article: Article, targets: ReadonlyArray<{ id: string; platform: string }>, plan: PublishPlan): ReadClaims {
    (tx as unknown as LedgerScripts).crierLedgerSaveAndClaim(...this.saveAndClaimArgs(article, targets, plan));
    return (reply) => readClaims(reply as string[], targets.length);
  }

  private saveAndClaimArgs(article: Article, targets: ReadonlyArray<{ id: string; platform: string }>, plan: PublishPlan): [number, ...Array<string | Buffer>] {
    const id = article.id;
    const keys = [this.articleKey(id), this.targetsKey(id), this.metaKey(id), this.historyKey(id), ...targets.map((t) => this.key(id, t.id))];
    const rev = storedRev(plan);
    // UTF-8 bytes, encoded once: as a string, one character past Latin-1 (€, —, “) makes
    // the whole JSON two bytes a character, and it is copied several times on its way to the socket.
    // `_rev` is appended to the article's own JSON (a key given twice parses as the last one)
    // rather than spread into a copy of the article first.
    const json = Buffer.from(`${JSON.stringify(article).slice(0, -1)},"_rev":${rev}}`);
    const args = [
      json, String(ARTICLE_TTL_SECONDS), new Date().toISOString(), String(plan.expectedRev), plan.revision, plan.titleHash, plan.by, plan.force ? '1' : '0', plan.ifKnown, plan.action,
      plan.updated === undefined ? '' : String(plan.updated),
      ...targets.flatMap((t) => [t.id, t.platform]),
    ];
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
    lease: LeaseRequest = { token: slotMember(), ms: DEFAULT_LEASE_MS },
  ): Promise<Begun> {
    const windows = budgets.filter((b) => b.max > 0).map((b) => ({ key: b.key, max: b.max, windowMs: b.periodMs + settledMargin(b.periodMs) }));
    // This attempt's claim: its lease on the send, and its slot's member in each budget.
    const member = lease.token;
    const cacheKey = this.articleKey(articleId);
    const cached = this.articles.get(cacheKey);
    const keys = [this.key(articleId, targetId), this.targetsKey(articleId), cacheKey, this.metaKey(articleId)];
    const args = [targetId, platform, new Date().toISOString(), member, String(lease.ms), cached === undefined ? '' : String(cached.rev)];
    for (const b of windows) {
      keys.push(b.key);
      args.push(String(b.max), String(b.windowMs));
    }
    const ticket = this.acks?.ticket();
    const [outcome, flat, wait, json] = await this.scripts.crierLedgerBegin(keys.length, ...keys, ...args);
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
    const record = parseRecord(articleId, targetId, hash) as DeliveryRecord;
    // The stored article, or the one this process holds when Redis says it is still that revision (1).
    let article: { article: Article; rev: number } | Record<string, never> = {};
    if (typeof json === 'string') {
      article = parseStoredArticle(json);
      this.articles.set(cacheKey, article.article, article.rev);
    } else if (json === 1 && cached !== undefined) article = cached;
    if (outcome === 2) return { started: false, record, waitMs: Number(wait) };
    if (outcome === 4) return { started: false, record, heldMs: Number(wait) };
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

  /**
   * Renew (`ms` > 0) or release (`ms` 0) the lease `token` holds on a delivery being sent.
   * False when the token no longer holds it (another attempt took the delivery over).
   */
  async lease(articleId: string, targetId: string, token: string, ms: number): Promise<boolean> {
    return (await this.scripts.crierLedgerLease(this.key(articleId, targetId), token, String(ms))) === 1;
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
  async markDelivered(articleId: string, targetId: string, result: SendResult, slot?: Slot, rev = 1): Promise<void> {
    const now = new Date().toISOString();
    const fields: Record<string, string> = {
      state: result.status === 'duplicate' ? 'duplicate' : 'delivered',
      remoteId: result.remoteId,
      updatedAt: now,
      deliveredAt: now,
      rev: String(rev),
    };
    if (result.remote !== undefined) fields.remote = JSON.stringify(result.remote);
    if (result.url !== undefined) fields.url = result.url;
    if (result.costUsd !== undefined) fields.costUsd = String(result.costUsd);
    if (result.notes !== undefined && result.notes.length > 0) fields.notes = JSON.stringify(result.notes);
    const ticket = this.acks?.ticket();
    // Issued together: on the workers' write-combining connection they leave in one write.
    const written = this.redis.hset(this.key(articleId, targetId), fields);
    if (slot === undefined) await written;
    else await Promise.all([written, this.settle(slot)]);
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

  /**
   * Compare-and-set on state, for handing a record back to the queue (retry) or settling it
   * by hand; `fields` are written with the new state.
   */
  async transition(articleId: string, targetId: string, from: readonly DeliveryState[], to: DeliveryState, fields: Record<string, string> = {}): Promise<boolean> {
    const script = `local n = tonumber(ARGV[1])
local s = redis.call('HGET', KEYS[1], 'state')
for i = n + 4, #ARGV do
  if s == ARGV[i] then
    redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', ARGV[3])
    for j = 4, n + 2, 2 do redis.call('HSET', KEYS[1], ARGV[j], ARGV[j + 1]) end
    return 1
  end
end
return 0`;
    const extra = Object.entries(fields).flat();
    const ok = await this.redis.eval(script, 1, this.key(articleId, targetId), String(extra.length), to, new Date().toISOString(), ...extra, ...from);
    return ok === 1;
  }

  /**
   * Before an update or a retraction of the post on one target (OP_BEGIN in
   * ledger-scripts.ts): whether to go ahead — under a lease, like a send — and with what.
   */
  async beginOp(articleId: string, targetId: string, kind: 'update' | 'retract', rev: number, lease: LeaseRequest): Promise<OpBegun> {
    const keys = [this.key(articleId, targetId), this.metaKey(articleId), this.articleKey(articleId)];
    const [outcome, detail, flat, json, postedTitle] = await this.scripts.crierLedgerOpBegin(keys.length, ...keys, kind, String(rev), lease.token, String(lease.ms), new Date().toISOString());
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
    const record = parseRecord(articleId, targetId, hash);
    switch (outcome) {
      case 1: {
        if (record === undefined || typeof json !== 'string') return { outcome: 'none', detail: 'the article is no longer stored' };
        const { article, rev: current } = parseStoredArticle(json);
        return { outcome: 'go', record, article, rev: current, inDoubt: detail === '1', postedTitle: postedTitle ?? '' };
      }
      case 2:
        return { outcome: 'never_posted', detail };
      case 3:
        return { outcome: 'wait', waitMs: Number(detail) };
      case 4:
        return { outcome: 'in_doubt', detail, ...(record !== undefined ? { record } : {}) };
      default:
        return { outcome: 'none', detail };
    }
  }

  /** An update or retraction went through: record it (history, fields) and clear the op. False when this attempt lost the op to another. */
  async finishOp(articleId: string, targetId: string, token: string, entry: PostHistoryEntry, fields: Record<string, string>): Promise<boolean> {
    const flat = Object.entries({ ...fields, updatedAt: new Date().toISOString() }).flat();
    return (await this.scripts.crierLedgerOpFinish(this.key(articleId, targetId), token, JSON.stringify(entry), ...flat)) === 1;
  }

  /** An update or retraction that surely did nothing: clear the op (no doubt for the next attempt), keeping `fields` (the error). */
  async abandonOp(articleId: string, targetId: string, token: string, fields: Record<string, string> = {}): Promise<void> {
    const script = `if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'op', '', 'leaseUntil', 0, unpack(ARGV, 2))
return 1`;
    await this.redis.eval(script, 1, this.key(articleId, targetId), token, ...Object.entries({ ...fields, updatedAt: new Date().toISOString() }).flat());
  }

  async saveProgress(articleId: string, targetId: string, step: string, value: string): Promise<void> {
    await this.redis.hset(this.key(articleId, targetId), `p:${step}`, value);
  }
}

/** saveAndClaim's reply → the action and per target the state found, undefined where this call created the record. */
function readClaims(found: readonly string[], count: number): Claims {
  const action = (found[0] ?? 'stale') as PublishAction;
  if (action === 'stale' || action === 'retracted') return { action, states: [], behind: [] };
  const raw = Array.from({ length: count }, (_, i) => found[i + 1] ?? '');
  return {
    action,
    states: raw.map((r) => (r === '' ? undefined : (r.replace(/^</, '') as DeliveryState))),
    behind: raw.map((r) => r.startsWith('<')),
  };
}

/** What publishing `article` should do given the revision state read before (SAVE_AND_CLAIM decides the same, unless the state changed meanwhile). */
export function planFor(article: Article, state: RevisionState, by: string, force: boolean, ifKnown: 'update' | 'skip' = 'update'): PublishPlan {
  const revision = revisionOf(article);
  const updated = article.updatedAt === undefined ? undefined : Date.parse(article.updatedAt);
  let action: PublishAction =
    state.rev === 0 ? 'publish' : state.retracted ? (force ? 'republish' : 'retracted') : state.revision === revision || ifKnown === 'skip' ? 'same' : 'update';
  // Changed in the CMS before the revision that is published: a late delivery of an old webhook, not a correction.
  if (action === 'update' && updated !== undefined && state.updated !== undefined && updated < state.updated) action = 'outdated';
  return { expectedRev: state.rev, action, revision, titleHash: titleHashOf(article), by, force, ifKnown, ...(updated !== undefined ? { updated } : {}) };
}

/** A publish that kept the stored article as it was: the same revision again, or an outdated one. */
export function keepsStoredArticle(action: PublishAction): boolean {
  return action === 'same' || action === 'outdated';
}

/** The rev the stored article carries after this publish. */
export function storedRev(plan: PublishPlan): number {
  return plan.action === 'publish' ? 1 : keepsStoredArticle(plan.action) ? plan.expectedRev : plan.expectedRev + 1;
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
  if (hash.rev !== undefined) record.rev = Number(hash.rev);
  if (hash.remote !== undefined) record.remote = JSON.parse(hash.remote) as Record<string, string>;
  if (hash.op !== undefined && hash.op !== '') record.op = hash.op;
  if (hash.retraction !== undefined) record.retraction = hash.retraction;
  if (hash.opError !== undefined && hash.opError !== '') record.opError = hash.opError;
  if (hash.history !== undefined) record.history = JSON.parse(hash.history) as PostHistoryEntry[];
  if (hash.priority === 'breaking' || hash.priority === 'low') record.priority = hash.priority;
  return record;
}
