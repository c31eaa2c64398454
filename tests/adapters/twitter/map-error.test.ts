import { describe, expect, it } from 'vitest';
import { ApiRequestError, ApiResponseError, type TwitterRateLimit } from 'twitter-api-v2';
import { isDuplicateContent, mapTwitterError } from '../../../adapters/twitter/map-error.js';
import { PausedError, PermanentError, RateLimitedError, TransientError } from '../../../adapters/errors.js';

const NOW = Date.UTC(2026, 2, 3, 12, 0, 0);
const nowS = NOW / 1000;

function responseError(code: number, data: unknown, headers: Record<string, string> = {}, rateLimit?: TwitterRateLimit): ApiResponseError {
  return new ApiResponseError(`Request failed with code ${code}`, {
    code,
    data: data as never,
    headers,
    request: {} as never,
    response: {} as never,
    ...(rateLimit ? { rateLimit } : {}),
  });
}

describe('mapTwitterError', () => {
  it('should map a 429 to RateLimitedError until x-rate-limit-reset', () => {
    const error = mapTwitterError(
      responseError(429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, {
        'x-rate-limit-limit': '100',
        'x-rate-limit-remaining': '0',
        'x-rate-limit-reset': String(nowS + 600),
        'x-user-limit-24hour-limit': '10000',
        'x-user-limit-24hour-remaining': '9000',
        'x-user-limit-24hour-reset': String(nowS + 80_000),
      }),
      NOW,
    );
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(601_000);
    expect(error.message).toContain('15-minute window');
    expect(error.message).toContain(new Date((nowS + 600) * 1000).toISOString());
  });

  it('should wait for the 24-hour reset when the daily user or app cap is spent', () => {
    const user = mapTwitterError(
      responseError(429, { title: 'Too Many Requests' }, { 'x-rate-limit-reset': String(nowS + 60), 'x-user-limit-24hour-remaining': '0', 'x-user-limit-24hour-reset': String(nowS + 7200) }),
      NOW,
    ) as RateLimitedError;
    expect(user.retryAfterMs).toBe(7_201_000);
    expect(user.message).toContain('user 24-hour cap');
    const app = mapTwitterError(
      responseError(429, { title: 'Too Many Requests' }, {}, { limit: 1, remaining: 5, reset: nowS + 60, day: { limit: 10, remaining: 0, reset: nowS + 3600 } }),
      NOW,
    ) as RateLimitedError;
    expect(app.retryAfterMs).toBe(3_601_000);
  });

  it('should pause the target when the plan usage cap is reached', () => {
    const error = mapTwitterError(responseError(429, { title: 'UsageCapExceeded', detail: 'Usage cap exceeded: Monthly product cap', type: 'https://api.twitter.com/2/problems/usage-capped' }), NOW);
    expect(error).toBeInstanceOf(PausedError);
    expect(error.message).toContain('Monthly product cap');
  });

  it('should make auth errors, invalid requests and forbidden permanent with the platform detail', () => {
    const auth = mapTwitterError(responseError(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }), NOW);
    expect(auth).toBeInstanceOf(PermanentError);
    expect(auth.message).toBe('X rejected the credentials: Unauthorized');
    const invalid = mapTwitterError(
      responseError(400, {
        errors: [{ message: 'Your Tweet text is too long.' }],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      }),
      NOW,
    );
    expect(invalid).toBeInstanceOf(PermanentError);
    expect(invalid.message).toBe('X refused the request: One or more parameters to your request was invalid. — Your Tweet text is too long.');
    expect(invalid.code).toBe(400);
    const forbidden = mapTwitterError(responseError(403, { detail: 'You are not permitted to perform this action.', title: 'Forbidden', status: 403 }), NOW);
    expect(forbidden).toBeInstanceOf(PermanentError);
    expect(forbidden.message).toContain('You are not permitted to perform this action.');
  });

  it('should make server and network errors transient', () => {
    expect(mapTwitterError(responseError(503, { title: 'Service Unavailable' }), NOW)).toBeInstanceOf(TransientError);
    const network = mapTwitterError(new ApiRequestError('Request failed.', { request: {} as never, error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), NOW);
    expect(network).toBeInstanceOf(TransientError);
    expect(network.message).toBe('X unreachable: ECONNREFUSED');
  });

  it('should recognise duplicate content and nothing else as duplicate', () => {
    expect(isDuplicateContent(responseError(403, { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 }))).toBe(true);
    expect(isDuplicateContent(responseError(403, { errors: [{ code: 187, message: 'Status is a duplicate.' }] }))).toBe(true);
    expect(isDuplicateContent(responseError(403, { detail: 'You are not permitted to perform this action.' }))).toBe(false);
    expect(isDuplicateContent(new Error('duplicate content'))).toBe(false);
  });
});
