import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../src/http/signature.js';

const SECRET = 'a-webhook-secret-of-some-length';
const NOW = 1_780_000_000;
const check = (body: string, headers: { ts?: string; sig?: string }, now = NOW) =>
  verifySignature({ secret: SECRET, timestamp: headers.ts, signature: headers.sig, body: Buffer.from(body), now });

describe('webhook signatures', () => {
  it('should match the documented scheme: hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    // Independent computation of the same value with node:crypto.
    const expected = createHmac('sha256', SECRET).update(`${NOW}.{"a":1}`).digest('hex');
    expect(signBody(SECRET, NOW, '{"a":1}')).toBe(`sha256=${expected}`);
  });

  it('should accept any body signed with the secret within five minutes either way', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -300, max: 300 }), (body, skew) => {
        const ts = String(NOW + skew);
        const sig = signBody(SECRET, ts, body);
        expect(check(body, { ts, sig })).toEqual({ ok: true, timestamp: NOW + skew, digest: sig.slice('sha256='.length) });
      }),
    );
  });

  it('should refuse a body changed in any way after signing', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (body, extra) => {
        const ts = String(NOW);
        const result = check(body + extra, { ts, sig: signBody(SECRET, ts, body) });
        expect(result).toEqual({ ok: false, reason: 'signature does not match the body' });
      }),
    );
  });

  it('should refuse a timestamp more than five minutes away, or a signature moved to another timestamp', () => {
    const body = '{"title":"x"}';
    const old = String(NOW - 600);
    expect(check(body, { ts: old, sig: signBody(SECRET, old, body) })).toMatchObject({ ok: false, reason: expect.stringMatching(/more than 300 seconds/) });
    const future = String(NOW + 301);
    expect(check(body, { ts: future, sig: signBody(SECRET, future, body) }).ok).toBe(false);
    expect(check(body, { ts: String(NOW), sig: signBody(SECRET, NOW - 1, body) }).ok).toBe(false);
  });

  it('should name what is missing or malformed', () => {
    expect(check('{}', {})).toMatchObject({ reason: expect.stringMatching(/missing X-Crier-Signature/) });
    expect(check('{}', { sig: 'sha256=00' })).toMatchObject({ reason: expect.stringMatching(/missing X-Crier-Timestamp/) });
    expect(check('{}', { ts: 'yesterday', sig: 'sha256=00' })).toMatchObject({ reason: expect.stringMatching(/unix seconds/) });
    expect(check('{}', { ts: String(NOW), sig: 'md5=abc' })).toMatchObject({ reason: expect.stringMatching(/sha256=<hex>/) });
    // A short (or long) hex string never reaches timingSafeEqual with mismatched lengths.
    expect(check('{}', { ts: String(NOW), sig: 'sha256=abcd' })).toMatchObject({ reason: 'signature does not match the body' });
  });
});
