import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findRedisServer } from '../../src/local-redis.js';

/**
 * Real Redis topologies for the HA tests, started from the binaries on this machine
 * (redis-server, redis-server --sentinel, redis-cli --cluster create) on free loopback ports
 * in temporary directories, and torn down after: a primary + replica + 3 sentinels, and a
 * 3-master cluster with one replica each.
 */

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const SENTINEL_NAME = 'crier-ha';

/** A free port p such that p + 10000 (a cluster node's bus port) is free too. */
async function freePort(used: Set<number>): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (used.has(port) || used.has(port + 10000)) continue;
    if ((await free(port)) && (await free(port + 10000))) {
      used.add(port);
      used.add(port + 10000);
      return port;
    }
  }
}

/** One redis-server process (a data node or a sentinel) on a port of its own. */
export class ServerProcess {
  child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly args: string[],
  ) {}

  start(binary: string): void {
    const child = spawn(binary, this.args, { stdio: 'ignore' });
    child.unref();
    this.child = child;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.alive) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** A plain client to this one server (test plumbing, not crier's). */
  client(): Redis {
    const c = new Redis({ host: '127.0.0.1', port: this.port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    c.on('error', () => undefined);
    return c;
  }

  async command<T = unknown>(...args: Array<string | number>): Promise<T> {
    const c = this.client();
    try {
      await c.connect();
      return (await c.call(String(args[0]), ...args.slice(1).map(String))) as T;
    } finally {
      c.disconnect();
    }
  }
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(100);
  }
}

function binary(): string {
  const found = findRedisServer(process.env.PATH ?? '');
  if (found === undefined) throw new Error('redis-server is not installed (Debian: apt-get install redis-server)');
  return found;
}

const dataArgs = (port: number, dir: string) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', join(dir, 'redis.log')];

// Every server started here dies with the test process, whatever happens to the test.
const everyServer = new Set<ServerProcess>();
process.once('exit', () => {
  for (const s of everyServer) s.child?.kill('SIGKILL');
});

export interface ReplicaPair {
  primary: ServerProcess;
  replica: ServerProcess;
  url: string;
  stop(): Promise<void>;
}

/** A master and its replica, no sentinels: for what replication alone does. */
export async function startReplicaPair(): Promise<ReplicaPair> {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), 'crier-pair-'));
  const used = new Set<number>();
  const [p1, p2] = [await freePort(used), await freePort(used)];
  for (const p of [p1, p2]) mkdirSync(join(dir, String(p)));
  const primary = new ServerProcess(p1, dataArgs(p1, join(dir, String(p1))));
  const replica = new ServerProcess(p2, [...dataArgs(p2, join(dir, String(p2))), '--replicaof', '127.0.0.1', String(p1)]);
  for (const s of [primary, replica]) everyServer.add(s);
  const stop = async () => {
    replica.child?.kill('SIGCONT');
    await Promise.all([primary.kill(), replica.kill()]);
    everyServer.delete(primary);
    everyServer.delete(replica);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    primary.start(bin);
    replica.start(bin);
    await until('the replica to sync', async () => ((await replica.command<string>('INFO', 'replication')).includes('master_link_status:up') ? true : undefined));
  } catch (error) {
    await stop();
    throw error;
  }
  return { primary, replica, url: `redis://127.0.0.1:${p1}`, stop };
}

export interface SentinelSetup {
  dir: string;
  primary: ServerProcess;
  replica: ServerProcess;
  sentinels: ServerProcess[];
  /** crier's settings (config `redis` section, raw). */
  redis: { sentinels: string[]; name: string };
  /** host:port of the master the sentinels name now. */
  masterAddress(): Promise<string>;
  /** The data node that is master now. */
  master(): Promise<ServerProcess>;
  /** Until every sentinel names `address` as the master and it has its replica back (when `replicas`). */
  waitForMaster(address: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A primary, its replica and three sentinels (quorum 2, down after 1 s). `minReplicasToWrite`
 * makes the master refuse writes while no replica is connected (min-replicas-to-write), as
 * README recommends for Sentinel.
 */
export async function startSentinelSetup(options: { minReplicasToWrite?: number } = {}): Promise<SentinelSetup> {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), 'crier-sentinel-'));
  const used = new Set<number>();
  const [p1, p2, s1, s2, s3] = [await freePort(used), await freePort(used), await freePort(used), await freePort(used), await freePort(used)] as [number, number, number, number, number];
  const safety = options.minReplicasToWrite ? ['--min-replicas-to-write', String(options.minReplicasToWrite), '--min-replicas-max-lag', '5'] : [];
  const node = (port: number, extra: string[]) => {
    const d = join(dir, String(port));
    mkdirSync(d);
    return new ServerProcess(port, [...dataArgs(port, d), ...safety, ...extra]);
  };
  const primary = node(p1, []);
  const replica = node(p2, ['--replicaof', '127.0.0.1', String(p1)]);
  const sentinels = [s1, s2, s3].map((port) => {
    const d = join(dir, `sentinel-${port}`);
    mkdirSync(d);
    const conf = join(d, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${d}`,
        `logfile ${join(d, 'sentinel.log')}`,
        `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${p1} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
        `sentinel failover-timeout ${SENTINEL_NAME} 10000`,
        `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
        '',
      ].join('\n'),
    );
    return new ServerProcess(port, [conf, '--sentinel']);
  });
  const all = [primary, replica, ...sentinels];
  for (const s of all) everyServer.add(s);
  const stop = async () => {
    await Promise.all(all.map((s) => s.kill()));
    for (const s of all) everyServer.delete(s);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    primary.start(bin);
    replica.start(bin);
    await until('the replica to sync', async () => ((await replica.command<string>('INFO', 'replication')).includes('master_link_status:up') ? true : undefined));
    for (const s of sentinels) s.start(bin);
    // Each sentinel knows the replica and the two other sentinels: a failover can be agreed.
    await until('the sentinels to find each other', async () => {
      for (const s of sentinels) {
        const replicas = await s.command<unknown[]>('SENTINEL', 'REPLICAS', SENTINEL_NAME);
        const peers = await s.command<unknown[]>('SENTINEL', 'SENTINELS', SENTINEL_NAME);
        if (replicas.length < 1 || peers.length < 2) return undefined;
      }
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const byPort = new Map([primary, replica].map((s) => [s.port, s]));
  const masterAddress = async () => {
    for (const s of sentinels) {
      if (!s.alive) continue;
      const [host, port] = await s.command<[string, string]>('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME);
      return `${host}:${port}`;
    }
    throw new Error('no sentinel is running');
  };
  return {
    dir,
    primary,
    replica,
    sentinels,
    redis: { sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`), name: SENTINEL_NAME },
    masterAddress,
    async master() {
      const port = Number((await masterAddress()).split(':')[1]);
      const server = byPort.get(port);
      if (server === undefined) throw new Error(`the master is on an unknown port ${port}`);
      return server;
    },
    async waitForMaster(address, timeoutMs = 30_000) {
      await until(`every sentinel to name ${address}`, async () => {
        for (const s of sentinels) {
          const [host, port] = await s.command<[string, string]>('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME);
          if (`${host}:${port}` !== address) return undefined;
        }
        return true;
      }, timeoutMs);
    },
    stop,
  };
}

export interface ClusterSetup {
  dir: string;
  nodes: ServerProcess[];
  /** crier's settings (config `redis` section, raw). */
  redis: { cluster: string[] };
  /** The master that serves `key`'s slot now, and its replicas. */
  ownerOf(key: string): Promise<{ master: ServerProcess; replicas: ServerProcess[] }>;
  /** Until every live node says the cluster is ok and agrees who serves `key`. */
  waitForOwner(key: string, port: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Three masters with one replica each (`redis-cli --cluster create --cluster-replicas 1`), node timeout 1 s. */
export async function startCluster(options: { replicas?: 0 | 1 } = {}): Promise<ClusterSetup> {
  const bin = binary();
  const replicas = options.replicas ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'crier-cluster-'));
  const used = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 3 * (1 + replicas); i++) ports.push(await freePort(used));
  const nodes = ports.map((port) => {
    const d = join(dir, String(port));
    mkdirSync(d);
    return new ServerProcess(port, [...dataArgs(port, d), '--cluster-enabled', 'yes', '--cluster-config-file', join(d, 'nodes.conf'), '--cluster-node-timeout', '1000']);
  });
  for (const n of nodes) everyServer.add(n);
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    for (const n of nodes) everyServer.delete(n);
    rmSync(dir, { recursive: true, force: true });
  };
  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const slotsOf = async (via: ServerProcess) => (await via.command<Array<[number, number, ...Array<[string, number, string]>]>>('CLUSTER', 'SLOTS'));
  const ownerOf = async (key: string) => {
    const via = nodes.find((n) => n.alive) as ServerProcess;
    const slot = await via.command<number>('CLUSTER', 'KEYSLOT', key);
    const range = (await slotsOf(via)).find(([from, to]) => slot >= from && slot <= to);
    if (range === undefined) throw new Error(`no node serves slot ${slot}`);
    const [, , m, ...r] = range;
    const server = (entry: [string, number, string]) => byPort.get(Number(entry[1])) as ServerProcess;
    return { master: server(m as [string, number, string]), replicas: r.map(server) };
  };
  try {
    for (const n of nodes) n.start(bin);
    await until('the cluster nodes to start', async () => {
      for (const n of nodes) if ((await n.command<string>('PING')) !== 'PONG') return undefined;
      return true;
    });
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 60_000 });
    await until('the cluster to be ok on every node', async () => {
      for (const n of nodes) {
        if (!(await n.command<string>('CLUSTER', 'INFO')).includes('cluster_state:ok')) return undefined;
        const ranges = await slotsOf(n);
        // Three masters, each listed with its replica.
        if (ranges.length < 3 || ranges.some((range) => range.length < 3 + replicas)) return undefined;
      }
      // Every replica in sync with its master, so a failover has something to promote.
      for (const n of nodes) {
        const info = await n.command<string>('INFO', 'replication');
        if (info.includes('role:slave') && !info.includes('master_link_status:up')) return undefined;
      }
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    dir,
    nodes,
    redis: { cluster: nodes.slice(0, 3).map((n) => `127.0.0.1:${n.port}`) },
    ownerOf,
    async waitForOwner(key, port, timeoutMs = 30_000) {
      await until(`every node to agree that :${port} serves ${key}`, async () => {
        for (const n of nodes.filter((x) => x.alive)) {
          if (!(await n.command<string>('CLUSTER', 'INFO')).includes('cluster_state:ok')) return undefined;
          const slot = await n.command<number>('CLUSTER', 'KEYSLOT', key);
          const range = (await slotsOf(n)).find(([from, to]) => slot >= from && slot <= to);
          if (range === undefined || Number(range[2]?.[1]) !== port) return undefined;
        }
        return true;
      }, timeoutMs);
    },
    stop,
  };
}
