import type { Config } from '../../../config/schema.js';
import { probeRedis, type RedisFound } from '../../../queues/redis-probe.js';

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * Fail with one clear line when Redis does not answer (or something else does), within the
 * connect timeout, instead of hanging on retries. Returns what answered, for the logs.
 */
export async function requireRedis(config: Config): Promise<RedisFound> {
  const result = await probeRedis(config.redis);
  if (!result.ok) {
    const hint = result.problem === 'unreachable' && config.redis.topology === 'standalone' ? ' (set REDIS_URL, or run `docker compose up -d redis`)' : '';
    throw new RedisUnavailableError(result.message + hint);
  }
  return result.found;
}
