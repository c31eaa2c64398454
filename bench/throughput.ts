import { Queue, Worker } from 'bullmq';
import { Telegram } from 'telegraf';
import { formatTelegram } from '../adapters/telegram/format.js';
import type { TargetOf } from '../config/schema.js';
import { createRedis, type RedisClient } from '../queues/connection.js';
import { jobOptions } from '../queues/publish.js';
import { App } from '../src/app.js';
import { silentLogger } from '../src/logging.js';
import { SANDBOX_CREDENTIALS } from '../src/sandbox/index.js';
import { benchArticle, benchConfig, median, pool, round, until, type BenchOptions } from './common.js';
import { startFakesProcess } from './fakes.js';

/**
 * Throughput: deliveries per second to the Telegram fake (limits off, answering at once)
 * - through crier: App.publish → the target's queue → format → ledger → telegraf → ledger;
 * - through a bare BullMQ worker making the same telegraf call with the same text, the
 *   same concurrency and the same job options, with no formatting and no ledger;
 * - through the minimum any exactly-once worker must do: the same bare worker, claiming
 *   each delivery with `SET NX` before the send and recording the result after it;
 * - through a bare BullMQ worker whose processor does nothing (the ceiling).
 * Each run publishes `jobs` items from this process while the workers drain them; the
 * clock runs from the first publish to the last delivery.
 */

export interface ThroughputResult {
  crier_per_s: number;
  baseline_per_s: number;
  ratio: number;
  bare_bullmq_per_s: number;
  /** CPU time of the bench process (publishing and delivering, all threads) per delivery, µs. */
  cpu_us_per_delivery: { crier: number; baseline: number; bare_bullmq: number };
  jobs: number;
  concurrency: number;
  /** crier against the exactly-once baseline (claim with SET NX, send, record): the goal is ≥ 0.85. */
  exactly_once?: { baseline_per_s: number; crier_per_s: number; ratio: number; cpu_us_per_delivery: number };
  /**
   * The same two systems with the fake holding each answer as long as a real platform's round
   * trip takes, where the send, not the bookkeeping, sets the pace (goal ≥ 0.95).
   */
  at_platform_latency?: { latency_ms: number; crier_per_s: number; baseline_per_s: number; ratio: number; jobs: number };
}

/** A run's rate and the process's CPU time per delivery over the clocked part. */
interface Run {
  perS: number;
  cpuUs: number;
}

/** Clock `work` (which handles `jobs` deliveries): wall time and this process's CPU time. */
async function clocked(jobs: number, work: () => Promise<void>): Promise<Run> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perS: jobs / seconds, cpuUs: (used.user + used.system) / jobs };
}

const PUBLISHERS = 16;

type TelegramParams = Record<string, unknown>;

/** What a bare worker does with a job: its parameters, its id, and a connection of its own for bookkeeping. */
type Work = (params: TelegramParams, job: { id: string; prefix: string; redis: RedisClient }) => Promise<unknown>;

export async function bareRun(options: BenchOptions, name: string, jobs: number, concurrency: number, work: Work, params: (i: number) => TelegramParams): Promise<Run> {
  const prefix = `${options.prefix}-${name}`;
  const producer = createRedis(options.redisUrl);
  const connection = createRedis(options.redisUrl, 'worker');
  const bookkeeping = createRedis(options.redisUrl, 'worker');
  const queue = new Queue<{ params: TelegramParams }>('deliver.tg', { connection: producer, prefix });
  let done = 0;
  const worker = new Worker<{ params: TelegramParams }>('deliver.tg', async (job) => work(job.data.params, { id: job.id as string, prefix, redis: bookkeeping }), { connection, prefix, concurrency });
  worker.on('completed', () => done++);
  await worker.waitUntilReady();
  const opts = jobOptions({ attempts: 8, backoffMs: 2000 } as TargetOf<'telegram'>);
  const run = await clocked(jobs, async () => {
    await pool(jobs, PUBLISHERS, (i) => queue.add('deliver', { params: params(i) }, { ...opts, jobId: `a-${name}-${i}` }));
    await until(() => done >= jobs, 120_000, `${name}: ${jobs} jobs`);
  });
  await worker.close();
  await queue.close();
  connection.disconnect();
  bookkeeping.disconnect();
  producer.disconnect();
  return run;
}

/**
 * The least an exactly-once worker can do around the same send: claim the delivery (SET NX,
 * so a second attempt or a second worker never sends again), send, record the result.
 */
export function exactlyOnce(send: (params: TelegramParams) => Promise<unknown>): Work {
  return async (params, job) => {
    const key = `${job.prefix}:eo:${job.id}`;
    if ((await job.redis.set(key, 'sending', 'EX', 86_400, 'NX')) !== 'OK') return undefined;
    const sent = (await send(params)) as { message_id?: number };
    await job.redis.set(key, `delivered ${sent.message_id ?? ''}`, 'EX', 86_400);
    return sent;
  };
}

export async function crierRun(options: BenchOptions, fake: { url: string }, run: string, jobs: number, concurrency: number): Promise<Run> {
  const config = benchConfig(options, `tp-${run}`, [telegramTarget(fake)], { worker: { concurrency } });
  let delivered = 0;
  const app = new App(config, { logger: silentLogger, observer: { delivered: () => void delivered++ } });
  await app.startWorkers();
  const articles = Array.from({ length: jobs }, (_, i) => benchArticle(run, i));
  const result = await clocked(jobs, async () => {
    await pool(jobs, PUBLISHERS, (i) => app.publish(articles[i]!));
    await until(() => delivered >= jobs, 120_000, `crier: ${jobs} deliveries`);
  });
  await app.close(2000);
  return result;
}

export function telegramTarget(fake: { url: string }): Record<string, unknown> {
  return {
    id: 'tg',
    platform: 'telegram',
    botToken: SANDBOX_CREDENTIALS.telegramToken,
    chat: SANDBOX_CREDENTIALS.telegramChat,
    apiRoot: fake.url,
    limiter: { max: 0, duration: 1000 },
  };
}

export async function measureThroughput(options: BenchOptions): Promise<ThroughputResult> {
  const rounds = options.quick ? 7 : 9;
  const perRound = options.quick ? 1000 : 2000;
  const concurrency = 10;
  const fakes = await startFakesProcess({ telegram: { perChatPerMinute: 0, globalPerSecond: 0 } });
  const fake = { url: fakes.urls.telegram };
  try {
    const target = benchConfig(options, 'tp-format', [telegramTarget(fake)]).targets[0] as TargetOf<'telegram'>;
    const run = `tp${Date.now().toString(36)}`;
    const { send, sameSend } = sameSendBaseline(fake, target, run, perRound);
    const systems = {
      bare: (r: number) => bareRun(options, `noop${r}`, perRound, concurrency, async () => undefined, () => ({})),
      baseline: (r: number) => bareRun(options, `base${r}`, perRound, concurrency, send, sameSend),
      exactly_once: (r: number) => bareRun(options, `eo${r}`, perRound, concurrency, exactlyOnce(send), sameSend),
      crier: (r: number) => crierRun(options, fake, `${run}r${r}`, perRound, concurrency),
    };
    // Warm up every path (JIT, connections, scripts) outside the clock.
    await bareRun(options, 'warm', perRound, concurrency, send, sameSend);
    await crierRun(options, fake, `${run}w`, perRound, concurrency);
    // Short rounds, interleaved with the order rotating, so a busy moment on a shared machine
    // lands on every system alike. Rates are medians over rounds; the ratio is the median of
    // each round's crier / baseline (measured back to back).
    const rates = { bare: [] as number[], baseline: [] as number[], exactly_once: [] as number[], crier: [] as number[] };
    const cpu = { bare: [] as number[], baseline: [] as number[], exactly_once: [] as number[], crier: [] as number[] };
    const ratios: number[] = [];
    const eoRatios: number[] = [];
    const order = ['baseline', 'crier', 'exactly_once', 'bare'] as const;
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < order.length; k++) {
        const name = order[(r + k) % order.length] as keyof typeof systems;
        const { perS, cpuUs } = await systems[name](r);
        rates[name].push(perS);
        cpu[name].push(cpuUs);
      }
      ratios.push((rates.crier[r] as number) / (rates.baseline[r] as number));
      eoRatios.push((rates.crier[r] as number) / (rates.exactly_once[r] as number));
      await fakes.reset();
    }
    const exactly_once = { baseline_per_s: round(median(rates.exactly_once)), crier_per_s: round(median(rates.crier)), ratio: round(median(eoRatios), 3), cpu_us_per_delivery: round(median(cpu.exactly_once)) };
    const crier = median(rates.crier);
    const baseline = median(rates.baseline);
    const bare = median(rates.bare);
    const ratio = median(ratios);
    const cpuUs = { crier: round(median(cpu.crier)), baseline: round(median(cpu.baseline)), bare_bullmq: round(median(cpu.bare)) };
    const atLatency = await measureAtLatency(options, concurrency, target);
    options.log(
      `throughput: crier ${round(crier)}/s, same-send baseline ${round(baseline)}/s, ratio ${round(ratio, 3)} (per round: ${ratios.map((x) => round(x, 2)).join(' ')}), bare BullMQ no-op ${round(bare)}/s (${rounds} rounds × ${perRound} jobs, concurrency ${concurrency}); ` +
        `exactly-once baseline ${exactly_once.baseline_per_s}/s, crier/exactly-once ${exactly_once.ratio} (per round: ${eoRatios.map((x) => round(x, 2)).join(' ')}); ` +
        `CPU per delivery (publish + deliver, this process): crier ${cpuUs.crier} µs, baseline ${cpuUs.baseline} µs, exactly-once ${exactly_once.cpu_us_per_delivery} µs, no-op ${cpuUs.bare_bullmq} µs`,
    );
    return { crier_per_s: round(crier), baseline_per_s: round(baseline), ratio: round(ratio, 3), bare_bullmq_per_s: round(bare), cpu_us_per_delivery: cpuUs, jobs: rounds * perRound, concurrency, exactly_once, at_platform_latency: atLatency };
  } finally {
    await fakes.stop();
  }
}

/**
 * The baseline's side of a same-send comparison: the telegraf call and, per job, the text
 * crier would send for the same article, formatted before any clock starts.
 */
function sameSendBaseline(fake: { url: string }, target: TargetOf<'telegram'>, run: string, count: number) {
  const telegram = new Telegram(SANDBOX_CREDENTIALS.telegramToken, { apiRoot: `${fake.url}/` });
  const texts = Array.from({ length: count }, (_, i): TelegramParams => {
    const post = formatTelegram(benchArticle(`${run}b`, i), target);
    return { chat_id: target.chat, text: post.text, parse_mode: post.parse_mode, link_preview_options: post.link_preview_options, reply_markup: post.reply_markup };
  });
  return {
    send: (p: TelegramParams) => telegram.callApi('sendMessage', p as never),
    sameSend: (i: number): TelegramParams => texts[i] as TelegramParams,
  };
}

/** A Bot API round trip as seen from a server in Europe (tens of ms; sendMessage often more). */
const PLATFORM_LATENCY_MS = 50;

/** crier against the same-send baseline with the Telegram fake answering after PLATFORM_LATENCY_MS. */
async function measureAtLatency(options: BenchOptions, concurrency: number, target: TargetOf<'telegram'>): Promise<NonNullable<ThroughputResult['at_platform_latency']>> {
  const rounds = options.quick ? 3 : 5;
  const perRound = 500;
  const fakes = await startFakesProcess({ telegram: { perChatPerMinute: 0, globalPerSecond: 0, latencyMs: PLATFORM_LATENCY_MS } });
  const fake = { url: fakes.urls.telegram };
  try {
    const run = `tl${Date.now().toString(36)}`;
    const { send, sameSend } = sameSendBaseline(fake, target, run, perRound);
    const baselineRound = async (name: string, jobs: number) => (await bareRun(options, name, jobs, concurrency, send, sameSend)).perS;
    const rates = { baseline: [] as number[], crier: [] as number[] };
    const ratios: number[] = [];
    // A short warm-up of both outside the clock (JIT, connections, scripts).
    await baselineRound('latwarm', 100);
    await crierRun(options, fake, `${run}w`, 100, concurrency);
    for (let r = 0; r < rounds; r++) {
      // Alternating which goes first, as in the main figure.
      const baselineFirst = r % 2 === 0;
      if (baselineFirst) rates.baseline.push(await baselineRound(`lat${r}`, perRound));
      rates.crier.push((await crierRun(options, fake, `${run}r${r}`, perRound, concurrency)).perS);
      if (!baselineFirst) rates.baseline.push(await baselineRound(`lat${r}`, perRound));
      ratios.push((rates.crier[r] as number) / (rates.baseline[r] as number));
      await fakes.reset();
    }
    const result = { latency_ms: PLATFORM_LATENCY_MS, crier_per_s: round(median(rates.crier)), baseline_per_s: round(median(rates.baseline)), ratio: round(median(ratios), 3), jobs: rounds * perRound };
    options.log(`throughput at a ${PLATFORM_LATENCY_MS} ms platform round trip (goal ≥ 0.95): crier ${result.crier_per_s}/s, same-send baseline ${result.baseline_per_s}/s, ratio ${result.ratio} (${rounds} rounds × ${perRound} jobs)`);
    return result;
  } finally {
    await fakes.stop();
  }
}
