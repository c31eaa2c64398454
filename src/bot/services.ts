import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { App } from '../app.js';
import type { ActionStore } from './actions.js';
import type { EditorAlerts } from './alerts.js';
import type { Subscribers } from './subscribers.js';

/** What every command handler may use; built once by createEditorsBot. */
export interface BotServices {
  app: App;
  config: Config;
  logger: Logger;
  actions: ActionStore;
  alerts: EditorAlerts;
  /** Present when `bot.subscribers` is on. */
  subscribers: Subscribers | undefined;
  /** Page fetch timeout for /post and /preview. */
  fetchTimeoutMs: number;
}

/** "@name (123)" or "First (123)": who pressed or asked, for footers and logs. */
export function who(user: { id: number; username?: string; first_name?: string } | undefined): string {
  if (user === undefined) return 'someone';
  const name = user.username !== undefined ? `@${user.username}` : (user.first_name ?? 'user');
  return `${name} (${user.id})`;
}
