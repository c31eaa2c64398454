import { runChaos } from './scenario.js';

/**
 * `npm run test:chaos`: 300 articles × 3 targets through 3 `crier worker` processes while
 * workers are SIGKILLed three times, Redis restarts once and every fake fails 20% of
 * requests. Ends with `chaos: delivered N/N, duplicates D, lost L`; exits non-zero unless
 * D and L are 0. `--quick` runs a small version.
 */

const quick = process.argv.includes('--quick');
const report = await runChaos({
  articles: quick ? 30 : 300,
  workers: quick ? 2 : 3,
  kills: quick ? 1 : 3,
  redisRestarts: 1,
  faultRate: 0.2,
  publishPerSecond: 10,
  deadlineMs: 8 * 60_000,
  keep: process.argv.includes('--keep'),
  log: (line) => console.log(line),
});

for (const m of report.missing.slice(0, 20)) console.log(`chaos: lost ${m.target} #${m.n}`);
for (const d of report.doubled.slice(0, 20)) console.log(`chaos: ${d.posts} posts for ${d.target} #${d.n}`);
if (!report.settled) console.log('chaos: gave up waiting for every delivery to settle');
if (report.duplicates > 0 || report.lost > 0) console.log(`chaos: config and worker logs kept in ${report.dir}`);
console.log(
  `chaos: unknown ${report.unknown} (editor skipped ${report.skipped}, retried ${report.retried}), failed ${report.failed}; ` +
    `${report.kills} workers killed, Redis restarted ${report.redisRestarts}×, ${report.faultsServed} faults served; ${report.seconds} s`,
);
console.log(`chaos: delivered ${report.delivered}/${report.expected}, duplicates ${report.duplicates}, lost ${report.lost}`);
process.exit(report.duplicates === 0 && report.lost === 0 ? 0 : 1);
