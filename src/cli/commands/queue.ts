import { App } from '../../app.js';
import type { PendingDelivery } from '../../../queues/pending.js';
import type { ScheduleChange } from '../../../queues/reschedule.js';
import { cliLogger, loadCliConfig, requireKnownTargets, type CliContext } from '../context.js';
import { UsageError } from '../args.js';
import { requireRedis } from './redis-check.js';

/** One line per pending delivery: target, when, why, priority, article id and title. */
export function formatPending(pending: readonly PendingDelivery[], now = Date.now()): string {
  if (pending.length === 0) return 'nothing pending';
  const rows = pending.map((p) => [
    p.target,
    p.dueAt === null ? 'now' : `${p.dueAt.replace(/\.\d{3}Z$/, 'Z')} (${inWords(Date.parse(p.dueAt) - now)})`,
    p.reason,
    p.priority,
    p.kind === 'deliver' ? p.articleId : `${p.articleId} (${p.kind})`,
    p.title ?? '',
  ]);
  const header = ['TARGET', 'DUE', 'REASON', 'PRIORITY', 'ARTICLE', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function inWords(ms: number): string {
  if (ms <= 0) return 'due';
  const s = Math.round(ms / 1000);
  if (s < 90) return `in ${s}s`;
  const m = Math.round(s / 60);
  if (m < 90) return `in ${m}m`;
  const h = Math.round(m / 60);
  return h < 48 ? `in ${h}h` : `in ${Math.round(h / 24)}d`;
}

/** `crier queue [TARGET] [--json]`: what has not gone out yet, when it will and why. */
export async function queueCommand(ctx: CliContext): Promise<number> {
  const [target] = ctx.args.positionals;
  const config = loadCliConfig(ctx);
  await requireRedis(config);
  // Only reads the queues: no platform credentials needed.
  const app = new App(config, { logger: cliLogger(ctx, config), requireCredentials: false });
  try {
    requireKnownTargets(app.targets, target === undefined ? undefined : [target]);
    const pending = await app.pending(target === undefined ? {} : { target });
    ctx.out(ctx.args.json ? JSON.stringify(pending) : formatPending(pending));
    return 0;
  } finally {
    await app.close();
  }
}

function report(ctx: CliContext, changes: readonly ScheduleChange[], done: readonly string[]): number {
  for (const c of changes) ctx.out(`${c.target}: ${done.includes(c.result) ? c.result : `not changed (${c.result})`}`);
  return changes.some((c) => done.includes(c.result)) ? 0 : 1;
}

/** `crier unschedule ARTICLE_ID [TARGET]`: cancel first posts not sent yet. */
export async function unscheduleCommand(ctx: CliContext): Promise<number> {
  const [articleId, target] = ctx.args.positionals;
  if (articleId === undefined) throw new UsageError('usage: crier unschedule ARTICLE_ID [TARGET]');
  const config = loadCliConfig(ctx);
  await requireRedis(config);
  const app = new App(config, { logger: cliLogger(ctx, config) });
  try {
    requireKnownTargets(app.targets, target === undefined ? undefined : [target]);
    return report(ctx, await app.unschedule(articleId, { by: 'cli', ...(target !== undefined ? { target } : {}) }), ['unscheduled']);
  } finally {
    await app.close();
  }
}

/** `crier reschedule ARTICLE_ID --at TIME [TARGET]`: move pending (or unscheduled) first posts. */
export async function rescheduleCommand(ctx: CliContext): Promise<number> {
  const [articleId, target] = ctx.args.positionals;
  if (articleId === undefined || ctx.args.at === undefined) throw new UsageError('usage: crier reschedule ARTICLE_ID --at TIME [TARGET]');
  const config = loadCliConfig(ctx);
  await requireRedis(config);
  const app = new App(config, { logger: cliLogger(ctx, config) });
  try {
    requireKnownTargets(app.targets, target === undefined ? undefined : [target]);
    return report(ctx, await app.reschedule(articleId, ctx.args.at, target !== undefined ? { target } : {}), ['moved', 'scheduled']);
  } finally {
    await app.close();
  }
}
