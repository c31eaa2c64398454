import type { RedisClient } from '../../queues/connection.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../adapters/errors.js';
import type { Adapter, SendResult, TelegramPost } from '../../adapters/types.js';
import type { TargetConfig } from '../../config/schema.js';
import type { Ledger } from '../../queues/ledger.js';
import { jobId } from '../../queues/names.js';
import { jobOptions, publish } from '../../queues/publish.js';
import type { QueueSet } from '../../queues/queue-set.js';
import { toArticle } from '../../src/article/schema.js';
import { deliveryHarness, type DeliveryHarness } from '../helpers/delivery.js';
import { completedJob, eventually } from '../helpers/redis.js';

/**
 * Delivery jobs carry the article's id only: the article is stored once by publish and
 * read back by the ledger's `begin`. Preparing runs after `begin`, inside the crash window.
 */
class RecordingAdapter implements Adapter<TelegramPost> {
  readonly platform = 'telegram' as const;
  readonly sent: string[] = [];
  prepareFailures = 0;
  constructor(readonly target: TargetConfig) {}
  format(article: { title: string }): TelegramPost {
    return { target: this.target.id, platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: article.title };
  }
  async prepare(post: TelegramPost): Promise<TelegramPost> {
    if (this.prepareFailures-- > 0) throw new TransientError('image host timed out', { platform: 'telegram' });
    return post;
  }
  async send(post: TelegramPost): Promise<SendResult> {
    this.sent.push(post.text ?? '');
    return { remoteId: `m-${this.sent.length}` };
  }
}

describe('delivery jobs that carry only the article id', () => {
  let h: DeliveryHarness;
  let prefix: string;
  let redis: RedisClient;
  let queues: QueueSet;
  let ledger: Ledger;
  let target: TargetConfig;
  let adapter: RecordingAdapter;

  beforeEach(() => {
    h = deliveryHarness('jobdata');
    ({ prefix, redis, queues, ledger, target } = h);
    adapter = new RecordingAdapter(target);
  });

  afterEach(() => h.close());

  const start = () => h.start(adapter as Adapter);

  const article = (n: number) => toArticle({ url: `https://news.example/jobdata/${n}`, title: `Ferry timetable story ${n}` });

  it('should enqueue the id alone and deliver the stored article', async () => {
    const a = article(1);
    await publish(a, { queues, ledger, targets: [target] });
    const job = await queues.get(target).getJob(jobId(a.id));
    expect(job?.data).toEqual({ articleId: a.id });
    await start();
    await completedJob(queues.get(target), jobId(a.id));
    expect(adapter.sent).toEqual([a.title]);
    expect((await ledger.get(a.id, target.id))?.state).toBe('delivered');
  });

  it('should fail with a clear reason, sending nothing, when the stored article has expired', async () => {
    const a = article(2);
    await publish(a, { queues, ledger, targets: [target] });
    await redis.del(`${prefix}:article:${a.id}`);
    await start();
    const record = await eventually(async () => {
      const r = await ledger.get(a.id, target.id);
      return r?.state === 'failed' ? r : undefined;
    });
    expect(record.lastError).toMatch(/no longer stored/);
    expect(adapter.sent).toEqual([]);
  });

  it('should still deliver a job queued with the article inside when the stored copy is gone', async () => {
    const a = article(3);
    await ledger.saveAndClaim(a, [target]);
    await redis.del(`${prefix}:article:${a.id}`);
    await queues.get(target).add('deliver', { articleId: a.id, article: a }, { ...jobOptions(target), jobId: jobId(a.id) });
    await start();
    await completedJob(queues.get(target), jobId(a.id));
    expect(adapter.sent).toEqual([a.title]);
  });

  it('should retry a delivery whose preparing failed and send it once', async () => {
    adapter.prepareFailures = 1;
    const a = article(4);
    await publish(a, { queues, ledger, targets: [target] });
    await start();
    const job = await completedJob(queues.get(target), jobId(a.id));
    expect(job.attemptsMade).toBe(2);
    expect(adapter.sent).toEqual([a.title]);
    expect((await ledger.get(a.id, target.id))?.state).toBe('delivered');
  });

  it('should send nothing again when a delivered article is published after its job was cleaned away', async () => {
    const a = article(5);
    await publish(a, { queues, ledger, targets: [target] });
    await start();
    await completedJob(queues.get(target), jobId(a.id));
    await queues.get(target).remove(jobId(a.id));
    const again = await publish(a, { queues, ledger, targets: [target] });
    expect(again.outcomes).toEqual([expect.objectContaining({ enqueued: false, state: 'delivered' })]);
    await completedJob(queues.get(target), jobId(a.id));
    expect((await queues.get(target).getJob(jobId(a.id)))?.returnvalue).toMatchObject({ state: 'delivered', remoteId: 'm-1' });
    expect(adapter.sent).toEqual([a.title]);
  });
});
