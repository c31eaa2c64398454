import type { RedisClient } from '../../queues/connection.js';

/**
 * Where an Instagram private-API session lives between requests and across worker
 * restarts: `${keyPrefix}:ig:session:${targetId}` holds {username, state} with `state`
 * being `ig.state.serialize()` minus `constants` (the app constants come from the
 * installed SDK, not from an old snapshot). The value holds session cookies and the
 * authorization token: treat it as a secret and never log it.
 *
 * A session belongs to the server that issued it (`server`, the API root): one stored
 * for another server (a sandbox fake from an earlier run, a proxy) is not restored.
 */

export interface StoredSession {
  username: string;
  savedAt: string;
  /** The API root that issued the session. */
  server?: string;
  state: Record<string, unknown>;
}

export interface SessionStore {
  load(): Promise<StoredSession | undefined>;
  save(username: string, state: Record<string, unknown>): Promise<void>;
  clear(): Promise<void>;
}

export function sessionKey(keyPrefix: string, targetId: string): string {
  return `${keyPrefix}:ig:session:${targetId}`;
}

/** Drop `constants` from a serialized ig.state. */
export function withoutConstants(state: Record<string, unknown>): Record<string, unknown> {
  const { constants: _constants, ...rest } = state;
  return rest;
}

export function redisSessionStore(redis: RedisClient, keyPrefix: string, targetId: string, server: string): SessionStore {
  const key = sessionKey(keyPrefix, targetId);
  return {
    async load() {
      const raw = await redis.get(key);
      if (raw === null) return undefined;
      try {
        const parsed = JSON.parse(raw) as Partial<StoredSession>;
        if (typeof parsed.username !== 'string' || typeof parsed.state !== 'object' || parsed.state === null) return undefined;
        if (parsed.server !== undefined && parsed.server !== server) return undefined;
        return parsed as StoredSession;
      } catch {
        return undefined;
      }
    },
    async save(username, state) {
      const value: StoredSession = { username, savedAt: new Date().toISOString(), server, state: withoutConstants(state) };
      await redis.set(key, JSON.stringify(value));
    },
    async clear() {
      await redis.del(key);
    },
  };
}

/** A session store for processes without Redis (the session lasts as long as the process). */
export function memorySessionStore(): SessionStore {
  let value: StoredSession | undefined;
  return {
    load: async () => value,
    save: async (username, state) => {
      value = { username, savedAt: new Date().toISOString(), state: withoutConstants(state) };
    },
    clear: async () => {
      value = undefined;
    },
  };
}
