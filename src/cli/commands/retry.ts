import { App } from '../../app.js';
import { retryDeliveries } from '../../../queues/retry.js';
import { cliLogger, loadCliConfig, requireKnownTargets, type CliContext } from '../context.js';
import { UsageError } from '../args.js';
import { requireRedis } from './redis-check.js';

/** `crier retry ARTICLE_ID [TARGET]`: send failed/unknown deliveries again. */
export async function retryCommand(ctx: CliContext): Promise<number> {
  const [articleId, target] = ctx.args.positionals;
  if (articleId === undefined) throw new UsageError('usage: crier retry ARTICLE_ID [TARGET]');
  const config = loadCliConfig(ctx);
  await requireRedis(config);
  const app = new App(config, { logger: cliLogger(ctx, config) });
  try {
    requireKnownTargets(app.targets, target === undefined ? undefined : [target]);
    const outcomes = await retryDeliveries(articleId, app.targets, { ledger: app.ledger, queues: app.queues }, target);
    if (outcomes.length === 0) ctx.out(`nothing to retry for ${articleId}`);
    for (const o of outcomes) ctx.out(`${o.target}: ${o.result === 'retried' ? 'retried' : `not retried (${o.result})`}`);
    return outcomes.some((o) => o.result === 'retried') ? 0 : 1;
  } finally {
    await app.close();
  }
}

/** `crier resume TARGET`: resume a queue paused for a human (saying so when it was not paused). */
export async function resumeCommand(ctx: CliContext): Promise<number> {
  const [target] = ctx.args.positionals;
  if (target === undefined) throw new UsageError('usage: crier resume TARGET');
  const config = loadCliConfig(ctx);
  await requireRedis(config);
  const app = new App(config, { logger: cliLogger(ctx, config) });
  try {
    requireKnownTargets(app.targets, [target]);
    if (!(await app.resume(target))) {
      ctx.out(`${target}: not paused; nothing to resume`);
      return 0;
    }
    ctx.out(`${target}: resumed`);
    return 0;
  } finally {
    await app.close();
  }
}
