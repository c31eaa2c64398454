/**
 * The editors' bot (telegraf): editors run the newsroom from Telegram — /post, /preview,
 * /status, /queue, /retry, /resume, /help — and the editors' chat hears about deliveries that
 * need a human. Long polling by default; webhook mode when `bot.webhookUrl` is set
 * (mount ./webhook.ts in the HTTP server).
 *
 * Wiring (the observer must exist before the App, the bot needs the App):
 *   const alerts = new EditorAlerts(logger);
 *   const app = new App(config, { logger, observer: combineObservers(alerts, …) });
 *   const bot = await startEditorsBot({ app, logger, alerts });
 */
import type { Logger } from 'pino';
import { Telegraf, Telegram } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { apiRootOf } from '../../adapters/telegram/client.js';
import { patientTelegram } from './patient-telegram.js';
import type { App } from '../app.js';
import type { Article } from '../article/schema.js';
import { ActionStore } from './actions.js';
import { botCredentials } from './credentials.js';
import { PAGE_TIMEOUT_MS } from './article-input.js';
import { EditorAlerts } from './alerts.js';
import { registerButtons } from './commands/buttons.js';
import { EDITOR_COMMANDS, registerHelpCommands, SUBSCRIBER_COMMANDS } from './commands/help.js';
import { registerFallback } from './commands/fallback.js';
import { registerPostCommands } from './commands/post.js';
import { registerQueueCommand } from './commands/queue.js';
import { registerRetractCommand } from './commands/retract.js';
import { registerStatusCommands } from './commands/status.js';
import { registerSubscriberCommands } from './commands/subscribe.js';
import type { BotServices } from './services.js';
import { Subscribers } from './subscribers.js';
import { webhookPathOf, webhookSecretFor } from './webhook.js';

export { EditorAlerts } from './alerts.js';
export { editorsBotWebhook } from './webhook.js';

export interface EditorsBotDeps {
  app: App;
  logger: Logger;
  /** The observer given to the App; connected here to the alert chat. Created when absent. */
  alerts?: EditorAlerts;
  /** The bot's identity, to skip getMe (tests). */
  botInfo?: UserFromGetMe;
  /** Page fetch timeout for /post and /preview (default 10 s). */
  fetchTimeoutMs?: number;
}

export interface EditorsBot {
  readonly bot: Telegraf;
  readonly alerts: EditorAlerts;
  readonly subscribers: Subscribers | undefined;
  readonly mode: 'polling' | 'webhook';
  readonly webhookPath: string | undefined;
  readonly webhookSecret: string | undefined;
  /** Handle one Update (webhook route, tests). Errors are logged, never thrown. */
  handleUpdate(update: Update): Promise<void>;
  /** Register commands, start the broadcast worker, then poll or set the webhook. */
  start(): Promise<void>;
  /** Queue an article for the direct subscribers (once per article); 0 when they are off. */
  broadcastArticle(article: Article): Promise<number>;
  stop(): Promise<void>;
}

/** The bot's token and API root (src/bot/credentials.ts). */
export { botCredentials };

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export function createEditorsBot(deps: EditorsBotDeps): EditorsBot {
  const { app, logger } = deps;
  const config = app.config;
  const { token, apiRoot } = botCredentials(config);
  const bot = new Telegraf(token, { telegram: { apiRoot: apiRootOf(apiRoot), webhookReply: false } });
  // Subscribers' broadcasts keep a client that sees every 429 (they pace themselves by it);
  // the bot's own replies wait a short 429 out (patient-telegram.ts).
  const broadcasts = new Telegram(token, { apiRoot: apiRootOf(apiRoot), webhookReply: false });
  patientTelegram(bot.telegram);
  // Telegraf gives each update a client of its own: the replies go through that one.
  bot.use((ctx, next) => {
    patientTelegram(ctx.telegram);
    return next();
  });
  if (deps.botInfo !== undefined) bot.botInfo = deps.botInfo;
  const log = logger.child({ component: 'editors-bot' });
  const actions = new ActionStore(app.redis, config.redis.prefix);
  const alerts = deps.alerts ?? new EditorAlerts(log);
  if (config.bot.alertChat !== undefined) alerts.connect({ telegram: bot.telegram, chatId: config.bot.alertChat, actions });
  const subscribers = config.bot.subscribers
    ? new Subscribers({
        redis: app.redis, redisConfig: config.redis, prefix: config.redis.prefix, telegram: broadcasts,
        botToken: token, perSecond: config.telegramGlobalPerSecond, logger: log,
      })
    : undefined;
  if (subscribers !== undefined) alerts.onDelivered((article) => subscribers.broadcastArticle(article));

  const services: BotServices = { app, config, logger: log, actions, alerts, subscribers, fetchTimeoutMs: deps.fetchTimeoutMs ?? PAGE_TIMEOUT_MS };
  bot.catch(async (error, ctx) => {
    log.error({ updateId: ctx.update.update_id, err: (error as Error).message, stack: (error as Error).stack }, 'editors bot: handler failed');
    try {
      if (ctx.callbackQuery !== undefined) await ctx.answerCbQuery('Something went wrong; the error was logged.');
      else if (ctx.chat !== undefined) await ctx.reply('Sorry, something went wrong; the error was logged.');
    } catch {
      /* the chat may be gone */
    }
  });
  registerHelpCommands(bot, services);
  registerPostCommands(bot, services);
  registerStatusCommands(bot, services);
  registerQueueCommand(bot, services);
  registerRetractCommand(bot, services);
  if (subscribers !== undefined) registerSubscriberCommands(bot, services, subscribers);
  registerButtons(bot, services);
  registerFallback(bot, services);

  const webhookUrl = config.bot.webhookUrl;
  const mode = webhookUrl === undefined ? 'polling' : 'webhook';
  let polling: Promise<void> | undefined;

  return {
    bot,
    alerts,
    subscribers,
    mode,
    webhookPath: webhookUrl === undefined ? undefined : webhookPathOf(webhookUrl),
    webhookSecret: webhookUrl === undefined ? undefined : webhookSecretFor(config, token),
    handleUpdate: (update) => bot.handleUpdate(update),
    broadcastArticle: (article) => subscribers?.broadcastArticle(article) ?? Promise.resolve(0),

    async start() {
      bot.botInfo ??= await bot.telegram.getMe();
      const commands = [...EDITOR_COMMANDS, ...(subscribers !== undefined ? SUBSCRIBER_COMMANDS : [])];
      await bot.telegram.setMyCommands(commands.map((c) => ({ ...c })));
      await subscribers?.startWorker();
      if (webhookUrl !== undefined) {
        await bot.telegram.setWebhook(webhookUrl, { secret_token: webhookSecretFor(config, token), allowed_updates: [...ALLOWED_UPDATES] });
        log.info({ username: bot.botInfo.username, mode }, 'editors bot started');
        return;
      }
      await new Promise<void>((resolve, reject) => {
        polling = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => resolve());
        polling.catch((error: Error) => {
          log.error({ err: error.message }, 'editors bot: polling stopped');
          reject(error);
        });
      });
      log.info({ username: bot.botInfo.username, mode }, 'editors bot started');
    },

    async stop() {
      if (polling !== undefined) {
        try {
          bot.stop('shutdown');
        } catch {
          /* not running */
        }
        await Promise.race([polling.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
        polling = undefined;
      }
      await subscribers?.close();
    },
  };
}

/** Create the bot and start it (long polling, or the webhook when configured). */
export async function startEditorsBot(deps: EditorsBotDeps): Promise<EditorsBot> {
  const editorsBot = createEditorsBot(deps);
  await editorsBot.start();
  return editorsBot;
}
