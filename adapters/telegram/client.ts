/**
 * Sends a formatted TelegramPost with telegraf's `Telegram` client (the Bot API at
 * target.apiRoot, default https://api.telegram.org). One request per post, bounded by
 * target.timeoutMs and the caller's AbortSignal; failures are classified once, by
 * ./map-error.ts.
 *
 * When a group has become a supergroup, Telegram names the new chat id; it is kept in
 * memory and in Redis (`<keyPrefix>:tg:chat:<target id>`) so every worker posts there.
 */
import { Telegram } from 'telegraf';
import type { TelegramTarget } from '../../config/targets/telegram.js';
import { PermanentError, TransientError } from '../errors.js';
import type { AdapterDeps, SendResult, TelegramPost } from '../types.js';
import { mapTelegramError, migratedChatId } from './map-error.js';

type CallOptions = Parameters<Telegram['callApi']>[2];

interface SentMessage {
  message_id: number;
  chat: { id: number; username?: string };
}

/** Public link to a channel/supergroup post: t.me/<username>/<id> or t.me/c/<internal id>/<id>. */
export function postUrl(chat: SentMessage['chat'], requested: string, messageId: number): string | undefined {
  const username = chat.username ?? (requested.startsWith('@') ? requested.slice(1) : undefined);
  if (username !== undefined && username !== '') return `https://t.me/${username}/${messageId}`;
  const id = String(chat.id);
  if (id.startsWith('-100')) return `https://t.me/c/${id.slice(4)}/${messageId}`;
  return undefined;
}

/** telegraf resolves methods against apiRoot as a directory, so it needs a trailing slash. */
export function apiRootOf(apiRoot: string): string {
  return apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
}

/** How often a client looks in Redis for a chat migration another worker recorded. */
const MIGRATION_RECHECK_MS = 60_000;

export class TelegramClient {
  private readonly telegram: Telegram;
  private readonly chat: string;
  private override: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private readonly key: string;

  constructor(
    private readonly target: TelegramTarget,
    private readonly deps: AdapterDeps,
  ) {
    if (target.botToken === undefined || target.botToken === '') {
      throw new PermanentError(`Missing bot token for target "${target.id}" (botToken or TELEGRAM_BOT_TOKEN).`, { platform: 'telegram' });
    }
    if (target.chat === undefined || target.chat === '') {
      throw new PermanentError(`Missing chat for target "${target.id}" (chat or TELEGRAM_CHANNEL).`, { platform: 'telegram' });
    }
    this.chat = target.chat;
    this.key = `${deps.keyPrefix ?? 'crier'}:tg:chat:${target.id}`;
    this.telegram = new Telegram(target.botToken, { apiRoot: apiRootOf(target.apiRoot) });
  }

  /**
   * The chat to post in: a migration override if one is known, else the configured chat.
   * Redis is asked at most once a minute (not on every send): a worker that has not heard
   * of a migration yet gets Telegram's migrate answer itself and follows it.
   */
  async chatId(): Promise<string> {
    if (this.override !== undefined) return this.override;
    if (this.deps.redis !== undefined && Date.now() - this.checkedAt >= MIGRATION_RECHECK_MS) {
      this.checkedAt = Date.now();
      const stored = await this.deps.redis.get(this.key);
      if (stored !== null && stored !== '') this.override = stored;
    }
    return this.override ?? this.chat;
  }

  private async migrate(to: string, from: string): Promise<void> {
    this.override = to;
    this.deps.logger.warn({ target: this.target.id, from, to }, 'telegram chat migrated to a supergroup; posting there from now on');
    if (this.deps.redis !== undefined) await this.deps.redis.set(this.key, to);
  }

  async send(post: TelegramPost, signal: AbortSignal): Promise<SendResult> {
    // Nothing has been written yet: an abort here is certainly not sent.
    if (signal.aborted) throw new TransientError('telegram: aborted before sending', { platform: 'telegram', code: 'ABORTED', cause: signal.reason });
    // One controller per request, its timer cleared when the request ends: AbortSignal.timeout
    // would keep a timer alive for the whole timeout after every send.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.target.timeoutMs);
    const cancel = () => controller.abort(signal.reason);
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    const options = { signal: controller.signal } as unknown as CallOptions;
    let chat = this.chat;
    try {
      chat = await this.chatId();
      const extra = {
        parse_mode: post.parse_mode,
        ...(post.reply_markup !== undefined ? { reply_markup: post.reply_markup } : {}),
      };
      const message: SentMessage =
        post.method === 'sendPhoto'
          ? await this.telegram.callApi('sendPhoto', { chat_id: chat, photo: post.photo ?? '', ...(post.caption !== undefined ? { caption: post.caption } : {}), ...extra }, options)
          : await this.telegram.callApi(
              'sendMessage',
              { chat_id: chat, text: post.text ?? '', ...(post.link_preview_options !== undefined ? { link_preview_options: post.link_preview_options } : {}), ...extra },
              options,
            );
      const url = postUrl(message.chat, chat, message.message_id);
      this.deps.logger.debug({ target: this.target.id, method: post.method, messageId: message.message_id }, 'telegram post sent');
      return { remoteId: String(message.message_id), ...(url !== undefined ? { url } : {}), status: 'delivered' };
    } catch (error) {
      if (post.method === 'sendPhoto' && isUnusablePhoto(error) && !signal.aborted) {
        // Telegram could not fetch or process the image: post the text with a large link preview instead.
        this.deps.logger.warn({ target: this.target.id, photo: post.photo }, 'telegram refused the photo; sending as a message with a link preview');
        return this.send(asMessage(post), signal);
      }
      const moved = migratedChatId(error);
      if (moved !== undefined) await this.migrate(moved, chat);
      throw mapTelegramError(error, 'telegram', { timedOut, timeoutMs: this.target.timeoutMs });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', cancel);
    }
  }
}

/** 400s that mean the photo itself is the problem, not the post. */
function isUnusablePhoto(error: unknown): boolean {
  const e = error as { code?: number; response?: { error_code?: number; description?: string }; description?: string };
  const code = e.response?.error_code ?? e.code;
  const description = e.response?.description ?? e.description ?? '';
  return code === 400 && /wrong file identifier|failed to get HTTP URL content|wrong type of the web page content|IMAGE_PROCESS_FAILED|PHOTO_INVALID_DIMENSIONS|PHOTO_SAVE_FILE_INVALID/i.test(description);
}

/** The same post as a message: caption as text, a large preview of the article (or the photo). */
export function asMessage(post: TelegramPost): TelegramPost {
  const button = post.reply_markup?.inline_keyboard.flat()[0]?.url;
  const href = /<a href="([^"]+)"/.exec(post.caption ?? '')?.[1]?.replace(/&amp;/g, '&');
  const url = button ?? href ?? post.photo;
  const message: TelegramPost = { target: post.target, platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: post.caption ?? '' };
  if (url !== undefined) message.link_preview_options = { url, prefer_large_media: true };
  if (post.reply_markup !== undefined) message.reply_markup = post.reply_markup;
  return message;
}
