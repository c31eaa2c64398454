import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { nodeFor, type RedisClient } from './connection.js';

/**
 * Writes a failover cannot take back (as far as Redis can promise). Redis replicates
 * asynchronously: the master answers a write before any replica has it, and a replica
 * promoted by Sentinel or the cluster lacks whatever the old master had not passed on — in a
 * forced failover, up to a second or two of writes the old master kept accepting after its
 * replica was promoted. `WAIT n ms`, sent on the connection that wrote, blocks until n
 * replicas confirm they hold everything it wrote (or the time is up) and says how many did.
 *
 * Used before acknowledging a publish (202, the printed id) and before and after each send
 * (Ledger.begin, Ledger.markDelivered). It narrows the window, it does not close it: a
 * confirmed write is in a replica's memory, not necessarily on its disk, and a failover may
 * still promote a replica that had not confirmed (README, "High availability").
 */

export interface ReplicaAckOptions {
  /** Replicas to wait for (0 = never wait). */
  replicas: number;
  timeoutMs: number;
  /** A key of crier's (the prefix): on a cluster, the master that holds it is the one to ask. */
  key: string;
  logger?: Logger;
  /**
   * Sentinel or cluster: a connection that dropped before its writes were confirmed counts
   * them as unconfirmed even before any replica was seen. A single server without replicas
   * (the default) has nothing a failover could take back.
   */
  highAvailability?: boolean;
}

export interface AckOutcome {
  wanted: number;
  acked: number;
}

/** How long a master's replica count (INFO) is trusted before asking again. */
const INFO_TTL_MS = 10_000;
/**
 * A master that had replicas a moment ago and has none now may be one whose replica was just
 * promoted: until this long has passed, it is still expected to have one (writes to it would
 * be lost), so waits keep failing and sends keep waiting. Past it, it is a master that lost
 * its replicas, and crier carries on with a warning.
 */
const REPLICA_LOSS_GRACE_MS = 10_000;

interface MasterState {
  runId: string;
  replicas: number;
  checkedAt: number;
}

/** Where writes were made: the connection, and how often it had dropped by then. */
export interface WriteTicket {
  node: Redis;
  epoch: number;
}

const epochs = new WeakMap<Redis, { n: number }>();

/**
 * Bumped at every close: writes of an older epoch went over a connection that is gone. A write
 * issued while (re)connecting waits in the client's queue and goes over the next connection,
 * which a later WAIT covers.
 */
function epochOf(node: Redis): number {
  let e = epochs.get(node);
  if (e === undefined) {
    const counter = (e = { n: 0 });
    epochs.set(node, counter);
    const bump = () => void counter.n++;
    node.on('close', bump);
  }
  return e.n;
}

export class ReplicaAcks {
  private master: MasterState | undefined;
  /** Masters (by run id) seen with replicas, and since when they have none (undefined: they still have). */
  private readonly seen = new Map<string, { lostAt: number | undefined }>();
  private inFlight: (WriteTicket & { outcome: Promise<AckOutcome | undefined> }) | undefined;
  private warnedAt = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly o: ReplicaAckOptions,
  ) {
    // After a reconnect the connection may lead to another master (a failover), or back to
    // a demoted one that still answers as a master: look again. What each master had is kept.
    client.on('ready', () => {
      this.master = undefined;
    });
  }

  /** Take before writing, give to confirm() after: it tells which connection the writes went over. */
  ticket(): WriteTicket | undefined {
    if (this.o.replicas === 0) return undefined;
    // A single server known (within INFO_TTL_MS) to have no replica, never seen with one:
    // nothing to wait for, and no need to go through confirm() at all.
    const m = this.master;
    if (m !== undefined && m.replicas === 0 && this.seen.size === 0 && this.o.highAvailability !== true && Date.now() - m.checkedAt <= INFO_TTL_MS) return undefined;
    const node = nodeFor(this.client, this.o.key);
    return { node, epoch: epochOf(node) };
  }

  /**
   * After the writes made since `ticket`: wait until the wanted replicas have them.
   * Undefined when there is nothing to wait for (no replica: a single server, or waiting
   * turned off); else how many confirmed (fewer than wanted is logged). Writes that
   * straddled a reconnect count as unconfirmed: they may have reached a master that is no
   * longer one. Calls made while a WAIT is in flight on the same connection share it: that
   * WAIT was sent after their writes (they have their replies, and a connection answers in
   * order), so it covers them too.
   */
  async confirm(ticket: WriteTicket | undefined): Promise<AckOutcome | undefined> {
    if (ticket === undefined) return undefined;
    const node = nodeFor(this.client, this.o.key);
    if (node !== ticket.node || epochOf(node) !== ticket.epoch) {
      return this.lostConnection();
    }
    const current = this.inFlight;
    if (current !== undefined && current.node === node && current.epoch === ticket.epoch) return current.outcome;
    const started = { ...ticket, outcome: this.waitOnce(ticket) };
    this.inFlight = started;
    void started.outcome.finally(() => {
      if (this.inFlight === started) this.inFlight = undefined;
    }).catch(() => undefined);
    return started.outcome;
  }

  private async waitOnce({ node, epoch }: WriteTicket): Promise<AckOutcome | undefined> {
    let wanted: number;
    let acked: number;
    try {
      wanted = await this.wanted(node);
      acked = wanted === 0 ? 0 : Number(await node.wait(wanted, this.o.timeoutMs));
    } catch (error) {
      // The node no longer takes WAIT (demoted to a replica: "WAIT cannot be used with replica
      // instances"), or the connection failed: nothing is confirmed.
      if (this.master !== undefined) this.master.checkedAt = 0;
      this.warn(`could not ask the Redis replicas to confirm crier's writes: ${(error as Error).message.split('\n')[0]?.slice(0, 120) ?? ''}`);
      return this.lostConnection();
    }
    if (epochOf(node) !== epoch) {
      // The connection dropped meanwhile and the answers came over a new one, perhaps from
      // another server: they say nothing of the writes made over the old one.
      return this.lostConnection();
    }
    if (wanted === 0) return undefined;
    if (acked < wanted) {
      if (this.master !== undefined) this.master.checkedAt = 0; // count the replicas again next time
      this.warn(`only ${acked} of ${wanted} Redis replica(s) confirmed crier's writes within ${this.o.timeoutMs} ms: a failover now could lose them`);
    }
    return { wanted, acked };
  }

  /** Writes over a connection that dropped: unconfirmed, unless no failover could take them back. */
  private lostConnection(): AckOutcome | undefined {
    return this.seen.size === 0 && this.o.highAvailability !== true ? undefined : { wanted: this.o.replicas, acked: 0 };
  }

  private async wanted(node: Redis): Promise<number> {
    const now = Date.now();
    let m = this.master;
    if (m === undefined || now - m.checkedAt > INFO_TTL_MS) {
      const info = await node.info();
      m = this.master = {
        runId: /^run_id:(\w+)/m.exec(info)?.[1] ?? '',
        replicas: Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0),
        checkedAt: now,
      };
      const known = this.seen.get(m.runId);
      if (m.replicas > 0) {
        this.seen.delete(m.runId);
        this.seen.set(m.runId, { lostAt: undefined });
        if (this.seen.size > 16) this.seen.delete(this.seen.keys().next().value as string);
      } else if (known !== undefined) known.lostAt ??= now;
    }
    if (m.replicas > 0) return Math.min(this.o.replicas, m.replicas);
    const lostAt = this.seen.get(m.runId)?.lostAt;
    if (lostAt === undefined) {
      // Never seen with replicas: a single server, or (with Sentinel or a cluster) a master whose replicas are all down.
      if (this.o.highAvailability === true) this.warn('the Redis master has no replica connected: a failover now could lose acknowledged writes');
      return 0;
    }
    if (now - lostAt < REPLICA_LOSS_GRACE_MS) return this.o.replicas;
    this.warn('the Redis master lost its replicas: crier carries on, and a failover now could lose acknowledged writes');
    return 0;
  }

  /** At most one warning every 10 s: a burst of work during a failover is one line, not hundreds. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.warnedAt < 10_000) return;
    this.warnedAt = now;
    this.o.logger?.warn(message);
  }
}

/** Thrown when the replicas did not confirm a write that must not be lost to a failover. */
export class NotReplicatedError extends Error {
  override readonly name = 'NotReplicatedError';
  constructor(what: string, outcome: AckOutcome) {
    super(`${what}: ${outcome.acked} of ${outcome.wanted} Redis replica(s) confirmed it in time`);
  }
}

/** True when the outcome says the writes may not survive a failover. */
export function unconfirmed(outcome: AckOutcome | undefined): outcome is AckOutcome {
  return outcome !== undefined && outcome.acked < outcome.wanted;
}
