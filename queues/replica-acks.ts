import type { Logger } from 'pino';
import { clusterReplicasFor, isCluster, nodeFor, type RedisClient } from './connection.js';

/**
 * Acknowledging an article only once a replica has it. Redis replicates asynchronously: the
 * master answers a write before any replica has it, so a master that fails right after
 * acknowledging can take the write with it when a replica is promoted. `WAIT n ms` on the
 * connection that wrote blocks until n replicas confirm they received everything it wrote
 * (or the time is up) and says how many did. It narrows the window; it does not close it:
 * the write is in a replica's memory (not necessarily on disk), and a failover may still
 * promote a replica that had not confirmed (see README, "High availability").
 */

export interface ReplicaAckOptions {
  /** Replicas to wait for (0 = never wait). */
  replicas: number;
  timeoutMs: number;
  /** A key of crier's (the prefix): on a cluster, the master that holds it is the one to ask. */
  key: string;
  logger?: Logger;
  /** Topology: with Sentinel or a cluster, a master without replicas is worth a warning. */
  highAvailability: boolean;
}

export interface AckOutcome {
  wanted: number;
  acked: number;
}

/** How long a master's replica count (INFO replication) is trusted before asking again. */
const REPLICAS_TTL_MS = 10_000;

export class ReplicaAcks {
  private known: { replicas: number; at: number } | undefined;
  private warnedAt = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly o: ReplicaAckOptions,
  ) {}

  /**
   * After writes on the client's connection: wait until `replicas` replicas have them, when the
   * master has replicas. Undefined when there is nothing to wait for (no replica: a single
   * server, or waiting turned off); else how many confirmed. Fewer than wanted is logged.
   */
  async confirm(): Promise<AckOutcome | undefined> {
    if (this.o.replicas === 0) return undefined;
    const node = nodeFor(this.client, this.o.key);
    const connected = await this.replicaCount();
    if (connected === 0) {
      if (this.o.highAvailability) this.warn('the Redis master has no replica connected: acknowledged articles are on one server only');
      return undefined;
    }
    const wanted = Math.min(this.o.replicas, connected);
    const acked = Number(await node.wait(wanted, this.o.timeoutMs));
    if (acked < wanted) {
      this.known = undefined; // a replica may be gone: count again next time
      this.warn(`only ${acked} of ${wanted} Redis replica(s) confirmed the enqueue within ${this.o.timeoutMs} ms: a failover now could lose it`);
    }
    return { wanted, acked };
  }

  private async replicaCount(): Promise<number> {
    if (isCluster(this.client)) return clusterReplicasFor(this.client, this.o.key);
    const now = Date.now();
    if (this.known === undefined || now - this.known.at > REPLICAS_TTL_MS) {
      const info = await this.client.info('replication');
      this.known = { replicas: Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0), at: now };
    }
    return this.known.replicas;
  }

  /** At most one warning every 10 s: a burst of webhooks during a failover is one line, not hundreds. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.warnedAt < 10_000) return;
    this.warnedAt = now;
    this.o.logger?.warn(message);
  }
}
