import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.js';
import { App } from '../../src/app.js';
import { toArticle } from '../../src/article/schema.js';
import { silentLogger } from '../../src/logging.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { startTelegramFake, type TelegramFake } from '../../src/sandbox/telegram.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 3: a burst of 100 posts to one channel finishes with zero 429s and nothing lost.
 * The fake enforces Telegram's per-channel limit (20 posts per window); to keep the test
 * short the window is 1 s instead of 60 s on both sides — the same ratio of limit to window.
 */
describe('a burst to one Telegram channel', () => {
  let fake: TelegramFake;
  let app: App;
  const prefix = uniquePrefix('burst');

  beforeAll(async () => {
    fake = await startTelegramFake({ token: SANDBOX_CREDENTIALS.telegramToken, perChatPerMinute: 20, perChatWindowMs: 1000, globalPerSecond: 30 });
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix },
        targets: [
          {
            id: 'channel',
            platform: 'telegram',
            botToken: SANDBOX_CREDENTIALS.telegramToken,
            chat: '@burst_channel',
            apiRoot: fake.url,
            limiter: { max: 20, duration: 1000 },
            photo: false,
          },
        ],
      },
      {},
    );
    app = new App(config, { logger: silentLogger });
    await app.startWorkers();
  });

  afterAll(async () => {
    await app.close(2000);
    await fake.close();
    await deletePrefix(prefix);
  });

  it('should deliver 100 posts with zero 429s and none lost', async () => {
    const articles = Array.from({ length: 100 }, (_, i) => toArticle({ url: `https://news.example/burst/${i}`, title: `Burst story number ${i}` }));
    await Promise.all(articles.map((a) => app.publish(a)));
    await eventually(() => (fake.sent.length >= 100 ? true : undefined), 60_000, '100 posts');
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.rateLimited).toBe(0);
    expect(fake.sent).toHaveLength(100);
    const titles = new Set(fake.sent.map((m) => (m.text ?? '').split('\n')[0]));
    expect(titles.size).toBe(100);
    for (const a of articles) expect((await app.ledger.get(a.id, 'channel'))?.state).toBe('delivered');
  });
});
