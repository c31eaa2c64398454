import { App } from '../src/app.js';
import { silentLogger } from '../src/logging.js';
import { benchArticle, benchConfig, pool, round, until, type BenchOptions } from './common.js';
import { startFakesProcess, type FakesProcess } from './fakes.js';

/**
 * Rate-limit fidelity: N messages to one Telegram channel whose fake allows 30 sends per
 * second (per chat, sliding 1 s window; the token's global budget is 30/s too, so 30/s is
 * what binds). Achieved rate = (sent − 30) / (last send − first send): an ideal sender puts
 * 30 out at once and then 30 every second, which gives exactly 30/s. Lost = published but
 * never accepted by the fake; duplicates = accepted twice.
 * 1. crier's limits set right (channel limiter 30 per 1000 ms, telegramGlobalPerSecond 30);
 * 2. crier's limits set twice too high (60/s): the fake's 429s (retry_after) must slow it.
 */

export const ALLOWED_PER_S = 30;

export interface RateRun {
  configured_per_s: number;
  messages: number;
  achieved_per_s: number;
  efficiency: number;
  '429s': number;
  lost: number;
  duplicates: number;
  seconds: number;
}

export interface RateLimitResult {
  allowed_per_s: number;
  achieved_per_s: number;
  efficiency: number;
  '429s': number;
  lost: number;
  duplicates: number;
  messages: number;
  over_limit: RateRun;
}

async function runOnce(options: BenchOptions, fakes: FakesProcess, configured: number, messages: number, name: string): Promise<RateRun> {
  await fakes.reset();
  const base = fakes.targets()[0] as Record<string, unknown>;
  const target = { ...base, id: 'channel', limiter: { max: configured, duration: 1000 }, photo: false };
  const config = benchConfig(options, `rate-${name}`, [target], { telegramGlobalPerSecond: configured, worker: { concurrency: 10 } });
  let delivered = 0;
  const app = new App(config, { logger: silentLogger, observer: { delivered: () => void delivered++ } });
  const run = `${name}${Date.now().toString(36)}`;
  const articles = Array.from({ length: messages }, (_, i) => benchArticle(run, i));
  try {
    await app.startWorkers();
    const started = performance.now();
    await pool(messages, 16, (i) => app.publish(articles[i]!));
    const budget = ((messages / ALLOWED_PER_S) * 3 + 30) * 1000;
    await until(() => delivered >= messages, budget, `${messages} deliveries (${name})`, 50).catch(() => undefined);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    const stats = await fakes.stats(true);
    const t = stats.telegram;
    const times = [...t.sendTimes].sort((a, b) => a - b);
    const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    const achieved = span > 0 ? (t.sent - ALLOWED_PER_S) / span : 0;
    const wanted = new Set(articles.map((a) => a.title));
    const seen = new Set(t.titles.filter((title) => wanted.has(title)));
    return {
      configured_per_s: configured,
      messages,
      achieved_per_s: round(achieved, 2),
      efficiency: round(achieved / ALLOWED_PER_S, 3),
      '429s': t.rateLimited,
      lost: messages - seen.size,
      duplicates: t.sent - seen.size,
      seconds: round(seconds, 1),
    };
  } finally {
    await app.close(2000);
  }
}

export async function measureRateLimit(options: BenchOptions): Promise<RateLimitResult> {
  const messages = options.quick ? 300 : 900;
  const fakes = await startFakesProcess({ telegram: { perChatPerMinute: ALLOWED_PER_S, perChatWindowMs: 1000, globalPerSecond: ALLOWED_PER_S } });
  try {
    const right = await runOnce(options, fakes, ALLOWED_PER_S, messages, 'right');
    options.log(
      `rate limit (fake allows ${ALLOWED_PER_S}/s, crier set to ${ALLOWED_PER_S}/s, ${messages} messages): achieved ${right.achieved_per_s}/s, efficiency ${right.efficiency}, 429s ${right['429s']}, lost ${right.lost}, duplicates ${right.duplicates}`,
    );
    const over = await runOnce(options, fakes, ALLOWED_PER_S * 2, messages, 'over');
    options.log(
      `rate limit (crier set to ${over.configured_per_s}/s, above the fake's ${ALLOWED_PER_S}/s): achieved ${over.achieved_per_s}/s, efficiency ${over.efficiency}, 429s ${over['429s']}, lost ${over.lost}, duplicates ${over.duplicates}`,
    );
    return {
      allowed_per_s: ALLOWED_PER_S,
      achieved_per_s: right.achieved_per_s,
      efficiency: right.efficiency,
      '429s': right['429s'],
      lost: right.lost,
      duplicates: right.duplicates,
      messages,
      over_limit: over,
    };
  } finally {
    await fakes.stop();
  }
}
