import type { TargetOf } from '../../config/schema.js';
import type { Adapter, AdapterDeps, TelegramPost } from '../types.js';
import { TelegramClient } from './client.js';
import { formatTelegram } from './format.js';

export { formatTelegram } from './format.js';
export { mapTelegramError } from './map-error.js';
export { validateTelegramTemplate } from './template.js';

/**
 * The Telegram adapter: a pure formatter (works without credentials, for previews) and a
 * sender that needs botToken and chat only when it sends.
 */
export function createTelegramAdapter(target: TargetOf<'telegram'>, deps: AdapterDeps): Adapter<TelegramPost> {
  let client: TelegramClient | undefined;
  const username = target.chat?.startsWith('@') === true ? target.chat.slice(1) : undefined;
  return {
    platform: 'telegram',
    target,
    ...(username !== undefined && username !== '' ? { lookUrl: `https://t.me/${username}` } : {}),
    format: (article) => formatTelegram(article, target),
    async send(post, ctx) {
      client ??= new TelegramClient(target, deps);
      return client.send(post, ctx.signal);
    },
  };
}
