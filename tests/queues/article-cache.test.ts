import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../queues/connection.js';
import { createRedis } from '../../queues/connection.js';
import { ArticleCache } from '../../queues/article-cache.js';
import { Ledger } from '../../queues/ledger.js';
import { publish } from '../../queues/publish.js';
import { QueueSet } from '../../queues/queue-set.js';
import { buildConfig } from '../../config/load.js';
import { toArticle } from '../../src/article/schema.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * The article a delivery sends comes from this process's memory when it is the revision
 * Redis holds, else from Redis: never an older revision than the stored one.
 */
describe('article cache', () => {
  let prefix: string;
  let redis: RedisClient;
  let queues: QueueSet;

  beforeEach(() => {
    prefix = uniquePrefix('artcache');
    redis = createRedis(REDIS_URL);
    queues = new QueueSet(redis, prefix);
  });

  afterEach(async () => {
    await queues.close();
    redis.disconnect();
    await deletePrefix(prefix);
  });

  const target = () =>
    buildConfig({ redis: { url: REDIS_URL, prefix }, targets: [{ id: 'chan', platform: 'telegram', botToken: '1:t', chat: '@c' }] }, {}).targets[0]!;

  const story = (title: string) => toArticle({ id: 'story-1', url: 'https://news.example/cache/1', title });

  it('should keep the least recently used entries out first', () => {
    const cache = new ArticleCache(2);
    cache.set('a', story('A'), 1);
    cache.set('b', story('B'), 1);
    expect(cache.get('a')?.article.title).toBe('A');
    cache.set('c', story('C'), 1);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.article.title).toBe('A');
    expect(cache.size).toBe(2);
  });

  it('should hand begin the published article from memory, and the newer revision another process stored', async () => {
    const here = new Ledger(redis, prefix, undefined, new ArticleCache());
    const elsewhere = new Ledger(redis, prefix, undefined, new ArticleCache());
    const t = target();
    const first = story('Ferry timetable changes');
    await publish(first, { queues, ledger: here, targets: [t] });
    const begun = await here.begin(first.id, t.id, t.platform);
    // The very object published: no copy fetched and parsed.
    expect(begun.article).toBe(first);
    expect(begun.rev).toBe(1);
    await here.markState(first.id, t.id, 'retrying');

    // Another process publishes an update (revision 2): this one's memory is now stale.
    const second = story('Ferry timetable changes again');
    expect((await publish(second, { queues, ledger: elsewhere, targets: [t] })).action).toBe('update');
    const again = await here.begin(first.id, t.id, t.platform);
    expect(again.article?.title).toBe('Ferry timetable changes again');
    expect(again.rev).toBe(2);
  });

  it('should fetch the stored article when its copy in Redis is gone, even with the same revision in memory', async () => {
    const here = new Ledger(redis, prefix, undefined, new ArticleCache());
    const t = target();
    const a = story('Harbour works delayed');
    await publish(a, { queues, ledger: here, targets: [t] });
    await redis.del(`${prefix}:article:${a.id}`);
    const begun = await here.begin(a.id, t.id, t.platform);
    expect(begun.started).toBe(true);
    expect(begun.article).toBeUndefined();
  });
});
