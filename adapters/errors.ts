/**
 * Typed delivery errors: each adapter maps its SDK's errors into these once, at its
 * client boundary, and the worker decides what to do from `kind` alone.
 */

export type DeliveryErrorKind = 'transient' | 'rate_limited' | 'permanent' | 'paused';

export interface DeliveryErrorInit {
  platform: string;
  /** Platform's own code (HTTP status, error_code, error subcode…). */
  code?: number | string;
  cause?: unknown;
  /**
   * The request was (or may have been) written and no answer came: the platform may have
   * acted on it. Such a send is never retried blindly (see queues/deliver.ts).
   */
  maybeSent?: boolean;
}

export abstract class DeliveryError extends Error {
  abstract readonly kind: DeliveryErrorKind;
  readonly platform: string;
  readonly code: number | string | undefined;
  /** The platform may have acted on the request whose answer was lost. */
  readonly maybeSent: boolean;

  constructor(message: string, init: DeliveryErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.platform = init.platform;
    this.code = init.code;
    this.maybeSent = init.maybeSent === true;
  }
}

/**
 * Worth retrying later with backoff: 5xx, timeouts, connection errors. With `maybeSent`
 * the platform may already have the post, so the next attempt looks it up first.
 */
export class TransientError extends DeliveryError {
  override readonly name = 'TransientError';
  readonly kind = 'transient' as const;
}

/** The platform asked us to wait; retrying earlier is pointless and spends no attempt. */
export class RateLimitedError extends DeliveryError {
  override readonly name = 'RateLimitedError';
  readonly kind = 'rate_limited' as const;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    init: DeliveryErrorInit,
  ) {
    super(message, init);
  }
}

/** Retrying cannot help (bad credentials, forbidden, invalid post): fail now, tell a human. */
export class PermanentError extends DeliveryError {
  override readonly name = 'PermanentError';
  readonly kind = 'permanent' as const;
}

/**
 * The account needs a human (checkpoint, spam block): pause the target's queue so
 * deliveries wait — none is lost — until someone resumes it.
 */
export class PausedError extends DeliveryError {
  override readonly name = 'PausedError';
  readonly kind = 'paused' as const;
  constructor(
    message: string,
    /** What a human must do before resuming. */
    readonly action: string,
    init: DeliveryErrorInit,
    /** Resume by itself after this long, if set. */
    readonly resumeAfterMs?: number,
  ) {
    super(message, init);
  }
}

export function isDeliveryError(error: unknown): error is DeliveryError {
  return error instanceof DeliveryError;
}

/**
 * The same error without the doubt: for a failure in a step that cannot publish anything
 * (an upload, a login, a lookup), whose lost answer leaves nothing on the platform to find.
 */
export function withoutSendDoubt(error: DeliveryError): DeliveryError {
  if (!error.maybeSent) return error;
  return new TransientError(error.message, { platform: error.platform, ...(error.code !== undefined ? { code: error.code } : {}), cause: error.cause });
}
