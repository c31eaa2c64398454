import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRedis } from '../queues/connection.js';
import { App } from '../src/app.js';
import { silentLogger } from '../src/logging.js';
import { benchArticle, benchConfig, pool, REPO_ROOT, round, sleep, type BenchOptions } from './common.js';
import { startFakesProcess } from './fakes.js';
import { telegramTarget } from './throughput.js';

/**
 * Scale-out: how deliveries per second grow with the number of `crier worker` processes
 * (1, 2, 4 — the production entry point, default settings, concurrency 10 each) draining one
 * backlog against the Telegram fake answering after 50 ms, as a real platform does. The
 * backlog is published first into a paused queue; once every worker is connected the queue
 * is resumed and the clock runs to the last delivery (process start-up is not counted). Redis's own CPU time per delivery (INFO cpu) and the load on
 * this machine's cores show where the curve stops growing.
 */

export interface ScaleOutPoint {
  workers: number;
  per_s: number;
  /** Redis CPU time per delivery, µs (user + sys, from INFO cpu). */
  redis_cpu_us: number;
}

const CLI = join(REPO_ROOT, 'bin', 'crier.js');
const LATENCY_MS = 50;
const CONCURRENCY = 10;

async function redisCpuSeconds(url: string): Promise<number> {
  const redis = createRedis(url, 'producer');
  try {
    const info = await redis.info('cpu');
    const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0);
    const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
    return user + sys;
  } finally {
    redis.disconnect();
  }
}

function startWorker(file: string, redisUrl: string): ChildProcess {
  return spawn(process.execPath, [CLI, 'worker', '--config', file, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, REDIS_URL: redisUrl } });
}

async function stop(workers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.exitCode !== null) return;
      const exited = new Promise((resolve) => w.once('exit', resolve));
      w.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (w.exitCode === null) w.kill('SIGKILL');
    }),
  );
}

export async function measureScaleOut(options: BenchOptions): Promise<ScaleOutPoint[]> {
  const perRun = options.quick ? 1500 : 3000;
  const fakes = await startFakesProcess({ telegram: { perChatPerMinute: 0, globalPerSecond: 0, latencyMs: LATENCY_MS } });
  const dir = mkdtempSync(join(tmpdir(), 'crier-bench-scale-'));
  const points: ScaleOutPoint[] = [];
  try {
    for (const count of [1, 2, 4]) {
      const suffix = `scale${count}`;
      const targets = [telegramTarget({ url: fakes.urls.telegram })];
      const raw = { redis: { url: options.redisUrl, prefix: `${options.prefix}-${suffix}` }, telegramGlobalPerSecond: 0, worker: { concurrency: CONCURRENCY }, media: { dir: join(dir, 'media') }, targets };
      const producer = new App(benchConfig(options, suffix, targets), { logger: silentLogger });
      const workers: ChildProcess[] = [];
      try {
        const run = `so${count}${Date.now().toString(36)}`;
        const queue = producer.queues.get(producer.targets[0] as { id: string });
        await queue.pause();
        await pool(perRun, 32, (i) => producer.publish(benchArticle(run, i)));
        await fakes.reset();
        const file = join(dir, `crier-${count}.yaml`);
        writeFileSync(file, stringify(raw));
        for (let i = 0; i < count; i++) workers.push(startWorker(file, options.redisUrl));
        const connected = Date.now() + 60_000;
        while ((await queue.getWorkersCount()) < count) {
          if (Date.now() > connected) throw new Error(`${count} workers did not connect`);
          await sleep(100);
        }
        const cpuBefore = await redisCpuSeconds(options.redisUrl);
        const started = performance.now();
        await queue.resume();
        const deadline = Date.now() + 300_000;
        for (;;) {
          const sent = (await fakes.stats()).telegram.sent;
          if (sent >= perRun) break;
          if (workers.some((w) => w.exitCode !== null)) throw new Error('a worker exited early');
          if (Date.now() > deadline) throw new Error(`${count} workers: ${sent}/${perRun} delivered`);
          await sleep(50);
        }
        const seconds = (performance.now() - started) / 1000;
        const redisCpu = (await redisCpuSeconds(options.redisUrl)) - cpuBefore;
        points.push({ workers: count, per_s: round(perRun / seconds), redis_cpu_us: round((redisCpu * 1e6) / perRun) });
      } finally {
        await stop(workers);
        await producer.close(2000);
      }
    }
    options.log(
      `scale-out (crier worker processes, concurrency ${CONCURRENCY} each, Telegram fake answering after ${LATENCY_MS} ms, ${perRun} deliveries each): ` +
        points.map((p) => `${p.workers} → ${p.per_s}/s (Redis ${p.redis_cpu_us} µs CPU a delivery)`).join(', '),
    );
    return points;
  } finally {
    await fakes.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
