import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { deliverySettled } from '../../queues/wait.js';
import { App } from '../../src/app.js';
import { silentLogger } from '../../src/logging.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.js';
import { startTelegramFake, type TelegramFake } from '../../src/sandbox/telegram.js';
import { startTwitterFake, type TwitterFake } from '../../src/sandbox/twitter.js';
import { crier, startCrier, waitFor } from '../helpers/cli.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * `crier publish --wait` against real Redis and a worker on the sandbox fakes, with Telegram
 * slow (every answer held a few seconds) and X fast: the X result must be printed while the
 * Telegram send is still unanswered, not with everything at the end.
 */
describe('crier publish --wait progress', () => {
  const prefix = uniquePrefix('progress');
  const dir = mkdtempSync(join(tmpdir(), 'crier-progress-'));
  const env = { REDIS_URL, REDIS_PREFIX: prefix };
  let telegram: TelegramFake;
  let twitter: TwitterFake;
  let worker: App;

  beforeAll(async () => {
    // Long enough that X (answered at once) surely settles while Telegram's answer is held.
    telegram = await startTelegramFake({ token: SANDBOX_CREDENTIALS.telegramToken, perChatPerMinute: 0, globalPerSecond: 0, latencyMs: 4000 });
    twitter = await startTwitterFake({ per15min: 1000, per24h: 1000 });
    const config = {
      media: { dir: join(dir, 'media') },
      telegramGlobalPerSecond: 0,
      targets: [
        { id: 'telegram', platform: 'telegram', botToken: SANDBOX_CREDENTIALS.telegramToken, chat: SANDBOX_CREDENTIALS.telegramChat, apiRoot: telegram.url, limiter: { max: 0, duration: 1000 }, photo: false },
        { id: 'twitter', platform: 'twitter', ...SANDBOX_CREDENTIALS.twitter, apiRoot: twitter.url },
      ],
    };
    writeFileSync(join(dir, 'crier.yaml'), JSON.stringify(config)); // JSON is YAML
    worker = new App(loadConfig({ file: join(dir, 'crier.yaml'), env, cwd: dir }), { logger: silentLogger });
    await worker.startWorkers();
  });

  afterAll(async () => {
    await worker?.close();
    await telegram?.close();
    await twitter?.close();
    await deletePrefix(prefix);
  });

  it('should print the article id first, then the fast target while the slow one is still sending, then the slow one', async () => {
    writeFileSync(join(dir, 'article.json'), JSON.stringify({ url: 'https://news.example.org/progress/ferry', title: 'Night ferry runs every 40 minutes from Monday', summary: 'The harbour authority adds a night service.' }));
    const child = startCrier(['publish', 'article.json', '--wait', '-c', 'crier.yaml'], { cwd: dir, env });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    let all = '';
    child.stdout.on('data', (c: Buffer) => (all += c.toString('utf8')));

    const early = await waitFor(child.stdout, /twitter\s+delivered .*\n/);
    const id = early.split('\n')[0] ?? '';
    expect(id).toMatch(/^u[0-9a-f]{20}$/);
    // Printed while Telegram is still waiting for its answer: not settled in the ledger, no line yet.
    const tg = (await worker.ledger.getAll(id)).find((r) => r.target === 'telegram');
    expect(tg === undefined || !deliverySettled(tg)).toBe(true);
    expect(early).not.toMatch(/telegram\s+delivered/);

    const { code } = await child.exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = all.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(id);
    expect(lines[1]).toMatch(/^twitter\s+delivered https:\/\//);
    expect(lines[2]).toMatch(/^telegram\s+delivered /);
    expect(all).not.toContain('\x1b'); // not a terminal: plain lines only
    expect(telegram.sent).toHaveLength(1);
    expect((await worker.ledger.getAll(id)).map((r) => [r.target, r.state])).toEqual([
      ['telegram', 'delivered'],
      ['twitter', 'delivered'],
    ]);
  });

  it('should print retract --wait results the same way, one line per target as its post is taken down', async () => {
    writeFileSync(join(dir, 'gone.json'), JSON.stringify({ url: 'https://news.example.org/progress/recall', title: 'Council recalls the ferry tender notice', summary: 'The notice went out with the wrong dates.' }));
    const published = await crier(['publish', 'gone.json', '-c', 'crier.yaml'], { cwd: dir, env });
    expect(published.code).toBe(0);
    const id = published.stdout.trim();
    await eventually(async () => ((await worker.ledger.getAll(id)).filter((r) => r.state === 'delivered').length === 2 ? true : undefined), 30_000, 'both delivered');

    const run = await crier(['retract', id, '--wait', '-c', 'crier.yaml'], { cwd: dir, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    // What retract does per target, then each result as it settles (X first: Telegram answers slowly).
    expect(lines.slice(0, 2).sort()).toEqual(['telegram: being taken down', 'twitter: being taken down']);
    expect(lines.slice(2)).toEqual(['twitter   retracted', 'telegram  retracted']);
    expect(run.stdout).not.toContain('\x1b');
  });
});
