import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { createRedis } from '../queues/connection.js';
import type { CardResult } from './card.js';
import type { ScaleOutPoint } from './scale-out.js';
import type { LatencyResult } from './latency.js';
import type { MemoryResult } from './memory.js';
import type { RateLimitResult } from './rate-limit.js';
import type { ThroughputResult } from './throughput.js';

/**
 * bench/results.json and the figures table in BENCHMARKS.md (between the `results`
 * markers; the prose around it is kept), with the machine and the date.
 */

export interface Machine {
  cpu: string;
  cores: number;
  ram_gb: number;
  os: string;
  node: string;
  redis: string;
}

export interface Results {
  date: string;
  quick: boolean;
  machine: Machine;
  throughput?: ThroughputResult;
  latency_ms?: LatencyResult;
  rate_limit?: RateLimitResult;
  memory?: MemoryResult;
  card?: CardResult;
  scale_out?: ScaleOutPoint[];
  /** Figures not measured in this run (`--only`), copied from the run of the given date. */
  carried_over?: Record<string, string>;
  goals: Record<string, { goal: string; met: boolean }>;
  errors: Record<string, string>;
  seconds: number;
}

export async function machine(redisUrl: string): Promise<Machine> {
  const redis = createRedis(redisUrl, 'producer', { maxRetriesPerRequest: 1 });
  let version = 'unknown';
  try {
    version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? version;
  } finally {
    redis.disconnect();
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    ram_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    redis: version,
  };
}

/** Keys of Results that hold a figure, by the figure's name in run.ts. */
const FIGURE_KEY: Record<string, keyof Results> = { throughput: 'throughput', latency: 'latency_ms', rate_limit: 'rate_limit', memory: 'memory', card: 'card', scale_out: 'scale_out' };

/** Copy the figures this run did not measure from the previous results, noting when they were measured. */
export function carryOver(results: Omit<Results, 'goals'>, previous: Results, figures: string[]): void {
  const carried: Record<string, string> = {};
  for (const figure of figures) {
    const key = FIGURE_KEY[figure];
    if (key === undefined || (results as Record<string, unknown>)[key] !== undefined || figure in results.errors) continue;
    const value = (previous as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    (results as Record<string, unknown>)[key] = value;
    carried[figure] = previous.carried_over?.[figure] ?? previous.date;
  }
  if (Object.keys(carried).length > 0) results.carried_over = carried;
}

/** Each goal of issues 7 and 15, met or not. */
export function goals(r: Omit<Results, 'goals'>): Results['goals'] {
  const out: Results['goals'] = {};
  const eo = r.throughput?.exactly_once;
  if (eo) out.throughput_exactly_once = { goal: 'crier ≥ 0.85 × the exactly-once baseline (instant fake)', met: eo.ratio >= 0.85 };
  const at = r.throughput?.at_platform_latency;
  if (at) out.throughput_at_latency = { goal: 'crier ≥ 0.95 × the same-send baseline behind a 50 ms platform', met: at.ratio >= 0.95 };
  if (r.latency_ms) out.latency = { goal: 'p99 ≤ 50 ms', met: r.latency_ms.p99 <= 50 };
  if (r.rate_limit) {
    const rl = r.rate_limit;
    out.rate_limit = { goal: 'efficiency ≥ 0.95, zero 429s, zero lost', met: rl.efficiency >= 0.95 && rl['429s'] === 0 && rl.lost === 0 };
    out.rate_limit_over = { goal: 'limit set too high: zero lost, settles near the real limit', met: rl.over_limit.lost === 0 && rl.over_limit.efficiency >= 0.8 };
  }
  if (r.memory) out.memory = { goal: 'peak RSS ≤ 200 MB', met: r.memory.peak_rss_mb <= 200 };
  if (r.card) out.card = { goal: 'Latin card ≤ 2 × the satori renderer', met: r.card.ratio <= 2 };
  return out;
}

const yes = (met: boolean | undefined) => (met === undefined ? '–' : met ? 'met' : '**missed**');

export function table(r: Results): string {
  const t = r.throughput;
  const l = r.latency_ms;
  const rl = r.rate_limit;
  const m = r.memory;
  const g = r.goals;
  const rows: string[] = ['| Figure | crier | Baseline / bound | Goal | |', '|---|---|---|---|---|'];
  if (t) {
    rows.push(`| Throughput (Telegram, concurrency ${t.concurrency}) against the bare same-send baseline | ${t.crier_per_s} deliveries/s | same-send ${t.baseline_per_s}/s, bare BullMQ no-op ${t.bare_bullmq_per_s}/s; CPU per delivery ${t.cpu_us_per_delivery.crier} µs vs ${t.cpu_us_per_delivery.baseline} µs (no-op ${t.cpu_us_per_delivery.bare_bullmq}) | ratio ${t.ratio} (reported; the cost of the ledger is accepted) | – |`);
    const eo = t.exactly_once;
    if (eo) rows.push(`| Throughput against the exactly-once baseline (claim with SET NX, send, record) | ${eo.crier_per_s} deliveries/s | exactly-once ${eo.baseline_per_s}/s (CPU ${eo.cpu_us_per_delivery} µs a delivery) | ratio ${eo.ratio} ≥ 0.85 | ${yes(g.throughput_exactly_once?.met)} |`);
  }
  const at = t?.at_platform_latency;
  if (at) {
    rows.push(`| Throughput with the fake answering after ${at.latency_ms} ms, as a real platform does | ${at.crier_per_s} deliveries/s | same-send ${at.baseline_per_s}/s | ratio ${at.ratio} ≥ 0.95 | ${yes(g.throughput_at_latency?.met)} |`);
  }
  if (r.scale_out && r.scale_out.length > 0) {
    const curve = r.scale_out.map((p) => `${p.workers} → ${p.per_s}/s`).join(', ');
    const redis = r.scale_out.map((p) => `${p.redis_cpu_us} µs`).join(' / ');
    rows.push(`| Scale-out: \`crier worker\` processes behind a 50 ms platform | ${curve} | Redis CPU per delivery ${redis} | (curve, no goal) | – |`);
  }
  if (l) {
    const per = Object.entries(l.per_target).map(([k, v]) => `${k} ${v.p50}/${v.p99}`).join(', ');
    rows.push(`| Latency publish → delivered on all 3 (${l.rate_per_s}/s for ${l.seconds} s) | p50 ${l.p50} ms, p99 ${l.p99} ms | per target p50/p99: ${per} | p99 ≤ 50 ms | ${yes(g.latency?.met)} |`);
  }
  if (rl) {
    rows.push(`| Rate limit, set right (${rl.messages} messages, fake allows ${rl.allowed_per_s}/s) | ${rl.achieved_per_s}/s, efficiency ${rl.efficiency}, ${rl['429s']} × 429, ${rl.lost} lost | ${rl.allowed_per_s}/s allowed | ≥ 0.95, 0 × 429, 0 lost | ${yes(g.rate_limit?.met)} |`);
    const o = rl.over_limit;
    rows.push(`| Rate limit, set to ${o.configured_per_s}/s (too high) | ${o.achieved_per_s}/s, efficiency ${o.efficiency}, ${o['429s']} × 429, ${o.lost} lost | ${rl.allowed_per_s}/s allowed | 0 lost, near the limit | ${yes(g.rate_limit_over?.met)} |`);
  }
  if (m) {
    rows.push(`| Memory: \`crier worker\` draining ${m.jobs} jobs | peak RSS ${m.peak_rss_mb} MB | drained in ${m.drain_seconds} s (${m.drain_per_s}/s) | ≤ 200 MB | ${yes(g.memory?.met)} |`);
  }
  const c = r.card;
  if (c) {
    const titles = c.per_title_ms.map((t) => `${t.chars} chars ${t.crier}/${t.baseline}`).join(', ');
    rows.push(`| Title card, Latin (1080×1350 JPEG, no cache, ${c.cards} cards) | p50 ${c.crier_ms} ms, p95 ${c.p95_ms.crier} ms | satori + resvg (the renderer before issue 15) p50 ${c.baseline_ms} ms, p95 ${c.p95_ms.baseline} ms; per title p50 crier/satori: ${titles} | ratio ${c.ratio} ≤ 2 | ${yes(g.card?.met)} |`);
    const per = Object.entries(c.per_script_ms).map(([k, v]) => `${k} ${v}`).join(', ');
    rows.push(`| Title card, other scripts (context: crier only; satori drew Cyrillic but none of the others) | p50 ms: ${per} | – | (no goal) | – |`);
  }
  for (const [figure, error] of Object.entries(r.errors)) rows.push(`| ${figure} | failed: ${error.replace(/\|/g, '\\|')} | | | |`);
  const mc = r.machine;
  const carried = Object.entries(r.carried_over ?? {});
  const note = carried.length === 0 ? [] : ['', `Carried over from earlier runs (not measured in this one): ${carried.map(([f, d]) => `${f} (${d})`).join(', ')}.`];
  const ran = Object.keys(FIGURE_KEY).filter((f) => (r as unknown as Record<string, unknown>)[FIGURE_KEY[f] as string] !== undefined && !(f in (r.carried_over ?? {})));
  const flags = [...(r.quick ? ['--quick'] : []), ...(carried.length > 0 ? [`--only=${ran.join(',')}`] : [])];
  const command = flags.length === 0 ? '`npm run bench`' : `\`npm run bench -- ${flags.join(' ')}\``;
  return [
    `Run of ${r.date} (${command}, ${Math.round(r.seconds)} s) on ${mc.cpu}, ${mc.cores} cores, ${mc.ram_gb} GB RAM, ${mc.os}, Node ${mc.node}, Redis ${mc.redis}.`,
    ...note,
    '',
    ...rows,
  ].join('\n');
}

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

export function writeReport(r: Results, files: { json: string; markdown: string }): void {
  writeFileSync(files.json, JSON.stringify(r, null, 2) + '\n');
  const block = `${START}\n${table(r)}\n${END}`;
  const current = existsSync(files.markdown) ? readFileSync(files.markdown, 'utf8') : '';
  const from = current.indexOf(START);
  const to = current.indexOf(END);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + END.length) : `# Benchmarks\n\n${block}\n${current}`;
  writeFileSync(files.markdown, next);
}
