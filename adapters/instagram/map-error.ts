import {
  IgActionSpamError,
  IgCheckpointError,
  IgInactiveUserError,
  IgLoginBadPasswordError,
  IgLoginInvalidUserError,
  IgLoginRequiredError,
  IgLoginTwoFactorRequiredError,
  IgNetworkError,
  IgRequestsLimitError,
  IgResponseError,
  IgSentryBlockError,
  IgUserHasLoggedOutError,
} from 'instagram-private-api';
import {
  isDeliveryError,
  PausedError,
  PermanentError,
  RateLimitedError,
  TransientError,
  type DeliveryError,
} from '../errors.js';
import { isGatewayAnswer, maybeReached } from '../send-outcome.js';

/**
 * The one place Instagram failures become delivery errors: `mapPrivateError` for the
 * instagram-private-api SDK's error classes, `mapGraphError` for Graph API error bodies.
 */

const platform = 'instagram';
export const DAY_MS = 24 * 60 * 60 * 1000;
/** "Please wait a few minutes before you try again." */
export const PLEASE_WAIT_MS = 15 * 60 * 1000;
const GRAPH_RATE_LIMIT_MS = 60 * 60 * 1000;

/** The session was rejected: the caller may log in again once and retry. */
export function isLoginRequired(error: unknown): boolean {
  return error instanceof IgLoginRequiredError || error instanceof IgUserHasLoggedOutError;
}

interface IgBody {
  message?: unknown;
  feedback_message?: unknown;
  error_type?: unknown;
  spam?: unknown;
}

function body(error: IgResponseError): IgBody {
  const b = (error.response as { body?: unknown } | undefined)?.body;
  return typeof b === 'object' && b !== null ? (b as IgBody) : {};
}

function statusOf(error: IgResponseError): number | undefined {
  return (error.response as { statusCode?: number } | undefined)?.statusCode;
}

/** Map anything thrown while talking to Instagram through instagram-private-api. */
export function mapPrivateError(error: unknown, account = 'the account', now = Date.now()): DeliveryError {
  if (isDeliveryError(error)) return error;
  const init = { platform, cause: error };
  if (error instanceof IgActionSpamError || (error instanceof IgResponseError && body(error).message === 'feedback_required')) {
    const until = error instanceof IgActionSpamError ? error.expirationDate : null;
    const resumeAt = until === null ? NaN : Date.parse(`${until}T00:00:00Z`);
    const resumeAfterMs = Number.isFinite(resumeAt) && resumeAt > now ? resumeAt - now : DAY_MS;
    return new PausedError(
      'instagram: action blocked as spam (feedback_required)',
      `Instagram blocked posting for ${account} (feedback_required). Open the account in the Instagram app, acknowledge the warning, and post nothing for about a day; the target resumes by itself in ${Math.round(resumeAfterMs / 3_600_000)} h, or resume it earlier once the block is lifted.`,
      { ...init, code: 'feedback_required' },
      resumeAfterMs,
    );
  }
  if (error instanceof IgCheckpointError) {
    return new PausedError(
      'instagram: security checkpoint (challenge_required)',
      `Instagram wants a security check for ${account} (challenge_required). Log in to the account in the Instagram app or website from a trusted device, complete the challenge ("This was me"), then resume the target.`,
      { ...init, code: 'challenge_required' },
    );
  }
  if (error instanceof IgLoginTwoFactorRequiredError) {
    return new PausedError(
      'instagram: two-factor login required',
      `Instagram asks for a two-factor code for ${account}; crier cannot enter one. Disable two-factor login for this account or switch the target to the Graph backend, then resume the target.`,
      { ...init, code: 'two_factor_required' },
    );
  }
  if (error instanceof IgSentryBlockError) {
    return new PausedError(
      'instagram: login blocked (sentry_block)',
      `Instagram blocked logins for ${account} from this machine (sentry_block). Log in from the Instagram app to confirm the account, wait a day, then resume the target.`,
      { ...init, code: 'sentry_block' },
      DAY_MS,
    );
  }
  if (error instanceof IgLoginBadPasswordError) return new PermanentError('instagram: bad password', { ...init, code: 'bad_password' });
  if (error instanceof IgLoginInvalidUserError) return new PermanentError('instagram: no such user', { ...init, code: 'invalid_user' });
  if (error instanceof IgInactiveUserError) return new PermanentError('instagram: account inactive', { ...init, code: 'inactive_user' });
  if (isLoginRequired(error)) {
    return new PermanentError('instagram: session rejected (login_required) even after a fresh login', { ...init, code: 'login_required' });
  }
  if (error instanceof IgRequestsLimitError) return new RateLimitedError('instagram: too many requests', PLEASE_WAIT_MS, { ...init, code: 429 });
  if (error instanceof IgNetworkError) {
    return new TransientError(`instagram: network error (${(error as { message?: string }).message ?? 'no detail'})`, { ...init, maybeSent: maybeReached(error) });
  }
  if (error instanceof IgResponseError) {
    const status = statusOf(error);
    const message = typeof body(error).message === 'string' ? (body(error).message as string) : '';
    const code = status ?? 'response';
    if (status === 429 || /please wait a few minutes/i.test(message)) {
      return new RateLimitedError(`instagram: rate limited (${message || status})`, PLEASE_WAIT_MS, { ...init, code });
    }
    if (status !== undefined && status >= 500) {
      const fromInstagram = typeof (error.response as { body?: unknown } | undefined)?.body === 'object';
      return new TransientError(`instagram: server error ${status}`, { ...init, code, maybeSent: isGatewayAnswer(status, fromInstagram) });
    }
    return new PermanentError(`instagram: request refused (${status ?? '?'}${message === '' ? '' : `: ${message}`})`, { ...init, code });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new TransientError(`instagram: ${text}`, init);
}

/** Meta's error body: {"error": {message, type, code, error_subcode, is_transient, fbtrace_id}}. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

export function graphErrorOf(payload: unknown): GraphErrorBody | undefined {
  const error = (payload as { error?: unknown } | null | undefined)?.error;
  return typeof error === 'object' && error !== null ? (error as GraphErrorBody) : undefined;
}

/** Map a failed Graph API response (HTTP status + parsed body) to a delivery error. */
export function mapGraphError(status: number, payload: unknown): DeliveryError {
  const body = graphErrorOf(payload);
  const e = body ?? {};
  const code = e.code;
  const sub = e.error_subcode;
  const what = `instagram graph: ${e.message ?? `HTTP ${status}`}${code === undefined ? '' : ` (code ${code}${sub === undefined ? '' : `/${sub}`})`}`;
  const init = { platform, code: code ?? status, cause: payload };
  if (code === 190 || code === 102 || code === 463 || code === 467) {
    return new PausedError(what, 'The Instagram Graph access token is invalid or expired. Generate a new long-lived token for the account, update the target config, then resume the target.', init);
  }
  if (code === 9 && sub === 2207042) return new RateLimitedError(what, GRAPH_RATE_LIMIT_MS, init);
  if (code === 4 || code === 17 || code === 32 || code === 613 || code === 80002 || status === 429) return new RateLimitedError(what, GRAPH_RATE_LIMIT_MS, init);
  if (code === 9007 || sub === 2207027 || code === 9004 || sub === 2207052) return new TransientError(what, init);
  if (code === 36003 || sub === 2207009 || code === 36004 || sub === 2207010) return new PermanentError(what, init);
  if (e.is_transient === true || code === 1 || code === 2 || status >= 500) return new TransientError(what, { ...init, maybeSent: isGatewayAnswer(status, body !== undefined) });
  return new PermanentError(what, init);
}
