import type { RedisClient } from '../../queues/connection.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coalesceWrites, createRedis } from '../../queues/connection.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** Write-combining on a connection: one socket write per turn of the event loop, order kept. */
describe('coalesceWrites', () => {
  let prefix: string;
  let redis: RedisClient;

  beforeEach(async () => {
    prefix = uniquePrefix('coalesce');
    redis = createRedis(REDIS_URL);
    await redis.ping();
  });

  afterEach(async () => {
    redis.disconnect();
    await deletePrefix(prefix);
  });

  /** Socket writes made while `run` issues commands (each write is one system call). */
  async function socketWrites(run: () => Promise<unknown>): Promise<number> {
    const stream = (redis as unknown as { stream: { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void } }).stream;
    const write = stream._write.bind(stream);
    const writev = stream._writev.bind(stream);
    let writes = 0;
    stream._write = (...a) => void (writes++, write(...a));
    stream._writev = (...a) => void (writes++, writev(...a));
    try {
      await run();
    } finally {
      stream._write = write;
      stream._writev = writev;
    }
    return writes;
  }

  const fiveIncrements = () => Promise.all(Array.from({ length: 5 }, () => redis.incr(`${prefix}:n`)));

  it('should send the commands of one turn in one write, in the order they were issued', async () => {
    // Without it, each command is a write of its own (what the test would see if coalescing broke).
    expect(await socketWrites(fiveIncrements)).toBe(5);
    coalesceWrites(redis);
    let replies: number[] = [];
    expect(await socketWrites(async () => (replies = await fiveIncrements()))).toBe(1);
    expect(replies).toEqual([6, 7, 8, 9, 10]);
  });

  it('should be idempotent and leave commands of later turns to later writes', async () => {
    coalesceWrites(redis);
    coalesceWrites(redis);
    const writes = await socketWrites(async () => {
      await fiveIncrements();
      await new Promise((resolve) => setImmediate(resolve));
      await redis.incr(`${prefix}:n`);
    });
    expect(writes).toBe(2);
    expect(await redis.get(`${prefix}:n`)).toBe('6');
  });
});
