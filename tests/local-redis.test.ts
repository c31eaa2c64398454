import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { findRedisServer, startLocalRedis } from '../src/local-redis.js';

describe('private redis-server (crier demo, chaos suite)', () => {
  it('should find redis-server in the usual places', () => {
    expect(findRedisServer('')).toMatch(/redis-server$/);
    expect(findRedisServer('/nonexistent')).toMatch(/redis-server$/); // falls back to sbin folders
  });

  it('should start on a free port, keep data across a restart with AOF, and stop', async () => {
    const local = await startLocalRedis({ appendOnly: true, path: process.env.PATH ?? '' });
    try {
      expect(local.port).not.toBe(6379);
      const client = new Redis(local.url, { maxRetriesPerRequest: null });
      await client.set('kept', 'yes');
      await local.restart();
      expect(await client.get('kept')).toBe('yes');
      client.disconnect();
    } finally {
      await local.stop();
    }
    const probe = new Redis(local.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });
});
