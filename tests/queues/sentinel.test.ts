import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { probeRedis } from '../../queues/redis-probe.js';
import { outcome, runThroughFailover, SMOKE_RUN, startHaHarness } from '../helpers/ha-run.js';
import { eventually } from '../helpers/redis.js';
import { startSentinelSetup, type SentinelSetup } from '../helpers/redis-ha.js';

/**
 * Smoke version of tests/ha/sentinel.ha.test.ts (`npm run test:ha`): crier on a real
 * primary + replica + 3 sentinels started here from redis-server, through one forced failover.
 */
describe('crier on Redis Sentinel (smoke)', () => {
  let setup: SentinelSetup;

  beforeAll(async () => {
    setup = await startSentinelSetup();
  }, 60_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('should find the master through the sentinels and say so', async () => {
    const probe = await probeRedis(buildConfig({ redis: setup.redis }, {}).redis);
    expect(probe).toMatchObject({ ok: true, found: { topology: 'sentinel', master: `127.0.0.1:${setup.primary.port}`, replicas: 1 } });
  });

  it('should refuse a replica given as the one server, and say where its master is', async () => {
    const probe = await probeRedis(`redis://127.0.0.1:${setup.replica.port}`);
    expect(probe).toMatchObject({ ok: false, problem: 'wrong-role' });
    expect(probe.ok ? '' : probe.message).toBe(
      `127.0.0.1:${setup.replica.port} is a read-only replica (of 127.0.0.1:${setup.primary.port}): point crier at the master, or at the sentinels (REDIS_SENTINELS)`,
    );
  });

  it('should deliver every article once through a SENTINEL FAILOVER, the workers reconnecting on their own', async () => {
    // Short job locks: a job whose state went with the old master is taken back within seconds.
    const h = await startHaHarness(setup.redis, { lockDurationMs: 10_000, stalledIntervalMs: 5000 });
    try {
      const report = await runThroughFailover(h, {
        ...SMOKE_RUN,
        failover: async () => {
          await setup.sentinels[0]!.command('SENTINEL', 'FAILOVER', setup.redis.name);
          await setup.waitForMaster(`127.0.0.1:${setup.replica.port}`);
        },
      });
      expect(outcome(report)).toEqual({ settled: true, lost: 0, duplicates: 0, states: { delivered: 30 } });
      // The workers' connection follows the master: the next article goes through the new one.
      expect(await setup.masterAddress()).toBe(`127.0.0.1:${setup.replica.port}`);
      const next = h.article(99);
      await h.app.publish(next);
      const records = await eventually(async () => {
        const all = await h.app.ledger.getAll(next.id);
        return all.length === 3 && all.every((r) => r.state === 'delivered') ? all : undefined;
      }, 20_000, 'the article after the failover to be delivered');
      expect(records.map((r) => r.target).sort()).toEqual(['instagram', 'telegram', 'twitter']);
    } finally {
      await h.close();
    }
  }, 60_000);
});
