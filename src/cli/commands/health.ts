import { heartbeatKey, HEARTBEAT_EVERY_MS } from '../../../queues/heartbeat.js';
import { createRedis } from '../../../queues/connection.js';
import { loadCliConfig, type CliContext } from '../context.js';
import { requireRedis } from './redis-check.js';

/**
 * `crier health`: exit 0 when Redis answers and delivery workers on this host (`crier
 * worker` or `crier serve`) reported within the last three heartbeats, else 1 with one line
 * saying which. The container health check of every crier image role.
 */
export async function healthCommand(ctx: CliContext): Promise<number> {
  const config = loadCliConfig(ctx);
  await requireRedis(config);
  const redis = createRedis(config.redis, 'producer');
  redis.on('error', () => undefined);
  try {
    const last = await redis.get(heartbeatKey(config.redis.prefix));
    if (last === null) {
      ctx.out(`unhealthy: no delivery worker on this host has reported in the last ${(HEARTBEAT_EVERY_MS * 3) / 1000} s`);
      return 1;
    }
    ctx.out(`ok: Redis answers; workers on this host reported ${Math.max(0, Math.round((Date.now() - Date.parse(last)) / 1000))} s ago`);
    return 0;
  } finally {
    redis.disconnect();
  }
}
