import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import twitterText from 'twitter-text';
import { FaultPlan, listen, readBody, sendJson, type RunningServer } from './http.js';
import { FakeMediaStore, invalidRequest, type FakeMedia } from './twitter-media.js';

/**
 * A loopback fake of the X API v2, faithful where crier depends on it:
 * - OAuth 1.0a `Authorization` header required (401 problem body without it);
 * - POST /2/tweets {text, media:{media_ids}, reply:{in_reply_to_tweet_id}} → 201
 *   {data:{id, text, edit_history_tweet_ids}}, text echoed as X does (URLs as t.co links,
 *   & < > escaped); 400 invalid-request for texts twitter-text finds invalid, unknown
 *   reply ids or media ids; 403 for a duplicate text from the same account;
 * - per-account 15-minute and 24-hour post limits, with x-rate-limit-* and
 *   x-user-limit-24hour-* headers on every POST /2/tweets answer and the real 429 body;
 * - media upload initialize/append/finalize and metadata (twitter-media.ts);
 * - GET /2/users/me and GET /2/users/:id/tweets (newest first).
 * `faults` is consulted before anything else; the clock can be moved with setClock.
 */

export interface TwitterFakeOptions {
  port?: number;
  /** Posts per account per 15 minutes (default 100). */
  per15min?: number;
  /** Posts per account per 24 hours (default 10,000). */
  per24h?: number;
  /** User id of the first account seen (default 1500000000000000001). */
  userId?: string;
  /** When set, only this consumer key / access token are accepted. */
  credentials?: { appKey?: string; accessToken?: string };
  now?: () => number;
}

export interface FakeTweet {
  id: string;
  /** The text as posted (NFC). */
  text: string;
  authorId: string;
  mediaIds: string[];
  replyTo?: string;
  createdAt: string;
  /** Set once deleted (DELETE /2/tweets/:id): no longer in the timeline. */
  deletedAt?: string;
}

interface Account {
  userId: string;
  token: string;
  w15: { start: number; count: number };
  w24: { start: number; count: number };
}

const MIN = 60_000;
const WINDOW_15M = 15 * MIN;
const WINDOW_24H = 24 * 60 * MIN;
const TOO_LONG = 'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.';
const REFUSED_CHARS = /[\uFFFE\uFEFF\uFFFF\u202A-\u202E]/u;

function problem(status: number, title: string, detail: string) {
  return { title, type: 'about:blank', status, detail };
}

/** The oauth_* parameters of an OAuth 1.0a Authorization header, or undefined. */
function oauthParams(req: IncomingMessage): Record<string, string> | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('OAuth ')) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) params[m[1] as string] = decodeURIComponent(m[2] as string);
  for (const required of ['oauth_consumer_key', 'oauth_token', 'oauth_signature', 'oauth_nonce', 'oauth_timestamp']) {
    if (!params[required]) return undefined;
  }
  return params;
}

export class TwitterFake {
  readonly faults = new FaultPlan();
  readonly tweets: FakeTweet[] = [];
  /** Every request, in order (method and path). */
  readonly calls: Array<{ method: string; path: string }> = [];
  /** Requests answered 429 by the posting limits. */
  rateLimited = 0;
  url = '';
  port = 0;
  private server: RunningServer | undefined;
  private now: () => number;
  private readonly store: FakeMediaStore;
  private readonly accounts = new Map<string, Account>();
  private nextTweetId = 1_800_000_000_000_000_000n;
  readonly per15min: number;
  readonly per24h: number;

  constructor(private readonly options: TwitterFakeOptions = {}) {
    this.now = options.now ?? Date.now;
    this.store = new FakeMediaStore(() => this.now());
    this.per15min = options.per15min ?? 100;
    this.per24h = options.per24h ?? 10_000;
  }

  /** Uploaded media: {id, bytes, mime, alt?, finalized}. */
  get media(): FakeMedia[] {
    return this.store.media;
  }

  /** The first account's user id. */
  get userId(): string {
    return this.options.userId ?? '1500000000000000001';
  }

  setClock(now: () => number): void {
    this.now = now;
  }

  async start(): Promise<this> {
    this.server = await listen((req, res) => this.handle(req, res), this.options.port ?? 0);
    this.url = this.server.url;
    this.port = this.server.port;
    return this;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  reset(): void {
    this.tweets.length = 0;
    this.calls.length = 0;
    this.store.reset();
    this.accounts.clear();
    this.rateLimited = 0;
    this.faults.clear();
  }

  /** The text X shows for a tweet: URLs wrapped as t.co links, an attached photo's link appended, & < > escaped. */
  displayText(tweet: FakeTweet): string {
    let text = tweet.text;
    for (const url of twitterText.extractUrlsWithIndices(text).reverse()) {
      text = text.slice(0, url.indices[0]) + tcoLink(url.url) + text.slice(url.indices[1]);
    }
    if (tweet.mediaIds.length > 0) text += ` ${tcoLink(`media:${tweet.mediaIds[0] as string}`)}`;
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }

  private account(token: string): Account {
    let account = this.accounts.get(token);
    if (account === undefined) {
      const n = this.accounts.size;
      const userId = n === 0 ? this.userId : /^\d+$/.test(this.userId) ? String(BigInt(this.userId) + BigInt(n)) : `${this.userId}${n}`;
      account = { userId, token, w15: { start: this.now(), count: 0 }, w24: { start: this.now(), count: 0 } };
      this.accounts.set(token, account);
    }
    return account;
  }

  private limitHeaders(a: Account): Record<string, string> {
    return {
      'x-rate-limit-limit': String(this.per15min),
      'x-rate-limit-remaining': String(Math.max(0, this.per15min - a.w15.count)),
      'x-rate-limit-reset': String(Math.ceil((a.w15.start + WINDOW_15M) / 1000)),
      'x-user-limit-24hour-limit': String(this.per24h),
      'x-user-limit-24hour-remaining': String(Math.max(0, this.per24h - a.w24.count)),
      'x-user-limit-24hour-reset': String(Math.ceil((a.w24.start + WINDOW_24H) / 1000)),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    this.calls.push({ method, path: url.pathname });
    if ((await this.faults.intercept(req, res)) !== undefined) return;

    const oauth = oauthParams(req);
    const creds = this.options.credentials;
    if (oauth === undefined || (creds?.appKey !== undefined && oauth.oauth_consumer_key !== creds.appKey) || (creds?.accessToken !== undefined && oauth.oauth_token !== creds.accessToken)) {
      await readBody(req).catch(() => undefined);
      return sendJson(res, 401, problem(401, 'Unauthorized', 'Unauthorized'));
    }
    const account = this.account(oauth.oauth_token as string);
    const body = await readBody(req, 8 * 1024 * 1024);
    const json = (): Record<string, unknown> | undefined => {
      if (body.length === 0) return {};
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    };
    const path = url.pathname;
    let m: RegExpExecArray | null;

    if (method === 'POST' && path === '/2/tweets') return this.postTweet(res, account, json());
    if (method === 'DELETE' && (m = /^\/2\/tweets\/(\d+)$/.exec(path))) return this.deleteTweet(res, account, m[1] as string);
    if (method === 'GET' && path === '/2/users/me') return sendJson(res, 200, { data: { id: account.userId, name: 'Crier Sandbox', username: `crier_sandbox${account.userId === this.userId ? '' : `_${account.userId.slice(-3)}`}` } });
    if (method === 'GET' && (m = /^\/2\/users\/(\d+)\/tweets$/.exec(path))) return this.timeline(res, m[1] as string, url.searchParams);
    if (method === 'POST' && path === '/2/media/upload/initialize') return this.withJson(res, json(), (b) => this.store.initialize(res, b));
    if (method === 'POST' && (m = /^\/2\/media\/upload\/(\d+)\/append$/.exec(path))) return this.store.append(res, m[1] as string, body, String(req.headers['content-type'] ?? ''));
    if (method === 'POST' && (m = /^\/2\/media\/upload\/(\d+)\/finalize$/.exec(path))) return this.store.finalize(res, m[1] as string);
    if (method === 'POST' && path === '/2/media/metadata') return this.withJson(res, json(), (b) => this.store.metadata(res, b));
    sendJson(res, 404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] });
  }

  private withJson(res: ServerResponse, body: Record<string, unknown> | undefined, then: (body: Record<string, unknown>) => void): void {
    if (body === undefined) return invalidRequest(res, 'Request body is not valid JSON.');
    then(body);
  }

  private postTweet(res: ServerResponse, a: Account, body: Record<string, unknown> | undefined): void {
    const now = this.now();
    for (const [w, size] of [[a.w15, WINDOW_15M], [a.w24, WINDOW_24H]] as const) {
      if (now >= w.start + size) {
        w.start = now;
        w.count = 0;
      }
    }
    if (a.w15.count >= this.per15min || a.w24.count >= this.per24h) {
      this.rateLimited++;
      return sendJson(res, 429, problem(429, 'Too Many Requests', 'Too Many Requests'), this.limitHeaders(a));
    }
    a.w15.count++;
    a.w24.count++;
    const headers = this.limitHeaders(a);
    if (body === undefined) return invalidRequest(res, 'Request body is not valid JSON.', undefined, headers);

    const text = typeof body.text === 'string' ? body.text.normalize('NFC') : '';
    const mediaIds = ((body.media as { media_ids?: unknown } | undefined)?.media_ids ?? []) as unknown[];
    const replyTo = (body.reply as { in_reply_to_tweet_id?: unknown } | undefined)?.in_reply_to_tweet_id;
    if (!Array.isArray(mediaIds) || mediaIds.length > 4) return invalidRequest(res, 'media.media_ids must have 1 to 4 items.', { 'media.media_ids': [] }, headers);
    if (text.trim() === '' && mediaIds.length === 0) return invalidRequest(res, 'Tweet text must not be empty unless media is attached.', { text: [text] }, headers);
    if (text !== '') {
      const parsed = twitterText.parseTweet(text);
      if (parsed.weightedLength > 280) return invalidRequest(res, TOO_LONG, { text: [text] }, headers);
      if (!parsed.valid || REFUSED_CHARS.test(text)) return invalidRequest(res, 'Your Tweet text contains invalid characters.', { text: [text] }, headers);
    }
    if (this.tweets.some((t) => t.authorId === a.userId && t.text === text && t.deletedAt === undefined)) {
      return sendJson(res, 403, { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 }, headers);
    }
    if (replyTo !== undefined && !this.tweets.some((t) => t.id === String(replyTo) && t.deletedAt === undefined)) {
      return invalidRequest(res, `The reply.in_reply_to_tweet_id [${String(replyTo)}] does not refer to a Tweet that exists.`, { 'reply.in_reply_to_tweet_id': [String(replyTo)] }, headers);
    }
    const badMedia = mediaIds.map(String).filter((id) => !this.store.usable(id));
    if (badMedia.length > 0) return invalidRequest(res, `Your media IDs are invalid: ${badMedia.join(', ')}.`, { 'media.media_ids': badMedia }, headers);

    const tweet: FakeTweet = { id: String(this.nextTweetId++), text, authorId: a.userId, mediaIds: mediaIds.map(String), createdAt: new Date(now).toISOString() };
    if (replyTo !== undefined) tweet.replyTo = String(replyTo);
    this.tweets.push(tweet);
    sendJson(res, 201, { data: { id: tweet.id, text: this.displayText(tweet), edit_history_tweet_ids: [tweet.id] } }, headers);
  }

  /** `DELETE /2/tweets/:id`: `{data: {deleted: true}}`; an unknown or already deleted tweet `{deleted: false}`; another account's 403. */
  private deleteTweet(res: ServerResponse, a: Account, id: string): void {
    const tweet = this.tweets.find((t) => t.id === id);
    if (tweet !== undefined && tweet.authorId !== a.userId) {
      return sendJson(res, 403, problem(403, 'Forbidden', 'You are not allowed to delete this Tweet.'));
    }
    if (tweet === undefined || tweet.deletedAt !== undefined) return sendJson(res, 200, { data: { deleted: false } });
    tweet.deletedAt = new Date(this.now()).toISOString();
    sendJson(res, 200, { data: { deleted: true } });
  }

  /** Tweets still standing (not deleted). */
  get visible(): FakeTweet[] {
    return this.tweets.filter((t) => t.deletedAt === undefined);
  }

  private timeline(res: ServerResponse, userId: string, query: URLSearchParams): void {
    const max = Number(query.get('max_results') ?? '10');
    if (!Number.isInteger(max) || max < 5 || max > 100) return invalidRequest(res, `The \`max_results\` query parameter value [${String(query.get('max_results'))}] is not between 5 and 100`, { max_results: [String(max)] });
    const startTime = query.get('start_time');
    const since = startTime === null ? undefined : Date.parse(startTime);
    if (since !== undefined && (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(startTime ?? '') || !Number.isFinite(since))) {
      return invalidRequest(res, `Invalid 'start_time':'${startTime}'. 'start_time' must be a valid ISO 8601 UTC timestamp.`, { start_time: [String(startTime)] });
    }
    const mine = this.tweets.filter((t) => t.authorId === userId && t.deletedAt === undefined && (since === undefined || Date.parse(t.createdAt) >= since)).reverse();
    const fields = (query.get('tweet.fields') ?? '').split(',');
    const offset = Number(query.get('pagination_token') ?? '0') || 0;
    const page = mine.slice(offset, offset + max);
    if (page.length === 0) return sendJson(res, 200, { meta: { result_count: 0 } });
    const meta: Record<string, unknown> = { result_count: page.length, newest_id: page[0]?.id, oldest_id: page[page.length - 1]?.id };
    if (offset + max < mine.length) meta.next_token = String(offset + max);
    sendJson(res, 200, { data: page.map((t) => ({ id: t.id, text: this.displayText(t), edit_history_tweet_ids: [t.id], ...(fields.includes('created_at') ? { created_at: t.createdAt } : {}) })), meta });
  }
}

function tcoLink(seed: string): string {
  return `https://t.co/${createHash('sha256').update(seed).digest('base64url').replace(/[-_]/g, 'x').slice(0, 10)}`;
}

/** Start the X fake on 127.0.0.1 (port 0 = any free port). */
export async function startTwitterFake(options: TwitterFakeOptions = {}): Promise<TwitterFake> {
  return new TwitterFake(options).start();
}
