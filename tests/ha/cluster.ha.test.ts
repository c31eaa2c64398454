import { afterEach, describe, expect, it } from 'vitest';
import { describeReport, FULL_RUN, outcome, runThroughFailover, startHaHarness, type FailoverReport } from '../helpers/ha-run.js';
import { startCluster, type ClusterSetup, type ServerProcess } from '../helpers/redis-ha.js';

/**
 * `npm run test:ha`: 100 articles × 3 targets through a failover of the cluster master that
 * serves crier's slot — manual (CLUSTER FAILOVER on its replica: coordinated, nothing lost
 * by Redis) and the master SIGKILLed (its replica takes over after the node timeout, 1 s
 * here) — on a fresh 3-master cluster with a replica each time.
 */
describe('crier through a Redis Cluster master failover', () => {
  let setup: ClusterSetup | undefined;

  afterEach(async () => {
    await setup?.stop();
    setup = undefined;
  });

  const run = async (name: string, failover: (owner: { master: ServerProcess; replica: ServerProcess }) => Promise<void>): Promise<FailoverReport> => {
    const s = (setup = await startCluster());
    const h = await startHaHarness(s.redis);
    try {
      const owner = await s.ownerOf(h.prefix);
      const replica = owner.replicas[0] as ServerProcess;
      const report = await runThroughFailover(h, {
        ...FULL_RUN,
        failover: async () => {
          await failover({ master: owner.master, replica });
          await s.waitForOwner(h.prefix, replica.port);
        },
      });
      console.log(describeReport(name, report));
      return report;
    } finally {
      await h.close();
    }
  };

  it('should lose nothing and post nothing twice through CLUSTER FAILOVER', async () => {
    const report = await run('Cluster, CLUSTER FAILOVER', ({ replica }) => replica.command('CLUSTER', 'FAILOVER'));
    expect(outcome(report)).toEqual({ settled: true, lost: 0, duplicates: 0, states: { delivered: 300 } });
  }, 200_000);

  it("should lose nothing and post nothing twice when crier's master is SIGKILLed", async () => {
    const report = await run('Cluster, master SIGKILLed', ({ master }) => master.kill('SIGKILL'));
    expect(outcome(report)).toEqual({ settled: true, lost: 0, duplicates: 0, states: { delivered: 300 } });
  }, 200_000);
});
