import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../queues/connection.js';
import type { Article } from '../article/schema.js';

/**
 * What an inline button stands for. Telegram allows 64 bytes of callback data, far too
 * little for an article, so a button carries `<verb>:<key>` and the action lives in
 * Redis under that short random key, with a TTL. Shared by every bot process.
 */
export type BotAction =
  | {
      kind: 'pending';
      article: Article;
      /** The preview message as sent, so it can be re-shown with a footer. */
      previewHtml: string;
      /** Set once Publish (or Schedule, or Send now) went through. */
      publishedBy?: string;
      cancelledBy?: string;
      /** `/post … at <time>`: when the first posts are due (epoch ms); follows +1 h. */
      at?: number;
      /** `/post … !`: published as breaking news. */
      breaking?: boolean;
      /** The article id the publish returned (the schedule buttons act on it). */
      articleId?: string;
      /** Set once Schedule went through: the post waits for `at`. */
      scheduledBy?: string;
      /** Set when a scheduled post was sent now or unscheduled: its buttons are spent. */
      settled?: string;
    }
  | {
      kind: 'alert';
      articleId: string;
      target: string;
      alertHtml: string;
      settledBy?: string;
    }
  | {
      kind: 'retract';
      articleId: string;
      reason: string;
      /** The article's revision when the question was asked: a question about an earlier one acts on nothing. */
      rev?: number;
      /** The question as sent, so it can be re-shown with the outcome. */
      askHtml: string;
      settledBy?: string;
    };

/**
 * Button verbs: p = publish (or schedule), f = publish a retracted article anyway, x = cancel,
 * r = retry (send again), s = skip, k = the post is there (confirmed by an editor), d = retract
 * (confirmed), n = keep it (retraction called off), g = send now (a scheduled post, or a
 * preview's), l = later (a scheduled post one hour later), u = unschedule.
 */
export type ButtonVerb = 'p' | 'f' | 'x' | 'r' | 's' | 'k' | 'd' | 'n' | 'g' | 'l' | 'u';

/** The verbs, as a regex character class body (callback data and the button route). */
export const BUTTON_VERBS = 'pfxrskdnglu';

export const PENDING_TTL_SECONDS = 24 * 3600;
export const ALERT_TTL_SECONDS = 30 * 24 * 3600;

export function callbackData(verb: ButtonVerb, key: string): string {
  return `${verb}:${key}`;
}

/** `p:Ab3…` → {verb, key}; undefined for anything else. */
export function parseCallbackData(data: string): { verb: ButtonVerb; key: string } | undefined {
  const m = new RegExp(`^([${BUTTON_VERBS}]):([A-Za-z0-9_-]{8,32})$`).exec(data);
  return m ? { verb: m[1] as ButtonVerb, key: m[2] as string } : undefined;
}

export class ActionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}:bot:action:${key}`;
  }

  /** Store an action; returns its short key (12 characters). */
  async put(action: BotAction, ttlSeconds: number): Promise<string> {
    const key = randomBytes(9).toString('base64url');
    await this.redis.set(this.key(key), JSON.stringify(action), 'EX', ttlSeconds);
    return key;
  }

  async get(key: string): Promise<BotAction | undefined> {
    const raw = await this.redis.get(this.key(key));
    return raw === null ? undefined : (JSON.parse(raw) as BotAction);
  }

  /** Replace an action, keeping its TTL; false when it expired meanwhile. */
  async update(key: string, action: BotAction): Promise<boolean> {
    const ok = await this.redis.set(this.key(key), JSON.stringify(action), 'KEEPTTL', 'XX');
    return ok === 'OK';
  }

  /**
   * Run `fn` for this key alone: a second press of the same button while the first is
   * still being handled waits for nothing and gets false.
   */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const lock = `${this.key(key)}:lock`;
    const got = await this.redis.set(lock, '1', 'PX', 60_000, 'NX');
    if (got !== 'OK') return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await this.redis.del(lock);
    }
  }
}
