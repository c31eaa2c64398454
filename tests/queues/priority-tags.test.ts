import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { jobId } from '../../queues/names.js';
import { App } from '../../src/app.js';
import { toArticle } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

describe('App.publish: priority from configured tags', () => {
  const prefix = uniquePrefix('priority-tags');
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    await deletePrefix(prefix);
  });

  it('makes a tagged article breaking or low, lets an explicit priority win, and leaves the rest alone', async () => {
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix },
        priorityTags: { breaking: ['Breaking'], low: ['evergreen'] },
        targets: [{ id: 'chan', platform: 'telegram', botToken: '1:x', chat: '@c', limiter: { max: 0, duration: 1000 } }],
      },
      {},
    );
    app = new App(config, { logger: silentLogger });
    const queue = app.queues.get(app.targets[0]!);
    const article = (n: number, tags: string[]) => toArticle({ url: `https://news.example/p/${n}`, title: `Story ${n}`, tags });
    const cases = [
      { a: article(1, ['Politics', 'breaking']), options: {}, want: 'breaking' },
      { a: article(2, ['Evergreen']), options: {}, want: 'low' },
      { a: article(3, ['Politics']), options: {}, want: undefined },
      { a: article(4, ['breaking']), options: { priority: 'normal' as const }, want: undefined },
    ];
    for (const c of cases) await app.publish(c.a, undefined, c.options);
    for (const c of cases) {
      const job = await queue.getJob(jobId(c.a.id));
      expect(job?.data.priority, c.a.title).toBe(c.want);
      expect(job?.opts.lifo === true, c.a.title).toBe(c.want === 'breaking');
    }
    expect((await app.ledger.getArticle(cases[0]!.a.id))?.priority).toBe('breaking');
  });
});
