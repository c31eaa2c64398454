import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildConfig, redisFromEnv } from '../../../config/load.js';
import type { RedisConfig } from '../../../config/redis.js';
import { deletePrefix, describeRedis, redisSettings } from '../../../queues/connection.js';
import { probeRedis } from '../../../queues/redis-probe.js';
import { retractionSettled, updateSettled, waitForDeliveries } from '../../../queues/wait.js';
import { App, SetupError } from '../../app.js';
import { loadArticle } from '../../article/load.js';
import { findRedisServer, REDIS_HINT, startLocalRedis, type LocalRedis } from '../../local-redis.js';
import { createLogger } from '../../logging.js';
import { startSandbox } from '../../sandbox/index.js';
import { sampleArticleMarkdown, sampleArticleUrl } from '../../sandbox/sample-article.js';
import { describeReceived } from '../../sandbox/describe.js';
import { formatLedger } from '../format-ledger.js';
import type { CliContext } from '../context.js';
import { scheduleDemo, scheduleDemoTargets } from './demo-schedule.js';

const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/** Redis for the demo: the environment's (REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES), else the local default, else a private redis-server. */
async function demoRedis(ctx: CliContext): Promise<{ redis: RedisConfig; local?: LocalRedis }> {
  const fromEnv = redisFromEnv(ctx.env);
  if (fromEnv !== undefined) {
    const probe = await probeRedis(fromEnv);
    if (!probe.ok) throw new SetupError(probe.message);
    return { redis: fromEnv };
  }
  const local = redisSettings(DEFAULT_REDIS);
  if ((await probeRedis(local, 1500)).ok) return { redis: local };
  if (findRedisServer(ctx.env.PATH) === undefined) throw new SetupError(REDIS_HINT);
  ctx.out('No Redis at 127.0.0.1:6379: starting a private redis-server for this demo…');
  const server = await startLocalRedis({ path: ctx.env.PATH ?? '' });
  return { redis: redisSettings(server.url), local: server };
}

/**
 * `crier demo`: the whole flow on this machine with no credentials — sandbox platforms,
 * a worker in-process, the sample article published, each platform's post printed
 * (`--schedule`: scheduling and breaking news instead, see demo-schedule.ts).
 * It leaves nothing behind however it ends — done, failed, interrupted (SIGINT/SIGTERM:
 * cleaned up, then exit 130/143), or its output closed early (`crier demo | head -3`).
 */
export async function demoCommand(ctx: CliContext): Promise<number> {
  const redis = await demoRedis(ctx);
  const sandbox = await startSandbox();
  const mediaDir = mkdtempSync(join(tmpdir(), 'crier-demo-media-'));
  // Hash-tagged on a cluster, where every key of crier must share one slot.
  const name = `crier-demo-${randomBytes(4).toString('hex')}`;
  const prefix = redis.redis.topology === 'cluster' ? `{${name}}` : name;
  let app: App | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      if (app !== undefined) {
        await app.close(5000);
        await deletePrefix(redis.redis, prefix); // the demo leaves nothing behind in a shared Redis
      }
      await sandbox.close();
      await redis.local?.stop();
      rmSync(mediaDir, { recursive: true, force: true });
    })());
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`crier demo: ${signal}: cleaning up\n`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const config = {
      ...buildConfig({ media: { dir: mediaDir, allowPrivateNetwork: true }, targets: ctx.args.schedule ? scheduleDemoTargets(sandbox.targets()) : sandbox.targets() }, {}, 'demo'),
      redis: { ...redis.redis, prefix },
    };
    const logger = createLogger({ level: ctx.args.logLevel ?? 'warn' });
    app = new App(config, { logger });
    await app.startWorkers();

    ctx.out(`crier demo: sandbox platforms on 127.0.0.1 (nothing leaves this machine), Redis ${redis.local ? 'private' : describeRedis(redis.redis)}, keys under ${prefix} (removed when the demo ends)`);
    // --schedule: a scheduled post and breaking news overtaking a backlog (demo-schedule.ts).
    if (ctx.args.schedule) return await scheduleDemo(ctx, app, sandbox);
    const article = loadArticle(sampleArticleMarkdown(sandbox.site.url), { url: sampleArticleUrl(sandbox.site.url) });
    ctx.out(`\nArticle ${article.id}: ${article.title}`);
    ctx.out(`  tags: ${article.tags.join(', ')}; by ${article.authors.join(', ')}`);

    const result = await app.publish(article);
    ctx.out(`\nPublished: ${result.outcomes.map((o) => `${o.target} ${o.enqueued ? 'queued' : o.state}`).join(', ')}`);
    const again = await app.publish(article);
    ctx.out(`Published again: ${again.outcomes.filter((o) => o.enqueued).length} new deliveries (same article, same id)`);

    const { records, timedOut } = await waitForDeliveries(app.ledger, article.id, result.outcomes.map((o) => o.target), { timeoutMs: 60_000 });
    ctx.out('\nWhat each platform received:');
    ctx.out(describeReceived(sandbox));
    ctx.out('\nLedger (crier status ' + article.id + '):');
    ctx.out(formatLedger(records));
    const delivered = !timedOut && records.length === 3 && records.every((r) => r.state === 'delivered');
    if (!delivered) {
      ctx.out('\nNot every delivery succeeded (see the ledger above).');
      return 1;
    }
    const targets = records.map((r) => r.target);

    // A correction: the newsroom fixes the headline and publishes again.
    const corrected = { ...article, title: `${article.title} (corrected)` };
    const update = await app.publish(corrected, undefined, { by: 'demo' });
    ctx.out(`\nCorrection: the headline changes; publishing again is an ${update.action} (revision ${update.rev}).`);
    const updated = await waitForDeliveries(app.ledger, article.id, targets, { timeoutMs: 60_000, settled: updateSettled(update.rev) });
    for (const r of updated.records) ctx.out(`  ${r.target.padEnd(10)} ${r.history?.at(-1)?.action ?? 'not updated'}${r.history?.at(-1)?.note ? ` (${r.history.at(-1)?.note})` : ''}`);
    const edited = sandbox.telegram.message(String(records.find((r) => r.target === 'telegram')?.remote?.chat ?? ''), Number(records.find((r) => r.target === 'telegram')?.remoteId));
    ctx.out(`  The Telegram post now reads: ${(edited?.caption ?? edited?.text ?? '').split('\n')[0]}`);

    // A retraction: the article comes down everywhere.
    await app.retract(article.id, { reason: 'demo', by: 'demo' });
    const retracted = await waitForDeliveries(app.ledger, article.id, targets, { timeoutMs: 60_000, settled: retractionSettled });
    ctx.out(`\nRetraction (crier retract ${article.id}):`);
    for (const r of retracted.records) ctx.out(`  ${r.target.padEnd(10)} ${r.state}${r.retraction ? ` (${r.retraction})` : ''}`);
    const ok = !updated.timedOut && !retracted.timedOut && retracted.records.every((r) => r.state === 'retracted');
    ctx.out(ok ? '\nOK: one delivery per platform, the correction applied, every post retracted.' : '\nThe correction or the retraction did not finish (see above).');
    return ok ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanup();
  }
}
