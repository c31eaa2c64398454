import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, ConfigError } from '../../config/load.js';
import { createRedis, deletePrefix } from '../../queues/connection.js';
import { probeRedis } from '../../queues/redis-probe.js';
import { App } from '../../src/app.js';
import { loadArticle } from '../../src/article/load.js';
import { silentLogger } from '../../src/logging.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { outcome, runThroughFailover, SMOKE_RUN, startHaHarness } from '../helpers/ha-run.js';
import { eventually, uniquePrefix } from '../helpers/redis.js';
import { startCluster, type ClusterSetup } from '../helpers/redis-ha.js';

/**
 * Smoke version of tests/ha/cluster.ha.test.ts (`npm run test:ha`): crier on a real 3-master
 * cluster with a replica each (redis-cli --cluster create), started here. The cluster itself
 * is the slot check: it refuses any script or transaction whose keys span two slots
 * (CROSSSLOT), so every one crier runs in a delivery — the publish transaction, the ledger's
 * scripts with the Telegram budgets, X's limits — fails this file if it leaves the prefix's slot.
 * Redis 7.0 checks only the keys a script declares (a key it makes up is refused only when
 * another node serves it): tests/queues/lua-keys.test.ts checks that crier's scripts declare all.
 */
describe('crier on Redis Cluster (smoke)', () => {
  let setup: ClusterSetup;

  beforeAll(async () => {
    setup = await startCluster();
  }, 90_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it('should default to a hash-tagged prefix and refuse one without a tag', () => {
    expect(buildConfig({ redis: setup.redis }, {}).redis).toMatchObject({ topology: 'cluster', prefix: '{crier}' });
    expect(() => buildConfig({ redis: { ...setup.redis, prefix: 'newsroom' } }, {})).toThrow(ConfigError);
    expect(() => buildConfig({ redis: { ...setup.redis, prefix: 'newsroom' } }, {})).toThrow(
      'config: redis.prefix: "newsroom" has no hash tag: on Redis Cluster every key crier uses must hash to one slot (its scripts and transactions span queues and ledger); use "{newsroom}"',
    );
  });

  it("should find the cluster and the master of crier's slot, with its replica", async () => {
    const probe = await probeRedis(buildConfig({ redis: setup.redis }, {}).redis);
    const owner = await setup.ownerOf('{crier}');
    expect(probe).toMatchObject({ ok: true, found: { topology: 'cluster', masters: 3, replicas: 1, master: `127.0.0.1:${owner.master.port}` } });
  });

  it('should refuse a cluster node given as the one server', async () => {
    const node = setup.nodes[0]!;
    const probe = await probeRedis(`redis://127.0.0.1:${node.port}`);
    expect(probe).toEqual({
      ok: false,
      problem: 'wrong-role',
      message: `127.0.0.1:${node.port} is a Redis Cluster node: set REDIS_CLUSTER_NODES (config redis.cluster) instead, with a hash-tagged prefix such as "{crier}"`,
    });
  });

  it('should reject a script whose keys span two slots, as it would any of crier’s that did', async () => {
    const client = createRedis(buildConfig({ redis: setup.redis }, {}).redis);
    try {
      await expect(client.eval("redis.call('SET', KEYS[1], 1) redis.call('SET', KEYS[2], 1) return 1", 2, '{crier}:a', '{other}:b')).rejects.toThrow(/CROSSSLOT/);
      await expect(client.multi().set('{crier}:a', '1').set('{other}:b', '1').exec()).rejects.toThrow(/CROSSSLOT/);
    } finally {
      client.disconnect();
    }
  });

  it('should deliver an article to every platform with the budgets on, every script and transaction in one slot', async () => {
    const sandbox = await startSandbox();
    const prefix = `{${uniquePrefix('cluster')}}`;
    const dir = mkdtempSync(join(tmpdir(), 'crier-cluster-media-'));
    const config = buildConfig({ redis: { ...setup.redis, prefix }, media: { dir, allowPrivateNetwork: true }, targets: sandbox.targets() }, {});
    expect(config.telegramGlobalPerSecond).toBeGreaterThan(0); // the token's budget and the channel's are both taken in begin
    const app = new App(config, { logger: silentLogger });
    try {
      await app.startWorkers();
      const markdown = readFileSync(new URL('../fixtures/articles/ridgeline-dispatch.md', import.meta.url), 'utf8');
      const article = { ...loadArticle(markdown, {}), id: 'cluster-1', image: { url: `${sandbox.site.url}/images/ferry.jpg`, alt: 'Pipes' } };
      const first = await app.publish(article);
      expect(first.outcomes.map((o) => o.enqueued)).toEqual([true, true, true]);
      const records = await eventually(async () => {
        const all = await app.ledger.getAll(article.id);
        return all.length === 3 && all.every((r) => ['delivered', 'failed'].includes(r.state)) ? all : undefined;
      }, 30_000, 'the deliveries on the cluster');
      expect(records.map((r) => [r.target, r.state, r.lastError ?? ''])).toEqual([
        ['instagram', 'delivered', ''],
        ['telegram', 'delivered', ''],
        ['twitter', 'delivered', ''],
      ]);
      expect([sandbox.telegram.sent.length, sandbox.twitter.tweets.length, sandbox.instagram.posts.length]).toEqual([1, 1, 1]);
      const again = await app.publish(article);
      expect(again.outcomes.map((o) => o.enqueued)).toEqual([false, false, false]);
    } finally {
      await app.close(2000);
      await deletePrefix(config.redis, prefix);
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("should deliver every article once through a manual failover of crier's master", async () => {
    // Short job locks: a job whose state went with the old master is taken back within seconds.
    const h = await startHaHarness(setup.redis, { lockDurationMs: 10_000, stalledIntervalMs: 5000 });
    try {
      const owner = await setup.ownerOf(h.prefix);
      const report = await runThroughFailover(h, {
        ...SMOKE_RUN,
        failover: async () => {
          await owner.replicas[0]!.command('CLUSTER', 'FAILOVER');
          await setup.waitForOwner(h.prefix, owner.replicas[0]!.port);
        },
      });
      expect(outcome(report)).toEqual({ settled: true, lost: 0, duplicates: 0, states: { delivered: 30 } });
    } finally {
      await h.close();
    }
  }, 60_000);
});
