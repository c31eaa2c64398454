import { retractionSettled } from '../../../queues/wait.js';
import { App } from '../../app.js';
import { waitWithProgress } from '../wait-progress.js';
import { UsageError } from '../args.js';
import { cliLogger, loadCliConfig, type CliContext } from '../context.js';
import { requireRedis } from './redis-check.js';

/**
 * `crier retract ARTICLE_ID [--reason TEXT] [--wait]`: take an article's posts down on every
 * target (deliveries not yet sent are cancelled). Prints what happens per target; with
 * --wait, waits until each post is gone (or the retraction ended without removing it),
 * printing each target's result as it settles. Exit 1 for an article never published here, 3 when waiting timed out.
 */
export async function retractCommand(ctx: CliContext): Promise<number> {
  const [articleId] = ctx.args.positionals;
  if (articleId === undefined) throw new UsageError('usage: crier retract ARTICLE_ID [--reason TEXT] [--wait]');
  const config = loadCliConfig(ctx);
  await requireRedis(config);
  const app = new App(config, { logger: cliLogger(ctx, config), requireCredentials: false });
  try {
    const result = await app.retract(articleId, { reason: ctx.args.reason ?? 'retracted from the command line', by: 'cli' });
    if (!result.known) {
      process.stderr.write(`crier: ${articleId} was never published here\n`);
      return 1;
    }
    const words = { cancelled: 'cancelled (it had not gone out)', retracting: 'being taken down', done: 'already retracted', none: 'never published there' } as const;
    if (ctx.args.json && !ctx.args.wait) ctx.out(JSON.stringify(result));
    else if (!ctx.args.json) for (const o of result.outcomes) ctx.out(`${o.target}: ${words[o.outcome]}`);
    if (!ctx.args.wait) return 0;
    const ids = result.outcomes.filter((o) => o.outcome !== 'none').map((o) => o.target);
    const { records, timedOut } = await waitWithProgress(ctx, app.ledger, articleId, ids, { settled: retractionSettled });
    if (ctx.args.json) ctx.out(JSON.stringify({ articleId, deliveries: records }));
    if (timedOut) {
      // On standard error: with --json, standard output holds one JSON document and nothing else.
      process.stderr.write('crier: timed out waiting for the retraction: is `crier worker` running?\n');
      return 3;
    }
    return records.every((r) => r.state === 'retracted') ? 0 : 1;
  } finally {
    await app.close();
  }
}
