import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../adapters/errors.js';
import type { Adapter, PrepareContext, SendContext, SendResult, TelegramPost } from '../../adapters/types.js';
import type { TargetConfig } from '../../config/schema.js';
import type { Ledger } from '../../queues/ledger.js';
import { jobId } from '../../queues/names.js';
import { jobOptions } from '../../queues/publish.js';
import type { QueueSet } from '../../queues/queue-set.js';
import type { DeliveryWorkers } from '../../queues/worker.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import { deliveryHarness, type DeliveryHarness } from '../helpers/delivery.js';
import { completedJob, eventually } from '../helpers/redis.js';

/**
 * A job found with its delivery in `sending` (a worker died between calling the platform
 * and recording the result): reconcile when the adapter can, else `unknown` for an editor;
 * and an error while preparing never unsettles a delivery that is held or in doubt.
 */
class CrashAdapter implements Adapter<TelegramPost> {
  readonly platform = 'telegram' as const;
  sends = 0;
  reconciles = 0;
  found: SendResult | undefined;
  prepareError: Error | undefined;
  /** How many times prepare throws prepareError (then it succeeds). */
  prepareFailures = Number.POSITIVE_INFINITY;
  /** How many lookups throw reconcileError first. */
  reconcileFailures = 0;
  reconcileError: Error = new TransientError('X timeline: 503', { platform: 'telegram' });
  reconcile?: (post: TelegramPost, ctx: PrepareContext) => Promise<SendResult | undefined>;
  constructor(readonly target: TargetConfig, canReconcile: boolean) {
    if (canReconcile) {
      this.reconcile = async () => {
        this.reconciles++;
        if (this.reconcileFailures-- > 0) throw this.reconcileError;
        return this.found;
      };
    }
  }
  format(article: { title: string }): TelegramPost {
    return { target: this.target.id, platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: article.title };
  }
  /** When set, prepare runs this first (with the attempt's signal). */
  prepareHook: ((signal: AbortSignal) => Promise<void>) | undefined;
  async prepare(post: TelegramPost, ctx: PrepareContext): Promise<TelegramPost> {
    if (this.prepareHook) await this.prepareHook(ctx.signal);
    if (this.prepareError && this.prepareFailures-- > 0) throw this.prepareError;
    return post;
  }
  async send(_post: TelegramPost, _ctx: SendContext): Promise<SendResult> {
    this.sends++;
    return { remoteId: `sent-${this.sends}` };
  }
}

describe('a delivery found in doubt after a crash', () => {
  let h: DeliveryHarness;
  let queues: QueueSet;
  let ledger: Ledger;
  let target: TargetConfig;
  const unknown: string[] = [];

  async function start(adapter: CrashAdapter): Promise<DeliveryWorkers> {
    return h.start(adapter as Adapter, { concurrency: 1, observer: { unknown: (e) => void unknown.push(e.article.id) } });
  }

  /** The state a crash leaves: the record marked sending (its lease run out, or still running for `leaseMs`), the job back in the queue. */
  async function crashed(a: Article, state: 'sending' | 'unknown' = 'sending', leaseMs = 1): Promise<void> {
    await ledger.saveAndClaim(a, [target]);
    await ledger.begin(a.id, target.id, 'telegram', [], { token: 'the-crashed-worker', ms: leaseMs });
    if (state === 'unknown') await ledger.markState(a.id, target.id, 'unknown', 'in doubt');
    await queues.get(target).add('deliver', { articleId: a.id, article: a }, { ...jobOptions(target), jobId: jobId(a.id) });
  }

  const settled = (id: string, states: string[]) =>
    eventually(async () => {
      const r = await ledger.get(id, target.id);
      return r && states.includes(r.state) ? r : undefined;
    });

  beforeEach(() => {
    h = deliveryHarness('crash');
    ({ queues, ledger, target } = h);
    unknown.length = 0;
  });

  afterEach(() => h.close());

  const article = (n: number) => toArticle({ url: `https://news.example/crash/${n}`, title: `Crash story ${n}` });

  it('should retry, never fail for good, a post whose preparation was cut short by the worker stopping', async () => {
    const adapter = new CrashAdapter(target, true);
    let preparing = false;
    // A media fetch that, like safeFetch, turns the attempt's abort into an error of its own.
    adapter.prepareHook = (signal) =>
      new Promise((_resolve, reject) => {
        preparing = true;
        signal.addEventListener('abort', () => reject(new Error('timeout: request to https://img.example/a.jpg aborted by caller')));
      });
    const workers = await start(adapter);
    const a = article(9);
    await ledger.saveAndClaim(a, [target]);
    await queues.get(target).add('deliver', { articleId: a.id, article: a }, { ...jobOptions(target), jobId: jobId(a.id) });
    await eventually(() => (preparing ? true : undefined));
    await workers.close(50); // past the grace: in-flight attempts are aborted
    const record = await settled(a.id, ['retrying', 'failed']);
    expect(record.state).toBe('retrying');
    expect(record.lastError).toMatch(/^cancelled while preparing the post \(shutdown\)/);
    const job = await queues.get(target).getJob(jobId(a.id));
    expect(await job?.isFailed()).toBe(false);
    expect(adapter.sends).toBe(0);
  });

  it('should record the post the platform already has, without sending again', async () => {
    const adapter = new CrashAdapter(target, true);
    adapter.found = { remoteId: 'found-7', url: 'https://x.com/i/web/status/7' };
    await start(adapter);
    const a = article(1);
    await crashed(a);
    const record = await settled(a.id, ['delivered']);
    expect(record).toMatchObject({ remoteId: 'found-7', url: 'https://x.com/i/web/status/7', attempts: 1 });
    expect(adapter.reconciles).toBe(1);
    expect(adapter.sends).toBe(0);
  });

  it('should send once when the platform surely lacks the post', async () => {
    const adapter = new CrashAdapter(target, true);
    await start(adapter);
    const a = article(2);
    await crashed(a);
    const record = await settled(a.id, ['delivered']);
    expect(record.remoteId).toBe('sent-1');
    expect(adapter.sends).toBe(1);
  });

  it('should leave it unknown and ask the editors when the platform cannot be asked', async () => {
    const adapter = new CrashAdapter(target, false);
    await start(adapter);
    const a = article(3);
    await crashed(a);
    await settled(a.id, ['unknown']);
    expect(unknown).toEqual([a.id]);
    await new Promise((r) => setTimeout(r, 200));
    expect(adapter.sends).toBe(0);
  });

  it('should keep an unknown delivery unknown when preparing the post fails', async () => {
    const adapter = new CrashAdapter(target, true);
    adapter.prepareError = new TransientError('image server down', { platform: 'telegram' });
    await start(adapter);
    const a = article(4);
    await crashed(a, 'unknown');
    const job = await eventually(async () => {
      const j = await queues.get(target).getJob(jobId(a.id));
      return j !== undefined && (await j.isFailed()) ? j : undefined;
    });
    expect(job.failedReason).toMatch(/delivery is unknown/);
    expect((await ledger.get(a.id, target.id))?.state).toBe('unknown');
    expect(adapter.sends + adapter.reconciles).toBe(0);
  });

  it('should retry later, not resend, when preparing fails for a delivery in doubt', async () => {
    const adapter = new CrashAdapter(target, true);
    adapter.prepareError = new TransientError('image server down', { platform: 'telegram' });
    adapter.prepareFailures = 1;
    adapter.found = { remoteId: 'found-5' };
    await start(adapter);
    const a = article(5);
    await crashed(a);
    const record = await settled(a.id, ['delivered', 'unknown', 'failed']);
    // Left in doubt by the failed attempt (had it become `retrying`, the next one would have sent).
    expect(record).toMatchObject({ state: 'delivered', remoteId: 'found-5', attempts: 1 });
    expect(adapter.reconciles).toBe(1);
    expect(adapter.sends).toBe(0);
    expect((await completedJob(queues.get(target), jobId(a.id))).attemptsMade).toBe(2);
  });

  it('should ask the platform again later when the lookup fails for now, never sending meanwhile', async () => {
    const adapter = new CrashAdapter(target, true);
    adapter.reconcileFailures = 1;
    adapter.found = { remoteId: 'found-6' };
    await start(adapter);
    const a = article(6);
    await crashed(a);
    const record = await settled(a.id, ['delivered', 'unknown', 'failed']);
    expect(record).toMatchObject({ state: 'delivered', remoteId: 'found-6' });
    expect(adapter.reconciles).toBe(2);
    expect(adapter.sends).toBe(0);
    expect(unknown).toEqual([]);
  });

  it('should leave it unknown for an editor when the lookup still fails on the last attempt', async () => {
    const adapter = new CrashAdapter(target, true);
    adapter.reconcileFailures = 10;
    await start(adapter);
    const a = article(7);
    await crashed(a);
    const record = await settled(a.id, ['delivered', 'unknown', 'failed']);
    expect(record.state).toBe('unknown');
    expect(record.lastError).toMatch(/could not be asked whether it did/);
    expect(adapter.reconciles).toBe(3);
    expect(adapter.sends).toBe(0);
    expect(unknown).toEqual([a.id]);
  });

  it('should wait while another attempt still holds the lease of the send, then look it up once', async () => {
    const adapter = new CrashAdapter(target, true);
    adapter.found = { remoteId: 'found-8' };
    await start(adapter);
    const a = article(8);
    // Another worker is still sending (its lease runs 2 s more): this attempt must not look it up or send meanwhile.
    await crashed(a, 'sending', 2000);
    await new Promise((r) => setTimeout(r, 500));
    expect(adapter.reconciles + adapter.sends).toBe(0);
    expect((await ledger.get(a.id, target.id))?.state).toBe('sending');
    const record = await settled(a.id, ['delivered', 'unknown', 'failed']);
    expect(record).toMatchObject({ state: 'delivered', remoteId: 'found-8' });
    expect(adapter.reconciles).toBe(1);
    expect(adapter.sends).toBe(0);
  });
});
