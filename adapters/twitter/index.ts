import type { Agent } from 'node:http';
import type { TargetOf } from '../../config/schema.js';
import type { Adapter, AdapterDeps, TwitterPost } from '../types.js';
import { createAgent, findPost, sendPost, type TwitterClientDeps } from './client.js';
import { formatTwitter } from './format.js';
import { deleteThread, postCorrection, replacePost } from './follow-up.js';
import { TwitterLimits } from './limits.js';

export { formatTwitter } from './format.js';

export interface TwitterAdapterOptions {
  /** Clock for rate-limit windows and reset waits (tests move it); default Date.now. */
  now?: () => number;
  /** HTTP(S) agent for the X API; default one keep-alive agent per adapter. */
  agent?: Agent;
}

/**
 * The X adapter: `format` is pure and needs no credentials (preview); `send` posts the
 * tweet or thread through twitter-api-v2 against target.apiRoot, with the account's caps
 * tracked in Redis (deps.redis) or in memory; `reconcile` looks the post up on the account.
 */
export function createTwitterAdapter(target: TargetOf<'twitter'>, deps: AdapterDeps, options: TwitterAdapterOptions = {}): Adapter<TwitterPost> {
  const now = options.now ?? Date.now;
  const limits = new TwitterLimits({
    targetId: target.id,
    caps: target.caps,
    now,
    ...(deps.redis ? { redis: deps.redis } : {}),
    ...(deps.keyPrefix !== undefined ? { keyPrefix: deps.keyPrefix } : {}),
  });
  let agent = options.agent;
  const clientDeps = (): TwitterClientDeps => {
    agent ??= createAgent(target.apiRoot);
    return { target, logger: deps.logger, limits, agent, now, allowPrivateNetwork: deps.allowPrivateNetwork ?? false };
  };
  return {
    platform: 'twitter',
    target,
    format: (article) => formatTwitter(article, target),
    send: (post, ctx) => sendPost(post, ctx, clientDeps()),
    reconcile: (post, ctx) => findPost(post, ctx, clientDeps()),
    update: (article, current, ctx) =>
      target.onUpdate === 'reply' ? postCorrection(article, current, ctx, clientDeps()) : target.onUpdate === 'replace' ? replacePost(article, current, ctx, clientDeps()) : Promise.resolve({ action: 'ignored', note: 'onUpdate: ignore' }),
    retract: (current, ctx) => deleteThread(current, ctx, clientDeps()),
    async close() {
      if (options.agent === undefined) agent?.destroy();
      agent = undefined;
    },
  };
}
