import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, ConfigError, loadConfig, missingCredentials, secretsOf } from '../../config/load.js';

describe('config loader', () => {
  it('should give one target per platform, named after it, when there is no config at all', () => {
    const config = buildConfig({}, {});
    expect(config.targets.map((t) => [t.id, t.platform])).toEqual([
      ['telegram', 'telegram'],
      ['twitter', 'twitter'],
      ['instagram', 'instagram'],
    ]);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('should fill secrets and API roots from the environment', () => {
    const config = buildConfig({}, {
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_CHANNEL: '@news',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9/',
      TELEGRAM_EDITORS: '11, 22',
      REDIS_URL: 'redis://example:6380',
      REDIS_PREFIX: '{crier}',
    });
    const telegram = config.targets.find((t) => t.platform === 'telegram');
    expect(telegram).toMatchObject({ botToken: '123:abc', chat: '@news', apiRoot: 'http://127.0.0.1:9/' });
    expect(config.bot.editors).toEqual([11, 22]);
    expect(config.redis).toMatchObject({ topology: 'standalone', url: 'redis://example:6380', prefix: '{crier}' });
  });

  it('should let the file win over the environment and declare several targets per platform', () => {
    const config = buildConfig(
      {
        targets: [
          { id: 'news', platform: 'telegram', chat: '@news' },
          { id: 'sport', platform: 'telegram', chat: '@sport', botToken: 'file-token' },
        ],
      },
      { TELEGRAM_BOT_TOKEN: 'env-token' },
    );
    expect(config.targets.map((t) => (t.platform === 'telegram' ? [t.id, t.chat, t.botToken] : []))).toEqual([
      ['news', '@news', 'env-token'],
      ['sport', '@sport', 'file-token'],
    ]);
  });

  it('should name the wrong key in its error', () => {
    expect(() => buildConfig({ targets: [{ id: 'x', platform: 'telegram', link: 'sometimes' }] }, {})).toThrow(/targets\.0\.link/);
    expect(() => buildConfig({ targets: [{ id: 'x', platform: 'myspace' }] }, {})).toThrow(ConfigError);
    expect(() => buildConfig({ redis: { host: 'x' } }, {})).toThrow(/redis: unknown key\(s\) "host"/);
    expect(() => buildConfig({ targets: [{ id: 'a', platform: 'twitter' }, { id: 'a', platform: 'telegram' }] }, {})).toThrow(
      /duplicate target id "a"/,
    );
    expect(() => buildConfig({}, { PORT: 'eighty' })).toThrow('PORT: must be a number, got "eighty"');
    expect(() => buildConfig({}, { TELEGRAM_EDITORS: '12,bob' })).toThrow('TELEGRAM_EDITORS: "bob" is not a Telegram user id');
  });

  it('should say which credential a target lacks, with its environment variable', () => {
    const config = buildConfig({}, { TWITTER_APP_KEY: 'k' });
    const twitter = config.targets.find((t) => t.id === 'twitter')!;
    expect(missingCredentials(twitter)).toBe(
      'target "twitter" needs appSecret (TWITTER_APP_SECRET), accessToken (TWITTER_ACCESS_TOKEN), accessSecret (TWITTER_ACCESS_SECRET)',
    );
  });

  it('should read crier.yaml from the working directory, and refuse a missing --config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crier-config-'));
    writeFileSync(join(dir, 'crier.yaml'), 'redis:\n  prefix: fromfile\ntargets:\n  - id: only\n    platform: twitter\n');
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config.redis.prefix).toBe('fromfile');
    expect(config.targets.map((t) => t.id)).toEqual(['only']);
    expect(() => loadConfig({ env: {}, cwd: dir, file: 'nope.yaml' })).toThrow('config file not found: nope.yaml');
    writeFileSync(join(dir, 'bad.yaml'), 'targets: [\n');
    expect(() => loadConfig({ env: {}, cwd: dir, file: 'bad.yaml' })).toThrow(/not valid YAML/);
  });

  it('should list every secret for redaction', () => {
    const config = buildConfig({}, { TELEGRAM_BOT_TOKEN: '123:secret-token', TWITTER_ACCESS_SECRET: 'twitter-secret', WEBHOOK_SECRET: 'a-webhook-secret-of-16' });
    expect(secretsOf(config).sort()).toEqual(['123:secret-token', 'a-webhook-secret-of-16', 'twitter-secret']);
  });
});
