import { afterEach, describe, expect, it } from 'vitest';
import { describeReport, FULL_RUN, outcome, runThroughFailover, startHaHarness, type FailoverReport } from '../helpers/ha-run.js';
import { startSentinelSetup, type SentinelSetup } from '../helpers/redis-ha.js';

/**
 * `npm run test:ha`: 100 articles × 3 targets through a Sentinel failover — forced
 * (SENTINEL FAILOVER: the old master stays up and keeps taking writes until it is demoted,
 * the case where acknowledged writes are lost without WAIT), then the master SIGKILLed —
 * on a fresh primary + replica + 3 sentinels each time. The workers are left to reconnect
 * on their own; the fakes' records say what was lost or posted twice.
 */
describe('crier through a Sentinel failover', () => {
  let setup: SentinelSetup | undefined;

  afterEach(async () => {
    await setup?.stop();
    setup = undefined;
  });

  const run = async (name: string, failover: (s: SentinelSetup) => Promise<void>): Promise<FailoverReport> => {
    const s = (setup = await startSentinelSetup());
    const h = await startHaHarness(s.redis);
    try {
      const report = await runThroughFailover(h, {
        ...FULL_RUN,
        failover: async () => {
          await failover(s);
          await s.waitForMaster(`127.0.0.1:${s.replica.port}`);
        },
      });
      console.log(describeReport(name, report));
      return report;
    } finally {
      await h.close();
    }
  };

  it('should lose nothing and post nothing twice through SENTINEL FAILOVER', async () => {
    const report = await run('Sentinel, SENTINEL FAILOVER', (s) => s.sentinels[0]!.command('SENTINEL', 'FAILOVER', s.redis.name));
    expect(outcome(report)).toEqual({ settled: true, lost: 0, duplicates: 0, states: { delivered: 300 } });
  }, 200_000);

  it('should lose nothing and post nothing twice when the master is SIGKILLed', async () => {
    const report = await run('Sentinel, master SIGKILLed', (s) => s.primary.kill('SIGKILL'));
    expect(outcome(report)).toEqual({ settled: true, lost: 0, duplicates: 0, states: { delivered: 300 } });
  }, 200_000);
});
