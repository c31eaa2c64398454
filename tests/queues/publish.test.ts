import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisClient } from '../../queues/connection.js';
import { buildConfig } from '../../config/load.js';
import type { TargetConfig } from '../../config/schema.js';
import { createRedis } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import { publish } from '../../queues/publish.js';
import { QueueSet } from '../../queues/queue-set.js';
import { toArticle } from '../../src/article/schema.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** Publishing: articles published in the same turn share one transaction, each with its own outcome. */
describe('publish', () => {
  let prefix: string;
  let redis: RedisClient;
  let queues: QueueSet;
  let ledger: Ledger;
  let targets: TargetConfig[];
  let transactions: number;

  beforeEach(async () => {
    prefix = uniquePrefix('publish');
    redis = createRedis(REDIS_URL);
    queues = new QueueSet(redis, prefix);
    ledger = new Ledger(redis, prefix);
    targets = buildConfig({ targets: [{ id: 'chan', platform: 'telegram', chat: '@c' }, { id: 'x', platform: 'twitter' }] }, {}).targets;
    // Count the transactions the queues' connection runs.
    const client = (await queues.get(targets[0] as TargetConfig).getBackend().client) as unknown as { multi: (...a: unknown[]) => unknown };
    const multi = client.multi.bind(client);
    transactions = 0;
    client.multi = (...a: unknown[]) => (transactions++, multi(...a));
  });

  afterEach(async () => {
    await queues.close();
    redis.disconnect();
    await deletePrefix(prefix);
  });

  const article = (n: number) => toArticle({ url: `https://news.example/batch/${n}`, title: `Batch story ${n}` });
  const jobs = async () => {
    let n = 0;
    for (const t of targets) n += (await queues.get(t).getJobCounts('waiting')).waiting ?? 0;
    return n;
  };

  it('should publish the articles of one turn in one transaction, each with its own outcome', async () => {
    const articles = [1, 2, 3].map(article);
    const results = await Promise.all([...articles, articles[0]!].map((a) => publish(a, { queues, ledger, targets })));
    expect(transactions).toBe(1);
    expect(results.map((r) => r.articleId)).toEqual([...articles, articles[0]!].map((a) => a.id));
    for (const r of results.slice(0, 3)) {
      expect(r.outcomes.map((o) => [o.target, o.enqueued, o.state, o.jobId])).toEqual([
        ['chan', true, 'queued', `a-${r.articleId}`],
        ['x', true, 'queued', `a-${r.articleId}`],
      ]);
    }
    // The same article twice in one turn: the second finds the first's claims and adds nothing.
    expect(results[3]!.outcomes.map((o) => o.enqueued)).toEqual([false, false]);
    expect(await jobs()).toBe(6);
    expect((await ledger.getAll(articles[2]!.id)).map((r) => r.state)).toEqual(['queued', 'queued']);
    // A later turn is a transaction of its own.
    await publish(article(4), { queues, ledger, targets });
    expect(transactions).toBe(2);
  });

  it("should refuse only the article whose commands failed, and still publish the others of its turn", async () => {
    const broken = article(5);
    await redis.set(`${prefix}:ledger:${broken.id}:chan`, 'not a hash');
    const [bad, good] = await Promise.allSettled([publish(broken, { queues, ledger, targets }), publish(article(6), { queues, ledger, targets })]);
    expect(transactions).toBe(1);
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect(good.status === 'fulfilled' && good.value.outcomes.every((o) => o.enqueued)).toBe(true);
  });

  it('should split a burst past the batch size into several transactions and lose none', async () => {
    const burst = Array.from({ length: 450 }, (_, i) => article(100 + i));
    const results = await Promise.all(burst.map((a) => publish(a, { queues, ledger, targets: [targets[0] as TargetConfig] })));
    expect(transactions).toBe(3);
    expect(results.every((r) => r.outcomes[0]?.enqueued === true)).toBe(true);
    expect((await queues.get(targets[0] as TargetConfig).getJobCounts('waiting')).waiting).toBe(450);
  });

  it('should publish the others of a turn, each on its own, when one article cannot even be written', async () => {
    const circular = { ...article(7), extra: {} as Record<string, unknown> };
    circular.extra.self = circular;
    const [bad, good] = await Promise.allSettled([publish(circular, { queues, ledger, targets }), publish(article(8), { queues, ledger, targets })]);
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/circular/i);
    expect(good.status === 'fulfilled' && good.value.outcomes.every((o) => o.enqueued)).toBe(true);
    // Nothing of the refused article reached Redis: no claim, no job.
    expect(await ledger.getAll(circular.id)).toEqual([]);
    expect(await jobs()).toBe(2);
  });

  it('should refuse a publish that was waiting when the queues closed', async () => {
    const waiting = publish(article(9), { queues, ledger, targets });
    await queues.close();
    await expect(waiting).rejects.toThrow(/shutting down/);
    expect(await ledger.getAll(article(9).id)).toEqual([]);
  });
});

