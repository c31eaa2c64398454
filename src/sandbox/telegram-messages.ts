/**
 * The Telegram fake's message methods (sendMessage, sendPhoto, editMessageText,
 * editMessageCaption, editMessageMedia, editMessageReplyMarkup, deleteMessage): each checks
 * its parameters the way the Bot API does, in the same order, and answers with the same
 * error descriptions ("message to edit not found", "message is not modified", "message
 * can't be deleted for everyone" past 48 hours, "message to delete not found").
 */
import { cleanTelegramText, codePointLength, hasLoneSurrogate, parseTelegramHtml, TelegramHtmlError, type TelegramEntity } from './telegram-html.js';
import type { ChatRegistry } from './telegram-chats.js';
import { isUpload, str } from './telegram-params.js';
import { BotApiFailure, type FakeChat, type SentRecord, type StoredMessage } from './telegram-types.js';

export const MESSAGE_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface MessageContext {
  chats: ChatRegistry;
  strict: boolean;
  bot: { id: number; username: string; first_name: string };
  sent: SentRecord[];
  now(): number;
  /** Throws a 429 BotApiFailure when `chat` or the token is over its limit. */
  checkRateLimit(chat: FakeChat): void;
  recordSend(chat: FakeChat): void;
  /** False when Telegram could not fetch this photo URL. */
  fetchablePhoto(url: string): boolean;
  fileIds: Set<string>;
  /** Messages deleted (deleteMessage), in order. */
  deleted: Array<{ chat: number; message_id: number }>;
}

type Params = Record<string, unknown>;
const bad = (description: string) => new BotApiFailure(400, description);

/** Parse and measure a text or caption exactly as Telegram does; undefined for an absent caption. */
export function checkText(raw: unknown, parseMode: unknown, kind: 'text' | 'caption', strict: boolean): { text: string; entities: TelegramEntity[] } | undefined {
  const value = str(raw);
  if (value === undefined || value === '') {
    if (kind === 'text') throw bad('Bad Request: message text is empty');
    return undefined;
  }
  if (hasLoneSurrogate(value)) throw bad('Bad Request: strings must be encoded in UTF-8');
  const mode = (str(parseMode) ?? '').toLowerCase();
  let parsed = { text: value, entities: [] as TelegramEntity[] };
  if (mode === 'html') {
    try {
      parsed = parseTelegramHtml(value, { strict });
    } catch (error) {
      if (error instanceof TelegramHtmlError) throw bad(error.description);
      throw error;
    }
  } else if (mode !== '' && mode !== 'markdown' && mode !== 'markdownv2') throw bad('Bad Request: unsupported parse_mode');
  const text = cleanTelegramText(parsed.text);
  if (kind === 'text' && text === '') throw bad('Bad Request: message text is empty');
  const limit = kind === 'text' ? MESSAGE_LIMIT : CAPTION_LIMIT;
  if (codePointLength(text) > limit) throw bad(kind === 'text' ? 'Bad Request: message is too long' : 'Bad Request: message caption is too long');
  return { text, entities: parsed.entities };
}

function validButtonUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'tg:') return true;
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname.includes('.');
  } catch {
    return false;
  }
}

/** The inline keyboard checks Telegram makes (button text, URL, callback data). */
export function checkReplyMarkup(markup: unknown): void {
  if (markup === undefined || markup === null) return;
  if (typeof markup !== 'object') throw bad("Bad Request: can't parse reply keyboard markup JSON object");
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) throw bad('Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  for (const button of (rows as unknown[][]).flat()) {
    const b = (typeof button === 'object' && button !== null ? button : {}) as Record<string, unknown>;
    if (typeof b.text !== 'string' || b.text === '') throw bad("Bad Request: can't parse inline keyboard button: Text must be non-empty");
    if (typeof b.url === 'string') {
      if (!validButtonUrl(b.url)) throw bad('Bad Request: BUTTON_URL_INVALID');
    } else if (typeof b.callback_data === 'string') {
      if (Buffer.byteLength(b.callback_data) > 64 || b.callback_data === '') throw bad('Bad Request: BUTTON_DATA_INVALID');
    } else if (!['switch_inline_query', 'switch_inline_query_current_chat', 'login_url', 'web_app', 'copy_text', 'pay', 'callback_game'].some((k) => k in b)) {
      throw bad('Bad Request: text buttons are unallowed in the inline keyboard');
    }
  }
}

function chatOf(ctx: MessageContext, params: Params): { chat: FakeChat; chatId: string } {
  const chatId = str(params.chat_id);
  if (chatId === undefined || chatId === '') throw bad('Bad Request: chat_id is empty');
  return { chat: ctx.chats.resolve(chatId), chatId };
}

/** Author fields of a message the bot posts: the channel itself, or the bot. */
function author(ctx: MessageContext, chat: FakeChat): Pick<StoredMessage, 'sender_chat' | 'from'> {
  return chat.type === 'channel' ? { sender_chat: ctx.chats.view(chat) } : { from: { id: ctx.bot.id, is_bot: true, first_name: ctx.bot.first_name, username: ctx.bot.username } };
}

function photoSource(ctx: MessageContext, photo: unknown): string {
  if (isUpload(photo)) {
    if (photo.size === 0) throw bad('Bad Request: file must be non-empty');
    if (photo.size > MAX_UPLOAD_BYTES) throw new BotApiFailure(413, 'Request Entity Too Large');
    return `upload:${photo.filename}`;
  }
  const value = str(photo);
  if (value === undefined || value === '') throw bad('Bad Request: there is no photo in the request');
  if (/^https?:\/\//i.test(value)) {
    if (!ctx.fetchablePhoto(value)) throw bad('Bad Request: wrong file identifier/HTTP URL specified');
    return value;
  }
  if (!ctx.fileIds.has(value)) throw bad('Bad Request: wrong file identifier/HTTP URL specified');
  return value;
}

export function sendMessage(ctx: MessageContext, params: Params): StoredMessage {
  const body = checkText(params.text, params.parse_mode, 'text', ctx.strict);
  checkReplyMarkup(params.reply_markup);
  const { chat, chatId } = chatOf(ctx, params);
  ctx.chats.checkCanPost(chat);
  ctx.checkRateLimit(chat);
  ctx.recordSend(chat);
  const message = ctx.chats.store(chat, (message_id) => ({
    message_id,
    date: Math.floor(ctx.now() / 1000),
    chat: ctx.chats.view(chat),
    ...author(ctx, chat),
    text: body?.text ?? '',
    ...(body !== undefined && body.entities.length > 0 ? { entities: body.entities } : {}),
    ...(params.link_preview_options !== undefined ? { link_preview_options: params.link_preview_options } : {}),
    ...(params.reply_markup !== undefined ? { reply_markup: params.reply_markup } : {}),
  }));
  ctx.sent.push({ chatId, chat: chat.id, method: 'sendMessage', message_id: message.message_id, text: message.text ?? '', params });
  return message;
}

export function sendPhoto(ctx: MessageContext, params: Params): StoredMessage {
  const caption = checkText(params.caption, params.parse_mode, 'caption', ctx.strict);
  checkReplyMarkup(params.reply_markup);
  const { chat, chatId } = chatOf(ctx, params);
  const photo = photoSource(ctx, params.photo);
  ctx.chats.checkCanPost(chat);
  ctx.checkRateLimit(chat);
  ctx.recordSend(chat);
  const fileId = `AgACAgFake${ctx.fileIds.size + 1}`;
  ctx.fileIds.add(fileId);
  const message = ctx.chats.store(chat, (message_id) => ({
    message_id,
    date: Math.floor(ctx.now() / 1000),
    chat: ctx.chats.view(chat),
    ...author(ctx, chat),
    photo: [
      { file_id: `${fileId}s`, file_unique_id: `${fileId}us`, width: 90, height: 60, file_size: 1200 },
      { file_id: fileId, file_unique_id: `${fileId}u`, width: 1280, height: 853, file_size: 98_000 },
    ],
    ...(caption !== undefined ? { caption: caption.text } : {}),
    ...(caption !== undefined && caption.entities.length > 0 ? { caption_entities: caption.entities } : {}),
    ...(params.reply_markup !== undefined ? { reply_markup: params.reply_markup } : {}),
  }));
  ctx.sent.push({
    chatId, chat: chat.id, method: 'sendPhoto', message_id: message.message_id, photo,
    ...(caption !== undefined ? { caption: caption.text } : {}),
    params,
  });
  return message;
}

const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

function messageToEdit(ctx: MessageContext, params: Params): StoredMessage | true {
  if (params.inline_message_id !== undefined) return true;
  const { chat } = chatOf(ctx, params);
  const id = Number(str(params.message_id));
  const message = Number.isInteger(id) ? ctx.chats.message(chat, id) : undefined;
  if (message === undefined) throw bad('Bad Request: message to edit not found');
  return message;
}

export function editMessageText(ctx: MessageContext, params: Params): StoredMessage | true {
  const body = checkText(params.text, params.parse_mode, 'text', ctx.strict);
  checkReplyMarkup(params.reply_markup);
  const message = messageToEdit(ctx, params);
  if (message === true) return true;
  if (message.text === undefined) throw bad('Bad Request: there is no text in the message to edit');
  const markup = params.reply_markup;
  if (message.text === body?.text && JSON.stringify(message.reply_markup) === JSON.stringify(markup)) throw bad(NOT_MODIFIED);
  message.text = body?.text ?? '';
  if (body !== undefined && body.entities.length > 0) message.entities = body.entities;
  else delete message.entities;
  if (markup !== undefined) message.reply_markup = markup;
  else delete message.reply_markup;
  return message;
}

export function editMessageReplyMarkup(ctx: MessageContext, params: Params): StoredMessage | true {
  checkReplyMarkup(params.reply_markup);
  const message = messageToEdit(ctx, params);
  if (message === true) return true;
  const markup = params.reply_markup;
  if (JSON.stringify(message.reply_markup) === JSON.stringify(markup)) throw bad(NOT_MODIFIED);
  if (markup !== undefined) message.reply_markup = markup;
  else delete message.reply_markup;
  return message;
}

export function editMessageCaption(ctx: MessageContext, params: Params): StoredMessage | true {
  const caption = checkText(params.caption, params.parse_mode, 'caption', ctx.strict);
  checkReplyMarkup(params.reply_markup);
  const message = messageToEdit(ctx, params);
  if (message === true) return true;
  if (message.photo === undefined) throw bad('Bad Request: there is no caption in the message to edit');
  const markup = params.reply_markup;
  if ((message.caption ?? '') === (caption?.text ?? '') && JSON.stringify(message.reply_markup) === JSON.stringify(markup)) throw bad(NOT_MODIFIED);
  if (caption !== undefined) message.caption = caption.text;
  else delete message.caption;
  if (caption !== undefined && caption.entities.length > 0) message.caption_entities = caption.entities;
  else delete message.caption_entities;
  if (markup !== undefined) message.reply_markup = markup;
  else delete message.reply_markup;
  return message;
}

/** `media`: an InputMediaPhoto (JSON) whose `media` is a URL or file_id; its caption replaces the message's. */
export function editMessageMedia(ctx: MessageContext, params: Params): StoredMessage | true {
  let media: Record<string, unknown>;
  try {
    media = (typeof params.media === 'string' ? JSON.parse(params.media) : params.media) as Record<string, unknown>;
  } catch {
    throw bad("Bad Request: can't parse InputMedia: Can't parse media JSON object");
  }
  if (typeof media !== 'object' || media === null || media.type !== 'photo') throw bad("Bad Request: can't parse InputMedia: media type is not supported");
  const photo = photoSource(ctx, media.media);
  const caption = checkText(media.caption, media.parse_mode, 'caption', ctx.strict);
  checkReplyMarkup(params.reply_markup);
  const message = messageToEdit(ctx, params);
  if (message === true) return true;
  if (message.photo === undefined) throw bad("Bad Request: message can't be edited");
  const current = message.photo.at(-1)?.file_id;
  if (photo === current && (message.caption ?? '') === (caption?.text ?? '')) throw bad(NOT_MODIFIED);
  const fileId = `AgACAgFake${ctx.fileIds.size + 1}`;
  ctx.fileIds.add(fileId);
  message.photo = [
    { file_id: `${fileId}s`, file_unique_id: `${fileId}us`, width: 90, height: 60, file_size: 1200 },
    { file_id: fileId, file_unique_id: `${fileId}u`, width: 1280, height: 853, file_size: 98_000 },
  ];
  if (caption !== undefined) message.caption = caption.text;
  else delete message.caption;
  if (params.reply_markup !== undefined) message.reply_markup = params.reply_markup;
  return message;
}

/** Bots may delete their messages for everyone only within 48 hours of sending them. */
export const DELETE_WINDOW_SECONDS = 48 * 3600;

export function deleteMessage(ctx: MessageContext, params: Params): true {
  const { chat } = chatOf(ctx, params);
  const id = Number(str(params.message_id));
  const message = Number.isInteger(id) ? ctx.chats.message(chat, id) : undefined;
  if (message === undefined) throw bad('Bad Request: message to delete not found');
  if (Math.floor(ctx.now() / 1000) - message.date > DELETE_WINDOW_SECONDS) throw bad("Bad Request: message can't be deleted for everyone");
  ctx.chats.remove(chat, id);
  ctx.deleted.push({ chat: chat.id, message_id: id });
  return true;
}
