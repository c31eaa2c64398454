/**
 * Webhook mode of the editors' bot (when `bot.webhookUrl` is set): a fastify route at
 * the webhook URL's path that accepts an update only when Telegram's
 * `X-Telegram-Bot-Api-Secret-Token` header carries the secret given to setWebhook.
 * `crier serve` registers it: `await fastify.register(editorsBotWebhook(editorsBot, logger))`.
 *
 * The update is handled before answering; errors are logged and still answered 200,
 * because Telegram resends anything else forever.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Update } from 'telegraf/types';
import type { Config } from '../../config/schema.js';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** The secret for setWebhook: `bot.webhookSecret`, else one derived from the token (same in every process). */
export function webhookSecretFor(config: Pick<Config, 'bot'>, token: string): string {
  return config.bot.webhookSecret ?? createHash('sha256').update(`crier-telegram-webhook:${token}`).digest('base64url');
}

/** The path the webhook URL points at ("/" when it has none). */
export function webhookPathOf(webhookUrl: string): string {
  return new URL(webhookUrl).pathname || '/';
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

export interface WebhookBot {
  readonly webhookPath: string | undefined;
  readonly webhookSecret: string | undefined;
  handleUpdate(update: Update): Promise<void>;
}

export function editorsBotWebhook(bot: WebhookBot, logger: Logger): FastifyPluginAsync {
  return async (fastify) => {
    const path = bot.webhookPath;
    const secret = bot.webhookSecret;
    if (path === undefined || secret === undefined) return;
    fastify.post(path, async (request, reply) => {
      if (!sameSecret(request.headers[SECRET_HEADER], secret)) {
        logger.warn({ ip: request.ip }, 'telegram webhook: wrong or missing secret token');
        return reply.code(401).send({ ok: false, error: 'wrong secret token' });
      }
      const body = request.body as { update_id?: unknown } | null | undefined;
      if (typeof body !== 'object' || body === null || typeof body.update_id !== 'number') {
        return reply.code(400).send({ ok: false, error: 'not a Telegram update' });
      }
      try {
        await bot.handleUpdate(body as Update);
      } catch (error) {
        logger.error({ updateId: body.update_id, err: (error as Error).message }, 'telegram webhook: update failed');
      }
      return reply.code(200).send({ ok: true });
    });
  };
}
