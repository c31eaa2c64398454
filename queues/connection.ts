import type { Socket } from 'node:net';
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { RedisConfig } from '../config/redis.js';
import { followFailovers } from './sentinel-watch.js';
import { redactText } from '../src/logging.js';

/**
 * Every Redis connection crier opens is made here, from the config's `redis` section: one
 * server (REDIS_URL), a master found through Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME)
 * or a Redis Cluster (REDIS_CLUSTER_NODES). Nothing else calls `new Redis`, so nothing can
 * fall back to 127.0.0.1:6379 by accident.
 */

export type RedisClient = Redis | Cluster;

/**
 * worker: commands wait for Redis however long it takes (BullMQ needs maxRetriesPerRequest
 * null), so a restart or failover pauses workers instead of failing jobs. producer: commands
 * fail after a few reconnection attempts (about 3 s of them), so an HTTP request or a CLI command gets an
 * answer. probe: one try, no retries (queues/redis-probe.ts).
 */
export type RedisRole = 'worker' | 'producer' | 'probe';

/** What a caller may add: connect later, a name shown by CLIENT LIST, a different retry policy (tests). */
export type ConnectionExtras = Pick<RedisOptions, 'lazyConnect' | 'connectionName' | 'maxRetriesPerRequest' | 'retryStrategy'>;

/** The config's `redis` section, or a redis:// URL standing for a standalone server with the defaults. */
export type RedisSource = RedisConfig | string;

export function redisSettings(source: RedisSource): RedisConfig {
  return typeof source === 'string' ? RedisConfig.parse({ url: source }) : source;
}

const retry = (times: number) => Math.min(times * 200, 2000);
/** Producers give up after this many reconnection attempts (0.2 + 0.4 + … + 1 s): a caller hears of a failover rather than waiting it out; publishing is safe to repeat. */
const PRODUCER_RETRIES = 5;

/**
 * Errors a master gives once it is no longer the master, or cut off from its replicas
 * (min-replicas-to-write): reconnect, which asks the sentinels for the master again, and
 * send the command again there.
 */
const NOT_MASTER = /^(READONLY|NOREPLICAS|MASTERDOWN)\b/;

export function createRedis(source: RedisSource, role: RedisRole = 'producer', extra: ConnectionExtras = {}): RedisClient {
  const s = redisSettings(source);
  const common: RedisOptions = {
    connectTimeout: s.connectTimeoutMs,
    maxRetriesPerRequest: role === 'worker' ? null : role === 'probe' ? 0 : PRODUCER_RETRIES,
    enableReadyCheck: true,
    retryStrategy: role === 'probe' ? () => null : retry,
    ...(s.username !== undefined ? { username: s.username } : {}),
    ...(s.password !== undefined ? { password: s.password } : {}),
  };
  switch (s.topology) {
    case 'standalone':
      // The URL's own credentials and TLS (rediss://) win over the settings above.
      return new Redis(s.url as string, { ...common, ...extra });
    case 'sentinel': {
      const client = new Redis({
        ...common,
        sentinels: s.sentinels,
        name: s.name as string,
        db: s.db,
        ...(s.sentinelUsername !== undefined ? { sentinelUsername: s.sentinelUsername } : {}),
        ...(s.sentinelPassword !== undefined ? { sentinelPassword: s.sentinelPassword } : {}),
        sentinelRetryStrategy: role === 'probe' ? () => null : retry,
        reconnectOnError: (error) => (NOT_MASTER.test(error.message) ? 2 : false),
        ...(s.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
        ...extra,
      });
      // Off the old master as soon as the sentinels switch (queues/sentinel-watch.ts).
      return role === 'probe' ? client : followFailovers(client, s, common);
    }
    case 'cluster': {
      const { lazyConnect, ...nodeExtra } = extra;
      const options: ClusterOptions = {
        redisOptions: { ...common, ...nodeExtra, ...(s.tls ? { tls: {} } : {}) },
        clusterRetryStrategy: role === 'probe' ? () => null : retry,
        enableReadyCheck: true,
        slotsRefreshTimeout: Math.min(s.connectTimeoutMs, 5000),
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 300,
        retryDelayOnTryAgain: 200,
        ...(lazyConnect !== undefined ? { lazyConnect } : {}),
        // Managed clusters announce IPs their TLS certificates do not name: keep the host names.
        ...(s.tls ? { dnsLookup: (address: string, done: (err: Error | null, address: string) => void) => done(null, address) } : {}),
      };
      return new Cluster(s.cluster as Array<{ host: string; port: number }>, options);
    }
  }
}

export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** What the settings point at, for messages and logs (passwords redacted). */
export function describeRedis(source: RedisSource): string {
  const s = redisSettings(source);
  const nodes = (list: ReadonlyArray<{ host: string; port: number }> | undefined) =>
    (list ?? []).map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(', ');
  switch (s.topology) {
    case 'standalone':
      return redactText(s.url as string);
    case 'sentinel':
      return `Sentinel master "${s.name}" via ${nodes(s.sentinels)}${s.tls ? ' (TLS)' : ''}`;
    case 'cluster':
      return `Redis Cluster via ${nodes(s.cluster)}${s.tls ? ' (TLS)' : ''}`;
  }
}

/**
 * The connection that holds `key`: the client itself, or on a cluster the master serving the
 * key's slot (as the client last learnt it). WAIT and SCAN go to one server, not a random one.
 */
export function nodeFor(client: RedisClient, key: string): Redis {
  if (!isCluster(client)) return client;
  const owner = client.slots[calculateSlot(key)]?.[0];
  const masters = client.nodes('master');
  const node = masters.find((n) => `${n.options.host}:${n.options.port}` === owner) ?? masters[0];
  if (node === undefined) throw new Error('the cluster client knows no master yet');
  return node;
}

/** Replicas the cluster client knows for the master of `key`'s slot. */
export function clusterReplicasFor(client: Cluster, key: string): number {
  return Math.max(0, (client.slots[calculateSlot(key)]?.length ?? 1) - 1);
}

const COALESCING = Symbol('crier.coalescing');

/**
 * Write-combining for a busy connection: the commands issued during one turn of the event
 * loop leave in one socket write (the socket is corked at the first command and uncorked
 * when the loop reaches its check phase) instead of one write each. The order of commands
 * is unchanged. A delivery worker issues several commands per delivery (the ledger's and
 * BullMQ's), many deliveries finish in the same turn, and on a virtual machine each write
 * is a system call that costs as much as the work around it. Commands wait at most until
 * the end of the turn. Idempotent. A cluster client has one socket per node and is left
 * as it is.
 */
export function coalesceWrites<C extends RedisClient>(redis: C): C {
  if (isCluster(redis)) return redis;
  type Internals = { sendCommand(...args: unknown[]): unknown; stream?: Socket; status: string; [COALESCING]?: true };
  const r = redis as unknown as Internals;
  if (r[COALESCING]) return redis;
  r[COALESCING] = true;
  const send = r.sendCommand.bind(r);
  let corked: Socket | undefined;
  r.sendCommand = (...args: unknown[]) => {
    const stream = r.stream;
    if (corked === undefined && r.status === 'ready' && stream !== undefined && stream.writable) {
      corked = stream;
      stream.cork();
      setImmediate(() => {
        corked = undefined;
        stream.uncork();
      });
    }
    return send(...args);
  };
  return redis;
}

/**
 * Delete every key under a prefix (queues, ledger, budgets): the demo, the tests and the
 * benchmarks leave nothing behind. `match` widens it (the benchmarks' runs use `<prefix>-<figure>:`).
 * On a cluster every master is scanned.
 */
export async function deletePrefix(source: RedisSource, prefix: string, match = `${prefix}:*`): Promise<void> {
  const client = createRedis(source, 'producer');
  client.on('error', () => undefined);
  try {
    const servers = isCluster(client) ? await clusterMasters(client) : [client];
    for (const server of servers) {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        if (keys.length === 0) continue;
        // One UNLINK per key: on a cluster, keys of one command must share a slot.
        const batch = server.pipeline();
        for (const key of keys) batch.unlink(key);
        await batch.exec();
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

/** A cluster's masters, once the client has learnt the slots. */
export async function clusterMasters(client: Cluster): Promise<Redis[]> {
  if (client.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('end', () => reject(new Error('the cluster connection closed before it was ready')));
    });
  }
  return client.nodes('master');
}
