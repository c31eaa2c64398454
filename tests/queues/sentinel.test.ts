import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { probeRedis } from '../../queues/redis-probe.js';
import { runThroughFailover, startHaHarness } from '../helpers/ha-run.js';
import { startSentinelSetup, type SentinelSetup } from '../helpers/redis-ha.js';

/**
 * Smoke version of tests/ha/sentinel.ha.test.ts (npm run test:ha): crier on a real primary +
 * replica + 3 sentinels, started here from redis-server, through one forced failover.
 */
describe('crier on Redis Sentinel (smoke)', () => {
  let setup: SentinelSetup;

  beforeAll(async () => {
    setup = await startSentinelSetup({ minReplicasToWrite: 1 });
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('should find the master through the sentinels and say so', async () => {
    const config = buildConfig({ redis: setup.redis }, {});
    const probe = await probeRedis(config.redis);
    expect(probe).toMatchObject({ ok: true, found: { topology: 'sentinel', master: `127.0.0.1:${setup.primary.port}`, replicas: 1 } });
  });

  it('should deliver every article once through a SENTINEL FAILOVER, the workers reconnecting on their own', async () => {
    const h = await startHaHarness(setup.redis);
    try {
      const before = await setup.masterAddress();
      const report = await runThroughFailover(h, {
        articles: 10,
        perSecond: 20,
        afterDeliveries: 6,
        deadlineMs: 50_000,
        failover: async () => {
          await setup.sentinels[0]!.command('SENTINEL', 'FAILOVER', setup.redis.name);
          const after = `127.0.0.1:${setup.replica.port}`;
          await setup.waitForMaster(after);
          expect(after).not.toBe(before);
        },
      });
      console.log('sentinel smoke', JSON.stringify(report));
      expect(report.settled).toBe(true);
      expect({ lost: report.lost, duplicates: report.duplicates }).toEqual({ lost: 0, duplicates: 0 });
      expect(report.states.delivered).toBe(30);
    } finally {
      await h.close();
    }
  }, 60_000);
});
