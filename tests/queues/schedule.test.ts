import { afterEach, describe, expect, it } from 'vitest';
import type { Adapter, SendContext, SendResult, TelegramPost } from '../../adapters/types.js';
import { buildConfig } from '../../config/load.js';
import { TransientError } from '../../adapters/errors.js';
import type { TargetConfig } from '../../config/schema.js';
import { createRedis, type RedisClient } from '../../queues/connection.js';
import { Ledger } from '../../queues/ledger.js';
import { jobId } from '../../queues/names.js';
import { listPending } from '../../queues/pending.js';
import { publish, type PublishOptions } from '../../queues/publish.js';
import { QueueSet } from '../../queues/queue-set.js';
import { reschedule, unschedule } from '../../queues/reschedule.js';
import { retract } from '../../queues/retract.js';
import { retryDeliveries } from '../../queues/retry.js';
import { DeliveryWorkers } from '../../queues/worker.js';
import { headOfLineKey } from '../../queues/head-of-line.js';
import { toArticle, type Article } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { completedJob, deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** Records every send with its time, per target. */
class RecordingAdapter implements Adapter<TelegramPost> {
  readonly platform = 'telegram' as const;
  constructor(
    readonly target: TargetConfig,
    readonly sends: Array<{ target: string; title: string; at: number }>,
    /** How long each send takes (a platform's round trip). */
    private readonly sendMs = 0,
    /** Titles whose first send fails (a passing error: retried after the backoff). */
    private readonly failFirst: ReadonlySet<string> = new Set(),
  ) {}
  private readonly failed = new Set<string>();
  format(article: Article): TelegramPost {
    return { target: this.target.id, platform: 'telegram', method: 'sendMessage', parse_mode: 'HTML', text: article.title };
  }
  async send(post: TelegramPost, _ctx: SendContext): Promise<SendResult> {
    if (this.sendMs > 0) await new Promise((r) => setTimeout(r, this.sendMs));
    const title = post.text ?? '';
    if (this.failFirst.has(title) && !this.failed.has(title)) {
      this.failed.add(title);
      throw new TransientError('telegram: 502 Bad Gateway (before sending)', { platform: 'telegram' });
    }
    this.sends.push({ target: this.target.id, title: post.text ?? '', at: Date.now() });
    return { remoteId: String(this.sends.length) };
  }
}

interface Rig {
  prefix: string;
  redis: RedisClient;
  queues: QueueSet;
  ledger: Ledger;
  targets: TargetConfig[];
  sends: Array<{ target: string; title: string; at: number }>;
  deps: { queues: QueueSet; ledger: Ledger; targets: TargetConfig[] };
  start(options?: { now?: () => number; concurrency?: number; sendMs?: number; failFirst?: string[] }): Promise<DeliveryWorkers>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

const rigs: Rig[] = [];

/** Queues, ledger and workers for the given targets on real Redis, under a prefix of their own. */
function rig(targets: Array<Record<string, unknown>>): Rig {
  const prefix = uniquePrefix('schedule');
  const redis = createRedis(REDIS_URL);
  const workerRedis = createRedis(REDIS_URL, 'worker');
  const queues = new QueueSet(redis, prefix);
  const ledger = new Ledger(redis, prefix);
  const config = buildConfig({ targets: targets.map((t) => ({ platform: 'telegram', attempts: 3, backoffMs: 10, limiter: { max: 0, duration: 1000 }, ...t })) }, {});
  const sends: Rig['sends'] = [];
  let workers: DeliveryWorkers | undefined;
  const r: Rig = {
    prefix,
    redis,
    queues,
    ledger,
    targets: config.targets,
    sends,
    deps: { queues, ledger, targets: config.targets },
    async start(options = {}) {
      workers = new DeliveryWorkers({
        connection: workerRedis,
        prefix,
        targets: config.targets,
        adapters: new Map(config.targets.map((t) => [t.id, new RecordingAdapter(t, sends, options.sendMs, new Set(options.failFirst ?? [])) as Adapter])),
        queues,
        logger: silentLogger,
        concurrency: options.concurrency ?? 2,
        telegramGlobalPerSecond: 0,
        ...(options.now ? { now: options.now } : {}),
      });
      workers.start();
      await workers.ready();
      return workers;
    },
    async stop() {
      await workers?.close(1000);
      workers = undefined;
    },
    async close() {
      await r.stop();
      await queues.close();
      redis.disconnect();
      workerRedis.disconnect();
      await deletePrefix(prefix);
    },
  };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

const article = (n: number | string, extra: Record<string, unknown> = {}) => toArticle({ url: `https://news.example/s/${n}`, title: `Story ${n}`, ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stateOf = async (r: Rig, id: string, target = r.targets[0]!.id) => (await r.ledger.get(id, target))?.state;

describe('embargo and scheduled publish (real Redis)', () => {
  it('holds a post with an explicit `at` and sends it on time (±1 s), once, on every target', async () => {
    const r = rig([{ id: 'a' }, { id: 'b' }]);
    await r.start();
    const a = article(1);
    const due = Date.now() + 2000;
    const result = await publish(a, r.deps, { at: due });
    expect(result.outcomes.map((o) => o.state)).toEqual(['queued', 'queued']);
    const pending = await listPending(r.queues, r.ledger, r.targets);
    expect(pending.map((p) => [p.target, p.reason, p.title])).toEqual([['a', 'embargo', 'Story 1'], ['b', 'embargo', 'Story 1']]);
    expect(Math.abs(Date.parse(pending[0]!.dueAt!) - due)).toBeLessThan(50);
    await sleep(1500);
    expect(r.sends).toHaveLength(0);
    await eventually(() => (r.sends.length === 2 ? true : undefined), 5000, 'both sends');
    for (const send of r.sends) expect(Math.abs(send.at - due)).toBeLessThan(1000);
    await sleep(300);
    expect(r.sends).toHaveLength(2);
    expect(await stateOf(r, a.id, 'b')).toBe('delivered');
  });

  it('holds an article whose publishedAt is in the future (a Ghost scheduled post) until then', async () => {
    const r = rig([{ id: 'a' }]);
    await r.start();
    const due = Date.now() + 1500;
    const a = article(2, { publishedAt: new Date(due).toISOString() });
    await publish(a, r.deps);
    await sleep(1000);
    expect(r.sends).toHaveLength(0);
    const send = await eventually(() => r.sends[0], 5000, 'the send');
    expect(Math.abs(send.at - due)).toBeLessThan(1000);
  });

  it('survives a worker restart: the schedule is in Redis and the post goes out once, on time', async () => {
    const r = rig([{ id: 'a' }]);
    await r.start();
    const due = Date.now() + 2500;
    const a = article(3);
    await publish(a, r.deps, { at: new Date(due) });
    await sleep(300);
    await r.stop();
    await sleep(300);
    await r.start();
    await eventually(() => r.sends[0], 6000, 'the send');
    expect(Math.abs(r.sends[0]!.at - due)).toBeLessThan(1000);
    await sleep(500);
    expect(r.sends).toHaveLength(1);
    expect(await stateOf(r, a.id)).toBe('delivered');
  });

  it('unschedule cancels it (ledger failed, "unscheduled…"); crier retry sends it after all', async () => {
    const r = rig([{ id: 'a' }, { id: 'b' }]);
    await r.start();
    const a = article(4);
    await publish(a, r.deps, { at: '+1s' });
    expect(await unschedule(a.id, r.deps, { target: 'a', by: 'test' })).toEqual([{ target: 'a', result: 'unscheduled' }]);
    expect(await unschedule(a.id, r.deps, { target: 'nope' })).toEqual([{ target: 'nope', result: 'unknown target' }]);
    await eventually(() => (r.sends.length === 1 ? true : undefined), 5000, 'the send on b');
    await sleep(500);
    expect(r.sends.map((s) => s.target)).toEqual(['b']);
    const record = await r.ledger.get(a.id, 'a');
    expect(record?.state).toBe('failed');
    expect(record?.lastError).toMatch(/^unscheduled by test/);
    expect(await r.queues.get(r.targets[0]!).getJob(jobId(a.id))).toBeUndefined();
    // A replayed publish does not bring it back…
    await publish(a, r.deps);
    await sleep(300);
    expect(r.sends).toHaveLength(1);
    // …an editor's retry does.
    expect(await retryDeliveries(a.id, r.targets, r.deps, 'a')).toEqual([{ target: 'a', result: 'retried' }]);
    await eventually(() => (r.sends.length === 2 ? true : undefined), 5000, 'the retried send');
    expect(await stateOf(r, a.id, 'a')).toBe('delivered');
  });

  it('reschedule moves a scheduled post earlier, and schedules an unscheduled one again', async () => {
    const r = rig([{ id: 'a' }]);
    await r.start();
    const a = article(5);
    await publish(a, r.deps, { at: '+1h' });
    const due = Date.now() + 1200;
    expect(await reschedule(a.id, due, r.deps)).toEqual([{ target: 'a', result: 'moved' }]);
    const pending = await listPending(r.queues, r.ledger, r.targets);
    expect(pending).toHaveLength(1);
    expect(Math.abs(Date.parse(pending[0]!.dueAt!) - due)).toBeLessThan(50);
    await eventually(() => r.sends[0], 5000, 'the send');
    expect(Math.abs(r.sends[0]!.at - due)).toBeLessThan(1000);

    const b = article(6);
    await publish(b, r.deps, { at: '+1h' });
    await unschedule(b.id, r.deps);
    const dueB = Date.now() + 1000;
    expect(await reschedule(b.id, dueB, r.deps)).toEqual([{ target: 'a', result: 'scheduled' }]);
    await eventually(() => (r.sends.length === 2 ? true : undefined), 5000, 'the rescheduled send');
    expect(Math.abs(r.sends[1]!.at - dueB)).toBeLessThan(1000);
    // Delivered: nothing left to move.
    expect(await reschedule(b.id, '+1h', r.deps)).toEqual([{ target: 'a', result: 'delivered' }]);
  });

  it('a retraction before the time sends nothing', async () => {
    const r = rig([{ id: 'a' }, { id: 'b' }]);
    await r.start();
    const a = article(7);
    await publish(a, r.deps, { at: '+1s' });
    const retracted = await retract(a.id, r.deps, { reason: 'legal' });
    expect(retracted.outcomes.map((o) => o.outcome)).toEqual(['cancelled', 'cancelled']);
    await sleep(2000);
    expect(r.sends).toHaveLength(0);
    expect(await stateOf(r, a.id, 'a')).toBe('retracted');
    expect(await listPending(r.queues, r.ledger, r.targets)).toEqual([]);
  });

  it('an update before the time goes out as the newest revision, at the new time, once', async () => {
    const r = rig([{ id: 'a' }]);
    await r.start();
    const first = article(8, { publishedAt: new Date(Date.now() + 3_600_000).toISOString() });
    await publish(first, r.deps);
    const due = Date.now() + 1200;
    const corrected = { ...first, title: 'Story 8, corrected', publishedAt: new Date(due).toISOString() };
    const result = await publish(corrected, r.deps);
    expect(result.action).toBe('update');
    await eventually(() => r.sends[0], 5000, 'the send');
    expect(r.sends[0]).toMatchObject({ title: 'Story 8, corrected' });
    expect(Math.abs(r.sends[0]!.at - due)).toBeLessThan(1000);
    await sleep(500);
    expect(r.sends).toHaveLength(1);
  });
});

describe('priority (real Redis)', () => {
  it('keeps the priority a post was queued with when a waiting one is moved to later', async () => {
    const r = rig([{ id: 'a' }]);
    const a = article('move-breaking');
    await publish(a, r.deps, { priority: 'breaking' }); // asked for, not on the article
    expect(await reschedule(a.id, Date.now() + 3_600_000, r.deps)).toEqual([{ target: 'a', result: 'moved' }]);
    const job = await r.queues.get(r.targets[0]!).getJob(jobId(a.id));
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data.priority).toBe('breaking');
    expect(job?.opts.lifo).toBe(true);
    // Registered to go to the head of the queue when it falls due, at its new time.
    expect(Number(await r.redis.zscore(headOfLineKey(r.prefix, 'a'), jobId(a.id)))).toBe(job?.data.dueAt);
  });
  it('breaking news retried after a failure goes ahead of the backlog again, not to its tail', async () => {
    const r = rig([{ id: 'a', concurrency: 1, backoffMs: 200 }]);
    await Promise.all(Array.from({ length: 60 }, (_, i) => publish(article(`r${i}`), r.deps)));
    await publish(article('retried-breaking', { priority: 'breaking' }), r.deps);
    await r.start({ concurrency: 1, sendMs: 20, failFirst: ['Story retried-breaking'] });
    await eventually(() => (r.sends.length === 61 ? true : undefined), 20_000, 'every send');
    const order = r.sends.map((s) => s.title);
    const at = order.indexOf('Story retried-breaking');
    // Failed first (before any other send), back from its backoff within half a second: most of the backlog still behind it.
    expect(order.length - 1 - at).toBeGreaterThan(25);
    expect((await r.ledger.get(article('retried-breaking').id, 'a'))?.attempts).toBe(2);
  }, 30_000);

  it('keeps the priority it was queued with across unschedule, then reschedule or retry', async () => {
    const r = rig([{ id: 'a' }, { id: 'b' }]);
    const a = article('unscheduled-breaking');
    await publish(a, r.deps, { priority: 'breaking', at: Date.now() + 3_600_000 }); // asked for, not on the article
    expect((await unschedule(a.id, r.deps)).map((c) => c.result)).toEqual(['unscheduled', 'unscheduled']);
    expect((await r.ledger.get(a.id, 'a'))?.priority).toBe('breaking');
    const later = Date.now() + 7_200_000;
    expect(await reschedule(a.id, later, r.deps, { target: 'a' })).toEqual([{ target: 'a', result: 'scheduled' }]);
    const moved = await r.queues.get(r.targets[0]!).getJob(jobId(a.id));
    expect(moved?.data).toMatchObject({ priority: 'breaking', dueAt: later });
    expect(moved?.opts.lifo).toBe(true);
    expect(Number(await r.redis.zscore(headOfLineKey(r.prefix, 'a'), jobId(a.id)))).toBe(later);
    expect(await retryDeliveries(a.id, r.targets, r.deps, 'b')).toEqual([{ target: 'b', result: 'retried' }]);
    const retried = await r.queues.get(r.targets[1]!).getJob(jobId(a.id));
    expect(retried?.data.priority).toBe('breaking');
    expect(retried?.opts.lifo).toBe(true);
  });

  it('a breaking article published behind a backlog of 200 normal ones goes out first on every target; low goes last', async () => {
    const r = rig([{ id: 'a', concurrency: 1 }, { id: 'b', concurrency: 1 }]);
    const low = article('low', { priority: 'low' });
    await publish(low, r.deps);
    await Promise.all(Array.from({ length: 200 }, (_, i) => publish(article(`n${i}`), r.deps)));
    const options: PublishOptions = { priority: 'breaking' };
    await publish(article('breaking'), r.deps, options);
    const pending = await listPending(r.queues, r.ledger, r.targets, { target: 'a', titles: false });
    expect(pending).toHaveLength(202);
    expect(pending.find((p) => p.priority === 'breaking')?.reason).toBe('queued');
    await r.start({ concurrency: 1 });
    await eventually(() => (r.sends.length === 404 ? true : undefined), 30_000, 'every send');
    for (const target of ['a', 'b']) {
      const order = r.sends.filter((s) => s.target === target).map((s) => s.title);
      expect(order[0]).toBe('Story breaking');
      expect(order[1]).toBe('Story n0');
      expect(order.at(-1)).toBe('Story low');
    }
  }, 40_000);

  it('scheduled breaking news goes ahead of the backlog once due, not behind it (BullMQ would queue it last)', async () => {
    const r = rig([{ id: 'a', concurrency: 1 }]);
    await Promise.all(Array.from({ length: 60 }, (_, i) => publish(article(`b${i}`), r.deps)));
    const breaking = article('due-breaking', { priority: 'breaking' });
    await publish(breaking, r.deps, { at: Date.now() + 300 });
    expect(await r.redis.zcard(headOfLineKey(r.prefix, 'a'))).toBe(1);
    await r.start({ concurrency: 1, sendMs: 20 }); // 60 × 20 ms: over a second of backlog
    await eventually(() => (r.sends.length === 61 ? true : undefined), 20_000, 'every send');
    const order = r.sends.map((s) => s.title);
    const at = order.indexOf('Story due-breaking');
    // Due after 300 ms, at the head within a look or two: well over half the backlog still behind it.
    expect(at).toBeGreaterThan(0);
    expect(order.length - 1 - at).toBeGreaterThan(25);
    expect(order.filter((t) => t !== 'Story due-breaking')).toEqual(Array.from({ length: 60 }, (_, i) => `Story b${i}`));
    // Gone from the register once it went.
    await eventually(async () => ((await r.redis.zcard(headOfLineKey(r.prefix, 'a'))) === 0 ? true : undefined), 3000, 'the register emptied');
  }, 30_000);
});

describe('spacing (real Redis)', () => {
  it('keeps the spacing slot of a post that fell due, when the same article is published again (a CMS replay at embargo time)', async () => {
    const r = rig([{ id: 'a', minGapMinutes: 0.05, concurrency: 1 }]); // 3 s
    await r.start({ concurrency: 1 });
    await publish(article('slot-first'), r.deps);
    await eventually(() => (r.sends.length === 1 ? true : undefined), 5000, 'the first post');
    const b = article('slot-replayed', { publishedAt: new Date(Date.now() - 60_000).toISOString() });
    await publish(b, r.deps, { at: Date.now() + 300 });
    const held = await eventually(async () => {
      const job = await r.queues.get(r.targets[0]!).getJob(jobId(b.id));
      return job?.data.hold?.reason === 'spacing' ? job : undefined;
    }, 5000, 'held for spacing');
    const slot = held.data.slot;
    await publish(b, r.deps); // the replay: its publishedAt is past, so "due now"
    const after = await r.queues.get(r.targets[0]!).getJob(jobId(b.id));
    expect(await after?.getState()).toBe('delayed');
    expect(after?.data.slot).toBe(slot);
    await eventually(() => (r.sends.length === 2 ? true : undefined), 8000, 'the replayed post, once');
    expect(r.sends[1]!.at).toBeGreaterThanOrEqual(slot as number);
  }, 20_000);

  it('gives the slot of a held post back when it is unscheduled, so the next post takes it instead of waiting a gap more', async () => {
    const r = rig([{ id: 'a', minGapMinutes: 0.05, concurrency: 1 }]); // 3 s
    await r.start({ concurrency: 1 });
    await publish(article('give-first'), r.deps);
    await eventually(() => (r.sends.length === 1 ? true : undefined), 5000, 'the first post');
    const heldSlot = async (id: string) =>
      eventually(async () => {
        const job = await r.queues.get(r.targets[0]!).getJob(jobId(id));
        return job?.data.hold?.reason === 'spacing' ? (job.data.slot as number) : undefined;
      }, 5000, 'held for spacing');
    const second = article('give-second');
    await publish(second, r.deps);
    const slot = await heldSlot(second.id);
    expect(await unschedule(second.id, r.deps)).toEqual([{ target: 'a', result: 'unscheduled' }]);
    const third = article('give-third');
    await publish(third, r.deps);
    // The slot the second post gave back, not one a gap after it.
    expect(Math.abs((await heldSlot(third.id)) - slot)).toBeLessThan(500);
    await eventually(() => (r.sends.length === 2 ? true : undefined), 8000, 'the third post');
    expect(r.sends.map((x) => x.title)).toEqual(['Story give-first', 'Story give-third']);
  }, 20_000);

  it('keeps the next post a gap after a breaking one that went without waiting', async () => {
    const gapMs = 0.02 * 60_000; // 1.2 s
    const r = rig([{ id: 'a', minGapMinutes: 0.02, concurrency: 1 }]);
    await r.start({ concurrency: 1 });
    await publish(article('pass-breaking', { priority: 'breaking' }), r.deps);
    await eventually(() => (r.sends.length === 1 ? true : undefined), 5000, 'the breaking post');
    await publish(article('pass-next'), r.deps);
    await eventually(() => (r.sends.length === 2 ? true : undefined), 5000, 'the next post');
    expect(r.sends.map((x) => x.title)).toEqual(['Story pass-breaking', 'Story pass-next']);
    expect(r.sends[1]!.at - r.sends[0]!.at).toBeGreaterThanOrEqual(gapMs - 400);
  }, 15_000);

  it('spreads a burst by minGapMinutes, in order; breaking goes past it', async () => {
    const gapMs = 0.02 * 60_000; // 1.2 s
    const r = rig([{ id: 'a', minGapMinutes: 0.02, concurrency: 1 }]);
    await r.start({ concurrency: 1 });
    const burst = [1, 2, 3, 4].map((n) => article(`g${n}`));
    for (const a of burst) await publish(a, r.deps);
    await eventually(async () => {
      const p = await listPending(r.queues, r.ledger, r.targets);
      return p.filter((x) => x.reason === 'spacing').length === 3 ? p : undefined;
    }, 5000, 'three held for spacing');
    const breaking = article('g-breaking', { priority: 'breaking' });
    await publish(breaking, r.deps);
    await eventually(() => (r.sends.length === 5 ? true : undefined), 10_000, 'every send');
    const titles = r.sends.map((s) => s.title);
    expect(titles.filter((t) => t !== 'Story g-breaking')).toEqual(['Story g1', 'Story g2', 'Story g3', 'Story g4']);
    // Breaking did not wait for a slot: it went out before the last of the burst.
    expect(titles.indexOf('Story g-breaking')).toBeLessThan(4);
    // The slots the burst reserved lie a gap apart (Redis's clock, moved onto this process's: a round trip of slack), and none went before its slot.
    const spaced = r.sends.filter((s) => s.title !== 'Story g-breaking');
    const slots = await Promise.all(burst.slice(1).map(async (a) => (await r.queues.get(r.targets[0]!).getJob(jobId(a.id)))?.data.slot));
    for (let i = 1; i < slots.length; i++) expect(Math.abs((slots[i] as number) - (slots[i - 1] as number) - gapMs)).toBeLessThanOrEqual(50);
    slots.forEach((slot, i) => expect(spaced[i + 1]!.at).toBeGreaterThanOrEqual(slot as number));
    // What the channel sees: a gap apart, give or take how long each send took to leave once due.
    for (let i = 1; i < spaced.length; i++) {
      const gap = spaced[i]!.at - spaced[i - 1]!.at;
      expect(gap).toBeGreaterThanOrEqual(gapMs - 400);
      expect(gap).toBeLessThan(gapMs + 1000);
    }
  }, 20_000);
});

describe('quiet hours (real Redis, injected clock)', () => {
  /** A clock that reads `fake` at the moment it is made, and runs on from there. */
  const clockAt = (fake: string) => {
    const offset = Date.parse(fake) - Date.now();
    return () => Date.now() + offset;
  };

  it('holds a post due in the window to its end, sends breaking news at once, drops a feed item that grew too old', async () => {
    const r = rig([{ id: 'a', quietHours: { from: '23:00', to: '07:00', tz: 'Europe/Berlin' }, maxAgeHours: 2 }]);
    // 06:59:58.5 in Berlin (CET): the window ends in 1.5 s.
    const now = clockAt('2026-01-15T05:59:58.500Z');
    const end = Date.now() + 1500;
    await r.start({ now });
    const night = article('q1');
    const breaking = article('q-breaking', { priority: 'breaking' });
    const stale = article('q-old', { publishedAt: '2026-01-15T02:00:00.000Z' });
    const fresh = article('q-fresh', { publishedAt: '2026-01-15T05:30:00.000Z' });
    await publish(night, r.deps);
    await publish(breaking, r.deps);
    await publish(stale, r.deps, { by: 'feed' });
    await publish(fresh, r.deps, { by: 'feed' });
    await eventually(() => (r.sends.some((s) => s.title === 'Story q-breaking') ? true : undefined), 3000, 'breaking');
    const held = await eventually(async () => {
      const p = await listPending(r.queues, r.ledger, r.targets);
      return p.filter((x) => x.reason === 'quiet_hours').length === 2 ? p : undefined;
    }, 3000, 'two held for quiet hours');
    for (const p of held) expect(Math.abs(Date.parse(p.dueAt!) - end)).toBeLessThan(300);
    expect(r.sends.map((s) => s.title)).toEqual(['Story q-breaking']);
    await eventually(() => (r.sends.length === 3 ? true : undefined), 5000, 'the held ones');
    for (const s of r.sends.slice(1)) expect(Math.abs(s.at - end)).toBeLessThan(1000);
    expect(r.sends.slice(1).map((s) => s.title).sort()).toEqual(['Story q-fresh', 'Story q1']);
    const dropped = await r.ledger.get(stale.id, 'a');
    expect(dropped?.state).toBe('skipped');
    expect(dropped?.lastError).toMatch(/^dropped: quiet hours/);
    // Held without spending an attempt: the send was its first.
    expect((await completedJob(r.queues.get(r.targets[0]!), jobId(night.id))).attemptsMade).toBe(1);
  }, 15_000);

  it("lets an editor's send now go past quiet hours; a plain move to now leaves the hold as it is", async () => {
    const r = rig([{ id: 'a', quietHours: { from: '23:00', to: '07:00', tz: 'Europe/Berlin' } }]);
    await r.start({ now: clockAt('2026-01-15T00:30:00.000Z') }); // 01:30 in Berlin: hours of quiet left
    const night = article('q-now');
    await publish(night, r.deps);
    await eventually(async () => ((await listPending(r.queues, r.ledger, r.targets)).some((p) => p.reason === 'quiet_hours') ? true : undefined), 3000, 'held for quiet hours');
    expect(await reschedule(night.id, Date.now(), r.deps)).toEqual([{ target: 'a', result: 'moved' }]);
    await sleep(500);
    expect(r.sends).toEqual([]);
    expect(await reschedule(night.id, Date.now(), r.deps, { sendNow: true })).toEqual([{ target: 'a', result: 'moved' }]);
    await eventually(() => (r.sends.length === 1 ? true : undefined), 3000, 'sent now');
    expect(r.sends[0]?.title).toBe('Story q-now');
    expect(await stateOf(r, night.id)).toBe('delivered');
  }, 15_000);
});
