import type { Fault, FaultPlan } from '../../src/sandbox/http.js';

/**
 * The storm each fake answers with while the chaos runs: a share of requests get a 5xx
 * (some only after a delay past the client's timeout, as a hung server), and now and then
 * a 429 in the platform's own words — Telegram's `parameters.retry_after`, X's
 * `x-rate-limit-*` headers. Instagram gets no 429: its answer ("Please wait a few
 * minutes") makes crier wait 15 minutes, longer than a chaos run.
 *
 * And a share of failures happen *after* the platform accepted: the fake handles the
 * request (the post exists), then loses the answer — the connection is reset, the answer
 * comes only after the client's timeout, or a proxy answers 502 in its place.
 */

export type Platform = 'telegram' | 'twitter' | 'instagram';

export interface StormOptions {
  /** Share of requests that fail (0..1). */
  rate: number;
  /** Delay of the hung answers: past the targets' timeoutMs. */
  hangMs: number;
  /** Share of failures that are 429s (Telegram and X only). */
  rateLimitedShare?: number;
  /** Share of failures that hang before their 5xx. */
  hangShare?: number;
  /** Share of failures that lose the answer after the platform acted (reset, late, gateway). */
  lostShare?: number;
  random?: () => number;
}

function serverError(platform: Platform, status: number): Fault {
  switch (platform) {
    case 'telegram':
      return { status, body: { ok: false, error_code: status, description: status === 502 ? 'Bad Gateway' : 'Internal Server Error' } };
    case 'twitter':
      return { status, body: { title: 'Service Unavailable', detail: 'Service Unavailable', type: 'about:blank', status } };
    case 'instagram':
      return { status, body: { message: 'Oops, an error occurred.', status: 'fail' } };
  }
}

function tooMany(platform: Platform, now: number): Fault | undefined {
  switch (platform) {
    case 'telegram':
      return { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } };
    case 'twitter':
      return {
        status: 429,
        body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
        headers: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(now / 1000) + 1) },
      };
    case 'instagram':
      return undefined;
  }
}

/** One failure, as `platform` would send it. */
export function stormFault(platform: Platform, options: StormOptions, now = Date.now()): Fault {
  const random = options.random ?? Math.random;
  const roll = random();
  const limited = options.rateLimitedShare ?? 0.1;
  const hang = options.hangShare ?? 0.2;
  const lost = options.lostShare ?? 0.25;
  if (roll < limited) {
    const fault = tooMany(platform, now);
    if (fault !== undefined) return fault;
  }
  if (roll >= 1 - lost) {
    const kinds = ['reset', 'late', 'gateway'] as const;
    return { lose: kinds[Math.floor(random() * kinds.length)] ?? 'reset', delayMs: options.hangMs };
  }
  const status = random() < 0.5 ? 500 : random() < 0.5 ? 502 : 503;
  const fault = serverError(platform, status);
  return roll < limited + hang ? { ...fault, delayMs: options.hangMs } : fault;
}

/** Turn the storm on (or off with rate 0) for one fake. */
export function storm(plan: FaultPlan, platform: Platform, options: StormOptions): void {
  plan.rate = options.rate;
  plan.random = options.rate > 0 ? () => stormFault(platform, options) : undefined;
}
