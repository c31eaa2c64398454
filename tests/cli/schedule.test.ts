import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crier, ROOT } from '../helpers/cli.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const FIXTURES = join(ROOT, 'tests/fixtures/articles');

describe('crier publish --at, queue, reschedule, unschedule', () => {
  const prefix = uniquePrefix('cli-schedule');
  afterAll(() => deletePrefix(prefix));
  const env = { REDIS_URL, REDIS_PREFIX: prefix, TELEGRAM_BOT_TOKEN: '1234567:cli-test-token-cli-test-token-abcdef', TELEGRAM_CHANNEL: '@cli_test' };

  it('schedules a post, lists it with its due time and reason, moves it, cancels it', async () => {
    const published = await crier(['publish', join(FIXTURES, 'ridgeline-dispatch.md'), '--at', '+2h', '--priority', 'low'], { env });
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    const id = published.stdout.trim();

    const listed = await crier(['queue', '--json'], { env });
    expect(listed.code).toBe(0);
    const pending = JSON.parse(listed.stdout) as Array<{ target: string; articleId: string; reason: string; priority: string; dueAt: string }>;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ target: 'telegram', articleId: id, reason: 'embargo', priority: 'low' });
    const due = Date.parse(pending[0]!.dueAt) - Date.now();
    expect(due).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(due).toBeLessThanOrEqual(2 * 3_600_000);

    const table = await crier(['queue', 'telegram'], { env });
    expect(table.stdout).toMatch(/^TARGET\s+DUE\s+REASON\s+PRIORITY\s+ARTICLE\s+TITLE/);
    expect(table.stdout).toMatch(new RegExp(`telegram\\s+\\S+Z \\(in 2h\\)\\s+embargo\\s+low\\s+${id}`));

    // Three days ahead on the hour, written with a +01:00 offset.
    const later = Math.ceil((Date.now() + 3 * 86_400_000) / 3_600_000) * 3_600_000;
    const written = `${new Date(later + 3_600_000).toISOString().slice(0, 19)}+01:00`;
    const moved = await crier(['reschedule', id, '--at', written], { env });
    expect(moved.stdout.trim()).toBe('telegram: moved');
    const after = JSON.parse((await crier(['queue', '--json'], { env })).stdout) as Array<{ dueAt: string }>;
    expect(after[0]?.dueAt).toBe(new Date(later).toISOString());

    const cancelled = await crier(['unschedule', id], { env });
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout.trim()).toBe('telegram: unscheduled');
    expect((await crier(['queue'], { env })).stdout.trim()).toBe('nothing pending');
    const status = await crier(['status', id], { env });
    expect(status.stdout).toMatch(/failed/);
    expect(status.stdout).toMatch(/unscheduled by cli/);
    const again = await crier(['unschedule', id], { env });
    expect(again.code).toBe(1);
    expect(again.stdout.trim()).toBe('telegram: not changed (failed)');
  }, 120_000);

  it('refuses a time it cannot read, an unknown priority and an unknown target', async () => {
    const bad = await crier(['publish', join(FIXTURES, 'ridgeline-dispatch.md'), '--at', 'tomorrow'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--at: "tomorrow" is not a time/);
    const prio = await crier(['publish', join(FIXTURES, 'ridgeline-dispatch.md'), '--priority', 'urgent'], { env });
    expect(prio.code).toBe(2);
    expect(prio.stderr).toMatch(/--priority: expected breaking, normal or low/);
    const target = await crier(['queue', 'nope'], { env });
    expect(target.code).toBe(2);
    const usage = await crier(['reschedule', 'some-id'], { env });
    expect(usage.code).toBe(2);
  }, 120_000);
});
