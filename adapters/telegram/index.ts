import type { TargetOf } from '../../config/schema.js';
import type { Adapter, AdapterDeps, TelegramPost } from '../types.js';
import { TelegramClient } from './client.js';
import { formatTelegram, formatTelegramAs } from './format.js';

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
    async update(article, current, ctx) {
      client ??= new TelegramClient(target, deps);
      // A message keeps its kind: a photo post gets a caption (shortened to fit), a text post a text.
      const kind = current.remote.kind === 'photo' ? 'photo' : 'text';
      const post = kind === 'photo' ? (formatTelegramAs(article, target, 'photo') as TelegramPost) : formatTelegramAs(article, target, 'text');
      return client.edit(post, current, ctx.signal);
    },
    async retract(current, ctx) {
      client ??= new TelegramClient(target, deps);
      return client.retract(current, target.onRetract === 'notice' ? 'notice' : 'delete', target.retractNotice, ctx.signal);
    },
  };
}
