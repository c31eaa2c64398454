import type { Config } from '../../../config/schema.js';
import { pingRedis } from '../../../queues/connection.js';
import { redactText } from '../../logging.js';

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** Fail with one clear line when Redis does not answer, instead of hanging on retries. */
export async function requireRedis(config: Config): Promise<void> {
  if (!(await pingRedis(config.redis.url, 2000)))
    throw new RedisUnavailableError(`cannot reach Redis at ${redactText(config.redis.url)} (set REDIS_URL, or run \`docker compose up -d redis\`)`);
}
