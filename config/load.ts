import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RedisConfig } from './redis.js';
import { Config, PLATFORMS, type TargetConfig } from './schema.js';

export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}

/** The `--config` file named on the command line does not exist: a usage error, like a missing article file. */
export class ConfigFileNotFoundError extends ConfigError {
  override readonly name = 'ConfigFileNotFoundError';
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  /** Explicit --config path; must exist. */
  file?: string | undefined;
  env: Env;
  cwd?: string;
}

export const DEFAULT_CONFIG_FILE = 'crier.yaml';

/** Where the config comes from: --config, else ./crier.yaml when present, else none. */
export function configPath(options: LoadOptions): string | undefined {
  const cwd = options.cwd ?? process.cwd();
  if (options.file !== undefined) {
    const path = resolve(cwd, options.file);
    if (!existsSync(path)) throw new ConfigFileNotFoundError(`config file not found: ${options.file}`);
    return path;
  }
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

/** Load the YAML config (if any), fill it from the environment, validate it. */
export function loadConfig(options: LoadOptions): Config {
  const path = configPath(options);
  let raw: unknown = {};
  if (path !== undefined) {
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
    } catch (error) {
      throw new ConfigError(`${path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${path}: must be a mapping of settings`);
  }
  return buildConfig(raw as Record<string, unknown>, options.env, path ?? 'config');
}

/** Merge a parsed config object with the environment and validate. Exported for tests. */
export function buildConfig(file: Record<string, unknown>, env: Env, where = 'config'): Config {
  const merged = applyEnv(structuredClone(file), env);
  const parsed = Config.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`${where}: ${describe(parsed.error)}`);
  const ids = new Set<string>();
  for (const target of parsed.data.targets) {
    if (ids.has(target.id)) throw new ConfigError(`${where}: targets: duplicate target id "${target.id}"`);
    ids.add(target.id);
  }
  return parsed.data;
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      if (issue.code === 'unrecognized_keys') return `${path}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

type Obj = Record<string, unknown>;
const obj = (parent: Obj, key: string): Obj => {
  const value = parent[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Obj;
  const fresh: Obj = {};
  parent[key] = fresh;
  return fresh;
};
const setIfAbsent = (target: Obj, key: string, value: unknown) => {
  if (value !== undefined && value !== '' && target[key] === undefined) target[key] = value;
};
const num = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(`${name}: must be a number, got "${value}"`);
  return n;
};
const bool = (value: string | undefined): boolean | undefined =>
  value === undefined || value === '' ? undefined : /^(1|true|yes|on)$/i.test(value);

const list = (value: string | undefined): string[] | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '');

/**
 * REDIS_*: a topology the file does not choose comes from the environment; when the file
 * chooses one (url, sentinels or cluster), the environment's others are left out rather
 * than mixed in.
 */
function applyRedisEnv(redis: Obj, env: Env): void {
  const fileChose = redis.url !== undefined || redis.sentinels !== undefined || redis.cluster !== undefined;
  if (!fileChose) {
    setIfAbsent(redis, 'url', env.REDIS_URL);
    setIfAbsent(redis, 'sentinels', list(env.REDIS_SENTINELS));
    setIfAbsent(redis, 'cluster', list(env.REDIS_CLUSTER_NODES));
  }
  if (redis.sentinels !== undefined) {
    setIfAbsent(redis, 'name', env.REDIS_SENTINEL_NAME);
    setIfAbsent(redis, 'sentinelUsername', env.REDIS_SENTINEL_USERNAME);
    setIfAbsent(redis, 'sentinelPassword', env.REDIS_SENTINEL_PASSWORD);
  }
  setIfAbsent(redis, 'username', env.REDIS_USERNAME);
  setIfAbsent(redis, 'password', env.REDIS_PASSWORD);
  setIfAbsent(redis, 'tls', bool(env.REDIS_TLS));
  setIfAbsent(redis, 'prefix', env.REDIS_PREFIX);
  setIfAbsent(redis, 'connectTimeoutMs', num(env.REDIS_CONNECT_TIMEOUT_MS, 'REDIS_CONNECT_TIMEOUT_MS'));
  setIfAbsent(redis, 'waitReplicas', num(env.REDIS_WAIT_REPLICAS, 'REDIS_WAIT_REPLICAS'));
  setIfAbsent(redis, 'waitTimeoutMs', num(env.REDIS_WAIT_TIMEOUT_MS, 'REDIS_WAIT_TIMEOUT_MS'));
}

/** The `redis` section from the environment alone (REDIS_*); undefined when the environment names no Redis. */
export function redisFromEnv(env: Env): RedisConfig | undefined {
  if ([env.REDIS_URL, env.REDIS_SENTINELS, env.REDIS_CLUSTER_NODES].every((v) => v === undefined || v.trim() === '')) return undefined;
  const raw: Obj = {};
  applyRedisEnv(raw, env);
  const parsed = z.object({ redis: RedisConfig }).safeParse({ redis: raw });
  if (!parsed.success) throw new ConfigError(`environment: ${describe(parsed.error)}`);
  return parsed.data.redis;
}

/** Environment fills in what the file leaves out (secrets above all); the file wins where both set a value. */
function applyEnv(file: Obj, env: Env): Obj {
  applyRedisEnv(obj(file, 'redis'), env);

  const http = obj(file, 'http');
  setIfAbsent(http, 'port', num(env.PORT, 'PORT'));
  setIfAbsent(http, 'webhookSecret', env.WEBHOOK_SECRET);
  setIfAbsent(http, 'dashboardPassword', env.DASHBOARD_PASSWORD);
  setIfAbsent(http, 'publicBaseUrl', env.PUBLIC_BASE_URL);

  const bot = obj(file, 'bot');
  setIfAbsent(bot, 'token', env.TELEGRAM_BOT_TOKEN);
  setIfAbsent(bot, 'apiRoot', env.TELEGRAM_API_ROOT);
  if (env.TELEGRAM_EDITORS !== undefined && env.TELEGRAM_EDITORS !== '' && bot.editors === undefined) {
    const ids = env.TELEGRAM_EDITORS.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = ids.find((s) => !/^-?\d+$/.test(s));
    if (bad !== undefined) throw new ConfigError(`TELEGRAM_EDITORS: "${bad}" is not a Telegram user id`);
    bot.editors = ids.map(Number);
  }
  setIfAbsent(bot, 'alertChat', env.TELEGRAM_ALERT_CHAT);
  setIfAbsent(bot, 'webhookUrl', env.TELEGRAM_WEBHOOK_URL);
  setIfAbsent(bot, 'webhookSecret', env.TELEGRAM_WEBHOOK_SECRET);

  const media = obj(file, 'media');
  setIfAbsent(media, 'dir', env.CRIER_MEDIA_DIR);
  setIfAbsent(media, 'allowPrivateNetwork', bool(env.CRIER_ALLOW_PRIVATE_NETWORK));
  setIfAbsent(bot, 'allowPrivateNetwork', bool(env.CRIER_ALLOW_PRIVATE_NETWORK));

  if (file.targets === undefined) file.targets = PLATFORMS.map((platform) => ({ id: platform, platform }));
  if (!Array.isArray(file.targets)) return file;
  for (const raw of file.targets as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const target = raw as Obj;
    switch (target.platform) {
      case 'telegram':
        setIfAbsent(target, 'botToken', env.TELEGRAM_BOT_TOKEN);
        setIfAbsent(target, 'chat', env.TELEGRAM_CHANNEL);
        setIfAbsent(target, 'apiRoot', env.TELEGRAM_API_ROOT);
        break;
      case 'twitter':
        setIfAbsent(target, 'appKey', env.TWITTER_APP_KEY);
        setIfAbsent(target, 'appSecret', env.TWITTER_APP_SECRET);
        setIfAbsent(target, 'accessToken', env.TWITTER_ACCESS_TOKEN);
        setIfAbsent(target, 'accessSecret', env.TWITTER_ACCESS_SECRET);
        setIfAbsent(target, 'apiRoot', env.TWITTER_API_ROOT);
        break;
      case 'instagram': {
        setIfAbsent(target, 'username', env.INSTAGRAM_USERNAME);
        setIfAbsent(target, 'password', env.INSTAGRAM_PASSWORD);
        setIfAbsent(target, 'apiRoot', env.INSTAGRAM_API_ROOT);
        const graph = obj(target, 'graph');
        setIfAbsent(graph, 'userId', env.INSTAGRAM_GRAPH_USER_ID);
        setIfAbsent(graph, 'accessToken', env.INSTAGRAM_GRAPH_TOKEN);
        setIfAbsent(graph, 'apiRoot', env.INSTAGRAM_GRAPH_API_ROOT);
        break;
      }
    }
  }
  return file;
}

/** What a target still lacks to send, naming the config key and its environment variable; undefined when ready. */
export function missingCredentials(target: TargetConfig): string | undefined {
  const need: Array<[unknown, string, string]> = [];
  switch (target.platform) {
    case 'telegram':
      need.push([target.botToken, 'botToken', 'TELEGRAM_BOT_TOKEN'], [target.chat, 'chat', 'TELEGRAM_CHANNEL']);
      break;
    case 'twitter':
      need.push(
        [target.appKey, 'appKey', 'TWITTER_APP_KEY'],
        [target.appSecret, 'appSecret', 'TWITTER_APP_SECRET'],
        [target.accessToken, 'accessToken', 'TWITTER_ACCESS_TOKEN'],
        [target.accessSecret, 'accessSecret', 'TWITTER_ACCESS_SECRET'],
      );
      break;
    case 'instagram':
      if (target.backend === 'graph')
        need.push(
          [target.graph.userId, 'graph.userId', 'INSTAGRAM_GRAPH_USER_ID'],
          [target.graph.accessToken, 'graph.accessToken', 'INSTAGRAM_GRAPH_TOKEN'],
        );
      else
        need.push([target.username, 'username', 'INSTAGRAM_USERNAME'], [target.password, 'password', 'INSTAGRAM_PASSWORD']);
      break;
  }
  const missing = need.filter(([value]) => value === undefined || value === '').map(([, key, env]) => `${key} (${env})`);
  return missing.length === 0 ? undefined : `target "${target.id}" needs ${missing.join(', ')}`;
}

/** Every secret in a config, for redaction. */
export function secretsOf(config: Config): string[] {
  const out: string[] = [];
  const add = (v: string | undefined) => {
    if (v !== undefined && v.length >= 4) out.push(v);
  };
  add(config.redis.password);
  add(config.redis.sentinelPassword);
  add(config.http.webhookSecret);
  add(config.http.dashboardPassword);
  add(config.bot.token);
  add(config.bot.webhookSecret);
  for (const t of config.targets) {
    if (t.platform === 'telegram') add(t.botToken);
    if (t.platform === 'twitter') [t.appKey, t.appSecret, t.accessToken, t.accessSecret].forEach(add);
    if (t.platform === 'instagram') [t.password, t.graph.accessToken].forEach(add);
  }
  return [...new Set(out)];
}
