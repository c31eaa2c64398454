import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { jobId } from '../../queues/names.js';
import { App } from '../../src/app.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { startTwitterFake, type TwitterFake } from '../../src/sandbox/twitter.js';
import { completedJob, deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** Issue 4 through the real queues: 429 pauses, threads resume, duplicates are recorded. */
describe('X deliveries through the queues', () => {
  let fake: TwitterFake;
  let app: App;
  const prefix = uniquePrefix('xflow');
  let n = 0;

  beforeAll(async () => {
    fake = await startTwitterFake({});
    const common = { platform: 'twitter', ...SANDBOX_CREDENTIALS.twitter, apiRoot: fake.url, backoffMs: 20, media: false };
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix },
        media: { dir: mkdtempSync(join(tmpdir(), 'crier-xflow-')), allowPrivateNetwork: true },
        targets: [
          { id: 'x', ...common },
          { id: 'xthread', ...common, thread: true },
        ],
      },
      {},
    );
    app = new App(config, { logger: silentLogger });
    await app.startWorkers();
  });

  afterAll(async () => {
    await app.close(2000);
    await fake.close();
    await deletePrefix(prefix);
  });

  const article = (extra: Partial<Article> = {}): Article => {
    n++;
    return { ...toArticle({ url: `https://news.example/x/${n}`, title: `Ferry timetable story number ${n}` }), ...extra };
  };
  const settled = (id: string, target: string) =>
    eventually(async () => {
      const r = await app.ledger.get(id, target);
      return r && ['delivered', 'duplicate', 'failed'].includes(r.state) ? r : undefined;
    }, 20_000, `${target} to settle`);

  it('should pause on a 429 until x-rate-limit-reset, then deliver without spending an attempt', async () => {
    const a = article();
    const reset = Math.ceil(Date.now() / 1000) + 2;
    fake.faults.push({
      status: 429,
      body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
      headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
    });
    const before = fake.tweets.length;
    await app.publish(a, ['x']);
    const record = await settled(a.id, 'x');
    expect(record.state).toBe('delivered');
    expect(Date.parse(record.deliveredAt!)).toBeGreaterThanOrEqual(reset * 1000 - 50);
    const job = await completedJob(app.queues.get({ id: 'x' }), jobId(a.id));
    expect(job?.attemptsMade).toBe(1);
    expect(fake.tweets.length - before).toBe(1);
  });

  it('should resume a thread interrupted by a 500 after its second tweet at the third', async () => {
    const summary = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} explains another part of the new night ferry timetable in some detail.`).join(' ');
    const a = article({ summary });
    const before = fake.tweets.length;
    // Let the first two tweets through, then fail the third once.
    let seen = 0;
    const original = fake.faults.next.bind(fake.faults);
    fake.faults.next = (request) => {
      const scripted = original(request);
      if (scripted) return scripted;
      return ++seen === 3 ? { status: 500, body: { title: 'Internal Server Error', status: 500 } } : undefined;
    };
    try {
      await app.publish(a, ['xthread']);
      const record = await settled(a.id, 'xthread');
      expect(record.state).toBe('delivered');
      expect(record.attempts).toBe(2);
    } finally {
      fake.faults.next = original;
    }
    const thread = fake.tweets.slice(before);
    expect(thread.length).toBeGreaterThan(3);
    expect(new Set(thread.map((t) => t.text)).size).toBe(thread.length); // nothing posted twice
    for (let i = 1; i < thread.length; i++) expect(thread[i]!.replyTo).toBe(thread[i - 1]!.id);
  });

  it('should record a duplicate as `duplicate`, not as a failure', async () => {
    const a = article();
    const b = { ...a, id: `${a.id}-again` }; // same text, another article id
    await app.publish(a, ['x']);
    expect((await settled(a.id, 'x')).state).toBe('delivered');
    await app.publish(b, ['x']);
    const record = await settled(b.id, 'x');
    expect(record.state).toBe('duplicate');
    expect(record.attempts).toBe(1);
  });
});
