import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { App } from '../src/app.js';
import { silentLogger } from '../src/logging.js';
import { benchArticle, benchConfig, pool, REPO_ROOT, round, sleep, type BenchOptions } from './common.js';
import { startFakesProcess } from './fakes.js';

/**
 * Memory: a backlog of 10,000 delivery jobs (5,000 articles × Telegram and X) is
 * published with no worker running; then a real `crier worker` process (bin/crier.js, the
 * production entry point, default concurrency) drains it against the fakes (in a process
 * of their own). Peak RSS is the kernel's high-water mark for the worker (VmHWM in
 * /proc/<pid>/status), read just before it is stopped; RSS is also sampled every 100 ms.
 */

export interface MemoryResult {
  peak_rss_mb: number;
  jobs: number;
  drain_seconds: number;
  drain_per_s: number;
}

const CLI = join(REPO_ROOT, 'bin', 'crier.js');

function procStatus(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function measureMemory(options: BenchOptions): Promise<MemoryResult> {
  const articles = 5000;
  const fakes = await startFakesProcess({ telegram: { perChatPerMinute: 0, globalPerSecond: 0 }, twitter: { per15min: 1_000_000, per24h: 1_000_000 } });
  const dir = mkdtempSync(join(tmpdir(), 'crier-bench-memory-'));
  const targets = fakes.targets().filter((t) => t.platform !== 'instagram');
  const raw = { redis: { url: options.redisUrl, prefix: `${options.prefix}-memory` }, telegramGlobalPerSecond: 0, media: { dir: join(dir, 'media') }, targets };
  const config = benchConfig(options, 'memory', targets);
  const producer = new App(config, { logger: silentLogger });
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    const run = `mem${Date.now().toString(36)}`;
    const list = Array.from({ length: articles }, (_, i) => benchArticle(run, i));
    await pool(articles, 32, (i) => producer.publish(list[i]!));
    const jobs = articles * targets.length;

    const file = join(dir, 'crier.yaml');
    writeFileSync(file, stringify(raw));
    worker = spawn(process.execPath, [CLI, 'worker', '--config', file, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, REDIS_URL: options.redisUrl } });
    const pid = worker.pid as number;
    const started = performance.now();
    let sampled = 0;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const rss = procStatus(pid, 'VmRSS');
      if (rss !== undefined) sampled = Math.max(sampled, rss);
      const stats = await fakes.stats();
      if (stats.telegram.sent + stats.twitter.tweets >= jobs) break;
      if (worker.exitCode !== null) throw new Error(`the worker exited early (${worker.exitCode})`);
      if (Date.now() > deadline) throw new Error(`backlog not drained: ${stats.telegram.sent + stats.twitter.tweets}/${jobs}`);
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = Math.max(procStatus(pid, 'VmHWM') ?? 0, sampled);
    const result: MemoryResult = {
      peak_rss_mb: round(peak),
      jobs,
      drain_seconds: round(seconds, 1),
      drain_per_s: round(jobs / seconds),
    };
    options.log(`memory: peak RSS ${result.peak_rss_mb} MB draining ${jobs} jobs in ${result.drain_seconds} s (${result.drain_per_s}/s, crier worker process)`);
    return result;
  } finally {
    if (worker !== undefined && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker?.once('exit', resolve));
      worker.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    await producer.close(2000);
    await fakes.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
