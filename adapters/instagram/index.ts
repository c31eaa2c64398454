import { readFile } from 'node:fs/promises';
import type { TargetOf } from '../../config/schema.js';
import { instagramImageProblem } from '../../src/media/jpeg-info.js';
import { PermanentError } from '../errors.js';
import type { Adapter, AdapterDeps, InstagramPost, SendContext, SendResult } from '../types.js';
import { InstagramGraphClient } from './client-graph.js';
import { InstagramPrivateClient } from './client-private.js';
import { CAPTION_LIMIT, captionLength, formatInstagram } from './format.js';
import { isPrepared, prepareInstagramPost } from './media.js';
import { memoryPacing, redisPacing, type Pacing } from './pacing.js';
import { memorySessionStore, redisSessionStore } from './session-store.js';

/**
 * The Instagram adapter: `format` (pure caption), `prepare` (media pipeline or title
 * card → a validated JPEG on disk), `send` through the configured backend — `private`
 * (instagram-private-api, with a persisted session and account pacing) or `graph`
 * (official content publishing API). Credentials are needed only by `send`.
 */

export { formatInstagram } from './format.js';

export function createInstagramAdapter(target: TargetOf<'instagram'>, deps: AdapterDeps): Adapter<InstagramPost> {
  const keyPrefix = deps.keyPrefix ?? 'crier';
  let privateClient: InstagramPrivateClient | undefined;
  let graphClient: InstagramGraphClient | undefined;
  let pacing: Pacing | undefined;

  const privateBackend = (): { client: InstagramPrivateClient; pacing: Pacing } => {
    privateClient ??= new InstagramPrivateClient({
      target,
      logger: deps.logger,
      sessions: deps.redis === undefined ? memorySessionStore() : redisSessionStore(deps.redis, keyPrefix, target.id),
    });
    const options = { dailyCap: target.dailyCap, jitterMs: target.jitterMs };
    pacing ??= deps.redis === undefined ? memoryPacing(options) : redisPacing(deps.redis, keyPrefix, target.id, options);
    return { client: privateClient, pacing };
  };

  /** The prepared JPEG, checked against Instagram's rules before anything is uploaded. */
  const readValidated = async (post: InstagramPost, signal: AbortSignal): Promise<{ post: InstagramPost; jpeg: Buffer }> => {
    const ready = (await isPrepared(post)) ? post : await prepareInstagramPost(post, target, deps, signal);
    const path = ready.image.path as string;
    const jpeg = await readFile(path);
    const problem = instagramImageProblem(jpeg);
    if (problem !== undefined) throw new PermanentError(`instagram: prepared image refused before upload: ${problem}`, { platform: 'instagram', code: 'image' });
    if (captionLength(ready.caption) > CAPTION_LIMIT) {
      throw new PermanentError(`instagram: caption is ${captionLength(ready.caption)} characters, limit is ${CAPTION_LIMIT}`, { platform: 'instagram', code: 'caption' });
    }
    return { post: ready, jpeg };
  };

  const send = async (post: InstagramPost, ctx: SendContext): Promise<SendResult> => {
    const { post: ready, jpeg } = await readValidated(post, ctx.signal);
    if (target.backend === 'graph') {
      graphClient ??= new InstagramGraphClient({ target, logger: deps.logger, publicMediaUrl: deps.publicMediaUrl });
      const photo = { path: ready.image.path as string, caption: ready.caption, ...(ready.alt === undefined ? {} : { alt: ready.alt }) };
      return graphClient.publish(photo, ctx);
    }
    const backend = privateBackend();
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
    format: (article) => formatInstagram(article, target),
    prepare: (post, ctx) => prepareInstagramPost(post, target, deps, ctx.signal),
    send,
    async close() {
      await privateClient?.close();
    },
  };
}
