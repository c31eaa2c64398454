import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toArticle } from '../../src/article/schema.js';
import { startTelegramFake, type TelegramFake } from '../../src/sandbox/telegram.js';
import { eventually } from '../helpers/redis.js';
import { EDITOR, messageUpdate, startHarness, STRANGER, type Harness } from './harness.js';

const BLOCKED = 9_100;
const CROWD = Array.from({ length: 12 }, (_, i) => 9_200 + i);

/**
 * Direct subscribers, against a Bot API fake of their own that knows every reader's
 * chat (one of them blocked the bot) and enforces a global budget of 4 messages/s —
 * the same budget crier is configured with.
 */
describe('editors bot: direct subscribers', () => {
  let h: Harness;
  let fake: TelegramFake;
  beforeAll(async () => {
    fake = await startTelegramFake({
      token: '200000002:SUBSCRIBERSsubscribersSUBSCRIBERS00',
      botUsername: 'crier_sandbox_bot',
      globalPerSecond: 4,
      knownChats: [EDITOR.id, STRANGER.id, ...CROWD].map((id) => ({ id })).concat([{ id: BLOCKED, forbidden: 'blocked' } as { id: number }]),
    });
    h = await startHarness('subscribers', { token: fake.token, apiRoot: fake.url, subscribers: true }, { telegramGlobalPerSecond: 4 });
    await h.bot.subscribers?.startWorker();
  });
  afterAll(async () => {
    await h.close();
    await fake.close();
  });

  const sentTo = (chat: number) => fake.sent.filter((s) => s.chat === chat);
  const say = async (from: { id: number; is_bot: boolean; first_name: string }, text: string) => {
    const before = sentTo(from.id).length;
    await h.bot.handleUpdate(messageUpdate(from, text));
    return sentTo(from.id).slice(before).map((s) => s.text);
  };

  it('should let anyone /start and /subscribe, once', async () => {
    expect(await say(STRANGER, '/start')).toEqual(['Hello! Send /subscribe to receive each new article here, /unsubscribe to stop.']);
    expect(await say(STRANGER, '/subscribe')).toEqual(['Subscribed: you will receive each new article here. /unsubscribe to stop.']);
    expect(await say(STRANGER, '/subscribe')).toEqual(['You are already subscribed.']);
    expect(await h.bot.subscribers?.has(STRANGER.id)).toBe(true);
    // Editor commands stay closed to them.
    expect((await say(STRANGER, '/status abc'))[0]).toMatch(/^Sorry, this bot is only for the newsroom's editors/);
  });

  it('should broadcast each article once, and remove a user who blocked the bot', async () => {
    await h.bot.subscribers?.add(BLOCKED);
    const a = toArticle({ url: 'https://news.example.org/2026/harbour', title: 'Harbour <b>opens</b> & more', summary: 'Boats are back.' });
    const queued = await h.bot.broadcastArticle(a);
    expect(queued).toBe(2);
    expect(await h.bot.broadcastArticle(a)).toBe(0);
    await eventually(async () => ((await h.bot.subscribers?.has(BLOCKED)) === false ? true : undefined), 10_000, 'the blocked user removed');
    const got = await eventually(() => sentTo(STRANGER.id).find((s) => s.text?.startsWith('Harbour <b>opens</b> & more')), 10_000, 'the broadcast');
    expect(got.text).toContain('Boats are back.');
    expect(got.text).toContain('Read the article');
  });

  it('should broadcast through the delivered hook once per article, within the global budget', async () => {
    for (const id of CROWD) await h.bot.subscribers?.add(id);
    const a = toArticle({ url: 'https://news.example.org/2026/crowd', title: 'Crowd news' });
    const before = fake.rateLimited;
    h.alerts.delivered({ article: a });
    h.alerts.delivered({ article: a });
    const everyone = [STRANGER.id, ...CROWD];
    await eventually(() => (everyone.every((id) => sentTo(id).some((s) => s.text?.startsWith('Crowd news'))) ? true : undefined), 20_000, 'everyone served');
    await new Promise((r) => setTimeout(r, 300));
    for (const id of everyone) expect(sentTo(id).filter((s) => s.text?.startsWith('Crowd news'))).toHaveLength(1);
    expect(fake.rateLimited - before).toBe(0);
  });

  it('should stop sending after /unsubscribe', async () => {
    expect(await say(STRANGER, '/unsubscribe')).toEqual(['Unsubscribed: no more articles from me.']);
    const a = toArticle({ url: 'https://news.example.org/2026/after', title: 'After unsubscribing' });
    await h.bot.broadcastArticle(a);
    await eventually(() => (CROWD.every((id) => sentTo(id).some((s) => s.text?.startsWith('After'))) ? true : undefined), 20_000, 'the crowd served');
    expect(sentTo(STRANGER.id).filter((s) => s.text?.startsWith('After'))).toHaveLength(0);
  });
});
