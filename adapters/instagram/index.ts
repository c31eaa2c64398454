import type { RedisClient } from '../../queues/connection.js';
import type { TargetOf } from '../../config/schema.js';
import { readCachedFile } from '../../src/media/cache.js';
import { instagramImageProblem } from '../../src/media/jpeg-info.js';
import { PermanentError } from '../errors.js';
import type { Adapter, AdapterDeps, InstagramPost, ReconcileContext, SendContext, SendResult } from '../types.js';
import type { InstagramGraphClient } from './client-graph.js';
import type { InstagramPrivateClient } from './client-private.js';
import { CAPTION_LIMIT, captionLength, formatInstagram } from './format.js';
import { memoryPacing, redisPacing, type Pacing } from './pacing.js';
import { memorySessionStore, redisSessionStore } from './session-store.js';

/**
 * The Instagram adapter: `format` (pure caption), `prepare` (media pipeline or title
 * card → a validated JPEG on disk), `send` through the configured backend — `private`
 * (instagram-private-api, with a persisted session and account pacing) or `graph`
 * (official content publishing API). Credentials are needed only by `send` (and by
 * `reconcile`, which looks a post up in the account's recent posts after a crash).
 */

export { formatInstagram } from './format.js';

/** The next upload id for an account, shared by every worker: now in ms, or one past the last. */
const NEXT_UPLOAD_ID = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local id = math.max(tonumber(ARGV[1]), last + 1)
redis.call('SET', KEYS[1], string.format('%d', id), 'PX', 600000)
return string.format('%d', id)`;

async function redisUploadId(redis: RedisClient, key: string): Promise<string> {
  return String(await redis.eval(NEXT_UPLOAD_ID, 1, key, String(Date.now())));
}

export function createInstagramAdapter(target: TargetOf<'instagram'>, deps: AdapterDeps): Adapter<InstagramPost> {
  const keyPrefix = deps.keyPrefix ?? 'crier';
  let privateClient: InstagramPrivateClient | undefined;
  let graphClient: InstagramGraphClient | undefined;
  let pacing: Pacing | undefined;

  // The SDK and the media pipeline (sharp, Pango text, fonts) load on first use: a worker
  // whose Instagram target never posts does not carry them.
  const media = () => import('./media.js');
  const privateBackend = async (): Promise<{ client: InstagramPrivateClient; pacing: Pacing }> => {
    const redis = deps.redis;
    const { InstagramPrivateClient } = await import('./client-private.js');
    privateClient ??= new InstagramPrivateClient({
      target,
      logger: deps.logger,
      sessions: redis === undefined ? memorySessionStore() : redisSessionStore(redis, keyPrefix, target.id, target.apiRoot),
      ...(redis === undefined ? {} : { uploadId: () => redisUploadId(redis, `${keyPrefix}:ig:upload-id:${target.id}`) }),
    });
    const options = { dailyCap: target.dailyCap, jitterMs: target.jitterMs };
    pacing ??= deps.redis === undefined ? memoryPacing(options) : redisPacing(deps.redis, keyPrefix, target.id, options);
    return { client: privateClient, pacing };
  };

  /** The prepared JPEG, checked against Instagram's rules before anything is uploaded. */
  const readValidated = async (post: InstagramPost, signal: AbortSignal): Promise<{ post: InstagramPost; jpeg: Buffer }> => {
    const { isPrepared, prepareInstagramPost } = await media();
    const ready = (await isPrepared(post)) ? post : await prepareInstagramPost(post, target, deps, signal);
    const path = ready.image.path as string;
    const jpeg = await readCachedFile(path);
    const problem = instagramImageProblem(jpeg);
    if (problem !== undefined) throw new PermanentError(`instagram: prepared image refused before upload: ${problem}`, { platform: 'instagram', code: 'image' });
    if (captionLength(ready.caption) > CAPTION_LIMIT) {
      throw new PermanentError(`instagram: caption is ${captionLength(ready.caption)} characters, limit is ${CAPTION_LIMIT}`, { platform: 'instagram', code: 'caption' });
    }
    return { post: ready, jpeg };
  };

  const graphBackend = async (): Promise<InstagramGraphClient> => {
    const { InstagramGraphClient } = await import('./client-graph.js');
    graphClient ??= new InstagramGraphClient({ target, logger: deps.logger, publicMediaUrl: deps.publicMediaUrl });
    return graphClient;
  };

  const send = async (post: InstagramPost, ctx: SendContext): Promise<SendResult> => {
    const { post: ready, jpeg } = await readValidated(post, ctx.signal);
    if (target.backend === 'graph') {
      const graphClient = await graphBackend();
      const photo = { path: ready.image.path as string, caption: ready.caption, ...(ready.alt === undefined ? {} : { alt: ready.alt }) };
      return graphClient.publish(photo, ctx);
    }
    const backend = await privateBackend();
    const release = await backend.pacing.reserve();
    try {
      const result = await backend.client.publishPhoto(jpeg, ready.caption, ctx.signal);
      await backend.pacing.posted();
      return result;
    } catch (error) {
      // Give the slot back: nothing is known to be posted (after a network error mid-configure the post may exist; the cap then undercounts by one).
      await release().catch(() => undefined);
      throw error;
    }
  };

  return {
    platform: 'instagram',
    target,
    ...(target.username !== undefined && target.backend === 'private' ? { lookUrl: `https://www.instagram.com/${target.username}/` } : {}),
    format: (article) => formatInstagram(article, target),
    prepare: async (post, ctx) => (await media()).prepareInstagramPost(post, target, deps, ctx.signal),
    send,
    // Both backends can list the account's own recent posts: a send in doubt is looked up there.
    reconcile: async (post: InstagramPost, ctx: ReconcileContext) =>
      target.backend === 'graph' ? (await graphBackend()).findPost(post.caption, ctx.signal, ctx.since) : (await privateBackend()).client.findPost(post.caption, ctx.signal, ctx.since),
    async update(article, current, ctx) {
      if (target.backend === 'graph') return { action: 'not_supported', note: 'the Instagram Graph API cannot edit a published caption' };
      const { client } = await privateBackend();
      const caption = formatInstagram(article, target).caption;
      const edited = await client.editCaption(current.remote.mediaId ?? current.remoteId, caption, ctx.signal);
      return edited ? { action: 'edited' } : { action: 'gone', note: 'the post is no longer on the account' };
    },
    async retract(current, ctx) {
      if (target.backend === 'graph') return { action: 'not_supported', note: 'the Instagram Graph API cannot delete a post' };
      const { client } = await privateBackend();
      return (await client.deletePost(current.remote.mediaId ?? current.remoteId, ctx.signal)) ? { action: 'deleted' } : { action: 'gone' };
    },
    async close() {
      await privateClient?.close();
    },
  };
}
