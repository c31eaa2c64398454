import { TelegramError } from 'telegraf';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { IgNetworkError } from 'instagram-private-api';
import { describe, expect, it } from 'vitest';
import { mapGraphError, mapPrivateError } from '../../adapters/instagram/map-error.js';
import { errorCodes, isGatewayAnswer, neverReached } from '../../adapters/send-outcome.js';
import { mapTelegramError } from '../../adapters/telegram/map-error.js';
import { mapTwitterError } from '../../adapters/twitter/map-error.js';

const sys = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code} test`), { code, ...extra });

/** Issue 12: certainly not sent (retry as usual) against maybe sent (look it up first, never resend blindly). */
describe('whether a failed request may have reached the platform', () => {
  it('should say never reached for refused connections, DNS failures, TLS handshakes and connect timeouts, wherever the code sits', () => {
    expect(neverReached(sys('ECONNREFUSED'))).toBe(true);
    expect(neverReached(sys('ENOTFOUND'))).toBe(true);
    expect(neverReached(sys('EAI_AGAIN'))).toBe(true);
    expect(neverReached(sys('ERR_SSL_WRONG_VERSION_NUMBER'))).toBe(true);
    // undici: TypeError('fetch failed') with the socket error as its cause.
    expect(neverReached(new TypeError('fetch failed', { cause: sys('ECONNREFUSED') }))).toBe(true);
    expect(neverReached(new TypeError('fetch failed', { cause: sys('UND_ERR_CONNECT_TIMEOUT') }))).toBe(true);
    // request (instagram-private-api): a connect timeout is ETIMEDOUT with connect: true.
    expect(neverReached({ name: 'RequestError', error: sys('ETIMEDOUT', { connect: true }) })).toBe(true);
    expect(errorCodes({ cause: { error: sys('ESOCKETTIMEDOUT', { connect: false }) } })).toEqual(['ESOCKETTIMEDOUT']);
  });

  it('should say maybe reached for resets, hang-ups, read timeouts, aborts and errors without a code', () => {
    for (const error of [sys('ECONNRESET'), sys('EPIPE'), sys('ETIMEDOUT'), { error: sys('ESOCKETTIMEDOUT', { connect: false }) }, new TypeError('fetch failed', { cause: sys('UND_ERR_SOCKET') }), new Error('socket hang up'), new DOMException('aborted', 'AbortError')]) {
      expect(neverReached(error)).toBe(false);
    }
  });

  it('should treat gateway statuses without the platform body as a proxy speaking', () => {
    expect(isGatewayAnswer(502, undefined)).toBe(true);
    expect(isGatewayAnswer(504, false)).toBe(true);
    expect(isGatewayAnswer(502, true)).toBe(false);
    expect(isGatewayAnswer(500, false)).toBe(false);
    expect(isGatewayAnswer(503, undefined)).toBe(false);
  });
});

describe('each adapter marks sends that may have gone out', () => {
  it('should mark Telegram timeouts, resets, unreadable answers and 502/504 as maybe sent, and refusals or 500 as not', () => {
    const abort = Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' });
    expect(mapTelegramError(abort, 'telegram', { timedOut: true, timeoutMs: 100 }).maybeSent).toBe(true);
    expect(mapTelegramError(Object.assign(sys('ECONNRESET'), { name: 'FetchError', type: 'system' })).maybeSent).toBe(true);
    expect(mapTelegramError(Object.assign(new Error('invalid json response body'), { name: 'FetchError', type: 'invalid-json' })).maybeSent).toBe(true);
    expect(mapTelegramError(new TelegramError({ error_code: 502, description: 'Bad Gateway' })).maybeSent).toBe(true);
    expect(mapTelegramError(new TelegramError({ error_code: 504, description: 'Gateway Timeout' })).maybeSent).toBe(true);
    expect(mapTelegramError(new TelegramError({ error_code: 500, description: 'Internal Server Error' })).maybeSent).toBe(false);
    expect(mapTelegramError(Object.assign(sys('ECONNREFUSED'), { name: 'FetchError', type: 'system' })).maybeSent).toBe(false);
    expect(mapTelegramError(new TelegramError({ error_code: 400, description: 'Bad Request: chat not found' })).maybeSent).toBe(false);
  });

  it('should mark X cut answers, resets and gateway pages as maybe sent, and its own 5xx problem bodies as not', () => {
    const response = (code: number, data: unknown) => new ApiResponseError(`Request failed with code ${code}`, { code, data: data as never, headers: {}, request: {} as never, response: {} as never });
    expect(mapTwitterError(response(503, { title: 'Service Unavailable', detail: 'Service Unavailable', status: 503 })).maybeSent).toBe(false);
    expect(mapTwitterError(response(502, '<html><title>502 Bad Gateway</title></html>')).maybeSent).toBe(true);
    expect(mapTwitterError(new ApiPartialResponseError('cut', { request: {} as never, response: {} as never, rawContent: '{"da', responseError: new Error('cut') })).maybeSent).toBe(true);
    const reset = mapTwitterError(new ApiRequestError('Request failed.', { request: {} as never, error: sys('ECONNRESET') }));
    expect(reset.maybeSent).toBe(true);
    expect(reset.message).toBe('X gave no answer: ECONNRESET');
    expect(mapTwitterError(new ApiRequestError('Request failed.', { request: {} as never, error: sys('ECONNREFUSED') })).maybeSent).toBe(false);
  });

  it('should mark Instagram network failures by their cause, and Graph gateway answers as maybe sent', () => {
    expect(mapPrivateError(new IgNetworkError({ name: 'RequestError', cause: sys('ECONNRESET'), error: sys('ECONNRESET') } as never)).maybeSent).toBe(true);
    expect(mapPrivateError(new IgNetworkError({ name: 'RequestError', cause: sys('ECONNREFUSED'), error: sys('ECONNREFUSED') } as never)).maybeSent).toBe(false);
    expect(mapGraphError(502, { raw: '<html>502 Bad Gateway</html>' }).maybeSent).toBe(true);
    expect(mapGraphError(500, { error: { message: 'An unknown error occurred', code: 1, is_transient: true } }).maybeSent).toBe(false);
  });
});
