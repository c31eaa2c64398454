/**
 * A loopback Telegram Bot API that rejects what Telegram rejects: `POST {url}/bot<token>/<method>`
 * with JSON, form or multipart bodies (GET with a query string works too), answering
 * `{ok: true, result}` or `{ok: false, error_code, description, parameters?}`.
 *
 * - HTML is parsed by Telegram's rules (./telegram-html.ts) and lengths are counted in code
 *   points after parsing: 4096 for a message, 1024 for a caption.
 * - Rate limits per chat (20 per minute for channels and groups) and per token (30 per
 *   second), sliding windows, answered with 429 and parameters.retry_after in seconds.
 * - Scripted faults (`faults`) are consulted before anything else.
 * - Updates pushed with `pushUpdate` are served by getUpdates (long polling honoured).
 *
 * Records: `sent` (accepted posts), `calls` (every successful call), `requests`,
 * `rateLimited` (429s served, faults included), `commands`, `webhook`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultPlan, listen, sendJson } from './http.js';
import { ChatRegistry } from './telegram-chats.js';
import { parseTelegramHtml, type ParsedHtml } from './telegram-html.js';
import { retryAfterSeconds, SlidingWindow } from './telegram-limits.js';
import * as messages from './telegram-messages.js';
import { readParams, str } from './telegram-params.js';
import { BotApiFailure, type FakeChat, type FakeChatSpec, type SentRecord, type StoredMessage } from './telegram-types.js';

export type { FakeChatSpec, SentRecord } from './telegram-types.js';

/** The fake's token unless told otherwise (shaped like a real one). */
export const DEFAULT_FAKE_TOKEN = '123456789:AAHfakeTokenForTheCrierSandbox_000000';

export interface TelegramFakeOptions {
  port?: number;
  token?: string;
  botUsername?: string;
  /** Sends per minute per channel or group. Default 20; 0 turns it off. */
  perChatPerMinute?: number;
  /** Length of the per-chat window in ms (default 60 000): shorten it to run bursts quickly. */
  perChatWindowMs?: number;
  /** Sends per second per private chat. Default 0 (off: only the global budget applies). */
  perPrivateChatPerSecond?: number;
  /** Sends per second for the whole token. Default 30; 0 turns it off. */
  globalPerSecond?: number;
  /** Length of the global window in ms (default 1000). */
  globalWindowMs?: number;
  /** Known chats; when given, any other chat is "chat not found". */
  knownChats?: FakeChatSpec[];
  /** Reject a bare `&` (stricter than TDLib, see telegram-html.ts). Default true. */
  strictEntities?: boolean;
  /** Whether Telegram could fetch a photo URL. Default: every http(s) URL. */
  fetchablePhoto?: (url: string) => boolean;
  /** Clock for the rate limits (tests). Default Date.now. */
  now?: () => number;
  /**
   * The network between a worker and api.telegram.org: every answer is held this long (ms)
   * after the request was handled. Default 0 (at once), which is what the tests and most
   * benchmarks want; a benchmark sets it to see crier behind a real platform's round trip.
   */
  latencyMs?: number;
}

export interface BotCommand {
  command: string;
  description: string;
}

export interface TelegramFake {
  url: string;
  /** `url` with a trailing slash: what telegraf's apiRoot wants. */
  apiRoot: string;
  token: string;
  faults: FaultPlan;
  sent: SentRecord[];
  deleted: Array<{ chat: number; message_id: number }>;
  /** A message as it stands now (after edits), undefined once deleted. */
  message(chatId: string, messageId: number): StoredMessage | undefined;
  calls: Array<{ method: string; params: Record<string, unknown> }>;
  requests: number;
  rateLimited: number;
  commands: BotCommand[];
  webhook: { url: string; secret_token?: string } | undefined;
  /** Queue an Update for getUpdates; assigns update_id when missing and returns it. */
  pushUpdate(update: Record<string, unknown>): number;
  /** Telegram's HTML parser (throws TelegramHtmlError with the exact description). */
  parseHtml(text: string): ParsedHtml;
  reset(): void;
  close(): Promise<void>;
}

type Params = Record<string, unknown>;
type Method = (params: Params) => unknown | Promise<unknown>;

export async function startTelegramFake(options: TelegramFakeOptions = {}): Promise<TelegramFake> {
  const token = options.token ?? DEFAULT_FAKE_TOKEN;
  const now = options.now ?? Date.now;
  const strict = options.strictEntities ?? true;
  const latencyMs = options.latencyMs ?? 0;
  const chats = new ChatRegistry(options.knownChats);
  const perChat = new SlidingWindow(options.perChatPerMinute ?? 20, options.perChatWindowMs ?? 60_000, now);
  const perPrivate = new SlidingWindow(options.perPrivateChatPerSecond ?? 0, 1000, now);
  const global = new SlidingWindow(options.globalPerSecond ?? 30, options.globalWindowMs ?? 1000, now);
  const bot = { id: Number(token.split(':')[0]) || 123456789, username: options.botUsername ?? 'crier_sandbox_bot', first_name: 'Crier Sandbox' };

  let updates: Array<Record<string, unknown> & { update_id: number }> = [];
  let nextUpdateId = 1;
  let waiters: Array<() => void> = [];
  const wake = () => {
    const current = waiters;
    waiters = [];
    for (const w of current) w();
  };

  const fake = {
    token,
    faults: new FaultPlan(),
    sent: [] as SentRecord[],
    /** Messages deleted with deleteMessage. */
    deleted: [] as Array<{ chat: number; message_id: number }>,
    calls: [] as Array<{ method: string; params: Params }>,
    requests: 0,
    rateLimited: 0,
    commands: [] as BotCommand[],
    webhook: undefined as { url: string; secret_token?: string } | undefined,
  };

  const ctx: messages.MessageContext = {
    chats,
    strict,
    bot,
    sent: fake.sent,
    now,
    fileIds: new Set(),
    deleted: fake.deleted,
    fetchablePhoto: options.fetchablePhoto ?? (() => true),
    checkRateLimit(chat: FakeChat) {
      const key = String(chat.id);
      const wait = Math.max(global.waitMs('token'), chat.type === 'private' ? perPrivate.waitMs(key) : perChat.waitMs(key));
      if (wait > 0) {
        const seconds = retryAfterSeconds(wait);
        throw new BotApiFailure(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });
      }
    },
    recordSend(chat: FakeChat) {
      global.record('token');
      (chat.type === 'private' ? perPrivate : perChat).record(String(chat.id));
    },
  };

  const getUpdates = async (params: Params): Promise<unknown> => {
    if (fake.webhook !== undefined) {
      throw new BotApiFailure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    const offset = Number(str(params.offset) ?? 0) || 0;
    const limit = Math.min(100, Math.max(1, Number(str(params.limit) ?? 100) || 100));
    const timeout = Math.min(50, Math.max(0, Number(str(params.timeout) ?? 0) || 0));
    if (offset > 0) updates = updates.filter((u) => u.update_id >= offset);
    if (updates.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeout * 1000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return updates.slice(0, limit);
  };

  const methods: Record<string, Method> = {
    getme: () => ({ ...bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
    sendmessage: (p) => messages.sendMessage(ctx, p),
    sendphoto: (p) => messages.sendPhoto(ctx, p),
    editmessagetext: (p) => messages.editMessageText(ctx, p),
    editmessagecaption: (p) => messages.editMessageCaption(ctx, p),
    editmessagemedia: (p) => messages.editMessageMedia(ctx, p),
    deletemessage: (p) => messages.deleteMessage(ctx, p),
    editmessagereplymarkup: (p) => messages.editMessageReplyMarkup(ctx, p),
    getupdates: getUpdates,
    answercallbackquery: (p) => {
      if (str(p.callback_query_id) === undefined) throw new BotApiFailure(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
      return true;
    },
    setmycommands: (p) => {
      fake.commands = checkCommands(p.commands);
      return true;
    },
    getmycommands: () => fake.commands,
    deletemycommands: () => {
      fake.commands = [];
      return true;
    },
    setwebhook: (p) => {
      const url = str(p.url) ?? '';
      const secret = str(p.secret_token);
      if (url === '') fake.webhook = undefined;
      else if (!/^https:\/\//i.test(url)) throw new BotApiFailure(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
      else if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw new BotApiFailure(400, 'Bad Request: secret token contains unallowed characters');
      else fake.webhook = { url, ...(secret !== undefined ? { secret_token: secret } : {}) };
      return true;
    },
    deletewebhook: (p) => {
      fake.webhook = undefined;
      if (/^(true|1)$/i.test(str(p.drop_pending_updates) ?? '')) updates = [];
      return true;
    },
    getwebhookinfo: () => ({ url: fake.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: fake.webhook ? updates.length : 0 }),
    getchat: (p) => {
      const chatId = str(p.chat_id);
      if (chatId === undefined || chatId === '') throw new BotApiFailure(400, 'Bad Request: chat_id is empty');
      return chats.view(chats.resolve(chatId));
    },
    sendchataction: () => true,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    fake.requests++;
    const refused = await fake.faults.intercept(req, res);
    if (refused !== undefined) {
      if (refused.status === 429) fake.rateLimited++;
      return;
    }
    const path = new URL(req.url ?? '/', 'http://fake.invalid').pathname;
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
    if (match === null) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (decodeURIComponent(match[1] as string) !== token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = methods[(match[2] as string).toLowerCase()];
    if (method === undefined) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    try {
      const params = await readParams(req);
      const result = await method(params);
      fake.calls.push({ method: match[2] as string, params });
      if (latencyMs > 0) await delay(latencyMs);
      if (!res.destroyed) sendJson(res, 200, { ok: true, result });
    } catch (error) {
      if (!(error instanceof BotApiFailure)) throw error;
      if (error.status === 429) fake.rateLimited++;
      if (latencyMs > 0) await delay(latencyMs);
      if (res.destroyed) return;
      sendJson(res, error.status, {
        ok: false,
        error_code: error.status,
        description: error.description,
        ...(error.parameters !== undefined ? { parameters: error.parameters } : {}),
      });
    }
  };

  const server = await listen(handle, options.port ?? 0);
  const running: TelegramFake = Object.assign(fake, {
    url: server.url,
    apiRoot: `${server.url}/`,
    pushUpdate(update: Record<string, unknown>): number {
      const id = typeof update.update_id === 'number' ? update.update_id : nextUpdateId;
      nextUpdateId = Math.max(nextUpdateId, id + 1);
      updates.push({ ...update, update_id: id });
      wake();
      return id;
    },
    parseHtml: (text: string) => parseTelegramHtml(text, { strict }),
    message: (chatId: string, messageId: number) => chats.message(chats.resolve(chatId), messageId),
    reset() {
      fake.sent.length = 0;
      fake.deleted.length = 0;
      fake.calls.length = 0;
      fake.requests = 0;
      fake.rateLimited = 0;
      fake.commands = [];
      fake.webhook = undefined;
      fake.faults.clear();
      perChat.clear();
      perPrivate.clear();
      global.clear();
      chats.reset();
      ctx.fileIds.clear();
      updates = [];
    },
    async close() {
      wake();
      await server.close();
    },
  });
  return running;
}

function checkCommands(raw: unknown): BotCommand[] {
  if (!Array.isArray(raw) || raw.length > 100) throw new BotApiFailure(400, "Bad Request: can't parse commands JSON object");
  return raw.map((item) => {
    const c = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const command = typeof c.command === 'string' ? c.command.replace(/^\//, '') : '';
    const description = typeof c.description === 'string' ? c.description.trim() : '';
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw new BotApiFailure(400, 'Bad Request: BOT_COMMAND_INVALID');
    if (description === '' || description.length > 256) throw new BotApiFailure(400, 'Bad Request: command description is empty');
    return { command, description };
  });
}
