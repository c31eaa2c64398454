import { articleId } from '../article/schema.js';
import { guidArticleId, itemIdentity, linkKey } from './item.js';
import type { FeedItem } from './parse.js';

/**
 * What each item of a fetched feed is, given the keys the feed's earlier polls remembered.
 *
 * An item is known by its guid within the feed (by its link when it has no guid): distinct
 * guids are distinct items even when they share one link, as podcast episodes, live-blog
 * updates and "the same URL, updated" do. The article id stays the hash of the canonical
 * URL — what the CMS webhook, the CLI and /post give the same story — for the first item
 * that brings a link into the feed; every later item with that link gets an id from its
 * guid (guidArticleId), so it is an article of its own instead of a duplicate of the first.
 *
 * One exception keeps a feed that re-mints its guids (a CMS migration, http → https in the
 * guid) from posting everything again: a new guid on a link the feed already had, while the
 * document lists that link under no other guid, is the known item under a new name.
 */

export type ItemFate =
  /** New: publish. `id` is set when the item needs an id of its own (its link is taken). */
  | { kind: 'new'; item: FeedItem; id?: string }
  /** Remembered from an earlier poll. */
  | { kind: 'seen'; item: FeedItem }
  /** The same guid (or link) earlier in this document. */
  | { kind: 'duplicate'; item: FeedItem }
  /** A new guid on a known link that no other item shares: the item published as `articleId`, renamed. */
  | { kind: 'renamed'; item: FeedItem; articleId: string }
  /** Neither guid nor link. */
  | { kind: 'unidentified'; item: FeedItem };

/** `ordered`: the document's items, oldest first. `known`: the keys (g:…, l:…) earlier polls remembered. */
export function sortOut(ordered: readonly FeedItem[], known: ReadonlySet<string>): ItemFate[] {
  const guidsPerLink = new Map<string, Set<string>>();
  for (const item of ordered) {
    const link = linkKey(item);
    if (link !== undefined && item.guid !== undefined) guidsPerLink.set(link, (guidsPerLink.get(link) ?? new Set()).add(item.guid));
  }
  // The same guid twice in one document: the copy listed first (the newest, as feeds list
  // them; the later one when dated) is the item, the other a duplicate.
  const last = new Map<string, number>();
  ordered.forEach((item, i) => {
    const identity = itemIdentity(item);
    if (identity !== undefined) last.set(identity, i);
  });
  const claimed = new Set<string>();
  return ordered.map((item, i): ItemFate => {
    const identity = itemIdentity(item);
    if (identity === undefined) return { kind: 'unidentified', item };
    if (last.get(identity) !== i) return { kind: 'duplicate', item };
    if (known.has(identity)) return { kind: 'seen', item };
    const link = linkKey(item);
    if (link === undefined || item.guid === undefined || item.link === undefined) return { kind: 'new', item };
    const shared = (guidsPerLink.get(link)?.size ?? 0) > 1;
    if (known.has(link) && !shared) return { kind: 'renamed', item, articleId: articleId({ url: item.link }) };
    if (known.has(link) || claimed.has(link)) return { kind: 'new', item, id: guidArticleId({ guid: item.guid, link: item.link }) };
    claimed.add(link);
    return { kind: 'new', item };
  });
}
