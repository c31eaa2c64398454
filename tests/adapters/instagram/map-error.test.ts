import { describe, expect, it } from 'vitest';
import {
  IgActionSpamError,
  IgCheckpointError,
  IgLoginBadPasswordError,
  IgLoginRequiredError,
  IgLoginTwoFactorRequiredError,
  IgNetworkError,
  IgResponseError,
} from 'instagram-private-api';
import { DAY_MS, isLoginRequired, mapGraphError, mapPrivateError } from '../../../adapters/instagram/map-error.js';
import { PausedError, PermanentError, RateLimitedError, TransientError } from '../../../adapters/errors.js';

/** The response shape instagram-private-api builds its errors from. */
const response = (statusCode: number, body: unknown) =>
  ({ request: { method: 'POST', uri: { path: '/api/v1/media/configure/' } }, statusCode, statusMessage: 'x', body }) as never;

describe('mapPrivateError', () => {
  it('should pause on a checkpoint with what a human must do', () => {
    const error = mapPrivateError(new IgCheckpointError(response(400, { message: 'challenge_required', status: 'fail' })), '@quay');
    expect(error).toBeInstanceOf(PausedError);
    expect((error as PausedError).action).toContain('@quay');
    expect((error as PausedError).resumeAfterMs).toBeUndefined();
  });

  it('should pause on action spam until the date Instagram gives, else for a day', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const dated = new IgActionSpamError(response(400, { message: 'feedback_required', spam: true, feedback_message: 'Blocked until 2026-03-03.' }));
    expect((mapPrivateError(dated, '@q', now) as PausedError).resumeAfterMs).toBe(Date.parse('2026-03-03T00:00:00Z') - now);
    const plain = new IgActionSpamError(response(400, { message: 'feedback_required', spam: true, feedback_message: 'Try again later.' }));
    expect((mapPrivateError(plain, '@q', now) as PausedError).resumeAfterMs).toBe(DAY_MS);
    const unflagged = new IgResponseError(response(400, { message: 'feedback_required', status: 'fail' }));
    expect(mapPrivateError(unflagged)).toBeInstanceOf(PausedError);
  });

  it('should make login problems permanent, two-factor a pause, and recognise login_required', () => {
    expect(mapPrivateError(new IgLoginBadPasswordError(response(400, { error_type: 'bad_password' })))).toBeInstanceOf(PermanentError);
    const loggedOut = new IgLoginRequiredError(response(403, { message: 'login_required' }));
    expect(isLoginRequired(loggedOut)).toBe(true);
    expect(mapPrivateError(loggedOut)).toMatchObject({ kind: 'permanent', code: 'login_required' });
    expect(mapPrivateError(new IgLoginTwoFactorRequiredError(response(400, { two_factor_required: true })))).toBeInstanceOf(PausedError);
  });

  it('should make network errors and 5xx transient, 429 and "please wait" rate limited, other 4xx permanent', () => {
    expect(mapPrivateError(new IgNetworkError(new Error('socket hang up')))).toBeInstanceOf(TransientError);
    expect(mapPrivateError(new IgResponseError(response(502, '<html>')))).toBeInstanceOf(TransientError);
    expect(mapPrivateError(new IgResponseError(response(429, { message: 'rate limited' })))).toBeInstanceOf(RateLimitedError);
    const wait = mapPrivateError(new IgResponseError(response(400, { message: 'Please wait a few minutes before you try again.' })));
    expect(wait).toBeInstanceOf(RateLimitedError);
    expect((wait as RateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect(mapPrivateError(new IgResponseError(response(400, { message: 'media_needs_reupload' })))).toBeInstanceOf(PermanentError);
  });
});

describe('mapGraphError', () => {
  const body = (code: number, error_subcode?: number, extra: Record<string, unknown> = {}) => ({
    error: { message: 'm', type: 'OAuthException', code, ...(error_subcode === undefined ? {} : { error_subcode }), fbtrace_id: 'A', ...extra },
  });

  it('should classify the codes PLATFORMS.md lists', () => {
    expect(mapGraphError(400, body(36003, 2207009))).toBeInstanceOf(PermanentError);
    expect(mapGraphError(400, body(36004, 2207010))).toBeInstanceOf(PermanentError);
    expect(mapGraphError(400, body(9, 2207042))).toBeInstanceOf(RateLimitedError);
    expect(mapGraphError(400, body(9004, 2207052))).toBeInstanceOf(TransientError);
    expect(mapGraphError(400, body(9007, 2207027))).toBeInstanceOf(TransientError);
  });

  it('should pause on an invalid token, rate-limit app throttling, and trust is_transient and 5xx', () => {
    expect(mapGraphError(400, body(190))).toBeInstanceOf(PausedError);
    expect(mapGraphError(400, body(4))).toBeInstanceOf(RateLimitedError);
    expect(mapGraphError(400, body(100, undefined, { is_transient: true }))).toBeInstanceOf(TransientError);
    expect(mapGraphError(503, 'Service Unavailable')).toBeInstanceOf(TransientError);
    expect(mapGraphError(400, body(100))).toMatchObject({ kind: 'permanent', code: 100 });
  });
});
