import { afterEach, describe, expect, it } from 'vitest';
import type { Adapter, Post, SendContext, SendResult } from '../../adapters/types.js';
import type { TargetConfig } from '../../config/schema.js';
import { toArticle } from '../../src/article/schema.js';
import { buildServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/logging.js';
import { shutdown } from '../../src/shutdown.js';
import { Queue } from 'bullmq';
import { createRedis } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import { queueName } from '../../queues/names.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { ScriptedAdapter, TestApp, testConfig } from './test-app.js';

/** Sends that take as long as the test says: `release()` lets them finish. */
class SlowAdapter extends ScriptedAdapter {
  private gate: Promise<void>;
  release: () => void = () => undefined;
  constructor(target: TargetConfig) {
    super(target);
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  override async send(post: Post, ctx: SendContext): Promise<SendResult> {
    await new Promise<void>((resolve, reject) => {
      void this.gate.then(resolve);
      ctx.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted by shutdown'), { name: 'AbortError' })));
    });
    return super.send(post, ctx);
  }
}

describe('graceful shutdown', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('should stop HTTP first, then feeds and bot, then the workers with what is left of the grace period', async () => {
    const calls: string[] = [];
    const part = (name: string) => ({ close: async () => void calls.push(name) });
    const report = await shutdown({
      logger: silentLogger,
      graceMs: 10_000,
      server: part('http'),
      poller: part('feeds'),
      bot: { stop: async () => void calls.push('bot') },
      app: { close: async (grace) => void calls.push(`app:${grace !== undefined && grace > 0 && grace <= 10_000}`) },
      sandbox: part('sandbox'),
    });
    expect(report).toEqual({ clean: true, errors: [] });
    expect(calls[0]).toBe('http');
    expect(calls.slice(1, 3).sort()).toEqual(['bot', 'feeds']);
    expect(calls.slice(3)).toEqual(['app:true', 'sandbox']);
  });

  it('should return at the deadline when a step hangs, and report steps that throw', async () => {
    const report = await shutdown({
      logger: silentLogger,
      graceMs: 50,
      marginMs: 50,
      poller: { close: () => Promise.reject(new Error('redis gone')) },
      app: { close: () => new Promise<void>(() => undefined) },
    });
    expect(report.clean).toBe(false);
    expect(report.errors).toEqual(['feeds: redis gone']);
  });

  async function running(adapter: (t: TargetConfig) => SlowAdapter) {
    const prefix = uniquePrefix('shutdown');
    const config = testConfig(prefix);
    const app = new TestApp({ ...config, targets: config.targets.slice(0, 1) }, silentLogger);
    const slow = adapter(app.targets[0]!);
    await app.startWorkers(new Map([[app.targets[0]!.id, slow as Adapter]]));
    const server = await buildServer({ app });
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      slow.release();
      await server.close();
      await app.close();
      await deletePrefix(prefix);
    });
    const article = toArticle({ url: 'https://gazette.example/2026/06/slow-news', title: 'Slow news day' });
    await app.publish(article);
    await eventually(async () => ((await app.ledger.get(article.id, 'chan'))?.state === 'sending' ? true : undefined), 10_000, 'send in flight');
    // The app's connections close with it: look at the outcome through fresh ones.
    const redis = createRedis(REDIS_URL);
    const queue = new Queue(queueName(app.targets[0]!.id), { connection: redis, prefix });
    cleanups.push(async () => {
      await queue.close();
      redis.disconnect();
    });
    return { app, server, slow, address, article, ledger: new Ledger(redis, prefix), queue };
  }

  it('should let an in-flight delivery finish within the grace period and refuse new connections', async () => {
    const { app, server, slow, address, article, ledger } = await running((t) => new SlowAdapter(t));
    const closing = shutdown({ logger: silentLogger, graceMs: 10_000, server, app: { close: (grace) => app.close(grace) } });
    await eventually(() => (server.server.listening ? undefined : true), 5000, 'HTTP to stop listening');
    await expect(fetch(address + '/healthz')).rejects.toThrow();
    slow.release();
    expect((await closing).clean).toBe(true);
    expect((await ledger.get(article.id, 'chan'))?.state).toBe('delivered');
  });

  it('should hand an in-flight delivery back to the queue when the grace period runs out', async () => {
    const { app, server, article, ledger, queue } = await running((t) => new SlowAdapter(t));
    const report = await shutdown({ logger: silentLogger, graceMs: 200, server, app: { close: (grace) => app.close(grace) } });
    expect(report.errors).toEqual([]);
    const record = await ledger.get(article.id, 'chan');
    expect(record?.state).toBe('retrying');
    const job = await queue.getJob('a-' + article.id);
    expect(await job?.getState()).toMatch(/^(waiting|delayed)$/);
  });
});
