import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deletePrefix } from '../queues/connection.js';
import { measureCard } from './card.js';
import { REDIS_URL, REPO_ROOT, runPrefix, type BenchOptions } from './common.js';
import { measureLatency } from './latency.js';
import { measureMemory } from './memory.js';
import { measureRateLimit } from './rate-limit.js';
import { carryOver, goals, machine, writeReport, type Results } from './report.js';
import { measureScaleOut } from './scale-out.js';
import { measureThroughput } from './throughput.js';

/**
 * `npm run bench` (add `-- --quick` for the short version, `-- --only=latency,memory` to run
 * some figures; it compiles first and runs dist/bench/run.js, so what is measured is the
 * JavaScript that ships): every figure against its baseline in the same run on the same Redis
 * (REDIS_URL, default 127.0.0.1:6379) under a key prefix of its own, deleted at the end.
 * Writes bench/results.json and the table in BENCHMARKS.md; with `--only`, the figures not
 * run are carried over from the previous results.json, marked with the date they were measured.
 */

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const started = performance.now();
const options: BenchOptions = { quick, redisUrl: REDIS_URL, prefix: runPrefix(), log: (line) => console.log(line) };

const figures = {
  throughput: () => measureThroughput(options),
  latency: () => measureLatency(options),
  rate_limit: () => measureRateLimit(options),
  memory: () => measureMemory(options),
  card: () => measureCard(options),
  scale_out: () => measureScaleOut(options),
} as const;

const results: Omit<Results, 'goals'> = { date: new Date().toISOString(), quick, machine: await machine(REDIS_URL), errors: {}, seconds: 0 };
console.log(`bench${quick ? ' (quick)' : ''}: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}, Redis ${results.machine.redis}; prefix ${options.prefix}`);
try {
  for (const [name, run] of Object.entries(figures) as Array<[keyof typeof figures, () => Promise<unknown>]>) {
    if (only !== undefined && !only.includes(name)) continue;
    try {
      const value = await run();
      if (name === 'latency') results.latency_ms = value as Results['latency_ms'] & object;
      else (results as Record<string, unknown>)[name] = value;
    } catch (error) {
      results.errors[name] = error instanceof Error ? error.message : String(error);
      console.log(`${name}: failed: ${results.errors[name]}`);
    }
  }
} finally {
  await deletePrefix(REDIS_URL, options.prefix, `${options.prefix}*`);
}
results.seconds = Math.round((performance.now() - started) / 100) / 10;
const resultsFile = join(REPO_ROOT, 'bench', 'results.json');
if (only !== undefined && existsSync(resultsFile)) carryOver(results, JSON.parse(readFileSync(resultsFile, 'utf8')) as Results, Object.keys(figures));
const full: Results = { ...results, goals: goals(results) };
writeReport(full, { json: resultsFile, markdown: join(REPO_ROOT, 'BENCHMARKS.md') });
for (const [name, g] of Object.entries(full.goals)) console.log(`goal ${name}: ${g.goal} — ${g.met ? 'met' : 'MISSED'}`);
console.log(`bench: ${full.seconds} s; wrote bench/results.json and BENCHMARKS.md`);
process.exit(Object.keys(full.errors).length === 0 ? 0 : 1);
