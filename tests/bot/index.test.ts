import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { botCredentials, editorsBotWebhook, type EditorsBot } from '../../src/bot/index.js';
import { SECRET_HEADER, webhookSecretFor } from '../../src/bot/webhook.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { eventually } from '../helpers/redis.js';
import { callbackUpdate, EDITOR, messageUpdate, startHarness, STRANGER, type Harness } from './harness.js';

describe('editors bot: start, polling and webhook', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('should register its commands and answer updates it long-polls for', async () => {
    h = await startHarness('polling');
    await h.bot.start();
    expect(h.bot.mode).toBe('polling');
    expect(h.sandbox.telegram.commands.map((c) => c.command)).toEqual(['post', 'preview', 'status', 'queue', 'retry', 'resume', 'retract', 'help']);
    const update = messageUpdate(EDITOR, '/help') as unknown as Record<string, unknown>;
    h.sandbox.telegram.pushUpdate(update);
    const reply = await eventually(() => h?.sentTo(EDITOR.id)[0], 10_000, 'a reply to /help');
    expect(reply.text).toMatch(/^I publish the newsroom’s articles/);
    expect(reply.text).toContain('/post <link>');
  });

  it("should answer every command of a burst past Telegram's rate limit, waiting out its 429s", async () => {
    h = await startHarness('burst');
    const harness = h;
    const before = harness.sandbox.telegram.rateLimited;
    // Forty /help at once: more than the fake lets through in a second (it answers 429 with retry_after).
    await Promise.all(Array.from({ length: 40 }, () => harness.bot.handleUpdate(messageUpdate(EDITOR, '/help'))));
    expect(harness.sentTo(EDITOR.id).filter((m) => /^I publish the newsroom’s articles/.test(m.text ?? ''))).toHaveLength(40);
    expect(harness.sandbox.telegram.rateLimited).toBeGreaterThan(before);
  }, 60_000);

  it('should answer a button it does not know, so its spinner stops', async () => {
    h = await startHarness('unknown-button');
    const harness = h;
    const [reply] = await harness.send(messageUpdate(EDITOR, '/help'), EDITOR.id);
    await harness.bot.handleUpdate(callbackUpdate(EDITOR, reply!, 'z:from-an-older-build'));
    const answers = harness.sandbox.telegram.calls.filter((c) => c.method === 'answerCallbackQuery').map((c) => String(c.params.text));
    expect(answers).toEqual(['This button is not valid any more.']);
  });

  it('should set a webhook with a secret token and accept only updates that carry it', async () => {
    const webhookUrl = 'https://crier.example.org/telegram/hook';
    h = await startHarness('webhook', { webhookUrl, webhookSecret: 'hook_secret-42' });
    const bot: EditorsBot = h.bot;
    await bot.start();
    expect(bot.mode).toBe('webhook');
    expect(h.sandbox.telegram.webhook).toEqual({ url: webhookUrl, secret_token: 'hook_secret-42' });

    const server = Fastify();
    await server.register(editorsBotWebhook(bot, h.app.logger));
    const post = (headers: Record<string, string>, body: unknown) =>
      server.inject({ method: 'POST', url: '/telegram/hook', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });

    const wrong = await post({ [SECRET_HEADER]: 'nope' }, messageUpdate(EDITOR, '/help'));
    expect(wrong.statusCode).toBe(401);
    const missing = await post({}, messageUpdate(EDITOR, '/help'));
    expect(missing.statusCode).toBe(401);
    expect(h.sentTo(EDITOR.id)).toHaveLength(0);

    const notAnUpdate = await post({ [SECRET_HEADER]: 'hook_secret-42' }, { hello: 'world' });
    expect(notAnUpdate.statusCode).toBe(400);

    const ok = await post({ [SECRET_HEADER]: 'hook_secret-42' }, messageUpdate(STRANGER, '/help'));
    expect(ok.statusCode).toBe(200);
    expect(h.sentTo(STRANGER.id)[0]?.text).toMatch(/^Sorry, this bot is only for the newsroom's editors/);
    await server.close();
  });

  it('should take its token from the first Telegram target and derive a stable webhook secret', () => {
    const config = buildConfig({ targets: [{ id: 'chan', platform: 'telegram', botToken: SANDBOX_CREDENTIALS.telegramToken, chat: '@x', apiRoot: 'http://127.0.0.1:1' }] }, {});
    expect(botCredentials(config)).toEqual({ token: SANDBOX_CREDENTIALS.telegramToken, apiRoot: 'http://127.0.0.1:1' });
    const secret = webhookSecretFor(config, SANDBOX_CREDENTIALS.telegramToken);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(webhookSecretFor(config, SANDBOX_CREDENTIALS.telegramToken)).toBe(secret);
    expect(webhookSecretFor(config, `${SANDBOX_CREDENTIALS.telegramToken}x`)).not.toBe(secret);
    expect(() => botCredentials(buildConfig({ targets: [{ id: 'x', platform: 'twitter' }] }, {}))).toThrow('the editors bot needs a token: bot.token or TELEGRAM_BOT_TOKEN');
  });
});
