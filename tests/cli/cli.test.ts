import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twitterText from 'twitter-text';
import { afterAll, describe, expect, it } from 'vitest';
import { crier, ROOT } from '../helpers/cli.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const FIXTURES = join(ROOT, 'tests/fixtures/articles');

interface Preview {
  article: { id: string; url: string; title: string; tags: string[] };
  posts: Array<Record<string, unknown> & { target: string; platform: string }>;
}

function checkContract(preview: Preview): void {
  expect(preview.posts.map((p) => [p.target, p.platform])).toEqual([
    ['telegram', 'telegram'],
    ['twitter', 'twitter'],
    ['instagram', 'instagram'],
  ]);
  const [tg, tw, ig] = preview.posts as unknown as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
  expect(['sendMessage', 'sendPhoto']).toContain(tg.method);
  expect(tg.parse_mode).toBe('HTML');
  expect(typeof (tg.text ?? tg.caption)).toBe('string');
  const tweets = tw.tweets as Array<{ text: string }>;
  expect(tweets.length).toBeGreaterThan(0);
  for (const t of tweets) expect(twitterText.parseTweet(t.text).valid).toBe(true);
  expect(typeof ig.caption).toBe('string');
  const image = ig.image as { path?: string; url?: string; width: number; height: number; mime: string };
  expect(image.mime).toBe('image/jpeg');
  expect(image.width).toBe(1080);
  expect(image.path ?? image.url).toBeTruthy();
}

describe('crier CLI', () => {
  const prefix = uniquePrefix('cli');
  afterAll(() => deletePrefix(prefix));

  it('should preview a Markdown article as the DESIGN.md JSON contract', async () => {
    const run = await crier(['preview', join(FIXTURES, 'ridgeline-dispatch.md')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const preview = JSON.parse(run.stdout) as Preview;
    expect(preview.article.title).toBe('Mountain Villages Vote to Share One Water Utility & Its Debts');
    expect(preview.article.tags).toContain('Drought Watch');
    checkContract(preview);
  });

  it('should preview HTML from standard input, and JSON with --url', async () => {
    const html = await crier(['preview', '-'], { stdin: (await import('node:fs')).readFileSync(join(FIXTURES, 'northwind-graph.html'), 'utf8') });
    expect(html.code).toBe(0);
    checkContract(JSON.parse(html.stdout) as Preview);

    const dir = mkdtempSync(join(tmpdir(), 'crier-cli-json-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ title: 'Budget <b>vote</b> & "more"', tags: ['C++', 'AT&T'] }));
    const json = await crier(['preview', join(dir, 'a.json'), '--url', 'https://news.example/budget']);
    expect(json.code).toBe(0);
    const preview = JSON.parse(json.stdout) as Preview;
    expect(preview.article.url).toBe('https://news.example/budget');
    checkContract(preview);
  });

  it('should draw each post and the title card as PNG files with --png DIR, printing the same JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crier-cli-png-'));
    const article = { url: 'https://news.example/ar/harbour', title: 'إعادة فتح الميناء بعد العاصفة', summary: 'أعيد فتح الميناء صباح الثلاثاء.', tags: ['BREAKING NEWS'], lang: 'ar-EG' };
    writeFileSync(join(dir, 'a.json'), JSON.stringify(article));
    const run = await crier(['preview', join(dir, 'a.json'), '--png', 'out'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    checkContract(JSON.parse(run.stdout) as Preview);
    const sharp = (await import('sharp')).default;
    for (const target of ['telegram', 'twitter', 'instagram']) {
      const meta = await sharp(join(dir, 'out', `${target}.png`)).metadata();
      expect([target, meta.format, meta.width]).toEqual([target, 'png', 720]);
    }
    expect(await sharp(join(dir, 'out', 'instagram-image.png')).metadata()).toMatchObject({ format: 'png', width: 1080, height: 1350 });
  });

  it('should refuse bad input with one line and a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crier-cli-bad-'));
    writeFileSync(join(dir, 'broken.json'), '{"title": "x", ');
    writeFileSync(join(dir, 'notitle.json'), '{"url": "https://news.example/x"}');
    writeFileSync(join(dir, 'ftp.json'), '{"url": "ftp://news.example/x", "title": "T"}');
    const cases: Array<[string[], RegExp]> = [
      [['preview', join(dir, 'missing.md')], /^crier: file not found: .*missing\.md\n$/],
      [['preview', join(dir, 'broken.json')], /^crier: .*not valid JSON.*\n$/],
      [['preview', join(dir, 'notitle.json')], /^crier: .*title.*\n$/],
      [['preview', join(dir, 'ftp.json')], /^crier: .*url: must be an http\(s\) URL.*\n$/],
      [['publish', join(dir, 'missing.md')], /^crier: file not found: .*\n$/],
      [['frobnicate'], /^crier: unknown command "frobnicate"/],
    ];
    for (const [args, pattern] of cases) {
      const run = await crier(args);
      expect(run.code, args.join(' ')).not.toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(pattern);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(run.stdout).toBe('');
    }
  });

  it('should publish, then report the ledger with status', async () => {
    const env = {
      REDIS_URL,
      REDIS_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: '1234567:cli-test-token-cli-test-token-abcdef',
      TELEGRAM_CHANNEL: '@cli_test',
    };
    const run = await crier(['publish', join(FIXTURES, 'ridgeline-dispatch.md')], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^u[0-9a-f]{20}$/);
    const again = await crier(['publish', join(FIXTURES, 'ridgeline-dispatch.md'), '--json'], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ articleId: id, outcomes: [{ target: 'telegram', enqueued: false, state: 'queued' }] });
    const status = await crier(['status', id], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/telegram\s+telegram\s+queued\s+attempts 0/);
    expect(status.stdout).not.toContain('cli-test-token');
  });

  it('should keep --json output one JSON document when --wait times out, list the queue without credentials, and refuse LOG_LEVEL=loud', async () => {
    const env = { REDIS_URL, REDIS_PREFIX: prefix, TELEGRAM_BOT_TOKEN: '1234567:cli-test-token-cli-test-token-abcdef', TELEGRAM_CHANNEL: '@cli_test' };
    const dir = mkdtempSync(join(tmpdir(), 'crier-cli-json-wait-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ url: 'https://news.example/cli/json-wait', title: 'Ferry timetable changes from Monday' }));
    // No worker runs: the wait times out (exit 3), and standard output still parses.
    const waited = await crier(['publish', join(dir, 'a.json'), '--wait', '--timeout', '1', '--json'], { env });
    expect(waited.code).toBe(3);
    const doc = JSON.parse(waited.stdout) as { articleId: string; deliveries: Array<{ target: string; state: string }> };
    expect(doc.deliveries).toEqual([expect.objectContaining({ target: 'telegram', state: 'queued' })]);
    expect(waited.stderr).toMatch(/^crier: timed out waiting for telegram: is `crier worker` running\?\n$/);
    // The queue only reads: it needs Redis and the config, not the bot token.
    const queue = await crier(['queue', '--json'], { env: { REDIS_URL, REDIS_PREFIX: prefix, TELEGRAM_CHANNEL: '@cli_test' } });
    expect(queue.stderr).toBe('');
    expect(queue.code).toBe(0);
    expect((JSON.parse(queue.stdout) as Array<{ articleId: string }>).map((p) => p.articleId)).toContain(doc.articleId);
    const loud = await crier(['status', doc.articleId], { env: { ...env, LOG_LEVEL: 'loud' } });
    expect(loud.code).toBe(2);
    expect(loud.stderr).toMatch(/^crier: LOG_LEVEL: expected trace, .*got "loud"\n$/);
  });
});
