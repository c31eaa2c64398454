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
import type { AdapterDeps, OpResult, RemotePost, SendResult, TelegramPost } from '../types.js';
import { escapeHtml } from './html.js';
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

  /**
   * One Bot API call bounded by target.timeoutMs and the caller's signal (one controller per
   * request, its timer cleared when the request ends: AbortSignal.timeout would keep a
   * timer alive for the whole timeout after every call). Failures come back classified.
   */
  private async call<T>(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<T> {
    // Nothing has been written yet: an abort here is certainly not sent.
    if (signal.aborted) throw new TransientError('telegram: aborted before sending', { platform: 'telegram', code: 'ABORTED', cause: signal.reason });
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.target.timeoutMs);
    const cancel = () => controller.abort(signal.reason);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return (await this.telegram.callApi(method as 'sendMessage', params as never, { signal: controller.signal } as unknown as CallOptions)) as T;
    } catch (error) {
      throw Object.assign(mapTelegramError(error, 'telegram', { timedOut, timeoutMs: this.target.timeoutMs }), { raw: error });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', cancel);
    }
  }

  async send(post: TelegramPost, signal: AbortSignal): Promise<SendResult> {
    let chat = this.chat;
    try {
      chat = await this.chatId();
      const extra = {
        parse_mode: post.parse_mode,
        ...(post.reply_markup !== undefined ? { reply_markup: post.reply_markup } : {}),
      };
      const message: SentMessage =
        post.method === 'sendPhoto'
          ? await this.call('sendPhoto', { chat_id: chat, photo: post.photo ?? '', ...(post.caption !== undefined ? { caption: post.caption } : {}), ...extra }, signal)
          : await this.call('sendMessage', { chat_id: chat, text: post.text ?? '', ...(post.link_preview_options !== undefined ? { link_preview_options: post.link_preview_options } : {}), ...extra }, signal);
      const url = postUrl(message.chat, chat, message.message_id);
      this.deps.logger.debug({ target: this.target.id, method: post.method, messageId: message.message_id }, 'telegram post sent');
      const remote: Record<string, string> = { chat: String(message.chat.id), kind: post.method === 'sendPhoto' ? 'photo' : 'text' };
      if (post.method === 'sendPhoto' && post.photo !== undefined) remote.photo = post.photo;
      return { remoteId: String(message.message_id), ...(url !== undefined ? { url } : {}), status: 'delivered', remote };
    } catch (error) {
      const raw = (error as { raw?: unknown }).raw ?? error;
      if (post.method === 'sendPhoto' && isUnusablePhoto(raw) && !signal.aborted) {
        // Telegram could not fetch or process the image: post the text with a large link preview instead.
        this.deps.logger.warn({ target: this.target.id, photo: post.photo }, 'telegram refused the photo; sending as a message with a link preview');
        return this.send(asMessage(post), signal);
      }
      const moved = migratedChatId(raw);
      if (moved !== undefined) await this.migrate(moved, chat);
      throw error;
    }
  }

  /**
   * Edit a delivered post to `post` (the same kind of message: text or photo): the text or
   * caption with its button, and a photo that changed. "message is not modified" means
   * nothing visible changed: that is success.
   */
  async edit(post: TelegramPost, current: RemotePost, signal: AbortSignal): Promise<OpResult> {
    const target = { chat_id: current.remote.chat ?? (await this.chatId()), message_id: Number(current.remoteId) };
    const markup = post.reply_markup !== undefined ? { reply_markup: post.reply_markup } : {};
    const attempt = async (method: string, params: Record<string, unknown>): Promise<OpResult> => {
      try {
        await this.call(method, { ...target, ...params }, signal);
        return { action: 'edited' };
      } catch (error) {
        const message = (error as Error).message;
        if (/message is not modified/i.test(message)) return { action: 'not_modified' };
        if (/message to edit not found/i.test(message)) return { action: 'gone', note: 'the post is no longer in the channel' };
        throw error;
      }
    };
    if (current.remote.kind === 'photo') {
      if (post.photo !== undefined && post.photo !== current.remote.photo) {
        const result = await attempt('editMessageMedia', { media: { type: 'photo', media: post.photo, caption: post.caption ?? '', parse_mode: post.parse_mode }, ...markup });
        return result.action === 'edited' ? { ...result, remote: { ...current.remote, photo: post.photo } } : result;
      }
      return attempt('editMessageCaption', { caption: post.caption ?? '', parse_mode: post.parse_mode, ...markup });
    }
    return attempt('editMessageText', {
      text: post.text ?? '',
      parse_mode: post.parse_mode,
      ...(post.link_preview_options !== undefined ? { link_preview_options: post.link_preview_options } : {}),
      ...markup,
    });
  }

  /**
   * Take a delivered post down: delete it, or — with `notice`, or where Telegram refuses to
   * delete it (older than 48 hours: "message can't be deleted for everyone") — edit it to
   * the retraction notice. A message already gone is fine.
   */
  async retract(current: RemotePost, mode: 'delete' | 'notice', notice: string, signal: AbortSignal): Promise<OpResult> {
    const target = { chat_id: current.remote.chat ?? (await this.chatId()), message_id: Number(current.remoteId) };
    if (mode === 'delete') {
      try {
        await this.call('deleteMessage', target, signal);
        return { action: 'deleted' };
      } catch (error) {
        const message = (error as Error).message;
        if (/message to delete not found/i.test(message)) return { action: 'gone' };
        if (!/can't be deleted|message can.t be deleted/i.test(message)) throw error;
      }
    }
    const text = escapeHtml(notice);
    try {
      if (current.remote.kind === 'photo') await this.call('editMessageCaption', { ...target, caption: text, parse_mode: 'HTML', reply_markup: { inline_keyboard: [] } }, signal);
      else await this.call('editMessageText', { ...target, text, parse_mode: 'HTML', link_preview_options: { is_disabled: true }, reply_markup: { inline_keyboard: [] } }, signal);
    } catch (error) {
      const message = (error as Error).message;
      if (/message to edit not found/i.test(message)) return { action: 'gone' };
      if (!/message is not modified/i.test(message)) throw error;
    }
    return { action: 'notice', ...(mode === 'delete' ? { note: 'Telegram refused to delete it (older than 48 hours): edited to the notice' } : {}) };
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
