import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/redis.js';

/**
 * Follow a Sentinel failover at once. When the sentinels promote a replica they announce
 * `+switch-master <name> <old ip> <old port> <new ip> <new port>`; a connection still on the
 * old master — alive in a forced failover, taking writes that will be lost — is closed then,
 * and reconnects through the sentinels to the new one. Without this it stays until the
 * sentinels demote the old master, up to ten seconds later.
 *
 * ioredis has this built in (`failoverDetector`), but in 5.11 it closes a connection that is
 * in the middle of reconnecting, which ends that connection for good ("Connection is closed"
 * for every later command); this closes only a connection that is ready and on another server.
 * One subscription per set of sentinels serves every connection made with them, BullMQ's
 * duplicates included.
 */

interface Watch {
  subscribers: Redis[];
  clients: Set<Redis>;
}

const watches = new Map<string, Watch>();

export function followFailovers(client: Redis, s: RedisConfig, options: RedisOptions): Redis {
  const sentinels = s.sentinels ?? [];
  const id = `${s.name}@${sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  let watch = watches.get(id);
  if (watch === undefined) {
    const w: Watch = { subscribers: [], clients: new Set() };
    watch = w;
    watches.set(id, w);
    for (const node of sentinels) {
      const subscriber = new Redis({
        host: node.host,
        port: node.port,
        ...(s.sentinelUsername !== undefined ? { username: s.sentinelUsername } : {}),
        ...(s.sentinelPassword !== undefined ? { password: s.sentinelPassword } : {}),
        ...(s.tls ? { tls: {} } : {}),
        connectTimeout: options.connectTimeout ?? 5000,
        maxRetriesPerRequest: null,
        retryStrategy: (times) => Math.min(times * 500, 5000),
        connectionName: 'crier-failover-watch',
      });
      subscriber.on('error', () => undefined); // a sentinel down: the others still tell
      subscriber.on('message', (_channel: string, message: string) => {
        const [name, , , host, port] = message.split(' ');
        if (name !== s.name) return;
        for (const c of w.clients) {
          const stream = c.stream as { remoteAddress?: string; remotePort?: number } | undefined;
          const there = stream !== undefined && stream.remoteAddress === host && String(stream.remotePort) === port;
          if (c.status === 'ready' && !there) c.disconnect(true);
        }
      });
      void subscriber.subscribe('+switch-master').catch(() => undefined);
      w.subscribers.push(subscriber);
    }
  }
  const w = watch;
  const add = (c: Redis): Redis => {
    w.clients.add(c);
    c.once('end', () => {
      w.clients.delete(c);
      if (w.clients.size > 0) return;
      watches.delete(id);
      for (const subscriber of w.subscribers) subscriber.disconnect();
    });
    // BullMQ makes its blocking connections with duplicate(): they follow too.
    const duplicate = c.duplicate.bind(c);
    c.duplicate = (override?: Partial<RedisOptions>) => add(duplicate(override));
    return c;
  };
  return add(client);
}
