import { TELEGRAM_API_ROOT_DEFAULT } from '../../config/targets/telegram.js';
import type { Config } from '../../config/schema.js';
import { SetupError } from '../app.js';

/**
 * The editors bot's token and API root: bot.token, else the first Telegram target's.
 * On its own so `crier worker` (which only sends alerts) does not load the whole bot.
 */
export function botCredentials(config: Config): { token: string; apiRoot: string } {
  const telegram = config.targets.find((t) => t.platform === 'telegram' && t.botToken !== undefined);
  const token = config.bot.token ?? (telegram?.platform === 'telegram' ? telegram.botToken : undefined);
  if (token === undefined || token === '') throw new SetupError('the editors bot needs a token: bot.token or TELEGRAM_BOT_TOKEN');
  const apiRoot = config.bot.apiRoot ?? (telegram?.platform === 'telegram' ? telegram.apiRoot : TELEGRAM_API_ROOT_DEFAULT);
  return { token, apiRoot };
}
