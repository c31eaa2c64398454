import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../src/app.js';
import type { Article } from '../src/article/schema.js';
import { silentLogger } from '../src/logging.js';
import { benchArticle, benchConfig, percentile, round, sleep, until, type BenchOptions } from './common.js';
import { startFakesProcess } from './fakes.js';

/**
 * Latency: publish → delivered on all three targets (Telegram, X, Instagram) at a steady
 * 20 publishes per second. Every article carries the same photo from the sandbox site, so
 * Instagram's media pipeline prepares it once and later posts reuse the cached JPEG (each
 * post still downloads the source, checks its hash, reads the JPEG and uploads it: the
 * private API's rupload + configure). X posts are text + link (`media: false`): an image
 * upload per tweet would measure the media upload, not crier. Telegram posts the photo by
 * URL. Limits are off on both sides. Clock: App.publish called → observer.delivered.
 */

export interface LatencyResult {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  rate_per_s: number;
  seconds: number;
  per_target: Record<string, { p50: number; p99: number }>;
}

const RATE = 20;

export async function measureLatency(options: BenchOptions): Promise<LatencyResult> {
  const seconds = options.quick ? 10 : 30;
  const fakes = await startFakesProcess({ telegram: { perChatPerMinute: 0, globalPerSecond: 0 }, twitter: { per15min: 1_000_000, per24h: 1_000_000 } });
  const mediaDir = mkdtempSync(join(tmpdir(), 'crier-bench-media-'));
  const targets = fakes.targets().map((t) => (t.platform === 'twitter' ? { ...t, media: false } : t));
  const config = benchConfig(options, 'latency', targets, { media: { dir: mediaDir, allowPrivateNetwork: true } });
  const started = new Map<string, number>();
  const delivered = new Map<string, Map<string, number>>();
  const app = new App(config, {
    logger: silentLogger,
    observer: {
      delivered: (e) => {
        const at = performance.now();
        let byTarget = delivered.get(e.article.id);
        if (byTarget === undefined) delivered.set(e.article.id, (byTarget = new Map()));
        byTarget.set(e.target, at);
      },
    },
  });
  const photo = `${fakes.urls.site}/images/ferry.jpg`;
  const run = `lat${Date.now().toString(36)}`;
  const publish = async (article: Article) => {
    started.set(article.id, performance.now());
    await app.publish(article);
  };
  const allThere = (ids: string[]) => () => ids.every((id) => (delivered.get(id)?.size ?? 0) === targets.length);
  try {
    await app.startWorkers();
    // Warm up: Instagram logs in and the photo is prepared once; JIT and connections.
    const warm = Array.from({ length: 20 }, (_, i) => benchArticle(`${run}w`, i, { image: photo }));
    await Promise.all(warm.map(publish));
    await until(allThere(warm.map((a) => a.id)), 60_000, 'warm-up deliveries');

    const count = seconds * RATE;
    const articles = Array.from({ length: count }, (_, i) => benchArticle(run, i, { image: photo }));
    const t0 = performance.now();
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(publish(articles[i] as Article));
    }
    await Promise.all(pending);
    const ids = articles.map((a) => a.id);
    await until(allThere(ids), 60_000, 'every delivery');
    const achieved = count / ((performance.now() - t0) / 1000);

    const all = ids.map((id) => Math.max(...(delivered.get(id)?.values() ?? [])) - (started.get(id) as number));
    const perTarget: LatencyResult['per_target'] = {};
    for (const t of targets) {
      const id = t.id as string;
      const samples = ids.map((a) => (delivered.get(a)?.get(id) as number) - (started.get(a) as number));
      perTarget[id] = { p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)) };
    }
    const result: LatencyResult = {
      p50: round(percentile(all, 50)),
      p99: round(percentile(all, 99)),
      max: round(Math.max(...all)),
      samples: all.length,
      rate_per_s: round(Math.min(achieved, RATE)),
      seconds,
      per_target: perTarget,
    };
    options.log(
      `latency (publish → delivered on all 3, ${RATE}/s for ${seconds} s, ${count} articles): p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms; ` +
        Object.entries(perTarget).map(([k, v]) => `${k} p50 ${v.p50} / p99 ${v.p99}`).join(', '),
    );
    return result;
  } finally {
    await app.close(2000);
    await fakes.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  }
}
