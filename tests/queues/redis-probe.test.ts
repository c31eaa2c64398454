import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFound, probeRedis } from '../../queues/redis-probe.js';
import { hangUpServer, httpServer, silentServer, wrongPasswordServer, type FakeServer } from '../helpers/fake-servers.js';
import { REDIS_URL } from '../helpers/redis.js';

describe('probeRedis', () => {
  const servers: FakeServer[] = [];
  const start = async (make: () => Promise<FakeServer>) => {
    const server = await make();
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('should find the one server, its version and that it has no replica', async () => {
    const result = await probeRedis(REDIS_URL);
    expect(result).toMatchObject({ ok: true, found: { topology: 'standalone', master: '127.0.0.1:6379', replicas: 0 } });
    expect(result.ok && describeFound(result.found)).toMatch(/^Redis \d+\.\d+\.\d+, one server at 127\.0\.0\.1:6379 \(0 replicas\)$/);
  });

  it('should give up on a port that accepts and never answers, and say so', async () => {
    const server = await start(silentServer);
    expect(await probeRedis(server.url, 300)).toEqual({
      ok: false,
      problem: 'silent',
      message: `${server.url} accepted the connection but gave no Redis answer within 0.3 s: is it a Redis port? (a TLS-only Redis needs rediss:// or REDIS_TLS=1)`,
    });
  });

  it('should tell something that answers, but is not Redis, from Redis', async () => {
    const server = await start(httpServer);
    expect(await probeRedis(server.url, 2000)).toEqual({
      ok: false,
      problem: 'not-redis',
      message: `something answered at ${server.url}, but it is not Redis: it looks like an HTTP server (it said "HTTP/1.1 400 Bad Request")`,
    });
  });

  it('should say when the server hangs up without answering', async () => {
    const server = await start(hangUpServer);
    const result = await probeRedis(server.url, 2000);
    expect(result).toEqual({
      ok: false,
      problem: 'not-redis',
      message: `${server.url} accepted the connection and closed it without a Redis answer: is it a Redis port? (a TLS-only Redis needs rediss:// or REDIS_TLS=1)`,
    });
  });

  it('should say when nothing listens', async () => {
    const server = await start(silentServer);
    await server.close();
    expect(await probeRedis(server.url, 2000)).toEqual({
      ok: false,
      problem: 'unreachable',
      message: `cannot reach Redis at ${server.url}: connection refused (is it running, on this port?)`,
    });
  });

  it('should say when Redis refuses the password, without printing it', async () => {
    const server = await start(wrongPasswordServer);
    const result = await probeRedis(`redis://crier:s3cret-pass@127.0.0.1:${server.port}`, 2000);
    expect(result).toMatchObject({ ok: false, problem: 'refused' });
    expect(result.ok ? '' : result.message).toMatch(/^Redis at redis:\/\/crier:\[REDACTED\]@127\.0\.0\.1:\d+ refused crier's credentials: WRONGPASS/);
    expect(result.ok ? '' : result.message).not.toContain('s3cret-pass');
  });

  describe('with sentinels that never answer', () => {
    let server: FakeServer;
    beforeAll(async () => {
      server = await start(silentServer);
    });

    it('should give up within the connect timeout too', async () => {
      const result = await probeRedis({ ...(await import('../../config/load.js')).buildConfig({ redis: { sentinels: [`127.0.0.1:${server.port}`], name: 'newsroom' } }, {}).redis }, 300);
      expect(result).toMatchObject({ ok: false });
      expect(result.ok ? '' : result.message).toContain(`Sentinel master "newsroom" via 127.0.0.1:${server.port}`);
    });
  });
});
