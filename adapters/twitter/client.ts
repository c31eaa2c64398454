import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { TwitterApi, type ITwitterApiClientPlugin, type SendTweetV2Params, type TwitterRateLimit } from 'twitter-api-v2';
import type { Logger } from 'pino';
import type { TwitterTarget } from '../../config/targets/twitter.js';
import { readCachedFile } from '../../src/media/cache.js';
import { PermanentError, RateLimitedError, TransientError, withoutSendDoubt } from '../errors.js';
import type { ReconcileContext, SendContext, SendResult, TweetMedia, TwitterPost } from '../types.js';
import { isDuplicateContent, mapTwitterError } from './map-error.js';
import type { TwitterLimits } from './limits.js';
import { ImageSkipped, loadTweetImage, setAltText, toTweetImage, uploadTweetImage, type TweetImage } from './media.js';
import { decodeEntities } from '../../src/text/entities.js';
import { hasUrl } from './text.js';
import twitterText from 'twitter-text';

/**
 * Talking to X through twitter-api-v2. The SDK has no base-URL option: a client plugin
 * rewrites every request's protocol/host/port (and path prefix) to `target.apiRoot`
 * (default https://api.x.com; TWITTER_API_ROOT points it at the sandbox fake), sends it
 * through one keep-alive agent, with the target's timeout and the job's AbortSignal.
 */

export interface TwitterClientDeps {
  target: TwitterTarget;
  logger: Logger;
  limits: TwitterLimits;
  agent: HttpAgent;
  now: () => number;
  allowPrivateNetwork: boolean;
}

/** What the last POST /2/tweets said about the rate-limit windows. */
interface Seen {
  rateLimit?: TwitterRateLimit;
}

export function createAgent(apiRoot: string): HttpAgent {
  return new URL(apiRoot).protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
}

function seamPlugin(deps: TwitterClientDeps, signal: AbortSignal | undefined, seen: Seen): ITwitterApiClientPlugin {
  const root = new URL(deps.target.apiRoot);
  const base = root.pathname.replace(/\/+$/, '');
  const isPost = (method: string, rawUrl: string) => method === 'POST' && new URL(rawUrl).pathname === '/2/tweets';
  return {
    onBeforeRequest({ computedParams, requestOptions }) {
      const url = computedParams.url;
      url.protocol = root.protocol;
      url.hostname = root.hostname;
      url.port = root.port;
      if (base !== '') url.pathname = base + url.pathname;
      requestOptions.agent = deps.agent;
      requestOptions.timeout = deps.target.timeoutMs;
      if (signal !== undefined) requestOptions.signal = signal;
    },
    onAfterRequest({ computedParams, response }) {
      if (isPost(computedParams.method, computedParams.rawUrl) && response.rateLimit) seen.rateLimit = response.rateLimit;
    },
    onResponseError({ computedParams, error }) {
      if (isPost(computedParams.method, computedParams.rawUrl) && error.rateLimit) seen.rateLimit = error.rateLimit;
    },
  };
}

function credentials(target: TwitterTarget) {
  const { appKey, appSecret, accessToken, accessSecret } = target;
  if (appKey === undefined || appSecret === undefined || accessToken === undefined || accessSecret === undefined) {
    const missing = Object.entries({ appKey, appSecret, accessToken, accessSecret }).filter(([, v]) => v === undefined).map(([k]) => k);
    throw new PermanentError(`X credentials missing for target "${target.id}": ${missing.join(', ')}`, { platform: 'twitter', code: 'config' });
  }
  return { appKey, appSecret, accessToken, accessSecret };
}

export function createClient(deps: TwitterClientDeps, signal: AbortSignal | undefined, seen: Seen = {}): TwitterApi {
  return new TwitterApi(credentials(deps.target), { plugins: [seamPlugin(deps, signal, seen)] });
}

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new TransientError('X delivery aborted before it finished', { platform: 'twitter', cause: signal.reason });
}

export function tweetUrl(id: string): string {
  return `https://x.com/i/web/status/${id}`;
}

/** Estimated price of the post in USD: X charges more for a post that contains a URL. */
export function estimateCost(post: TwitterPost, pricing: TwitterTarget['pricing']): number {
  // Summed in millionths of a dollar so 0.015 + 0.2 stays 0.215.
  const micro = post.tweets.reduce((sum, t) => sum + Math.round((hasUrl(t.text) ? pricing.postWithUrl : pricing.post) * 1e6), 0);
  return micro / 1e6;
}

/** Tweet text as X may return it (URLs wrapped in t.co, media links appended, &amp;) → comparable form. */
export function comparableText(text: string): string {
  const decoded = decodeEntities(text).normalize('NFC');
  let out = decoded;
  for (const url of twitterText.extractUrlsWithIndices(decoded).reverse()) {
    out = out.slice(0, url.indices[0]) + ' ' + out.slice(url.indices[1]);
  }
  return out.replace(/\s+/gu, ' ').trim();
}

/** Pages of 100 tweets a lookup reads at most: an account that posted more since then cannot be looked through. */
const LOOKUP_PAGES = 10;

/**
 * The ids of the account's recent tweets whose text matches each wanted text (undefined
 * when absent): with `since`, every tweet posted from then on (X's `start_time`, all
 * pages, up to LOOKUP_PAGES — past that, crier cannot tell and says so); without, the last 100.
 */
export async function findRecent(client: TwitterApi, texts: readonly string[], since?: Date): Promise<Array<string | undefined>> {
  const me = await client.v2.me();
  const start_time = since?.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const timeline = await client.v2.userTimeline(me.data.id, { max_results: 100, ...(start_time !== undefined ? { start_time } : {}) });
  for (let pages = 1; since !== undefined && !timeline.done; pages++) {
    if (pages >= LOOKUP_PAGES) {
      throw new PermanentError(`cannot tell: the account posted more than ${LOOKUP_PAGES * 100} tweets since ${start_time ?? ''}`, { platform: 'twitter', code: 'lookup_window' });
    }
    await timeline.fetchNext();
  }
  const recent = timeline.tweets.map((t) => ({ id: t.id, text: comparableText(t.text) }));
  return texts.map((text) => {
    const wanted = comparableText(text);
    return recent.find((t) => t.text === wanted)?.id;
  });
}

async function loadMedia(item: TweetMedia, signal: AbortSignal, deps: TwitterClientDeps): Promise<TweetImage> {
  if (item.url !== undefined) {
    return loadTweetImage(item.url, { timeoutMs: deps.target.timeoutMs, allowPrivateNetwork: deps.allowPrivateNetwork, signal });
  }
  if (item.path === undefined) throw new ImageSkipped('the media item has neither a URL nor a file');
  try {
    return await toTweetImage(await readCachedFile(item.path));
  } catch (error) {
    throw new ImageSkipped(`cannot use ${item.path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Download, convert, upload and describe the first tweet's images; skipped ones become notes. */
async function uploadMedia(client: TwitterApi, post: TwitterPost, ctx: SendContext, deps: TwitterClientDeps, notes: string[]): Promise<string[]> {
  const ids: string[] = [];
  const media = (post.tweets[0]?.media ?? []).slice(0, 4);
  for (const [j, item] of media.entries()) {
    let id = ctx.progress[`media:${j}`];
    if (id === undefined) {
      let image;
      try {
        image = await loadMedia(item, ctx.signal, deps);
      } catch (error) {
        if (!(error instanceof ImageSkipped)) throw error;
        checkSignal(ctx.signal);
        deps.logger.warn({ target: deps.target.id, image: item.url ?? item.path, reason: error.message }, 'X: posting without the image');
        notes.push(`image skipped: ${error.message}`);
        continue;
      }
      checkSignal(ctx.signal);
      id = await uploadTweetImage(client, image);
      await ctx.saveProgress(`media:${j}`, id);
    }
    if (item.alt !== undefined && ctx.progress[`media:${j}:alt`] === undefined) {
      checkSignal(ctx.signal);
      await setAltText(client, id, item.alt);
      await ctx.saveProgress(`media:${j}:alt`, '1');
    }
    ids.push(id);
  }
  return ids;
}

/**
 * Post the tweet, or the thread reply by reply. Each posted tweet's id is saved as
 * progress `tweet:<i>` before the next one, so a retry resumes after the last posted
 * tweet and never posts one twice; the image's media id is saved as `media:0`.
 */
export async function sendPost(post: TwitterPost, ctx: SendContext, deps: TwitterClientDeps): Promise<SendResult> {
  if (post.tweets.length === 0) throw new PermanentError('nothing to post: the post has no tweets', { platform: 'twitter' });
  const seen: Seen = {};
  const client = createClient(deps, ctx.signal, seen);
  const notes: string[] = [];
  const ids: string[] = [];
  /** Only POST /2/tweets publishes: a lost answer anywhere else leaves nothing to find. */
  let posting = false;
  try {
    checkSignal(ctx.signal);
    const mediaIds = ctx.progress['tweet:0'] === undefined ? await uploadMedia(client, post, ctx, deps, notes) : [];
    for (const [i, tweet] of post.tweets.entries()) {
      const done = ctx.progress[`tweet:${i}`];
      if (done !== undefined) {
        ids.push(done);
        continue;
      }
      checkSignal(ctx.signal);
      await deps.limits.acquire();
      const payload: SendTweetV2Params = { text: tweet.text };
      if (i === 0 && mediaIds.length > 0) payload.media = { media_ids: mediaIds.slice(0, 4) as [string] };
      const replyTo = ids[i - 1];
      if (replyTo !== undefined) payload.reply = { in_reply_to_tweet_id: replyTo };
      let id: string;
      delete seen.rateLimit;
      try {
        posting = true;
        id = (await client.v2.tweet(payload)).data.id;
        posting = false;
      } catch (error) {
        posting = posting && !isDuplicateContent(error);
        await deps.limits.observe(seen.rateLimit);
        if (!isDuplicateContent(error)) throw error;
        // Posted by an attempt that died before recording it? In a thread, find it and go on.
        const [found] = i > 0 || post.tweets.length > 1 ? await findRecent(client, [tweet.text]) : [undefined];
        if (found === undefined) {
          if (i > 0) throw error;
          deps.logger.info({ target: deps.target.id }, 'X: duplicate content, the post is already there');
          return { remoteId: '', status: 'duplicate', notes: [...notes, 'X refused duplicate content: this text is already posted'] };
        }
        id = found;
      }
      await deps.limits.observe(seen.rateLimit);
      await ctx.saveProgress(`tweet:${i}`, id);
      ids.push(id);
    }
  } catch (error) {
    const mapped = posting ? mapTwitterError(error, deps.now()) : withoutSendDoubt(mapTwitterError(error, deps.now()));
    // Tell every worker of this account, so none of them hits the 429 again.
    if (mapped instanceof RateLimitedError && mapped.code === 429) await deps.limits.block(deps.now() + mapped.retryAfterMs);
    throw mapped;
  }
  const first = ids[0] as string;
  deps.logger.debug({ target: deps.target.id, remoteId: first, tweets: ids.length }, 'X: posted');
  const result: SendResult = { remoteId: first, url: tweetUrl(first), status: 'delivered', costUsd: estimateCost(post, deps.target.pricing) };
  if (notes.length > 0) result.notes = notes;
  return result;
}

/**
 * After a send in doubt: look for the post among the account's tweets since `ctx.since`. A result when every tweet of it is there; undefined when some is not
 * (a resend resumes from the recorded progress); throws when X cannot be asked.
 */
export async function findPost(post: TwitterPost, ctx: ReconcileContext, deps: TwitterClientDeps): Promise<SendResult | undefined> {
  const client = createClient(deps, ctx.signal, {});
  let found: Array<string | undefined>;
  try {
    found = await findRecent(client, post.tweets.map((t) => t.text), ctx.since);
  } catch (error) {
    throw mapTwitterError(error, deps.now());
  }
  if (found.length === 0 || found.some((id) => id === undefined)) return undefined;
  const first = found[0] as string;
  return { remoteId: first, url: tweetUrl(first), status: 'delivered', costUsd: estimateCost(post, deps.target.pricing) };
}
