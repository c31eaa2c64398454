import { ApiResponseError } from 'twitter-api-v2';
import type { Article } from '../../src/article/schema.js';
import type { OpContext, OpResult, RemotePost, SendContext } from '../types.js';
import { createClient, findRecent, sendPost, tweetUrl, type TwitterClientDeps } from './client.js';
import { formatCorrection, formatTwitter } from './format.js';
import { mapTwitterError } from './map-error.js';

/**
 * Updates and retractions on X, which has no edit:
 * - `onUpdate: reply` posts "Correction: <new title> <link>" as a reply to the post's last
 *   tweet; `replace` deletes the thread and posts the new revision (it loses engagement).
 * - a retraction deletes every tweet of the thread, last first.
 * Deletes are idempotent (a tweet already gone answers `deleted: false`, which is fine);
 * each deleted tweet is recorded as progress, so a retry after a crash goes on where it
 * stopped. A reply or a repost in doubt (an earlier attempt lost its answer) is looked up
 * among the account's tweets since the job was created before it is posted again.
 */

/** The post's tweets in thread order (the ids recorded as `tweet:<i>` progress, else the first). */
export function threadIds(current: RemotePost, progress: Readonly<Record<string, string>>): string[] {
  const ids = Object.entries(progress)
    .filter(([key, id]) => /^tweet:\d+$/.test(key) && id !== '')
    .sort(([a], [b]) => Number(a.slice(6)) - Number(b.slice(6)))
    .map(([, id]) => id);
  return ids.length > 0 ? ids : [current.remoteId];
}

export async function deleteThread(current: RemotePost, ctx: OpContext, deps: TwitterClientDeps): Promise<OpResult> {
  const client = createClient(deps, ctx.signal);
  let deleted = 0;
  let gone = 0;
  for (const id of threadIds(current, ctx.progress).reverse()) {
    if (ctx.progress[`deleted:${id}`] !== undefined) continue;
    try {
      const answer = await client.v2.deleteTweet(id);
      if (answer.data.deleted) deleted++;
      else gone++;
    } catch (error) {
      if (!(error instanceof ApiResponseError && error.code === 404)) throw mapTwitterError(error, deps.now());
      gone++;
    }
    await ctx.saveProgress(`deleted:${id}`, '1');
  }
  return deleted > 0 || gone === 0 ? { action: 'deleted' } : { action: 'gone' };
}

export async function postCorrection(article: Article, current: RemotePost, ctx: OpContext, deps: TwitterClientDeps): Promise<OpResult> {
  const key = `reply:${ctx.rev}`;
  if (ctx.progress[key] !== undefined) return { action: 'replied', note: `correction tweet ${ctx.progress[key]}` };
  const text = formatCorrection(article, deps.target);
  const client = createClient(deps, ctx.signal);
  try {
    if (ctx.inDoubt) {
      const [found] = await findRecent(client, [text], ctx.since);
      if (found !== undefined) {
        await ctx.saveProgress(key, found);
        return { action: 'replied', note: `correction tweet ${found} (found after a lost answer)` };
      }
    }
    await deps.limits.acquire();
    const replyTo = threadIds(current, ctx.progress).at(-1) as string;
    const id = (await client.v2.tweet({ text, reply: { in_reply_to_tweet_id: replyTo } })).data.id;
    await ctx.saveProgress(key, id);
    return { action: 'replied', note: `correction tweet ${id}` };
  } catch (error) {
    throw mapTwitterError(error, deps.now());
  }
}

/** Delete the old thread, then post the new revision as a fresh one (its steps under their own progress names). */
export async function replacePost(article: Article, current: RemotePost, ctx: OpContext, deps: TwitterClientDeps): Promise<OpResult> {
  await deleteThread(current, ctx, deps);
  const prefix = `r${ctx.rev}:`;
  const progress: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.progress)) if (key.startsWith(prefix)) progress[key.slice(prefix.length)] = value;
  const post = formatTwitter(article, deps.target);
  if (ctx.inDoubt && progress['tweet:0'] === undefined) {
    // An earlier attempt may have posted the new thread's first tweet: its steps after that are recorded.
    const [found] = await findRecent(createClient(deps, ctx.signal), [post.tweets[0]?.text ?? ''], ctx.since).catch((error: unknown) => {
      throw mapTwitterError(error, deps.now());
    });
    if (found !== undefined) {
      progress['tweet:0'] = found;
      await ctx.saveProgress(`${prefix}tweet:0`, found);
    }
  }
  const send: SendContext = { signal: ctx.signal, progress, saveProgress: (key, value) => ((progress[key] = value), ctx.saveProgress(`${prefix}${key}`, value)) };
  const result = await sendPost(post, send, deps);
  const thread = Object.fromEntries(Object.entries(progress).filter(([key]) => key.startsWith('tweet:')));
  return { action: 'replaced', replacement: { ...result, url: result.url ?? tweetUrl(result.remoteId), progress: thread }, note: `reposted as ${result.remoteId}` };
}
