import { App } from '../../app.js';
import { formatHistory, formatLedger } from '../format-ledger.js';
import { cliLogger, loadCliConfig, type CliContext } from '../context.js';
import { UsageError } from '../args.js';
import { describeFound } from '../../../queues/redis-probe.js';
import { requireRedis } from './redis-check.js';

/**
 * `crier status ARTICLE_ID`: the ledger of one article. Exits 0 when every delivery is
 * delivered or on its way, 1 when the article is unknown or a delivery failed or is in
 * doubt (`failed`, `unknown`: a human must look).
 */
export async function statusCommand(ctx: CliContext): Promise<number> {
  const articleId = ctx.args.positionals[0];
  if (articleId === undefined) throw new UsageError('usage: crier status ARTICLE_ID');
  const config = loadCliConfig(ctx);
  const redis = await requireRedis(config);
  const app = new App(config, { logger: cliLogger(ctx, config), requireCredentials: false });
  try {
    const [records, history] = await Promise.all([app.ledger.getAll(articleId), app.ledger.getHistory(articleId)]);
    if (ctx.args.json) ctx.out(JSON.stringify({ articleId, revision: history, deliveries: records, redis }, null, 2));
    else {
      const article = await app.ledger.getArticle(articleId);
      ctx.out(article !== undefined ? `${articleId}  ${article.title}\n${article.url}` : articleId);
      const revisions = formatHistory(history);
      if (revisions !== '') ctx.out(revisions);
      ctx.out(formatLedger(records));
      const cost = records.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
      if (cost > 0) ctx.out(`estimated cost: $${cost.toFixed(3)}`);
      ctx.out(`redis: ${describeFound(redis)}`);
    }
    return records.length === 0 || records.some((r) => r.state === 'failed' || r.state === 'unknown') ? 1 : 0;
  } finally {
    await app.close();
  }
}
