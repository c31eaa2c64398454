import { z } from 'zod';

/**
 * Where crier's Redis is: one server (`url`, the default), a master found through Sentinel
 * (`sentinels` + `name`), or a Redis Cluster (`cluster`). queues/connection.ts builds every
 * connection from this; nothing else knows how to reach Redis.
 */

export const REDIS_URL_DEFAULT = 'redis://127.0.0.1:6379';
export const PREFIX_DEFAULT = 'crier';
/** On Redis Cluster the default prefix is hash-tagged, so every key crier uses lands in one slot. */
export const CLUSTER_PREFIX_DEFAULT = '{crier}';

export interface HostPort {
  host: string;
  port: number;
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:,[\]]+)):(\d{1,5})$/;

/** "host:port" or "[ipv6]:port" → {host, port}; undefined when it is neither. */
export function parseHostPort(text: string): HostPort | undefined {
  const m = HOST_PORT.exec(text.trim());
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (m[1] ?? m[2]) as string, port };
}

const Node = z
  .union([z.string(), z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }).strict()])
  .transform((value, ctx): HostPort => {
    if (typeof value !== 'string') return value;
    const node = parseHostPort(value);
    if (node === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not host:port` });
      return z.NEVER;
    }
    return node;
  });

/**
 * The first `{…}` with something inside decides a key's slot on Redis Cluster (the rest of
 * the key is ignored), so a prefix with one makes every key of crier hash alike.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}

export const RedisConfig = z
  .object({
    /** One server: redis://[user:password@]host:port[/db], rediss:// for TLS (REDIS_URL). Default redis://127.0.0.1:6379. */
    url: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(),
    /** Sentinels to ask for the master (REDIS_SENTINELS, comma-separated host:port). */
    sentinels: z.array(Node).min(1).optional(),
    /** The master's name in the sentinels' configuration (REDIS_SENTINEL_NAME). */
    name: z.string().min(1).optional(),
    /** Credentials of the sentinels themselves (REDIS_SENTINEL_USERNAME, REDIS_SENTINEL_PASSWORD). */
    sentinelUsername: z.string().min(1).optional(),
    sentinelPassword: z.string().min(1).optional(),
    /** Redis Cluster seed nodes (REDIS_CLUSTER_NODES, comma-separated host:port); the others are discovered. */
    cluster: z.array(Node).min(1).optional(),
    /** Credentials of the data nodes with sentinels or a cluster (REDIS_USERNAME, REDIS_PASSWORD); a URL carries its own. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** TLS to the data nodes and sentinels (REDIS_TLS); a URL says it with rediss://. */
    tls: z.boolean().default(false),
    /** Database number with sentinels (a URL carries its own; a cluster has only 0). */
    db: z.number().int().min(0).default(0),
    /** BullMQ/ledger key prefix (REDIS_PREFIX). Default "crier", and "{crier}" on a cluster, where it must be hash-tagged. */
    prefix: z.string().min(1).optional(),
    /** How long connecting and the first answer may take before a command gives up with one line (REDIS_CONNECT_TIMEOUT_MS). */
    connectTimeoutMs: z.number().int().min(100).default(5000),
    /**
     * Before acknowledging an article (202, the printed id), wait for this many replicas to
     * have it (Redis WAIT), when the master has replicas; 0 = do not wait (REDIS_WAIT_REPLICAS).
     */
    waitReplicas: z.number().int().min(0).default(1),
    /** …for at most this long, then acknowledge anyway with a warning (REDIS_WAIT_TIMEOUT_MS). */
    waitTimeoutMs: z.number().int().min(1).default(1000),
  })
  .strict()
  .superRefine((r, ctx) => {
    const set = [r.url !== undefined && 'url', r.sentinels !== undefined && 'sentinels', r.cluster !== undefined && 'cluster'].filter((s) => s !== false);
    if (set.length > 1) {
      ctx.addIssue({ code: 'custom', message: `set one of url (REDIS_URL), sentinels (REDIS_SENTINELS) or cluster (REDIS_CLUSTER_NODES), not ${set.join(' and ')}` });
      return;
    }
    if (r.sentinels !== undefined && r.name === undefined) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: "required with sentinels: the master's name in the sentinels' configuration (REDIS_SENTINEL_NAME, e.g. mymaster)" });
    }
    if (r.sentinels === undefined && (r.name !== undefined || r.sentinelPassword !== undefined || r.sentinelUsername !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['sentinels'], message: 'required with name/sentinelPassword/sentinelUsername (REDIS_SENTINELS=host:port,host:port)' });
    }
    if (r.cluster !== undefined && r.db !== 0) ctx.addIssue({ code: 'custom', path: ['db'], message: 'a Redis Cluster has only database 0' });
    if (r.cluster !== undefined && r.prefix !== undefined && hashTagOf(r.prefix) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['prefix'],
        message: `"${r.prefix}" has no hash tag: on Redis Cluster every key crier uses must hash to one slot (its scripts and transactions span queues and ledger); use "{${r.prefix.replace(/[{}]/g, '')}}"`,
      });
    }
  })
  .transform((r) => {
    const topology = r.cluster !== undefined ? ('cluster' as const) : r.sentinels !== undefined ? ('sentinel' as const) : ('standalone' as const);
    return {
      ...r,
      topology,
      url: topology === 'standalone' ? (r.url ?? REDIS_URL_DEFAULT) : undefined,
      prefix: r.prefix ?? (topology === 'cluster' ? CLUSTER_PREFIX_DEFAULT : PREFIX_DEFAULT),
    };
  });

export type RedisConfig = z.output<typeof RedisConfig>;
export type RedisTopology = RedisConfig['topology'];
