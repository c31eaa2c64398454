import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articleId, type Article } from '../../src/article/schema.js';
import { FeedPoller, type FeedConfig } from '../../src/feeds/poller.js';
import { updateJobId } from '../../queues/names.js';
import { publish } from '../../queues/publish.js';
import { deliveryHarness, type DeliveryHarness } from '../helpers/delivery.js';
import { REDIS_URL } from '../helpers/redis.js';
import { fixture, fixtureBytes, startFeedServer, type FeedServer } from './feed-server.js';

/**
 * Issue 16's feed cases, end to end on the real Redis with the real publish (queues and
 * ledger, no workers): a Latin-1 feed, 130 episodes sharing one link, and what the log
 * says when an item is skipped.
 */
describe('feed poller: encodings and item identity', () => {
  let server: FeedServer;
  let harness: DeliveryHarness;
  let poller: FeedPoller | undefined;
  let published: Article[];
  let lines: Array<{ msg: string; articleId?: string; guid?: string }>;
  const clock = Date.UTC(2026, 5, 5);

  const start = (path: string, backfill = 0): FeedPoller => {
    const feed: FeedConfig = { url: server.url + path, intervalSeconds: 60, backfill };
    poller = new FeedPoller({
      redisConfig: REDIS_URL,
      prefix: harness.prefix,
      feeds: [feed],
      publish: async (article, options) => {
        published.push(article);
        return publish(article, { queues: harness.queues, ledger: harness.ledger, targets: [harness.target] }, options);
      },
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) }),
      now: () => clock,
    });
    return poller;
  };
  const waiting = async (): Promise<number> => (await harness.queues.get(harness.target).getJobCounts('waiting')).waiting ?? 0;

  beforeEach(async () => {
    server = await startFeedServer();
    harness = deliveryHarness('feed-identity');
    published = [];
    lines = [];
  });

  afterEach(async () => {
    await poller?.close();
    poller = undefined;
    await server.close();
    await harness.close();
  });

  it('should read a Latin-1 feed (HTTP charset and XML prolog) with every title right', async () => {
    server.set('/echo.rss', { body: fixtureBytes('latin1.rss'), type: 'application/rss+xml; charset=latin1' });
    await start('/echo.rss', 40).pollNow(server.url + '/echo.rss');
    expect(published).toHaveLength(40);
    expect(published.filter((a) => /[\ufffd]/.test(a.title))).toEqual([]);
    const titles = published.map((a) => a.title);
    expect(titles).toContain('Zürich: Straßenbahn fährt wieder über die Brücke');
    expect(titles).toContain('Théâtre : « Le Misanthrope » à guichets fermés');
    expect(titles).toContain('Föhn bringt 18 °C im Januar');
    expect(titles.filter((t) => /[^\x20-\x7e]/.test(t))).toHaveLength(31);
  });

  it('should read a Latin-1 feed whose server names no charset by its XML declaration', async () => {
    server.set('/echo.rss', { body: fixtureBytes('latin1.rss'), type: 'text/xml' });
    await start('/echo.rss', 3).pollNow(server.url + '/echo.rss');
    // The three newest items, oldest first.
    expect(published.map((a) => a.title)).toEqual(['Prix du pain : +4 % en un an', 'Jugendherberge wird saniert', 'Pêcheurs et plaisanciers se partagent le quai']);
    expect(published[2]?.summary).toBe('Pêcheurs et plaisanciers se partagent le quai - résumé.');
  });

  it('should make 130 new episodes that share one link 130 articles, each delivered', async () => {
    const all = fixture('podcast-131.rss');
    // The first poll sees only the oldest episode (the baseline); then 130 more appear.
    const oldestOnly = all.replace(/<item>[\s\S]*<\/item>/, (items) => `<item>${items.split('<item>').pop()}`);
    server.set('/podcast.xml', { body: oldestOnly });
    const p = start('/podcast.xml');
    expect(await p.pollNow(server.url + '/podcast.xml')).toMatchObject({ result: 'ok', published: 0 });
    server.set('/podcast.xml', { body: all });
    expect(await p.pollNow(server.url + '/podcast.xml')).toMatchObject({ result: 'ok', published: 130 });
    expect(new Set(published.map((a) => a.id)).size).toBe(130);
    expect(published.every((a) => a.url === 'https://harbourtalk.example/' && /^g[0-9a-f]{20}$/.test(a.id))).toBe(true);
    expect(published[0]?.title).toBe('Episode 2: Lighthouses and the people who keep them');
    expect(await waiting()).toBe(130);
    expect(lines.filter((l) => l.msg === 'feed item published')).toHaveLength(130);
    // Polled again: nothing new, nothing published twice.
    server.set('/podcast.xml', { body: all.replace('<channel>', '<channel><!-- rebuilt -->') });
    expect(await p.pollNow(server.url + '/podcast.xml')).toMatchObject({ result: 'ok', published: 0 });
    expect(await waiting()).toBe(130);
  });

  it('should log "skipped (already posted as <id>)" for a feed item the CMS webhook already published', async () => {
    server.set('/gazette.rss', { body: fixture('harbour-v1.rss') });
    const p = start('/gazette.rss');
    await p.pollNow(server.url + '/gazette.rss');
    // The lighthouse story arrives by webhook first (same URL, so the same article id)…
    const url = 'https://gazette.example/2026/06/lighthouse-keeper';
    const first = await publish({ id: articleId({ url }), url, title: 'Lighthouse keeper retires', authors: [], tags: [] }, { queues: harness.queues, ledger: harness.ledger, targets: [harness.target] });
    expect(first.outcomes[0]?.enqueued).toBe(true);
    // …then the feed lists it.
    server.set('/gazette.rss', { body: fixture('harbour-v2.rss') });
    expect(await p.pollNow(server.url + '/gazette.rss')).toMatchObject({ result: 'ok', published: 0 });
    const id = articleId({ url });
    expect(lines.map((l) => l.msg)).toContain(`feed item skipped (already posted as ${id})`);
    expect(lines.filter((l) => l.msg === 'feed item published')).toEqual([]);
    expect(await waiting()).toBe(1);
  });

  it('should not post an item again when the feed re-mints its guid, and say so', async () => {
    server.set('/gazette.rss', { body: fixture('harbour-v1.rss') });
    const p = start('/gazette.rss');
    await p.pollNow(server.url + '/gazette.rss');
    server.set('/gazette.rss', { body: fixture('harbour-v1.rss').replaceAll('gazette-100', 'https://gazette.example/?p=100') });
    expect(await p.pollNow(server.url + '/gazette.rss')).toMatchObject({ result: 'ok', published: 0 });
    expect(lines.map((l) => l.msg)).toContain(`feed item skipped (already known as ${articleId({ url: 'https://gazette.example/2026/06/fish-market' })}: its link, under a new guid)`);
    expect(await waiting()).toBe(0);
  });

  it('should update the posts of an item the feed corrects (a new headline), and never of one it only trims', async () => {
    server.set('/gazette.rss', { body: fixture('harbour-v1.rss') });
    const p = start('/gazette.rss', 1); // backfill: the fish market story is published
    await p.pollNow(server.url + '/gazette.rss');
    const id = articleId({ url: 'https://gazette.example/2026/06/fish-market' });
    expect(published.map((a) => a.id)).toEqual([id]);
    // The feed trims the item (drops its image and body): not a correction.
    server.set('/gazette.rss', { body: fixture('harbour-v2.rss') });
    await p.pollNow(server.url + '/gazette.rss');
    expect(lines.some((l) => l.msg === 'feed item corrected: its posts are updated')).toBe(false);
    // The feed corrects the headline: an update of the published article, under its id.
    server.set('/gazette.rss', { body: fixture('harbour-v2.rss').replace('Fish market reopens after a year of repairs', 'Fish market reopens after fourteen months of repairs') });
    await p.pollNow(server.url + '/gazette.rss');
    expect(lines.filter((l) => l.msg === 'feed item corrected: its posts are updated').map((l) => l.articleId)).toEqual([id]);
    expect((await harness.ledger.getArticle(id))?.title).toBe('Fish market reopens after fourteen months of repairs');
    expect(await harness.queues.get(harness.target).getJob(updateJobId(id, 2))).toBeDefined();
    // Polled again unchanged: nothing more.
    server.set('/gazette.rss', { body: fixture('harbour-v2.rss').replace('Fish market reopens after a year of repairs', 'Fish market reopens after fourteen months of repairs').replace('<channel>', '<channel><!-- again -->') });
    await p.pollNow(server.url + '/gazette.rss');
    expect(lines.filter((l) => l.msg === 'feed item corrected: its posts are updated')).toHaveLength(1);
  });
});
