import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { Heartbeat } from '../../queues/heartbeat.js';
import { jobId } from '../../queues/names.js';
import { App } from '../../src/app.js';
import { toArticle } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { crier, startCrier, waitFor } from '../helpers/cli.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 12, "what a newcomer hit": each of these hung, leaked or answered with the wrong
 * exit code before. The real CLI runs in a child process against the test Redis.
 */
describe('what a newcomer tries', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const prefix = (name: string) => {
    const p = uniquePrefix(name);
    prefixes.push(p);
    return p;
  };
  const keys = async (p: string) => (await redis.keys(`${p}:*`)).length;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis.disconnect();
    for (const p of prefixes) await deletePrefix(p);
  });

  /** Run to the end, but never past `ms`: a command that hangs fails the test instead of the suite. */
  async function exits(args: string[], env: Record<string, string>, ms = 30_000) {
    const child = startCrier(args, { env });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    const killer = setTimeout(() => child.kill('SIGKILL'), ms);
    const { code, signal } = await child.exited;
    clearTimeout(killer);
    return { code, signal, stderr };
  }

  it('should exit 1 at once, not hang, when `crier worker` or `crier serve` has no target that can send', async () => {
    const env = { REDIS_URL, REDIS_PREFIX: prefix('no-target') };
    for (const command of ['worker', 'serve']) {
      const run = await exits([command], env);
      expect({ command, code: run.code, signal: run.signal }).toEqual({ command, code: 1, signal: null });
      expect(run.stderr).toMatch(/^crier: no target can send: /m);
    }
  });

  it('should bind its port before starting workers: on EADDRINUSE nothing queued is taken', async () => {
    const p = prefix('bind-first');
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    // A delivery waiting for the sandbox's telegram target on this prefix.
    const app = new App(buildConfig({ redis: { url: REDIS_URL, prefix: p }, targets: [{ id: 'telegram', platform: 'telegram', botToken: '1:waiting', chat: '@waiting' }] }, {}), { logger: silentLogger });
    const article = toArticle({ url: 'https://news.example.org/bind-first', title: 'Waiting for a worker' });
    try {
      await app.publish(article);
      const run = await exits(['serve', '--sandbox'], { REDIS_URL, REDIS_PREFIX: p, PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^crier: cannot listen on \\S+:${port}: the port is in use \\(set PORT or http\\.port`, 'm'));
      expect(run.stderr).not.toMatch(/unexpected error/);
      expect((await app.ledger.get(article.id, 'telegram'))?.state).toBe('queued');
      expect(await (await app.queues.get(app.targets[0]!).getJob(jobId(article.id)))?.getState()).toBe('waiting');
    } finally {
      await app.close(1000);
      busy.close();
    }
  });

  it('should finish and clean up, without an EPIPE stack trace, when its output is closed early (`crier demo | head -3`)', async () => {
    const child = startCrier(['demo'], { env: { REDIS_URL } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const seen = await waitFor(child.stdout, /keys under (crier-demo-\w+)[^\n]*\n[\s\S]*\n[\s\S]*\n/);
    const demoPrefix = /keys under (crier-demo-\w+)/.exec(seen)?.[1] as string;
    child.stdout.destroy(); // what `head -3` does once it has its lines
    const { code, signal } = await child.exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|at \w+ \(/);
    expect(await keys(demoPrefix)).toBe(0);
  }, 60_000);

  for (const [name, expected] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`should clean up its Redis keys when interrupted (${name})`, async () => {
      const child = startCrier(['demo'], { env: { REDIS_URL } });
      const seen = await waitFor(child.stdout, /Published: /);
      const demoPrefix = /keys under (crier-demo-\w+)/.exec(seen)?.[1] as string;
      expect(await keys(demoPrefix)).toBeGreaterThan(0);
      child.kill(name);
      const { code } = await child.exited;
      expect(code).toBe(expected);
      expect(await keys(demoPrefix)).toBe(0);
    }, 60_000);
  }

  it('should treat an unknown target as a usage error (2) in retry and resume as in publish, and a missing -c file like a missing article file', async () => {
    const env = { REDIS_URL, REDIS_PREFIX: prefix('usage'), TELEGRAM_BOT_TOKEN: '1:usage', TELEGRAM_CHANNEL: '@usage' };
    const retry = await crier(['retry', 'some-article', 'myspace'], { env });
    expect(retry.code).toBe(2);
    expect(retry.stderr).toBe('crier: unknown target(s): myspace (known: telegram)\n');
    const resume = await crier(['resume', 'myspace'], { env });
    expect(resume.code).toBe(2);
    expect(resume.stderr).toBe('crier: unknown target(s): myspace (known: telegram)\n');
    const missing = await crier(['status', 'x', '-c', 'nowhere.yaml'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('crier: config file not found: nowhere.yaml\n');
  });

  it('should say so when resuming a target that is not paused', async () => {
    const env = { REDIS_URL, REDIS_PREFIX: prefix('resume'), TELEGRAM_BOT_TOKEN: '1:resume', TELEGRAM_CHANNEL: '@resume' };
    const run = await crier(['resume', 'telegram'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('telegram: not paused; nothing to resume\n');
  });

  it('should exit non-zero from status when a delivery failed or is in doubt', async () => {
    const p = prefix('status');
    const env = { REDIS_URL, REDIS_PREFIX: p, TELEGRAM_BOT_TOKEN: '1:status', TELEGRAM_CHANNEL: '@status' };
    const app = new App(buildConfig({ redis: { url: REDIS_URL, prefix: p } }, env), { logger: silentLogger });
    try {
      const article = toArticle({ url: 'https://news.example.org/status-exit', title: 'Status exit code' });
      await app.publish(article);
      expect((await crier(['status', article.id], { env })).code).toBe(0);
      await app.ledger.markState(article.id, 'telegram', 'failed', 'chat not found');
      const failed = await crier(['status', article.id], { env });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/telegram\s+telegram\s+failed/);
      await app.ledger.markState(article.id, 'telegram', 'unknown', 'answer lost');
      expect((await crier(['status', article.id], { env })).code).toBe(1);
    } finally {
      await app.close(1000);
    }
  });

  it('should report health from Redis and this host\'s worker heartbeat (`crier health`, the workers\' container check)', async () => {
    const p = prefix('health');
    const env = { REDIS_URL, REDIS_PREFIX: p };
    const none = await crier(['health'], { env });
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/^unhealthy: no delivery worker on this host has reported in the last 30 s/);
    const beat = new Heartbeat(redis, p);
    beat.start();
    try {
      await eventually(async () => ((await keys(p)) > 0 ? true : undefined));
      const ok = await crier(['health'], { env });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^ok: Redis answers; workers on this host reported \d+ s ago/);
    } finally {
      await beat.stop();
    }
    expect((await crier(['health'], { env })).code).toBe(1);
  });
});
