import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { articleId } from '../../src/article/schema.js';
import { sortOut } from '../../src/feeds/identity.js';
import { guidArticleId, itemIdentity } from '../../src/feeds/item.js';
import { parseFeed, type FeedItem } from '../../src/feeds/parse.js';

const item = (guid: string | undefined, link: string | undefined): FeedItem => ({
  ...(guid !== undefined ? { guid } : {}),
  ...(link !== undefined ? { link } : {}),
  title: `Item ${guid ?? link}`,
  categories: [],
  authors: [],
});
const kinds = (fates: ReturnType<typeof sortOut>) => fates.map((f) => f.kind);

describe('feed item identity', () => {
  it('should make 131 podcast episodes that all link to the show 131 articles, each with an id of its own', () => {
    const feed = parseFeed(readFileSync(new URL('../fixtures/feeds/podcast-131.rss', import.meta.url), 'utf8'), 'https://feeds.harbourtalk.example/podcast.xml');
    expect(new Set(feed.items.map((i) => i.link))).toEqual(new Set(['https://harbourtalk.example/']));
    const oldestFirst = [...feed.items].reverse();
    const fates = sortOut(oldestFirst, new Set());
    expect(kinds(fates).every((k) => k === 'new')).toBe(true);
    const ids = fates.map((f) => (f.kind === 'new' ? (f.id ?? articleId({ url: f.item.link! })) : ''));
    expect(new Set(ids).size).toBe(131);
    // The first episode to bring the link keeps the URL's id: what the webhook or /post give that page.
    expect(ids[0]).toBe(articleId({ url: 'https://harbourtalk.example/' }));
    expect(ids.slice(1).every((id) => /^g[0-9a-f]{20}$/.test(id))).toBe(true);
  });

  it('should keep the URL id for an ordinary item, so a story arriving by feed and by webhook is one article', () => {
    const fates = sortOut([item('a-1', 'https://s.example/one?utm_source=rss'), item('a-2', 'https://s.example/two')], new Set());
    expect(fates).toEqual([
      { kind: 'new', item: item('a-1', 'https://s.example/one?utm_source=rss') },
      { kind: 'new', item: item('a-2', 'https://s.example/two') },
    ]);
  });

  it('should know an item by its guid, and by its link only when it has no guid', () => {
    expect(itemIdentity(item('g-7', 'https://s.example/x'))).toBe('g:g-7');
    expect(itemIdentity(item(undefined, 'https://s.example/x?utm_medium=feed#top'))).toBe('l:https://s.example/x');
    const known = new Set(['g:g-7', 'l:https://s.example/x']);
    expect(kinds(sortOut([item('g-7', 'https://s.example/x'), item(undefined, 'https://s.example/x'), item(undefined, undefined)], known))).toEqual(['seen', 'seen', 'unidentified']);
  });

  it('should give a new guid on a link an earlier poll saw its own id when the feed lists the link under several guids', () => {
    const known = new Set(['g:live-1', 'l:https://s.example/live']);
    const fates = sortOut([item('live-1', 'https://s.example/live'), item('live-2', 'https://s.example/live')], known);
    expect(fates[0]?.kind).toBe('seen');
    expect(fates[1]).toEqual({ kind: 'new', item: item('live-2', 'https://s.example/live'), id: guidArticleId({ guid: 'live-2', link: 'https://s.example/live' }) });
  });

  it('should take a new guid on a known link that no other item shares for the same item renamed, not a new article', () => {
    const fates = sortOut([item('https://s.example/?p=12', 'https://s.example/story')], new Set(['g:http://s.example/?p=12', 'l:https://s.example/story']));
    expect(fates).toEqual([{ kind: 'renamed', item: item('https://s.example/?p=12', 'https://s.example/story'), articleId: articleId({ url: 'https://s.example/story' }) }]);
  });

  it('should count an item listed twice in one document once: the copy listed first in the feed (last, oldest first) is the item', () => {
    // Oldest first: the feed listed d-1 (edited) above d-1 (the earlier copy).
    const earlier = { ...item('d-1', 'https://s.example/d'), title: 'Earlier copy' };
    const edited = { ...item('d-1', 'https://s.example/d'), title: 'Edited copy' };
    const fates = sortOut([earlier, edited], new Set());
    expect(fates.map((f) => [f.kind, f.item.title])).toEqual([
      ['duplicate', 'Earlier copy'],
      ['new', 'Edited copy'],
    ]);
  });

  it('should derive the guid id from the canonical link and the guid, not from the feed', () => {
    const a = guidArticleId({ guid: 'ep-1', link: 'https://show.example/?utm_campaign=x' });
    expect(a).toBe(guidArticleId({ guid: 'ep-1', link: 'https://show.example/' }));
    expect(a).not.toBe(guidArticleId({ guid: 'ep-2', link: 'https://show.example/' }));
    expect(a).toMatch(/^g[0-9a-f]{20}$/);
  });
});
