import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { isDeliveryError, PausedError, PermanentError, RateLimitedError, TransientError, type DeliveryError } from '../errors.js';
import { isGatewayAnswer, maybeReached } from '../send-outcome.js';

/**
 * twitter-api-v2 errors → delivery errors, here and nowhere else.
 *  429 → rate limited until `x-rate-limit-reset`, or the 24-hour reset when a daily cap is spent
 *        (usage cap of the plan → paused: a human must raise the plan);
 *  401 / auth errors, 400, 403 and other 4xx → permanent, with X's `detail`;
 *  5xx, network errors (ApiRequestError) and cut responses → transient; `maybeSent` where X may
 *        have acted (./send-outcome.ts): a cut response, a timeout or reset in flight, a gateway
 *        502/504 that is not X's own problem JSON.
 * A 403 for duplicate content is not an error for crier: see isDuplicateContent.
 */

const PLATFORM = 'twitter';
/** X's resets are whole seconds; wait a little past them. */
const RESET_MARGIN_MS = 1000;
const DEFAULT_WAIT_MS = 15 * 60_000;

interface ErrorData {
  title?: string;
  detail?: string;
  type?: string;
  errors?: Array<{ message?: string; code?: number }>;
}

function data(error: ApiResponseError): ErrorData {
  return (typeof error.data === 'object' && error.data !== null ? error.data : {}) as ErrorData;
}

/** X's own words for what went wrong: detail plus the individual error messages. */
export function errorDetail(error: ApiResponseError): string {
  const d = data(error);
  const messages = (d.errors ?? []).map((e) => e.message).filter((m): m is string => typeof m === 'string' && m !== '');
  const parts = [d.detail, ...messages].filter((p): p is string => typeof p === 'string' && p !== '');
  const unique = [...new Set(parts)];
  return unique.length > 0 ? unique.join(' — ') : d.title ?? `HTTP ${error.code}`;
}

/** True for X's "You are not allowed to create a Tweet with duplicate content." (403, or v1 code 187). */
export function isDuplicateContent(error: unknown): boolean {
  if (!(error instanceof ApiResponseError)) return false;
  if (error.code !== 403 && error.code !== 400) return false;
  const d = data(error);
  if ((d.errors ?? []).some((e) => e.code === 187)) return true;
  return /duplicate content/i.test(errorDetail(error));
}

function header(error: ApiResponseError, name: string): number | undefined {
  const raw = error.headers?.[name];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || !Number.isFinite(value) ? undefined : value;
}

/** Epoch seconds when X lets this account post again, per the 429's headers. */
export function rateLimitReset(error: ApiResponseError): { reset: number | undefined; window: string } {
  for (const kind of ['user', 'app'] as const) {
    const remaining = header(error, `x-${kind}-limit-24hour-remaining`) ?? (kind === 'user' ? error.rateLimit?.userDay?.remaining : error.rateLimit?.day?.remaining);
    const reset = header(error, `x-${kind}-limit-24hour-reset`) ?? (kind === 'user' ? error.rateLimit?.userDay?.reset : error.rateLimit?.day?.reset);
    if (remaining === 0 && reset !== undefined) return { reset, window: `${kind} 24-hour cap` };
  }
  return { reset: header(error, 'x-rate-limit-reset') ?? error.rateLimit?.reset, window: '15-minute window' };
}

function rateLimited(error: ApiResponseError, now: number): DeliveryError {
  const { reset, window } = rateLimitReset(error);
  const waitMs = reset === undefined ? DEFAULT_WAIT_MS : Math.max(RESET_MARGIN_MS, reset * 1000 - now + RESET_MARGIN_MS);
  const until = reset === undefined ? `in ${Math.round(waitMs / 1000)} s` : `until ${new Date(reset * 1000).toISOString()}`;
  if (/usage-capped/.test(data(error).type ?? '')) {
    return new PausedError(`X usage cap reached: ${errorDetail(error)}`, 'raise the X API plan, or resume the target when the cap resets', { platform: PLATFORM, code: 429, cause: error }, reset === undefined ? undefined : waitMs);
  }
  return new RateLimitedError(`X rate limit (${window}): wait ${until}`, waitMs, { platform: PLATFORM, code: 429, cause: error });
}

/** Map any error from the X client into a delivery error. `now` is the clock the wait is measured from. */
export function mapTwitterError(error: unknown, now: number = Date.now()): DeliveryError {
  if (isDeliveryError(error)) return error;
  if (error instanceof ApiResponseError) {
    const init = { platform: PLATFORM, code: error.code, cause: error };
    if (error.code === 429 || error.rateLimitError) return rateLimited(error, now);
    if (error.code === 401 || error.isAuthError) return new PermanentError(`X rejected the credentials: ${errorDetail(error)}`, init);
    if (error.code >= 500) {
      const fromX = typeof error.data === 'object' && error.data !== null && ('title' in error.data || 'detail' in error.data || 'errors' in error.data);
      return new TransientError(`X server error ${error.code}: ${errorDetail(error)}`, { ...init, maybeSent: isGatewayAnswer(error.code, fromX) });
    }
    if (error.code === 400) return new PermanentError(`X refused the request: ${errorDetail(error)}`, init);
    if (error.code === 403) return new PermanentError(`X forbade it: ${errorDetail(error)}`, init);
    if (error.code === 408) return new TransientError(`X timed out: ${errorDetail(error)}`, init);
    return new PermanentError(`X answered ${error.code}: ${errorDetail(error)}`, init);
  }
  if (error instanceof ApiPartialResponseError) {
    return new TransientError(`X response cut short: ${error.message}`, { platform: PLATFORM, cause: error, maybeSent: true });
  }
  if (error instanceof ApiRequestError) {
    // twitter-api-v2 stores the socket error as `_options.error`; its `requestError` getter reads another name.
    const options = (error as unknown as { _options?: { error?: unknown } })._options;
    const cause = (options?.error ?? error.requestError) as (Error & { code?: string }) | undefined;
    const why = cause?.code ?? cause?.message ?? error.message;
    const reached = maybeReached(error);
    return new TransientError(`X ${reached ? 'gave no answer' : 'unreachable'}: ${why}`, { platform: PLATFORM, cause: error, maybeSent: reached });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TransientError(`X client error: ${message}`, { platform: PLATFORM, cause: error });
}
