import type { Logger } from 'pino';
import type { Boilerplate } from '../article/boilerplate.js';
import type { Config } from '../../config/schema.js';
import { ArticleError, toArticle, type Article } from '../article/schema.js';
import { decodeBody } from '../net/decode-body.js';
import { FetchError, safeFetch } from '../net/safe-fetch.js';
import { sortOut, type ItemFate } from './identity.js';
import { itemIdentity, itemKeys, itemToArticleInput, feedDate } from './item.js';
import { FeedParseError, parseFeed, type FeedItem } from './parse.js';
import { feedKey, type FeedStore, type PublishedItem } from './state.js';

/** One poll of one feed: conditional GET → parse → publish what is new → remember. Never throws. */

export type FeedConfig = Config['feeds'][number];
export type FeedPollResult = 'ok' | 'not_modified' | 'error' | 'backoff' | 'busy';

/** What the poller reports, for metrics. */
export interface FeedObserver {
  polled?(feed: string, result: FeedPollResult): void;
  fetchError?(feed: string, kind: string): void;
  published?(feed: string, count: number): void;
}

export interface FeedPollReport {
  feed: string;
  result: FeedPollResult;
  /** Items handed to publish in this poll. */
  published: number;
  error?: string;
}

export interface PollDeps {
  store: FeedStore;
  /**
   * Enqueue the article; a PublishResult whose outcomes enqueued nothing means it was known
   * already. A new feed item is published with `ifKnown: 'skip'` (a story the webhook already
   * brought is not corrected by the feed's version of it); a known item whose content changed
   * with `ifKnown: 'update'` (a correction).
   */
  publish(article: Article, options: { by: 'feed'; ifKnown: 'update' | 'skip' }): Promise<unknown>;
  logger: Logger;
  observer?: FeedObserver;
  fetch: { allowPrivateNetwork: boolean; timeoutMs: number; maxBytes: number };
  /** Overrides every feed's `backfill` (the `--backfill N` flag). */
  backfill?: number;
  now(): number;
  /** Longest pause between attempts of a failing feed. */
  maxBackoffMs: number;
  /** Forget items absent from a feed for this long. */
  seenRetentionMs: number;
  /** Site boilerplate dropped from item text (config `extract`). */
  boilerplate?: Boilerplate;
}

const ACCEPT = 'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1';

/** A feed's URL without any credentials, for logs and metric labels. */
export function feedLabel(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/**
 * When a feed that failed `failures` times in a row may be fetched again: the gap between
 * attempts doubles (1, 2, 4, 8… intervals, capped), with half an interval of slack so a
 * scheduled poll that fires a little early is not skipped by mistake.
 */
export function nextAttempt(now: number, failures: number, intervalMs: number, maxMs: number): number {
  const factor = 2 ** Math.min(Math.max(failures - 1, 0), 30);
  return now + Math.min(intervalMs * factor, Math.max(maxMs, intervalMs)) - intervalMs / 2;
}

/** Oldest first: by date when every item has one, else the reverse of feed order (feeds list newest first). */
function chronological(items: FeedItem[]): FeedItem[] {
  const dates = items.map((i) => feedDate(i.date));
  if (dates.every((d) => d !== undefined)) {
    return items.map((item, i) => ({ item, at: Date.parse(dates[i] as string), i })).sort((a, b) => a.at - b.at || b.i - a.i).map((x) => x.item);
  }
  return [...items].reverse();
}

/** What publish() said: every target already had the article (publishing it again enqueued nothing). */
function alreadyPosted(result: unknown): boolean {
  const outcomes = (result as { outcomes?: unknown } | undefined)?.outcomes;
  return Array.isArray(outcomes) && outcomes.length > 0 && outcomes.every((o) => (o as { enqueued?: unknown }).enqueued === false);
}

export async function pollFeed(feed: FeedConfig, deps: PollDeps): Promise<FeedPollReport> {
  const label = feedLabel(feed.url);
  const key = feedKey(feed.url);
  const log = deps.logger.child({ feed: label });
  const report = (result: FeedPollResult, published = 0, error?: string): FeedPollReport => {
    deps.observer?.polled?.(label, result);
    return error === undefined ? { feed: label, result, published } : { feed: label, result, published, error };
  };
  const intervalMs = feed.intervalSeconds * 1000;
  const token = await deps.store.lock(key, deps.fetch.timeoutMs * 2 + 60_000).catch(() => undefined);
  if (token === undefined) return report('busy');
  try {
    const state = await deps.store.get(key);
    if (deps.now() < state.nextAttemptAt) return report('backoff');

    const fail = async (kind: string, message: string): Promise<FeedPollReport> => {
      deps.observer?.fetchError?.(label, kind);
      const failures = await deps.store.saveFailure(key, message, (n) => nextAttempt(deps.now(), n, intervalMs, deps.maxBackoffMs));
      log.warn({ kind, failures, err: message }, 'feed poll failed; backing off');
      return report('error', 0, message);
    };

    const headers: Record<string, string> = {};
    if (state.etag !== undefined) headers['if-none-match'] = state.etag;
    if (state.lastModified !== undefined) headers['if-modified-since'] = state.lastModified;
    let page;
    try {
      // The feed's own host is the operator's choice (it may be an internal CMS); redirects elsewhere are checked.
      page = await safeFetch(feed.url, { ...deps.fetch, allowHosts: [new URL(feed.url).hostname.toLowerCase()], accept: ACCEPT, headers });
    } catch (error) {
      if (error instanceof FetchError && error.status === 304) {
        await deps.store.saveSuccess(key, {}, deps.now());
        log.debug('feed not modified');
        return report('not_modified');
      }
      return fail(error instanceof FetchError ? error.code : 'network', (error as Error).message);
    }

    let items: FeedItem[];
    try {
      items = parseFeed(decodeBody(page.body, page.contentType).text, page.finalUrl).items;
    } catch (error) {
      if (error instanceof FeedParseError) return fail('parse', error.message);
      throw error;
    }

    const ordered = chronological(items);
    const keys = ordered.map(itemKeys);
    const fates = sortOut(ordered, await deps.store.known(key, keys.flat()));
    const count = (kind: ItemFate['kind']): number => fates.filter((f) => f.kind === kind).length;
    if (count('seen') + count('duplicate') > 0) log.debug({ seen: count('seen'), duplicates: count('duplicate') }, 'feed items already seen');
    for (const fate of fates) {
      if (fate.kind === 'renamed') log.info({ guid: fate.item.guid, url: fate.item.link, articleId: fate.articleId }, `feed item skipped (already known as ${fate.articleId}: its link, under a new guid)`);
      if (fate.kind === 'unidentified') log.warn({ title: fate.item.title }, 'feed item has no guid and no link; skipped');
    }
    let fresh = fates.filter((f): f is Extract<ItemFate, { kind: 'new' }> => f.kind === 'new');
    if (!state.initialized) {
      // The first poll: what is in the feed now is old news, except the newest `backfill` items.
      const backfill = deps.backfill ?? feed.backfill;
      const newest = new Set(backfill > 0 ? ordered.slice(-backfill) : []);
      fresh = fresh.filter((f) => newest.has(f.item));
      log.info({ items: ordered.length, backfill: fresh.length }, 'first poll of feed: existing items are the baseline');
    }

    let published = 0;
    for (const { item, id } of fresh) {
      const input = itemToArticleInput(item, deps.boilerplate, id);
      let article: Article | undefined;
      try {
        if (input !== undefined) article = toArticle(input);
      } catch (error) {
        if (!(error instanceof ArticleError)) throw error;
        log.warn({ guid: item.guid, link: item.link, err: error.message }, 'feed item is not a valid article; skipped');
      }
      if (article === undefined) {
        if (input === undefined) log.warn({ guid: item.guid }, 'feed item has no link or title; skipped');
      } else if (alreadyPosted(await deps.publish(article, { by: 'feed', ifKnown: 'skip' }))) {
        log.info({ articleId: article.id, guid: item.guid, url: article.url }, `feed item skipped (already posted as ${article.id})`);
      } else {
        published++;
        log.info({ articleId: article.id, guid: item.guid, url: article.url }, 'feed item published');
      }
      const identity = itemIdentity(item);
      if (article !== undefined && identity !== undefined) await deps.store.savePublishedItem(key, identity, said(item, article.id));
      // Remembered one by one, so an error half-way never re-publishes the first half.
      await deps.store.remember(key, itemKeys(item), deps.now());
    }
    const updated = state.initialized ? await updateChanged(fates, key, deps, log) : 0;
    await deps.store.remember(key, keys.flat(), deps.now(), deps.seenRetentionMs);
    await deps.store.markInitialized(key, deps.now());
    const etag = page.headers.get('etag') ?? undefined;
    const lastModified = page.headers.get('last-modified') ?? undefined;
    await deps.store.saveSuccess(key, { etag, lastModified }, deps.now());
    if (published + updated > 0) deps.observer?.published?.(label, published + updated);
    return report('ok', published + updated);
  } catch (error) {
    // Redis or publish trouble: nothing is marked seen past the failure, so the next poll resumes.
    deps.observer?.fetchError?.(label, 'internal');
    log.error({ err: (error as Error).message }, 'feed poll aborted');
    return report('error', 0, (error as Error).message);
  } finally {
    await deps.store.unlock(key, token).catch(() => undefined);
  }
}

/** What a feed says of an item (its own words, before any extraction), as far as a correction goes. */
function said(item: FeedItem, id: string): PublishedItem {
  return { id, title: item.title ?? '', ...(item.summary !== undefined ? { summary: item.summary } : {}), ...(item.image !== undefined ? { image: item.image.url } : {}) };
}

/**
 * A correction: the title differs, or a summary or image the feed gives differs from the
 * one it gave. A field the feed stopped giving is not one (feeds trim old items).
 */
function corrected(before: PublishedItem, now: PublishedItem): boolean {
  return now.title !== before.title || (now.summary !== undefined && now.summary !== before.summary) || (now.image !== undefined && now.image !== before.image);
}

/**
 * Items crier published from this feed whose content the feed has since corrected (a new
 * headline, a new summary or image): the article is published again under the id it was
 * published with, which makes it an update of its posts.
 */
async function updateChanged(fates: readonly ItemFate[], key: string, deps: PollDeps, log: Logger): Promise<number> {
  const seen = fates.filter((f) => f.kind === 'seen').map((f) => ({ item: f.item, identity: itemIdentity(f.item) as string }));
  const stored = await deps.store.publishedItems(key, seen.map((s) => s.identity));
  let updated = 0;
  for (const { item, identity } of seen) {
    const before = stored.get(identity);
    if (before === undefined) continue; // never published by crier (a first poll's baseline): never posted now either
    const now = said(item, before.id);
    if (!corrected(before, now)) continue;
    const input = itemToArticleInput(item, deps.boilerplate, before.id);
    let article: Article;
    try {
      if (input === undefined) continue;
      article = toArticle(input);
    } catch (error) {
      if (error instanceof ArticleError) continue;
      throw error;
    }
    const result = (await deps.publish(article, { by: 'feed', ifKnown: 'update' })) as { action?: string } | undefined;
    if (result?.action === 'update') {
      updated++;
      log.info({ articleId: article.id, guid: item.guid, url: article.url }, 'feed item corrected: its posts are updated');
    }
    await deps.store.savePublishedItem(key, identity, { ...before, ...now });
  }
  return updated;
}
