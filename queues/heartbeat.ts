import { hostname } from 'node:os';
import type { RedisClient } from './connection.js';

/**
 * "Delivery workers run on this host": a key the workers refresh every few seconds
 * (`<prefix>:heartbeat:<host>`, expiring after three missed beats), which `crier health`
 * reads — a container health check for `crier worker`, which serves no HTTP. Keyed by host
 * name: in a container, that is the container.
 */

export const HEARTBEAT_EVERY_MS = 10_000;

export function heartbeatKey(prefix: string, host: string = hostname()): string {
  return `${prefix}:heartbeat:${host}`;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly everyMs = HEARTBEAT_EVERY_MS,
  ) {
    this.key = heartbeatKey(prefix);
  }

  start(): void {
    if (this.timer !== undefined) return;
    const beat = () => void this.redis.set(this.key, new Date().toISOString(), 'PX', this.everyMs * 3).catch(() => undefined);
    beat();
    this.timer = setInterval(beat, this.everyMs).unref();
  }

  /** Stop beating and say so at once (another worker on this host beats again within its interval). */
  async stop(): Promise<void> {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.redis.del(this.key).catch(() => undefined);
  }
}
