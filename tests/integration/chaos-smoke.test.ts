import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/scenario.js';

/**
 * The chaos scenario of `npm run test:chaos`, small enough for every test run: two real
 * `crier worker` processes, one of them SIGKILLed mid-run and restarted, the private Redis
 * (AOF) restarted, and every fake failing 20% of requests — some after accepting them,
 * losing the answer (and two such lost answers scripted per platform). Each (article,
 * target) must end on its platform exactly once.
 */
describe('chaos, in small', () => {
  it('should deliver every article to every platform exactly once through kills, a Redis restart and failing platforms', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      articles: 15,
      workers: 2,
      kills: 1,
      redisRestarts: 1,
      faultRate: 0.2,
      lostAnswersPerPlatform: 2,
      publishPerSecond: 10,
      deadlineMs: 45_000,
      log: (line) => lines.push(line),
    });
    const summary = `${lines.join('\n')}\nmissing ${JSON.stringify(report.missing)} doubled ${JSON.stringify(report.doubled)} logs ${report.dir}`;
    expect(report.settled, summary).toBe(true);
    expect(report.expected).toBe(45);
    expect(report.kills).toBe(1);
    expect(report.redisRestarts).toBe(1);
    expect(report.faultsServed).toBeGreaterThan(0);
    expect(report.duplicates, summary).toBe(0);
    expect(report.lost, summary).toBe(0);
    expect(report.delivered).toBe(45);
    // Posts the platforms accepted whose answers were lost: every one ended found by crier or decided by the editor.
    const lost = report.lostAnswers.reset + report.lostAnswers.late + report.lostAnswers.gateway;
    expect(lost).toBeGreaterThanOrEqual(6);
    const settledInDoubt = Object.values(report.inDoubt).reduce((sum, d) => sum + d.reconciled + d.unknown, 0);
    expect(settledInDoubt, summary).toBeGreaterThanOrEqual(1);
    expect(report.inDoubt.telegram?.unknown ?? 0, summary).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
