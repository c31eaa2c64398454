import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../queues/connection.js';
import { PausedError, PermanentError, RateLimitedError, TransientError } from '../../adapters/errors.js';
import type { Adapter, SendContext, SendResult, TelegramPost } from '../../adapters/types.js';
import type { TargetConfig } from '../../config/schema.js';
import { Ledger } from '../../queues/ledger.js';
import { publish } from '../../queues/publish.js';
import type { QueueSet } from '../../queues/queue-set.js';
import { retryDeliveries } from '../../queues/retry.js';
import { toArticle } from '../../src/article/schema.js';
import { deliveryHarness, type DeliveryHarness } from '../helpers/delivery.js';
import { completedJob, eventually } from '../helpers/redis.js';

/**
 * Queue semantics with a scripted adapter: each send pops the next scripted outcome.
 * (The platform fakes are exercised in tests/integration; here we pin what the worker
 * does with each kind of error.)
 */
class ScriptedAdapter implements Adapter<TelegramPost> {
  readonly platform = 'telegram' as const;
  calls: Array<{ text: string | undefined; progress: Record<string, string> }> = [];
  script: Array<() => SendResult> = [];
  constructor(readonly target: TargetConfig) {}
  format(article: { title: string }): TelegramPost {
    return { target: this.target.id, platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: article.title };
  }
  async send(post: TelegramPost, ctx: SendContext): Promise<SendResult> {
    this.calls.push({ text: post.text, progress: { ...ctx.progress } });
    const next = this.script.shift();
    if (next) return next();
    return { remoteId: String(this.calls.length), url: `https://t.me/x/${this.calls.length}` };
  }
}

describe('delivery worker', () => {
  let h: DeliveryHarness;
  let prefix: string;
  let redis: RedisClient;
  let queues: QueueSet;
  let ledger: Ledger;
  let target: TargetConfig;
  let adapter: ScriptedAdapter;
  const events: string[] = [];

  beforeEach(async () => {
    h = deliveryHarness('worker');
    ({ prefix, redis, queues, ledger, target } = h);
    adapter = new ScriptedAdapter(target);
    events.length = 0;
    await h.start(adapter as Adapter, {
      observer: {
        failed: (e) => void events.push(`failed:${e.reason}`),
        paused: (e) => void events.push(`paused:${e.action}`),
        rateLimited: (e) => void events.push(`rate:${e.waitMs}`),
      },
    });
  });

  afterEach(() => h.close());

  const article = (n = 1) => toArticle({ url: `https://news.example/a/${n}`, title: `Article ${n}` });
  const settled = (id: string, states: string[]) =>
    eventually(async () => {
      const r = await ledger.get(id, 'chan');
      return r && states.includes(r.state) ? r : undefined;
    });

  it('should deliver once, record it, and enqueue nothing when published again', async () => {
    const a = article();
    const first = await publish(a, { queues, ledger, targets: [target] });
    expect(first.outcomes[0]).toMatchObject({ enqueued: true, state: 'queued' });
    const record = await settled(a.id, ['delivered']);
    expect(record).toMatchObject({ remoteId: '1', url: 'https://t.me/x/1', attempts: 1 });
    const second = await publish(a, { queues, ledger, targets: [target] });
    expect(second.outcomes[0]).toMatchObject({ enqueued: false, state: 'delivered' });
    await new Promise((r) => setTimeout(r, 200));
    expect(adapter.calls).toHaveLength(1);
  });

  it('should retry transient errors with backoff and deliver exactly once', async () => {
    const boom = () => {
      throw new TransientError('500 Internal Server Error', { platform: 'telegram', code: 500 });
    };
    adapter.script.push(boom, boom);
    const a = article(2);
    await publish(a, { queues, ledger, targets: [target] });
    const record = await settled(a.id, ['delivered']);
    expect(adapter.calls).toHaveLength(3);
    expect(record.attempts).toBe(3);
  });

  it('should honour a rate limit without spending an attempt', async () => {
    adapter.script.push(() => {
      throw new RateLimitedError('Too Many Requests: retry after 1', 300, { platform: 'telegram', code: 429 });
    });
    const a = article(3);
    await publish(a, { queues, ledger, targets: [target] });
    await settled(a.id, ['delivered']);
    const job = await completedJob(queues.get(target), 'a-' + a.id);
    expect(job?.attemptsMade).toBe(1);
    expect(events).toContain('rate:300');
    expect(adapter.calls).toHaveLength(2);
  });

  it('should fail a permanent error at once with the reason in the ledger, and alert', async () => {
    adapter.script.push(() => {
      throw new PermanentError('Forbidden: bot is not a member of the channel chat', { platform: 'telegram', code: 403 });
    });
    const a = article(4);
    await publish(a, { queues, ledger, targets: [target] });
    const record = await settled(a.id, ['failed']);
    expect(record.lastError).toBe('Forbidden: bot is not a member of the channel chat');
    expect(record.attempts).toBe(1);
    // The alert follows the ledger write.
    await eventually(() => (events.length > 0 ? true : undefined));
    expect(events).toEqual(['failed:Forbidden: bot is not a member of the channel chat']);
    expect(adapter.calls).toHaveLength(1);
  });

  it('should give up after the configured attempts and let an editor retry the failed delivery only', async () => {
    const boom = () => {
      throw new TransientError('timeout', { platform: 'telegram' });
    };
    adapter.script.push(boom, boom, boom);
    const a = article(5);
    await publish(a, { queues, ledger, targets: [target] });
    const failed = await settled(a.id, ['failed']);
    expect(failed.attempts).toBe(3);
    expect(events.some((e) => e.startsWith('failed:gave up after 3 attempts'))).toBe(true);

    const outcome = await retryDeliveries(a.id, [target], { ledger, queues });
    expect(outcome).toEqual([{ target: 'chan', result: 'retried' }]);
    await settled(a.id, ['delivered']);
    expect(adapter.calls).toHaveLength(4);
    expect(await retryDeliveries(a.id, [target], { ledger, queues })).toEqual([{ target: 'chan', result: 'delivered' }]);
  });

  it('should pause the target on a checkpoint and deliver the waiting post once resumed', async () => {
    adapter.script.push(() => {
      throw new PausedError('challenge_required', 'log in on the phone and approve the login', { platform: 'instagram' });
    });
    const a = article(6);
    await publish(a, { queues, ledger, targets: [target] });
    await settled(a.id, ['paused']);
    const queue = queues.get(target);
    await eventually(async () => ((await queue.isPaused()) ? true : undefined));
    expect(events).toContain('paused:log in on the phone and approve the login');
    await new Promise((r) => setTimeout(r, 300));
    expect(adapter.calls).toHaveLength(1);
    await queue.resume();
    await settled(a.id, ['delivered']);
    expect(adapter.calls).toHaveLength(2);
  });

  it('should hand the progress of an earlier attempt to the next one', async () => {
    const a = article(7);
    adapter.script.push(() => {
      throw new TransientError('mid-thread failure', { platform: 'telegram' });
    });
    await redis.hset(`${prefix}:ledger:${a.id}:chan`, 'p:tweet:0', '111');
    await publish(a, { queues, ledger, targets: [target] });
    await settled(a.id, ['delivered']);
    expect(adapter.calls.map((c) => c.progress)).toEqual([{ 'tweet:0': '111' }, { 'tweet:0': '111' }]);
  });

  it("should record a delivery before BullMQ completes its job, on the worker's connection", async () => {
    // Redis's MONITOR lists commands in the order Redis ran them, scripts' commands included.
    const monitor = await (redis as Redis).monitor();
    const ran: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => void ran.push(args));
    try {
      const batch = [11, 12, 13, 14, 15, 16].map(article);
      await Promise.all(batch.map((a) => publish(a, { queues, ledger, targets: [target] })));
      for (const a of batch) await completedJob(queues.get(target), `a-${a.id}`);
      for (const a of batch) {
        const recorded = ran.findIndex((c) => c[0]?.toLowerCase() === 'hset' && c[1] === `${prefix}:ledger:${a.id}:chan` && c.includes('delivered'));
        // BullMQ's completion (a script) adds the job to the completed set.
        const completed = ran.findIndex((c) => c[0]?.toLowerCase() === 'zadd' && c[1] === `${prefix}:deliver.chan:completed` && c.includes(`a-${a.id}`));
        expect(recorded).toBeGreaterThanOrEqual(0);
        expect(completed).toBeGreaterThan(recorded);
      }
    } finally {
      monitor.disconnect();
    }
  });

  it('should write the delivered record again when Redis refuses it, and report the delivery once', async () => {
    const refused = vi.spyOn(Ledger.prototype, 'markDelivered').mockRejectedValueOnce(new Error("OOM command not allowed when used memory > 'maxmemory'."));
    const delivered: string[] = [];
    await h.close();
    h = deliveryHarness('worker-refused');
    ({ prefix, redis, queues, ledger, target } = h);
    adapter = new ScriptedAdapter(target);
    await h.start(adapter as Adapter, { observer: { delivered: (e) => void delivered.push(e.remoteId) } });
    try {
      const a = article(21);
      await publish(a, { queues, ledger, targets: [target] });
      const record = await settled(a.id, ['delivered']);
      expect(record).toMatchObject({ remoteId: '1', url: 'https://t.me/x/1' });
      expect(refused).toHaveBeenCalledTimes(2);
      expect(adapter.calls).toHaveLength(1);
      expect(delivered).toEqual(['1']);
    } finally {
      refused.mockRestore();
    }
  });
});

