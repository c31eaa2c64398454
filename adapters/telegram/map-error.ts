/**
 * The one place Telegram failures are classified (telegraf's TelegramError, node-fetch
 * network errors, aborts) into crier's delivery errors:
 *
 * - 429 → RateLimitedError for parameters.retry_after seconds
 * - 400 with parameters.migrate_to_chat_id → TransientError (the client stores the new
 *   chat id first, so the retry goes there)
 * - other 4xx: 400 chat not found / can't parse entities / message or caption too long,
 *   401 Unauthorized, 403 blocked / not a member / kicked, 404 → PermanentError with
 *   Telegram's description as the message
 * - 5xx, network errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, …) and timeouts → TransientError
 *
 * Transient errors after which Telegram may have posted are marked `maybeSent`
 * (./send-outcome.ts): a timeout or abort in flight, a reset after writing, an answer that
 * is not the Bot API's JSON, and 502/504 — telegraf keeps no body for a 5xx, so a gateway
 * status cannot be told apart from the proxy in front of the Bot API giving up on it.
 */
import { TelegramError } from 'telegraf';
import { isDeliveryError, PermanentError, RateLimitedError, TransientError, type DeliveryError } from '../errors.js';
import { isGatewayAnswer, maybeReached } from '../send-outcome.js';

/** Wait when a 429 comes without parameters.retry_after (a proxy's, not Telegram's). */
export const DEFAULT_RETRY_AFTER_MS = 5000;

interface TelegramErrorLike {
  code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

function asTelegramError(error: unknown): TelegramErrorLike | undefined {
  if (error instanceof TelegramError) {
    return { code: error.code, description: error.description, ...(error.parameters !== undefined ? { parameters: error.parameters } : {}) };
  }
  // A TelegramError from another copy of telegraf: same shape.
  const response = (error as { response?: { error_code?: unknown; description?: unknown; parameters?: unknown } } | null)?.response;
  if (typeof response?.error_code === 'number') {
    return {
      code: response.error_code,
      description: typeof response.description === 'string' ? response.description : `error ${response.error_code}`,
      ...(typeof response.parameters === 'object' && response.parameters !== null ? { parameters: response.parameters as TelegramErrorLike['parameters'] & object } : {}),
    };
  }
  return undefined;
}

/** The chat a group moved to (400 "group chat was upgraded to a supergroup chat"), if that is what this error says. */
export function migratedChatId(error: unknown): string | undefined {
  const id = asTelegramError(error)?.parameters?.migrate_to_chat_id;
  return typeof id === 'number' ? String(id) : undefined;
}

export interface MapContext {
  /** The per-request timeout fired (an abort is then a timeout, not a cancellation). */
  timedOut?: boolean;
  timeoutMs?: number;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Classify anything a Telegram call threw. Returns the error to throw. */
export function mapTelegramError(error: unknown, platform = 'telegram', context: MapContext = {}): DeliveryError {
  if (isDeliveryError(error)) return error;
  const tg = asTelegramError(error);
  if (tg !== undefined) {
    const init = { platform, code: tg.code, cause: error };
    if (tg.code === 429) {
      const seconds = tg.parameters?.retry_after;
      const ms = typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : DEFAULT_RETRY_AFTER_MS;
      return new RateLimitedError(tg.description, ms, init);
    }
    const migrated = tg.parameters?.migrate_to_chat_id;
    if (migrated !== undefined) return new TransientError(`${tg.description}: retrying in chat ${migrated}`, init);
    if (tg.code >= 400 && tg.code < 500) return new PermanentError(tg.description, init);
    // telegraf keeps only the status line of a 5xx, never its body.
    return new TransientError(`Telegram answered ${tg.code}: ${tg.description}`, { ...init, maybeSent: isGatewayAnswer(tg.code, undefined) });
  }

  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown; type?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (e.name === 'AbortError' || e.type === 'aborted') {
    const reason = context.timedOut === true ? `request timed out after ${context.timeoutMs ?? '?'} ms` : 'request aborted';
    // The request was in flight: Telegram may have posted before the answer was given up on.
    return new TransientError(reason, { platform, code: context.timedOut === true ? 'ETIMEDOUT' : 'ABORTED', cause: error, maybeSent: true });
  }
  if (e.type === 'invalid-json') {
    // Something answered that is not the Bot API's JSON (a proxy's page, a cut body): the request got through.
    return new TransientError(`unreadable answer: ${message}`, { platform, code: 'invalid-json', cause: error, maybeSent: true });
  }
  if (e.name === 'FetchError' || (typeof e.code === 'string' && NETWORK_CODES.has(e.code))) {
    return new TransientError(`network error: ${message}`, { platform, ...(typeof e.code === 'string' ? { code: e.code } : {}), cause: error, maybeSent: maybeReached(error) });
  }
  return new TransientError(`unexpected error: ${message}`, { platform, cause: error });
}
