import { App } from '../../app.js';
import { deliverySettled, SETTLED, updateSettled } from '../../../queues/wait.js';
import { waitWithProgress } from '../wait-progress.js';
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
      else if (result.action === 'outdated') ctx.out(`${result.articleId} (not applied: changed before revision ${result.rev}, which is published)`);
      else ctx.out(result.action === 'update' ? `${result.articleId} (update: revision ${result.rev})` : result.articleId);
      return 0;
    }
    // The id first, at once; then each target's result as it settles (waitWithProgress).
    if (!ctx.args.json) ctx.out(result.articleId);
    const ids = result.outcomes.map((o) => o.target);
    const attempts = Object.fromEntries(app.targets.map((t) => [t.id, t.attempts]));
    const settled = result.action === 'update' ? updateSettled(result.rev) : deliverySettled;
    const { records, timedOut } = await waitWithProgress(ctx, app.ledger, result.articleId, ids, { settled, attempts });
    if (ctx.args.json) ctx.out(JSON.stringify({ articleId: result.articleId, deliveries: records }));
    if (timedOut) {
      const pending = records.filter((r) => !SETTLED.has(r.state)).map((r) => r.target);
      // On standard error: with --json, standard output holds one JSON document and nothing else.
      const held = ctx.args.at !== undefined || (article.publishedAt !== undefined && Date.parse(article.publishedAt) > Date.now());
      process.stderr.write(`crier: timed out waiting for ${pending.join(', ') || 'the workers'}: ${held ? 'the posts are held until their time (crier queue shows when)' : 'is `crier worker` running?'}\n`);
      return 3;
    }
    return records.every((r) => r.state === 'delivered' || r.state === 'duplicate' || r.state === 'skipped') ? 0 : 1;
  } finally {
    await app.close();
  }
}
