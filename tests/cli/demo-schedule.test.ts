import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crier } from '../helpers/cli.js';
import { REDIS_URL } from '../helpers/redis.js';

/** Issue 14's walk-through: `crier demo --schedule` in a child process against the test Redis (its own random prefix, removed when it ends). */
describe('crier demo --schedule', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => {
    redis.disconnect();
  });

  it('should hold the scheduled post until its time and send the breaking one ahead of the backlog on every platform', async () => {
    const run = await crier(['demo', '--schedule'], { env: { REDIS_URL } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;

    // (a) Held as an embargo until its time on every target, and not delivered before it.
    const due = /scheduled for (\d\d:\d\d:\d\d\.\d{3}) UTC/.exec(out)?.[1];
    expect(due).toBeDefined();
    for (const target of ['telegram', 'twitter', 'instagram']) {
      expect(out).toMatch(new RegExp(`^ {4}${target} +embargo until \\d\\d:\\d\\d:\\d\\d\\.\\d{3} UTC \\(in [34]\\.\\d s\\)$`, 'm'));
      const sent = new RegExp(`^ {4}${target} +scheduled ${due} +delivered (\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) +\\(([+-]\\d+) ms\\)$`, 'm').exec(out);
      expect(sent, `${target} delivered line`).not.toBeNull();
      expect(Number(sent?.[2])).toBeGreaterThanOrEqual(0);
      expect((sent?.[1] ?? '') >= (due ?? '')).toBe(true);
    }

    // (b) The backlog waited (paused), and each platform received the breaking article first, then the backlog in order.
    for (const target of ['telegram', 'twitter', 'instagram']) {
      expect(out).toMatch(new RegExp(`^ {4}${target} +11 waiting \\(paused\\), 1 breaking$`, 'm'));
      expect(out).toMatch(new RegExp(`^ {4}${target} +BREAKING, 01, 02, 03, 04, 05, 06, 07, 08, 09, 10$`, 'm'));
    }
    expect(out).toContain('OK: the scheduled post went out on time, not before; the breaking one overtook the backlog on every platform.');

    // Nothing left behind.
    const prefix = /keys under (crier-demo-\w+)/.exec(out)?.[1] as string;
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  }, 90_000);

  it('should list --schedule in crier help', async () => {
    const run = await crier(['help']);
    expect(run.stdout).toContain('crier demo [--schedule]');
  });
});
