/**
 * `crier demo --schedule`: when posts go out (issue 14), on the sandbox platforms.
 *
 * (a) An article scheduled a few seconds ahead: `crier queue` shows it held ("embargo
 *     until …"), then it goes out on time; the scheduled and actual times are printed.
 * (b) Breaking news overtaking a backlog: the targets space their posts (minGapMinutes)
 *     and send one at a time; they are paused (as when an account waits for a human) while
 *     ten normal articles pile up, then a breaking one is published after them, and the
 *     targets are resumed. Each platform's order of arrival is printed: breaking first.
 *
 * The caller (demo.ts) owns Redis, the sandbox, the App with its workers, and cleanup.
 */
import type { PendingDelivery } from '../../../queues/pending.js';
import { waitForDeliveries } from '../../../queues/wait.js';
import type { App } from '../../app.js';
import { toArticle, type Article } from '../../article/schema.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { CliContext } from '../context.js';

/** Spacing of the demo's targets: 0.01 min = 600 ms between two posts on one target. */
export const DEMO_GAP_MINUTES = 0.01;
/** How far ahead the scheduled article is due. */
export const DEMO_SCHEDULE_AHEAD_MS = 4000;
/** Normal articles in the backlog. */
export const DEMO_BACKLOG = 10;

/** The demo's targets for --schedule: the sandbox ones, spaced, one delivery at a time each. */
export function scheduleDemoTargets(targets: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  return targets.map((t) => ({ ...t, minGapMinutes: DEMO_GAP_MINUTES, concurrency: 1 }));
}

/** "16:40:05.123" (UTC): times a few seconds apart, told apart. */
const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

function pendingLine(p: PendingDelivery, now: number): string {
  const due = p.dueAt === null ? 'now' : `until ${clock(Date.parse(p.dueAt))} UTC (in ${((Date.parse(p.dueAt) - now) / 1000).toFixed(1)} s)`;
  return `    ${p.target.padEnd(10)} ${p.reason} ${due}${p.priority === 'breaking' ? ' · breaking' : ''}`;
}

const demoArticle = (site: string, slug: string, title: string, summary: string): Article =>
  toArticle({ url: `${site}/news/${slug}`, title, summary, tags: ['Harbour Town'] });

/** The titles a platform received, in order (first posts only: a thread's replies are left out). */
function receivedTitles(sandbox: Sandbox, platform: string, titles: readonly string[]): string[] {
  const texts =
    platform === 'telegram'
      ? sandbox.telegram.sent.map((m) => m.text ?? m.caption ?? '')
      : platform === 'twitter'
        ? sandbox.twitter.tweets.filter((t) => t.replyTo === undefined).map((t) => t.text)
        : sandbox.instagram.posts.map((p) => p.caption);
  return texts.map((text) => titles.find((title) => text.includes(title))).filter((t): t is string => t !== undefined);
}

export async function scheduleDemo(ctx: CliContext, app: App, sandbox: Sandbox): Promise<number> {
  const site = sandbox.site.url;
  const targets = app.targets.map((t) => t.id);

  // (a) A scheduled post.
  const embargoed = demoArticle(site, 'budget-embargo', 'Harbour Town budget: embargoed until the council votes', 'The council publishes its 2027 budget once the vote is in.');
  const dueAt = Date.now() + DEMO_SCHEDULE_AHEAD_MS;
  ctx.out(`\n(a) A scheduled post: "${embargoed.title}"`);
  await app.publish(embargoed, undefined, { at: dueAt, by: 'demo' });
  ctx.out(`  Published at ${clock(Date.now())} UTC, scheduled for ${clock(dueAt)} UTC (like crier publish --at ${new Date(dueAt).toISOString()}); id ${embargoed.id}`);
  ctx.out('  crier queue:');
  const held = (await app.pending()).filter((p) => p.articleId === embargoed.id);
  for (const p of held) ctx.out(pendingLine(p, Date.now()));
  const scheduled = await waitForDeliveries(app.ledger, embargoed.id, targets, { timeoutMs: DEMO_SCHEDULE_AHEAD_MS + 30_000 });
  ctx.out('  Delivered (the send finishes after the due time; Instagram draws a title card first):');
  let onTime = !scheduled.timedOut;
  for (const r of scheduled.records) {
    const sentAt = r.deliveredAt === undefined ? NaN : Date.parse(r.deliveredAt);
    const late = sentAt - dueAt;
    if (!(late >= 0)) onTime = false;
    ctx.out(`    ${r.target.padEnd(10)} scheduled ${clock(dueAt)}  delivered ${Number.isNaN(sentAt) ? `never (${r.state})` : `${clock(sentAt)}  (${late >= 0 ? '+' : ''}${late} ms)`}`);
  }

  // (b) Breaking news overtaking a backlog.
  ctx.out(`\n(b) Breaking news overtaking a backlog: each target sends one post at a time, at least ${DEMO_GAP_MINUTES * 60_000} ms apart (minGapMinutes ${DEMO_GAP_MINUTES})`);
  for (const t of app.targets) await app.queues.get(t).pause();
  const backlog = Array.from({ length: DEMO_BACKLOG }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return demoArticle(site, `notice-${n}`, `Harbour notice ${n}: berth works on pier ${n}`, `Routine works at berth ${n}.`);
  });
  for (const a of backlog) await app.publish(a, undefined, { by: 'demo' });
  const breaking = demoArticle(site, 'storm-warning', 'BREAKING: storm surge warning for the harbour tonight', 'The harbour master closes the outer piers from 18:00.');
  await app.publish(breaking, undefined, { by: 'demo', priority: 'breaking' });
  ctx.out(`  Targets paused; ${DEMO_BACKLOG} normal articles queued, then a breaking one after them. crier queue:`);
  const queued = await app.pending();
  for (const t of targets) {
    const mine = queued.filter((p) => p.target === t);
    ctx.out(`    ${t.padEnd(10)} ${mine.length} waiting (${[...new Set(mine.map((p) => p.reason))].join(', ')}), ${mine.filter((p) => p.priority === 'breaking').length} breaking`);
  }
  for (const t of targets) await app.resume(t);
  ctx.out('  Targets resumed.');
  const all = [...backlog, breaking];
  const settled = await Promise.all(all.map((a) => waitForDeliveries(app.ledger, a.id, targets, { timeoutMs: 60_000 })));
  const titles = all.map((a) => a.title);
  const label = (title: string) => (title === breaking.title ? 'BREAKING' : (/notice (\d+)/.exec(title)?.[1] ?? title));
  ctx.out('  What each platform received, in order:');
  let breakingFirst = true;
  for (const t of app.targets) {
    const order = receivedTitles(sandbox, t.platform, titles);
    if (order[0] !== breaking.title || order.length !== all.length) breakingFirst = false;
    ctx.out(`    ${t.id.padEnd(10)} ${order.map(label).join(', ')}`);
  }
  const delivered = settled.every((s) => !s.timedOut && s.records.every((r) => r.state === 'delivered'));
  const ok = onTime && breakingFirst && delivered;
  ctx.out(
    ok
      ? '\nOK: the scheduled post went out on time, not before; the breaking one overtook the backlog on every platform.'
      : '\nSomething did not go as shown above (a post early or missing, or the breaking one not first).',
  );
  return ok ? 0 : 1;
}
