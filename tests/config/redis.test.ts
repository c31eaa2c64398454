import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, redisFromEnv, secretsOf } from '../../config/load.js';
import { hashTagOf, parseHostPort } from '../../config/redis.js';
import { describeRedis } from '../../queues/connection.js';

describe('redis settings', () => {
  it('should default to one server at 127.0.0.1:6379 with the prefix "crier"', () => {
    expect(buildConfig({}, {}).redis).toMatchObject({ topology: 'standalone', url: 'redis://127.0.0.1:6379', prefix: 'crier', waitReplicas: 1, waitTimeoutMs: 1000, connectTimeoutMs: 5000 });
  });

  it('should find the master through the sentinels named in the environment', () => {
    const redis = buildConfig({}, {
      REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379,[fd00::3]:26380',
      REDIS_SENTINEL_NAME: 'newsroom',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_PASSWORD: 'data-secret',
    }).redis;
    expect(redis).toMatchObject({
      topology: 'sentinel',
      url: undefined,
      name: 'newsroom',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: 'fd00::3', port: 26380 },
      ],
      sentinelPassword: 'sentinel-secret',
      password: 'data-secret',
      prefix: 'crier',
    });
    expect(describeRedis(redis)).toBe('Sentinel master "newsroom" via 10.0.0.1:26379, 10.0.0.2:26379, [fd00::3]:26380');
  });

  it('should use a cluster from the environment with a hash-tagged prefix by default', () => {
    const redis = buildConfig({}, { REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1:6379', REDIS_TLS: 'true' }).redis;
    expect(redis).toMatchObject({ topology: 'cluster', cluster: [{ host: 'redis-0', port: 6379 }, { host: 'redis-1', port: 6379 }], prefix: '{crier}', tls: true });
    expect(describeRedis(redis)).toBe('Redis Cluster via redis-0:6379, redis-1:6379 (TLS)');
  });

  it('should take sentinels and a cluster from the config file', () => {
    expect(buildConfig({ redis: { sentinels: [{ host: 's1', port: 26379 }], name: 'm' } }, {}).redis.topology).toBe('sentinel');
    expect(buildConfig({ redis: { cluster: ['n1:7000'], prefix: 'news{crier}' } }, {}).redis).toMatchObject({ topology: 'cluster', prefix: 'news{crier}' });
  });

  it('should let a topology chosen in the file win over the environment, as every setting does', () => {
    const redis = buildConfig({ redis: { url: 'redis://file-redis:6379' } }, { REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'm' }).redis;
    expect(redis).toMatchObject({ topology: 'standalone', url: 'redis://file-redis:6379' });
    expect(redis.sentinels).toBeUndefined();
  });

  it('should refuse settings that do not say one thing, with the path and the variable', () => {
    const fails = (file: Record<string, unknown>, env: Record<string, string>) => () => buildConfig(file, env);
    expect(fails({}, { REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toThrow(
      'config: redis: set one of url (REDIS_URL), sentinels (REDIS_SENTINELS) or cluster (REDIS_CLUSTER_NODES), not url and cluster',
    );
    expect(fails({}, { REDIS_SENTINELS: 's1:26379' })).toThrow(
      "config: redis.name: required with sentinels: the master's name in the sentinels' configuration (REDIS_SENTINEL_NAME, e.g. mymaster)",
    );
    expect(fails({}, { REDIS_CLUSTER_NODES: 'n1:7000,nohost' })).toThrow('config: redis.cluster.1: "nohost" is not host:port');
    expect(fails({ redis: { url: 'http://redis:6379' } }, {})).toThrow('config: redis.url: must be a redis:// or rediss:// URL');
    expect(fails({ redis: { cluster: ['n1:7000'], prefix: 'crier' } }, {})).toThrow(ConfigError);
    expect(fails({ redis: { cluster: ['n1:7000'], db: 2 } }, {})).toThrow('config: redis.db: a Redis Cluster has only database 0');
    expect(fails({}, { REDIS_WAIT_REPLICAS: 'one' })).toThrow('REDIS_WAIT_REPLICAS: must be a number, got "one"');
    expect(fails({ redis: { name: 'm' } }, {})).toThrow('config: redis.sentinels: required with name/sentinelPassword/sentinelUsername');
  });

  it('should read the wait and timeout settings from the environment', () => {
    expect(buildConfig({}, { REDIS_WAIT_REPLICAS: '0', REDIS_WAIT_TIMEOUT_MS: '250', REDIS_CONNECT_TIMEOUT_MS: '2000' }).redis).toMatchObject({ waitReplicas: 0, waitTimeoutMs: 250, connectTimeoutMs: 2000 });
  });

  it('should treat the Redis passwords as secrets and keep them out of descriptions', () => {
    const config = buildConfig({}, { REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'm', REDIS_PASSWORD: 'data-secret', REDIS_SENTINEL_PASSWORD: 'sentinel-secret' });
    expect(secretsOf(config)).toEqual(expect.arrayContaining(['data-secret', 'sentinel-secret']));
    expect(describeRedis(config.redis)).not.toMatch(/secret/);
    expect(describeRedis('redis://crier:url-secret@redis:6379/2')).toBe('redis://crier:[REDACTED]@redis:6379/2');
  });

  it('should read the redis section from the environment alone (crier demo), or nothing when it names no Redis', () => {
    expect(redisFromEnv({ PATH: '/usr/bin' })).toBeUndefined();
    expect(redisFromEnv({ REDIS_CLUSTER_NODES: 'n1:7000' })).toMatchObject({ topology: 'cluster', prefix: '{crier}' });
    expect(() => redisFromEnv({ REDIS_SENTINELS: 's1:26379' })).toThrow('environment: redis.name: required with sentinels');
  });

  it('should parse host:port and find hash tags as Redis does', () => {
    expect(parseHostPort('redis.internal:6380')).toEqual({ host: 'redis.internal', port: 6380 });
    expect(parseHostPort('[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(parseHostPort('redis.internal')).toBeUndefined();
    expect(parseHostPort('redis:99999')).toBeUndefined();
    expect(hashTagOf('{crier}')).toBe('crier');
    expect(hashTagOf('news{crier}x')).toBe('crier');
    expect(hashTagOf('{}crier')).toBeUndefined(); // an empty tag hashes the whole key
    expect(hashTagOf('crier')).toBeUndefined();
  });
});
