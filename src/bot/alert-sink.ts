import { Telegram } from 'telegraf';
import { apiRootOf } from '../../adapters/telegram/client.js';
import type { App } from '../app.js';
import { ActionStore } from './actions.js';
import type { EditorAlerts } from './alerts.js';
import { botCredentials } from './credentials.js';

/**
 * Connect the editors' alerts in a process that runs no bot (`crier worker`): alerts are
 * sent with the bot's token to the alert chat; their Retry/Skip buttons are answered by
 * whichever process runs the bot (`crier serve`). Without an alert chat, alerts are logged.
 */
export function connectAlerts(alerts: EditorAlerts, app: App): boolean {
  const chatId = app.config.bot.alertChat;
  if (chatId === undefined) return false;
  const { token, apiRoot } = botCredentials(app.config);
  alerts.connect({ telegram: new Telegram(token, { apiRoot: apiRootOf(apiRoot) }), chatId, actions: new ActionStore(app.redis, app.config.redis.prefix) });
  return true;
}
