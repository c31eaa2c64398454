import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildConfig, secretsOf } from '../../../config/load.js';
import type { Config } from '../../../config/schema.js';
import { combineObservers, type DeliveryObserver } from '../../../queues/observer.js';
import { App, SetupError } from '../../app.js';
import { FeedPoller } from '../../feeds/poller.js';
import { buildServer } from '../../http/server.js';
import { Metrics } from '../../metrics.js';
import type { Sandbox } from '../../sandbox/index.js';
import { shutdown, type ShutdownReport } from '../../shutdown.js';
import { cliLogger, loadCliConfig, type CliContext } from '../context.js';
import { describeFound } from '../../../queues/redis-probe.js';
import { requireRedis } from './redis-check.js';
import { untilSignal } from './worker.js';

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);

/** The config with the sandbox platforms instead of the real ones (and a webhook secret to try /publish with). */
function sandboxConfig(config: Config, sandbox: Sandbox): { config: Config; generatedSecret?: string } {
  const { targets } = buildConfig({ targets: sandbox.targets() }, {}, 'sandbox');
  const telegram = targets.find((t) => t.platform === 'telegram');
  const generatedSecret = config.http.webhookSecret === undefined ? randomBytes(18).toString('base64url') : undefined;
  return {
    config: {
      ...config,
      targets,
      http: { ...config.http, ...(generatedSecret !== undefined ? { webhookSecret: generatedSecret } : {}) },
      media: { ...config.media, allowPrivateNetwork: true },
      bot: {
        ...config.bot,
        allowPrivateNetwork: true,
        ...(telegram?.platform === 'telegram' && telegram.botToken !== undefined ? { token: telegram.botToken, apiRoot: telegram.apiRoot } : {}),
      },
    },
    ...(generatedSecret !== undefined ? { generatedSecret } : {}),
  };
}

interface BotHandle {
  observer: DeliveryObserver;
  /** Mount routes (webhook mode) before the server listens. */
  mount(server: FastifyInstance): Promise<void>;
  start(app: App): Promise<{ stop(): Promise<void> }>;
}

/**
 * ─── EDITORS' BOT: the single call site ─────────────────────────────────────────────
 * The bot runs when someone can use it (TELEGRAM_EDITORS or an alert chat) and it has a
 * token. Its EditorAlerts observer must exist before the App; it starts after the App.
 */
async function editorsBot(config: Config, logger: Logger): Promise<BotHandle | undefined> {
  if (config.bot.editors.length === 0 && config.bot.alertChat === undefined) return undefined;
  const bot = await import('../../bot/index.js');
  const { webhookPathOf, webhookSecretFor } = await import('../../bot/webhook.js');
  const { token } = bot.botCredentials(config); // a one-line SetupError when there is no token
  const alerts = new bot.EditorAlerts(logger.child({ component: 'editors-bot' }));
  const webhookUrl = config.bot.webhookUrl;
  let created: ReturnType<typeof bot.createEditorsBot> | undefined;
  return {
    observer: alerts,
    async mount(server) {
      if (webhookUrl === undefined) return;
      // The route must exist before listening; the bot needs the running App: forward to it once created.
      const forwarder = {
        webhookPath: webhookPathOf(webhookUrl),
        webhookSecret: webhookSecretFor(config, token),
        handleUpdate: (update: Parameters<NonNullable<typeof created>['handleUpdate']>[0]) => created?.handleUpdate(update) ?? Promise.resolve(),
      };
      await server.register(bot.editorsBotWebhook(forwarder, logger));
    },
    async start(app) {
      created = bot.createEditorsBot({ app, logger, alerts });
      await created.start();
      return created;
    },
  };
}

export interface ServiceOptions {
  config: Config;
  logger: Logger;
  /** Overrides every new feed's backfill (`--backfill N`). */
  backfill?: number;
  /** Feeds may redirect to private addresses (sandbox). */
  allowPrivateFeeds?: boolean;
}

/** A running `crier serve`: everything started, the HTTP server listening. */
export interface Service {
  app: App;
  server: FastifyInstance;
  poller: FeedPoller | undefined;
  metrics: Metrics;
  address: string;
  botRunning: boolean;
  /** Graceful shutdown (src/shutdown.ts). */
  stop(): Promise<ShutdownReport>;
}

/** Bind the HTTP server, then start workers, the feed poller and the editors' bot. Cleans up after itself if a step fails. */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { config, logger } = options;
  const live = { app: undefined as App | undefined, poller: undefined as FeedPoller | undefined };
  const metrics = new Metrics({
    defaultMetrics: true,
    queues: () => {
      const { app: a, poller: p } = live;
      return [...(a ? a.targets.map((t) => a.queues.get(t)) : []), ...(p ? [p.queue] : [])];
    },
    pending: async () => (live.app ? live.app.pendingCounts() : []),
  });
  const bot = await editorsBot(config, logger);
  const app = (live.app = new App(config, { logger, observer: combineObservers(metrics.observer, bot?.observer) }));
  let server: FastifyInstance | undefined;
  let poller: FeedPoller | undefined;
  let botRunning: { stop(): Promise<void> } | undefined;
  const stop = () =>
    shutdown({
      logger,
      graceMs: config.worker.shutdownGraceSeconds * 1000,
      app,
      ...(server ? { server } : {}),
      ...(poller ? { poller } : {}),
      ...(botRunning ? { bot: botRunning } : {}),
    });
  try {
    if (config.feeds.length > 0) {
      poller = live.poller = new FeedPoller({
        redisConfig: config.redis,
        prefix: config.redis.prefix,
        feeds: config.feeds,
        publish: (article, options) => app.publish(article, undefined, options),
        logger: logger.child({ component: 'feeds' }),
        observer: metrics.feedObserver,
        boilerplate: [...config.extract.boilerplate, ...config.extract.extraBoilerplate],
        fetch: { allowPrivateNetwork: options.allowPrivateFeeds ?? false, timeoutMs: 15_000, maxBytes: 10 * 1024 * 1024 },
        ...(options.backfill !== undefined ? { backfill: options.backfill } : {}),
      });
    }
    const feedQueue = poller?.queue;
    server = await buildServer({ app, metrics, secrets: secretsOf(config), extraQueues: () => (feedQueue ? [feedQueue] : []) });
    await bot?.mount(server);
    // Bind first: a port in use must stop the service before any worker has taken a job.
    const address = await server.listen({ port: config.http.port, host: config.http.host }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
        const why = error.code === 'EADDRINUSE' ? 'is in use' : error.code === 'EACCES' ? 'needs privileges this process lacks' : 'is not an address of this machine';
        throw new SetupError(`cannot listen on ${config.http.host}:${config.http.port}: the port ${why} (set PORT or http.port; http.host for the address)`);
      }
      throw error;
    });
    await app.startWorkers();
    await poller?.start();
    botRunning = await bot?.start(app);
    logger.info({ address, targets: app.targets.map((t) => t.id), feeds: config.feeds.length, bot: botRunning !== undefined }, 'crier serve running');
    return { app, server, poller, metrics, address, botRunning: botRunning !== undefined, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `crier serve [--sandbox] [--backfill N]`: HTTP + feed poller + workers + editors' bot, until SIGTERM/SIGINT. */
export async function serveCommand(ctx: CliContext): Promise<number> {
  let config = loadCliConfig(ctx);
  const useSandbox = ctx.args.sandbox || truthy(ctx.env.CRIER_SANDBOX);
  let sandbox: Sandbox | undefined;
  let generatedSecret: string | undefined;
  try {
    if (useSandbox) {
      const { startSandbox } = await import('../../sandbox/index.js');
      sandbox = await startSandbox();
      ({ config, generatedSecret } = sandboxConfig(config, sandbox));
    }
    const logger = cliLogger(ctx, config, true);
    const redis = await requireRedis(config);
    logger.info({ redis: describeFound(redis) }, 'redis');
    const service = await startService({
      config,
      logger,
      allowPrivateFeeds: useSandbox,
      ...(ctx.args.backfill !== undefined ? { backfill: ctx.args.backfill } : {}),
    });
    const { app } = service;
    ctx.out(`crier serve: listening on ${service.address}`);
    ctx.out(`  redis: ${describeFound(redis)}`);
    ctx.out(`  POST /publish${config.http.webhookSecret ? '' : ' (refused: no WEBHOOK_SECRET)'} · GET /articles/:id · /healthz · /metrics${config.http.dashboardPassword ? ' · /admin/queues' : ''}`);
    ctx.out(`  targets: ${app.targets.map((t) => `${t.id} (${t.platform})`).join(', ')}; feeds: ${config.feeds.length}; editors' bot: ${service.botRunning ? 'on' : 'off'}`);
    if (sandbox !== undefined) {
      ctx.out('  sandbox platforms (loopback, nothing leaves this machine):');
      ctx.out(`    Telegram Bot API ${sandbox.telegram.url} · X API ${sandbox.twitter.url}`);
      ctx.out(`    Instagram ${sandbox.instagram.url} · Instagram Graph ${sandbox.instagramGraph.url} · sample site ${sandbox.site.url}`);
      if (generatedSecret !== undefined) ctx.out(`  webhook secret for this sandbox run (sign /publish with it): ${generatedSecret}`);
    }
    const signal = await untilSignal();
    logger.info({ signal }, 'signal received');
    // A second signal while draining means "now".
    const force = () => process.exit(130);
    process.once('SIGTERM', force);
    process.once('SIGINT', force);
    const report = await service.stop();
    return report.clean && report.errors.length === 0 ? 0 : 1;
  } finally {
    await sandbox?.close();
  }
}
