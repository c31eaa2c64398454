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
  lostAnswersPerPlatform: quick ? 3 : 6,
  publishPerSecond: 10,
  deadlineMs: 8 * 60_000,
  keep: process.argv.includes('--keep'),
  log: (line) => console.log(line),
});

for (const m of report.missing.slice(0, 20)) console.log(`chaos: lost ${m.target} #${m.n}`);
for (const d of report.doubled.slice(0, 20)) console.log(`chaos: ${d.posts} posts for ${d.target} #${d.n}`);
if (!report.settled) console.log('chaos: gave up waiting for every delivery to settle');
if (report.duplicates > 0 || report.lost > 0) console.log(`chaos: config and worker logs kept in ${report.dir}`);
const lost = report.lostAnswers;
console.log(`chaos: answers lost after accepting: ${lost.reset} reset, ${lost.late} late, ${lost.gateway} gateway 502`);
for (const [target, d] of Object.entries(report.inDoubt)) console.log(`chaos: ${target}: ${d.reconciled} reconciled by crier, ${d.unknown} unknown settled by the editor`);
console.log(
  `chaos: unknown ${report.unknown} (editor confirmed posted ${report.posted}, sent again ${report.retried}), failed ${report.failed}; ` +
    `${report.kills} workers killed, Redis restarted ${report.redisRestarts}×, ${report.faultsServed} faults served; ${report.seconds} s`,
);
console.log(`chaos: delivered ${report.delivered}/${report.expected}, duplicates ${report.duplicates}, lost ${report.lost}`);
process.exit(report.duplicates === 0 && report.lost === 0 ? 0 : 1);
