import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { PermanentError, RateLimitedError, TransientError } from '../../../adapters/errors.js';
import { mapTelegramError, migratedChatId } from '../../../adapters/telegram/map-error.js';

const tg = (error_code: number, description: string, parameters?: Record<string, number>) =>
  new TelegramError({ error_code, description, ...(parameters !== undefined ? { parameters } : {}) });

describe('mapTelegramError', () => {
  it('should turn 429 into a rate limit for retry_after seconds', () => {
    const mapped = mapTelegramError(tg(429, 'Too Many Requests: retry after 12', { retry_after: 12 }));
    expect(mapped).toBeInstanceOf(RateLimitedError);
    expect((mapped as RateLimitedError).retryAfterMs).toBe(12_000);
    expect(mapped.code).toBe(429);
    expect(mapped.platform).toBe('telegram');
    expect((mapTelegramError(tg(429, 'Too Many Requests')) as RateLimitedError).retryAfterMs).toBe(5000);
  });

  it('should retry a migrated group and name the new chat', () => {
    const error = tg(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 });
    expect(mapTelegramError(error)).toBeInstanceOf(TransientError);
    expect(migratedChatId(error)).toBe('-1001234567890');
    expect(migratedChatId(tg(400, 'Bad Request: chat not found'))).toBeUndefined();
  });

  it('should make client errors permanent with Telegram description as the message', () => {
    for (const [code, description] of [
      [403, 'Forbidden: bot was blocked by the user'],
      [403, 'Forbidden: bot is not a member of the channel chat'],
      [400, 'Bad Request: need administrator rights in the channel chat'],
      [400, 'Bad Request: chat not found'],
      [400, `Bad Request: can't parse entities: Unsupported start tag "p" at byte offset 0`],
      [400, 'Bad Request: message is too long'],
      [400, 'Bad Request: message caption is too long'],
      [401, 'Unauthorized'],
    ] as const) {
      const mapped = mapTelegramError(tg(code, description));
      expect(mapped).toBeInstanceOf(PermanentError);
      expect(mapped.message).toBe(description);
      expect(mapped.code).toBe(code);
    }
  });

  it('should make server errors, network errors and timeouts transient', () => {
    expect(mapTelegramError(tg(502, 'Bad Gateway'))).toBeInstanceOf(TransientError);
    const refused = Object.assign(new Error('request to http://127.0.0.1:9/ failed, reason: connect ECONNREFUSED'), { name: 'FetchError', code: 'ECONNREFUSED' });
    expect(mapTelegramError(refused)).toMatchObject({ kind: 'transient', code: 'ECONNREFUSED' });
    const abort = Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' });
    expect(mapTelegramError(abort, 'telegram', { timedOut: true, timeoutMs: 250 })).toMatchObject({ kind: 'transient', message: 'request timed out after 250 ms' });
    expect(mapTelegramError(abort)).toMatchObject({ kind: 'transient', message: 'request aborted' });
  });

  it('should recognise a TelegramError-shaped error from another telegraf copy and pass delivery errors through', () => {
    const foreign = { response: { error_code: 403, description: 'Forbidden: bot was kicked from the channel chat' } };
    expect(mapTelegramError(foreign)).toMatchObject({ kind: 'permanent', message: 'Forbidden: bot was kicked from the channel chat' });
    const already = new PermanentError('x', { platform: 'telegram' });
    expect(mapTelegramError(already)).toBe(already);
  });
});
