/**
 * Whether a failed request may have reached the platform — the one rule every adapter's
 * error mapping uses to decide if a send is *certainly not sent* (safe to retry as is) or
 * *maybe sent* (its answer was lost; never retried blindly, see queues/deliver.ts).
 *
 * Certainly not sent: the connection was never made or never became usable — refused,
 * DNS failure, unreachable network, a TLS handshake that failed, a connect timeout — or the
 * platform itself answered with an error. Everything else that ends without an answer is
 * maybe sent: a reset or `socket hang up` after the request went out, EPIPE, a read
 * timeout, an abort of a request in flight, a response cut short, or a gateway error from
 * a proxy that cannot say whether the origin acted.
 */

/** Socket error codes that mean the request never reached a server. */
const NEVER_REACHED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'EPROTO',
]);

/** TLS failures happen in the handshake, before any byte of the request is written. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)/;

/**
 * Gateway answers: a proxy in front of the platform speaking (502 Bad Gateway, 504 Gateway
 * Timeout, Cloudflare's 520 unknown error and 524 timeout). The origin may have acted.
 */
const GATEWAY_STATUSES = new Set([502, 504, 520, 524]);

/**
 * Every `code` found on the error and its causes (Error.cause, the SDKs' wrapped errors);
 * a timeout while connecting reads `CONNECT_TIMEOUT`.
 */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<object>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const e = current as { code?: unknown; connect?: unknown; cause?: unknown; error?: unknown; _options?: { error?: unknown } };
    // The `request` library (instagram-private-api) flags a timeout while connecting with `connect: true`.
    if (typeof e.code === 'string') codes.push(e.connect === true && /TIMEDOUT/.test(e.code) ? 'CONNECT_TIMEOUT' : e.code);
    // Error.cause (undici, DeliveryError), request's `error` (instagram-private-api), twitter-api-v2's `_options.error`.
    queue.push(e.cause, e.error, e._options?.error);
  }
  return codes;
}

/** True when the error shows the request never reached a server (nothing can have been posted). */
export function neverReached(error: unknown): boolean {
  return errorCodes(error).some((code) => NEVER_REACHED.has(code) || TLS_CODE.test(code));
}

/** True for a network failure after which the platform may have acted. */
export function maybeReached(error: unknown): boolean {
  return !neverReached(error);
}

/**
 * True for an HTTP error answer that does not come from the platform itself: a gateway
 * status without the platform's own error body. `platformBody` says whether the body is in
 * the platform's error shape (undefined: the client did not keep the body).
 */
export function isGatewayAnswer(status: number, platformBody: boolean | undefined): boolean {
  return GATEWAY_STATUSES.has(status) && platformBody !== true;
}
