import type { Cluster, Redis } from 'ioredis';
import { createRedis, clusterReplicasFor, describeRedis, isCluster, nodeFor, redisSettings, type RedisSource } from './connection.js';

/**
 * One look at Redis before a command starts, with a deadline on connecting and on the first
 * answer: a port that accepts connections and never answers (a proxy, a TLS-only port spoken
 * to in plain text) would otherwise hang every command silently. Says which topology answered
 * (for start-up logs and `crier status`), or what went wrong, in one line.
 */

export interface RedisFound {
  topology: 'standalone' | 'sentinel' | 'cluster';
  version: string;
  /** host:port of the master that holds crier's keys. */
  master: string;
  /** Replicas of that master. */
  replicas: number;
  /** On a cluster: its masters. */
  masters?: number;
}

export type ProbeProblem = 'unreachable' | 'silent' | 'not-redis' | 'refused' | 'wrong-role';

export type ProbeResult = { ok: true; found: RedisFound } | { ok: false; problem: ProbeProblem; message: string };

export async function probeRedis(source: RedisSource, timeoutMs?: number): Promise<ProbeResult> {
  const settings = redisSettings(source);
  const deadlineMs = timeoutMs ?? settings.connectTimeoutMs;
  const where = describeRedis(settings);
  const client = createRedis(settings, 'probe', { lazyConnect: true });
  let connected = false;
  let lastError: (Error & { code?: string; buffer?: unknown }) | undefined;
  client.on('connect', () => (connected = true));
  client.on('error', (error: Error) => (lastError = error));
  client.on('node error', (error: Error) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), deadlineMs)));
  try {
    const outcome = await Promise.race([
      (async () => {
        await client.connect();
        return inspect(client, settings.prefix, settings.topology);
      })().catch((error: Error) => error),
      timeout,
    ]);
    if (outcome === 'timeout') {
      const seconds = `${(deadlineMs / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s`;
      if (connected || lastError === undefined)
        return connected
          ? fail('silent', `${where} accepted the connection but gave no Redis answer within ${seconds}: is it a Redis port? (a TLS-only Redis needs rediss:// or REDIS_TLS=1)`)
          : fail('unreachable', `cannot reach Redis at ${where}: no connection within ${seconds}`);
      return classify(lastError, where, connected);
    }
    if (outcome instanceof Error) return classify(lastError ?? outcome, where, connected);
    return outcome;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

function fail(problem: ProbeProblem, message: string): ProbeResult {
  return { ok: false, problem, message };
}

/** Why connecting failed, in the words of someone who has to fix it. */
function classify(error: Error & { code?: string; buffer?: unknown }, where: string, connected: boolean): ProbeResult {
  const message = error.message.split('\n')[0] ?? '';
  if (error.name === 'ParserError') {
    const said = receivedBytes(error.buffer).subarray(0, 40).toString('latin1');
    const looks = /^HTTP\/\d/.test(said) ? 'an HTTP server' : said.charCodeAt(0) === 0x15 || said.charCodeAt(0) === 0x16 ? 'a TLS server (use rediss:// or REDIS_TLS=1)' : 'not Redis';
    const quoted = JSON.stringify((said.split(/[\r\n]/)[0] ?? '').replace(/[^\x20-\x7e]/g, '.').slice(0, 30));
    return fail('not-redis', `something answered at ${where}, but it is not Redis: it looks like ${looks} (it said ${quoted})`);
  }
  if (/WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username/i.test(message)) {
    return fail('refused', `Redis at ${where} refused crier's credentials: ${message} (check the URL's user:password, or REDIS_USERNAME/REDIS_PASSWORD)`);
  }
  if (error.code === 'ECONNREFUSED') return fail('unreachable', `cannot reach Redis at ${where}: connection refused (is it running, on this port?)`);
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return fail('unreachable', `cannot reach Redis at ${where}: the host name does not resolve`);
  if (/^ERR_SSL|^ERR_TLS|EPROTO/.test(error.code ?? '') || /TLS connection|SSL routines/.test(message)) {
    return fail('not-redis', `TLS with ${where} failed (${message.slice(0, 80)}): is the port TLS-enabled? (use redis:// for plain text)`);
  }
  if (connected && (error.code === 'ECONNRESET' || error.code === 'EPIPE' || /Connection is closed/.test(message))) {
    return fail('not-redis', `${where} accepted the connection and closed it without a Redis answer: is it a Redis port? (a TLS-only Redis needs rediss:// or REDIS_TLS=1)`);
  }
  if (/sentinels are unreachable/i.test(message)) return fail('unreachable', `cannot reach any sentinel of ${where}`);
  if (/refresh slots cache/i.test(message)) return fail('unreachable', `cannot reach ${where}: no seed node answered with the cluster's slots`);
  return fail('unreachable', `cannot reach Redis at ${where}: ${message}`);
}

/** What the server sent, as the parser's error keeps it (the buffer as JSON, in redis-parser 3). */
function receivedBytes(buffer: unknown): Buffer {
  if (buffer instanceof Uint8Array) return Buffer.from(buffer);
  if (typeof buffer !== 'string') return Buffer.alloc(0);
  try {
    const parsed = JSON.parse(buffer) as { type?: string; data?: number[] };
    if (parsed.type === 'Buffer' && Array.isArray(parsed.data)) return Buffer.from(parsed.data);
  } catch {
    /* not JSON: the text itself */
  }
  return Buffer.from(buffer, 'latin1');
}

const field = (info: string, name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/** Connected: what is it, and is it what the settings say it is? */
async function inspect(client: Redis | Cluster, prefix: string, topology: RedisFound['topology']): Promise<ProbeResult> {
  const node = nodeFor(client, prefix);
  const info = await node.info();
  const version = field(info, 'redis_version') ?? '?';
  const mode = field(info, 'redis_mode');
  const master = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
  if (isCluster(client)) {
    return {
      ok: true,
      found: { topology, version, master, replicas: clusterReplicasFor(client, prefix), masters: client.nodes('master').length },
    };
  }
  if (mode === 'cluster') {
    return fail('wrong-role', `${master} is a Redis Cluster node: set REDIS_CLUSTER_NODES (config redis.cluster) instead, with a hash-tagged prefix such as "{crier}"`);
  }
  if (field(info, 'role') === 'slave') {
    const of = `${field(info, 'master_host') ?? '?'}:${field(info, 'master_port') ?? '?'}`;
    return fail('wrong-role', `${master} is a read-only replica (of ${of}): point crier at the master, or at the sentinels (REDIS_SENTINELS)`);
  }
  const stream = (client as Redis).stream as { remoteAddress?: string; remotePort?: number } | undefined;
  const address = topology === 'sentinel' && stream?.remoteAddress !== undefined ? `${stream.remoteAddress}:${stream.remotePort ?? '?'}` : master;
  return { ok: true, found: { topology, version, master: address, replicas: Number(field(info, 'connected_slaves') ?? 0) } };
}

/** One line for logs and `crier status`: which Redis is in use. */
export function describeFound(found: RedisFound): string {
  const replicas = `${found.replicas} replica${found.replicas === 1 ? '' : 's'}`;
  switch (found.topology) {
    case 'standalone':
      return `Redis ${found.version}, one server at ${found.master} (${replicas})`;
    case 'sentinel':
      return `Redis ${found.version} through Sentinel: master ${found.master} (${replicas})`;
    case 'cluster':
      return `Redis ${found.version} Cluster of ${found.masters ?? '?'} masters: crier's slot on ${found.master} (${replicas})`;
  }
}
