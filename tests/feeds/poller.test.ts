import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../src/article/schema.js';
import { FeedPoller, type FeedConfig } from '../../src/feeds/poller.js';
import { silentLogger } from '../../src/logging.js';
import { Metrics } from '../../src/metrics.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { fixture, startFeedServer, type FeedServer } from './feed-server.js';

describe('feed poller', () => {
  let prefix: string;
  let server: FeedServer;
  let published: Article[];
  const pollers: FeedPoller[] = [];
  let clock: number;

  const feed = (path: string, extra: Partial<FeedConfig> = {}): FeedConfig => ({ url: server.url + path, intervalSeconds: 60, backfill: 0, ...extra });
  const poller = (feeds: FeedConfig[], extra: Partial<ConstructorParameters<typeof FeedPoller>[0]> = {}) => {
    const p = new FeedPoller({
      redisConfig: REDIS_URL,
      prefix,
      feeds,
      publish: async (article) => void published.push(article),
      logger: silentLogger,
      now: () => clock,
      ...extra,
    });
    pollers.push(p);
    return p;
  };
  const urls = () => published.map((a) => a.url);

  beforeEach(async () => {
    prefix = uniquePrefix('feeds');
    server = await startFeedServer();
    published = [];
    clock = Date.UTC(2026, 5, 5);
  });

  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.close()));
    await server.close();
    await deletePrefix(prefix);
  });

  it('should publish each RSS and Atom item exactly once across edits and a restart, honouring ETags', async () => {
    server.set('/gazette.rss', { body: fixture('harbour-v1.rss') });
    server.set('/courier.atom', { body: fixture('harbour-v1.atom'), type: 'application/atom+xml' });
    const feeds = [feed('/gazette.rss', { backfill: 1 }), feed('/courier.atom')];
    const first = poller(feeds);

    // First poll: the existing items are the baseline; backfill 1 publishes the newest RSS item only.
    expect((await first.pollNow(feeds[0]!.url)).result).toBe('ok');
    expect((await first.pollNow(feeds[1]!.url)).result).toBe('ok');
    expect(urls()).toEqual(['https://gazette.example/2026/06/fish-market']);

    // Unchanged feeds: the server answers 304 to our conditional GET and nothing happens.
    expect((await first.pollNow(feeds[0]!.url)).result).toBe('not_modified');
    expect((await first.pollNow(feeds[1]!.url)).result).toBe('not_modified');
    expect(server.hits('/gazette.rss')).toEqual({ total: 2, notModified: 1, conditional: 1 });
    expect(server.hits('/courier.atom').notModified).toBe(1);

    // Edited feeds: new items appear, old items get new titles (and lose fields). Only new items go out.
    server.set('/gazette.rss', { body: fixture('harbour-v2.rss') });
    server.set('/courier.atom', { body: fixture('harbour-v2.atom'), type: 'application/atom+xml' });
    expect(await first.pollNow(feeds[0]!.url)).toMatchObject({ result: 'ok', published: 1 });
    expect(await first.pollNow(feeds[1]!.url)).toMatchObject({ result: 'ok', published: 1 });
    await first.close();

    // A new poller (a restart) on the same Redis: the ETag and the seen items survived.
    const second = poller(feeds);
    expect((await second.pollNow(feeds[0]!.url)).result).toBe('not_modified');
    expect(server.hits('/gazette.rss').notModified).toBe(2);
    // The feed changes again without new items (a reordered document, new ETag): still nothing new.
    server.set('/gazette.rss', { body: fixture('harbour-v2.rss').replace('<channel>', '<channel><!-- regenerated -->') });
    server.set('/courier.atom', { body: fixture('harbour-v1.atom'), type: 'application/atom+xml' });
    expect(await second.pollNow(feeds[0]!.url)).toMatchObject({ result: 'ok', published: 0 });
    expect(await second.pollNow(feeds[1]!.url)).toMatchObject({ result: 'ok', published: 0 });

    expect(urls().sort()).toEqual([
      'https://courier.example/news/bus-route',
      'https://gazette.example/2026/06/fish-market',
      'https://gazette.example/2026/06/lighthouse-keeper',
    ]);
    expect(new Set(published.map((a) => a.id)).size).toBe(published.length);
  });

  it('should let --backfill publish the newest N items of a new feed, oldest first', async () => {
    server.set('/gazette.rss', { body: fixture('harbour-v2.rss') });
    const p = poller([feed('/gazette.rss')], { backfill: 2 });
    await p.pollNow(server.url + '/gazette.rss');
    expect(urls()).toEqual(['https://gazette.example/2026/06/fish-market', 'https://gazette.example/2026/06/lighthouse-keeper']);
  });

  it('should back a failing feed off exponentially while the other feed keeps being polled', async () => {
    server.set('/gazette.rss', { body: fixture('harbour-v1.rss') });
    server.set('/broken.rss', { status: 500 });
    server.set('/not-a-feed.rss', { body: '<html><body>maintenance</body></html>', type: 'text/html' });
    const metrics = new Metrics();
    const feeds = [feed('/gazette.rss'), feed('/broken.rss'), feed('/not-a-feed.rss')];
    const p = poller(feeds, { observer: metrics.feedObserver });
    const results: Record<string, string[]> = { '/gazette.rss': [], '/broken.rss': [], '/not-a-feed.rss': [] };
    for (let tick = 0; tick < 8; tick++) {
      for (const f of feeds) results[new URL(f.url).pathname]!.push((await p.pollNow(f.url)).result);
      if (tick === 2) server.set('/gazette.rss', { body: fixture('harbour-v2.rss') });
      clock += 60_000;
    }
    // Attempts after 1, 2, 4 intervals: ticks 0, 1, 3 and 7.
    expect(results['/broken.rss']).toEqual(['error', 'error', 'backoff', 'error', 'backoff', 'backoff', 'backoff', 'error']);
    expect(results['/not-a-feed.rss']).toEqual(results['/broken.rss']);
    expect(server.hits('/broken.rss').total).toBe(4);
    expect(server.hits('/gazette.rss').total).toBe(8);
    expect(results['/gazette.rss']).toEqual(['ok', 'not_modified', 'not_modified', 'ok', 'not_modified', 'not_modified', 'not_modified', 'not_modified']);
    expect(urls()).toEqual(['https://gazette.example/2026/06/lighthouse-keeper']);

    const text = await metrics.registry.metrics();
    expect(text).toContain(`crier_feed_fetch_errors_total{feed="${server.url}/broken.rss",kind="http_status"} 4`);
    expect(text).toContain(`crier_feed_fetch_errors_total{feed="${server.url}/not-a-feed.rss",kind="parse"} 4`);
    expect(text).toContain(`crier_feed_polls_total{feed="${server.url}/broken.rss",result="backoff"} 4`);

    // Recovery resets the backoff: the next due attempt succeeds and the one after runs on time.
    server.set('/broken.rss', { body: fixture('harbour-v1.rss').replaceAll('gazette-10', 'other-10') });
    clock += 8 * 60_000;
    expect((await p.pollNow(server.url + '/broken.rss')).result).toBe('ok');
    clock += 60_000;
    expect((await p.pollNow(server.url + '/broken.rss')).result).toBe('not_modified');
  });

  it('should poll through BullMQ job schedulers, once per interval however many instances run', async () => {
    server.set('/gazette.rss', { body: fixture('harbour-v1.rss') });
    server.set('/courier.atom', { body: fixture('harbour-v1.atom'), type: 'application/atom+xml' });
    const feeds = [feed('/gazette.rss', { intervalSeconds: 3600 }), feed('/courier.atom', { intervalSeconds: 3600 })];
    const a = poller(feeds, { now: Date.now });
    const b = poller(feeds, { now: Date.now });
    await Promise.all([a.start(), b.start()]);
    expect(await a.queue.getJobSchedulersCount()).toBe(2);
    await eventually(() => (server.hits('/gazette.rss').total >= 1 && server.hits('/courier.atom').total >= 1 ? true : undefined), 10_000, 'first polls');
    await eventually(async () => (((await a.queue.getJobCounts('completed')).completed ?? 0) >= 2 ? true : undefined), 10_000, 'poll jobs completed');
    await new Promise((r) => setTimeout(r, 300));
    expect(server.hits('/gazette.rss').total).toBe(1);
    expect(server.hits('/courier.atom').total).toBe(1);

    // A config without the Atom feed drops its schedule.
    const c = poller([feeds[0]!], { now: Date.now });
    await c.start();
    expect(await c.queue.getJobSchedulersCount()).toBe(1);
  });
});
