import { App } from '../../app.js';
import { SETTLED, updateSettled, waitForDeliveries } from '../../../queues/wait.js';
import { formatLedger } from '../format-ledger.js';
import { cliLogger, loadCliConfig, readArticleInput, requireKnownTargets, type CliContext } from '../context.js';
import { requireRedis } from './redis-check.js';

/** `crier publish`: enqueue one delivery per target; `--wait` waits and prints each result. */
export async function publishCommand(ctx: CliContext): Promise<number> {
  const config = loadCliConfig(ctx);
  const article = await readArticleInput(ctx, config);
  await requireRedis(config);
  const app = new App(config, { logger: cliLogger(ctx, config) });
  try {
    const only = ctx.args.targets;
    requireKnownTargets(app.targets, only);
    const result = await app.publish(article, only, { by: 'cli', force: ctx.args.force, ...(ctx.args.at !== undefined ? { at: ctx.args.at } : {}), ...(ctx.args.priority !== undefined ? { priority: ctx.args.priority } : {}) });
    if (result.action === 'retracted') {
      process.stderr.write(`crier: ${result.articleId} was retracted; publish it again with --force\n`);
      return 1;
    }
    if (!ctx.args.wait) {
      if (ctx.args.json) ctx.out(JSON.stringify(result));
      else ctx.out(result.action === 'update' ? `${result.articleId} (update: revision ${result.rev})` : result.articleId);
      return 0;
    }
    const ids = result.outcomes.map((o) => o.target);
    const { records, timedOut } = await waitForDeliveries(app.ledger, result.articleId, ids, {
      timeoutMs: (ctx.args.timeoutSeconds ?? 120) * 1000,
      ...(result.action === 'update' ? { settled: updateSettled(result.rev) } : {}),
    });
    if (ctx.args.json) ctx.out(JSON.stringify({ articleId: result.articleId, deliveries: records }));
    else {
      ctx.out(result.articleId);
      ctx.out(formatLedger(records));
    }
    if (timedOut) {
      const pending = records.filter((r) => !SETTLED.has(r.state)).map((r) => r.target);
      ctx.out(`timed out waiting for ${pending.join(', ') || 'the workers'}: is \`crier worker\` running?`);
      return 3;
    }
    return records.every((r) => r.state === 'delivered' || r.state === 'duplicate' || r.state === 'skipped') ? 0 : 1;
  } finally {
    await app.close();
  }
}
