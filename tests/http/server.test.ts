import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toArticle } from '../../src/article/schema.js';
import { buildServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/logging.js';
import { Metrics } from '../../src/metrics.js';
import { TransientError } from '../../adapters/errors.js';
import type { Adapter } from '../../adapters/types.js';
import { waitForDeliveries } from '../../queues/wait.js';
import { countPending } from '../../queues/pending.js';
import { createRedis } from '../../queues/connection.js';
import { deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { ScriptedAdapter, SECRETS, TestApp, testConfig } from './test-app.js';

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
const article = toArticle({ url: 'https://gazette.example/2026/06/regatta', title: 'Regatta postponed by a day', tags: ['Sport'] });

describe('crier serve HTTP routes', () => {
  let prefix: string;
  let app: TestApp;
  let server: FastifyInstance;
  let metrics: Metrics;

  async function start(http: Record<string, unknown> = {}) {
    app = new TestApp(testConfig(prefix, http), silentLogger);
    metrics = new Metrics({ queues: () => app.targets.map((t) => app.queues.get(t)) });
    server = await buildServer({ app, metrics, secrets: Object.values(SECRETS) });
  }

  beforeEach(async () => {
    prefix = uniquePrefix('http');
    await start();
  });

  afterEach(async () => {
    await server.close();
    await app.close();
    await deletePrefix(prefix);
  });

  it('should answer GET /articles/:id with the ledger, and 404 for an unknown article', async () => {
    const missing = await server.inject({ url: '/articles/u00000000000000000000' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('unknown article');
    // An overlong id is unknown too, answered by the route (not the router's 400 echoing the URL).
    for (const length of [150, 1000]) {
      const long = await server.inject({ url: `/articles/${'x'.repeat(length)}` });
      expect(long.statusCode).toBe(404);
      expect(long.json().error).toBe('unknown article');
    }
    await app.publish(article);
    const res = await server.inject({ url: `/articles/${article.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ articleId: article.id, title: article.title, url: article.url });
    expect(res.json().deliveries.map((d: { target: string; state: string }) => `${d.target}:${d.state}`)).toEqual(['chan:queued', 'gram:queued', 'x:queued']);
  });

  it('should report /healthz 503 while the workers are not running and 200 once they are', async () => {
    const down = await server.inject({ url: '/healthz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ redis: 'ok', workers: 'stopped' });
    await app.startWorkers(new Map(app.targets.map((t) => [t.id, new ScriptedAdapter(t) as Adapter])));
    const up = await server.inject({ url: '/healthz' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ status: 'ok', redis: 'ok', workers: 'running' });
  });

  it('should report /healthz 503 when Redis is unreachable', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'producer', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    dead.on('error', () => undefined);
    const view = Object.create(app, { redis: { value: dead }, workersRunning: { value: true } }) as TestApp;
    const other = await buildServer({ app: view });
    try {
      const res = await other.inject({ url: '/healthz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ redis: 'unreachable', workers: 'running' });
    } finally {
      await other.close();
      dead.disconnect();
    }
  });

  it('should guard /admin/queues with basic auth and the dashboard password', async () => {
    const none = await server.inject({ url: '/admin/queues' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const wrong = await server.inject({ url: '/admin/queues', headers: { authorization: basic('admin', 'guess') } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const api = await server.inject({ url: '/admin/queues/api/queues', headers: { authorization: basic('wrong-too', SECRETS.webhook) } });
    expect(api.statusCode).toBe(401);
    const ok = await server.inject({ url: '/admin/queues', headers: { authorization: basic('admin', SECRETS.dashboard) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/text\/html/);
    const queues = await server.inject({ url: '/admin/queues/api/queues', headers: { authorization: basic('admin', SECRETS.dashboard) } });
    expect(queues.json().queues.map((q: { name: string }) => q.name).sort()).toEqual(['deliver.chan', 'deliver.gram', 'deliver.x']);
  });

  it('should not serve the dashboard at all without a DASHBOARD_PASSWORD', async () => {
    await server.close();
    await app.close();
    await start({ dashboardPassword: undefined });
    const res = await server.inject({ url: '/admin/queues', headers: { authorization: basic('admin', SECRETS.dashboard) } });
    expect(res.statusCode).toBe(404);
  });

  it('should serve prepared media by safe file name only', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    writeFileSync(join(app.config.media.dir, 'img-abc123.jpg'), jpeg);
    writeFileSync(join(app.config.media.dir, 'session.json'), '{"cookie":"x"}');
    const res = await server.inject({ url: '/media/img-abc123.jpg' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.rawPayload.equals(jpeg)).toBe(true);
    for (const url of ['/media/session.json', '/media/..%2Fimg-abc123.jpg', '/media/.img.jpg', '/media/missing.jpg', '/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      expect((await server.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('should expose crier_ metrics after deliveries: outcomes, latency, retries and queue depths', async () => {
    const [chan, x, gram] = app.targets as [typeof app.targets[0], typeof app.targets[0], typeof app.targets[0]];
    const adapters = new Map<string, Adapter>([
      [chan.id, new ScriptedAdapter(chan, [() => new TransientError('telegram hiccup', { platform: 'telegram', code: 502 })])],
      [x.id, new ScriptedAdapter(x)],
      [gram.id, new ScriptedAdapter(gram)],
    ]);
    await app.startWorkers(adapters, metrics.observer);
    await app.publish(article);
    const { timedOut } = await waitForDeliveries(app.ledger, article.id, ['chan', 'x', 'gram'], { timeoutMs: 15_000, intervalMs: 25 });
    expect(timedOut).toBe(false);
    const res = await server.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('crier_deliveries_total{platform="telegram",target="chan",outcome="delivered"} 1');
    expect(text).toContain('crier_deliveries_total{platform="twitter",target="x",outcome="delivered"} 1');
    expect(text).toContain('crier_delivery_retries_total{platform="telegram",target="chan"} 1');
    expect(text).toMatch(/crier_delivery_latency_seconds_count\{platform="instagram",target="gram"\} 1/);
    expect(text).toMatch(/crier_queue_jobs\{queue="deliver\.chan",state="completed"\} 1/);
    expect(text).toMatch(/crier_queue_jobs\{queue="deliver\.x",state="waiting"\} 0/);
  });

  it('should answer GET /queue with pending deliveries, due time and reason; embargoed titles only with the dashboard password', async () => {
    const due = Date.now() + 3_600_000;
    const embargoed = toArticle({ url: 'https://gazette.example/2026/06/budget', title: 'Budget leaks (embargoed)' });
    await app.publish(embargoed, ['chan'], { at: due });
    await app.publish(article, ['x']);
    const open = await server.inject({ url: '/queue' });
    expect(open.statusCode).toBe(200);
    const list = open.json() as Array<Record<string, unknown>>;
    expect(list.map((p) => [p.target, p.articleId, p.reason, p.priority])).toEqual([
      ['x', article.id, 'queued', 'normal'],
      ['chan', undefined, 'embargo', 'normal'],
    ]);
    expect(list[0]?.title).toBe(article.title);
    expect(list[0]?.dueAt).toBeNull();
    expect(Date.parse(list[1]?.dueAt as string)).toBe(due);
    // Neither the title nor an id that GET /articles/:id would answer with the title and link.
    expect(list[1]).not.toHaveProperty('title');
    expect(JSON.stringify(list[1])).not.toContain(embargoed.id);
    const trusted = await server.inject({ url: '/queue?target=chan', headers: { authorization: basic('editor', SECRETS.dashboard) } });
    expect(trusted.json()).toEqual([expect.objectContaining({ target: 'chan', articleId: embargoed.id, reason: 'embargo', title: 'Budget leaks (embargoed)' })]);
    expect((await server.inject({ url: '/queue?target=nope' })).statusCode).toBe(404);
    const text = (await server.inject({ url: '/metrics' })).body;
    expect(text).toContain('crier_holds_total');
    const gauge = new Metrics({ pending: () => countPending(app.queues, app.ledger, app.targets) });
    const scraped = (await gauge.text()).body;
    expect(scraped).toContain('crier_pending_deliveries{target="chan",reason="embargo"} 1');
    expect(scraped).toContain('crier_pending_deliveries{target="x",reason="queued"} 1');
  });

  it('should answer unknown routes with a JSON 404', async () => {
    const res = await server.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found' });
  });
});
