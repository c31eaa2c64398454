import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `X-Crier-Timestamp: <unix seconds>` and
 * `X-Crier-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with WEBHOOK_SECRET>`;
 * or Ghost's own, so a Ghost webhook can point straight at crier: `X-Ghost-Signature:
 * sha256=<hex HMAC-SHA256 of "<raw body><timestamp>">, t=<unix milliseconds>` (the secret
 * set on the Ghost webhook is WEBHOOK_SECRET). Compared in constant time; a timestamp more
 * than five minutes away is refused.
 */

export const TIMESTAMP_HEADER = 'x-crier-timestamp';
export const SIGNATURE_HEADER = 'x-crier-signature';
export const GHOST_SIGNATURE_HEADER = 'x-ghost-signature';
export const TOLERANCE_SECONDS = 300;

/** The header value for a body (what a CMS, or a test, sends). */
export function signBody(secret: string, timestamp: number | string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

/**
 * `digest`: the signature's MAC as lowercase hex, whatever case or spacing it was sent in: what
 * makes a request the same request again (replay detection keys on it, never on the header's text).
 */
export type SignatureCheck = { ok: true; timestamp: number; digest: string } | { ok: false; reason: string };

export interface VerifyInput {
  secret: string;
  timestamp: string | string[] | undefined;
  signature: string | string[] | undefined;
  body: Buffer;
  /** Current time, unix seconds. */
  now: number;
  toleranceSeconds?: number;
}

const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v);

/** Check a request's signature. The reason names the problem without echoing any secret. */
export function verifySignature(input: VerifyInput): SignatureCheck {
  const timestamp = single(input.timestamp)?.trim();
  const signature = single(input.signature)?.trim();
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing X-Crier-Signature header (the request is not signed)' };
  if (timestamp === undefined || timestamp === '') return { ok: false, reason: 'missing X-Crier-Timestamp header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Crier-Timestamp must be unix seconds' };
  const ts = Number(timestamp);
  const tolerance = input.toleranceSeconds ?? TOLERANCE_SECONDS;
  if (Math.abs(input.now - ts) > tolerance) {
    return { ok: false, reason: `X-Crier-Timestamp is more than ${tolerance} seconds away from the server's clock (stale or replayed request)` };
  }
  const match = /^sha256=([0-9a-fA-F]+)$/.exec(signature);
  if (match?.[1] === undefined) return { ok: false, reason: 'X-Crier-Signature must look like sha256=<hex>' };
  return compared(match[1], signBody(input.secret, timestamp, input.body).slice('sha256='.length), ts);
}

/** The MAC a request carries against the one its body gives, in constant time (hex, any case). */
function compared(givenHex: string, expectedHex: string, timestamp: number): SignatureCheck {
  const given = Buffer.from(givenHex.toLowerCase(), 'hex');
  const expected = Buffer.from(expectedHex, 'hex');
  // timingSafeEqual throws on different lengths; the length itself is no secret (always 32 bytes).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match the body' };
  return { ok: true, timestamp, digest: expected.toString('hex') };
}

/** The header value Ghost sends for a body at `timestampMs` (what a test or a proxy sends). */
export function signGhostBody(secret: string, timestampMs: number | string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret);
  mac.update(body);
  mac.update(String(timestampMs));
  return `sha256=${mac.digest('hex')}, t=${timestampMs}`;
}

export interface GhostVerifyInput {
  secret: string;
  header: string | string[] | undefined;
  body: Buffer;
  /** Current time, unix seconds. */
  now: number;
  toleranceSeconds?: number;
}

/** Check a request signed the way Ghost signs its webhooks. */
export function verifyGhostSignature(input: GhostVerifyInput): SignatureCheck {
  const header = single(input.header)?.trim();
  if (header === undefined || header === '') return { ok: false, reason: 'missing X-Ghost-Signature header (the request is not signed)' };
  const match = /^sha256=([0-9a-fA-F]+)\s*,\s*t=(\d{1,16})$/.exec(header);
  if (match?.[1] === undefined || match[2] === undefined) return { ok: false, reason: 'X-Ghost-Signature must look like sha256=<hex>, t=<milliseconds>' };
  const ts = Math.floor(Number(match[2]) / 1000);
  const tolerance = input.toleranceSeconds ?? TOLERANCE_SECONDS;
  if (Math.abs(input.now - ts) > tolerance) {
    return { ok: false, reason: `the X-Ghost-Signature time is more than ${tolerance} seconds away from the server's clock (stale or replayed request)` };
  }
  return compared(match[1], /^sha256=([0-9a-f]+)/.exec(signGhostBody(input.secret, match[2], input.body))?.[1] ?? '', ts);
}
