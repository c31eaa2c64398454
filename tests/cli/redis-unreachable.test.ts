import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServer, silentServer, type FakeServer } from '../helpers/fake-servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/crier.js');
const ARTICLE = join(ROOT, 'tests/fixtures/articles/ridgeline-dispatch.md');

/** The CLI in a child process; a command that hangs is killed at 45 s and fails the test. */
function crier(args: string[], env: Record<string, string>): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: mkdtempSync(join(tmpdir(), 'crier-cli-')), env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env }, timeout: 45_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.killed ? 'killed' : Number(error.code ?? 1)), stdout, stderr }),
    ).stdin?.end();
  });
}

/**
 * Issue 12, "what a newcomer hit": a REDIS_URL that accepts TCP and never answers made
 * publish, status, worker and demo hang silently. Each now gives up after the connect
 * timeout with one line saying what was tried, and exits non-zero.
 */
describe('crier commands against a Redis that does not answer', () => {
  let silent: FakeServer;
  let web: FakeServer;

  beforeAll(async () => {
    [silent, web] = await Promise.all([silentServer(), httpServer()]);
  });

  afterAll(async () => {
    await Promise.all([silent.close(), web.close()]);
  });

  it('should give up with one line and exit 1 in publish, status, worker and demo', async () => {
    const env = { REDIS_URL: silent.url, REDIS_CONNECT_TIMEOUT_MS: '1000', TELEGRAM_BOT_TOKEN: '1234567:cli-test-token-cli-test-token-abcdef', TELEGRAM_CHANNEL: '@cli_test' };
    const runs = await Promise.all([
      crier(['publish', ARTICLE], env),
      crier(['status', 'u0123456789abcdef0123'], env),
      crier(['worker'], env),
      crier(['demo'], env),
    ]);
    for (const [i, run] of runs.entries()) {
      const name = ['publish', 'status', 'worker', 'demo'][i];
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toBe(`crier: ${silent.url} accepted the connection but gave no Redis answer within 1 s: is it a Redis port? (a TLS-only Redis needs rediss:// or REDIS_TLS=1)\n`);
    }
  }, 60_000);

  it('should say that what answered is not Redis', async () => {
    const run = await crier(['status', 'u0123456789abcdef0123'], { REDIS_URL: web.url, REDIS_CONNECT_TIMEOUT_MS: '1000' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`crier: something answered at ${web.url}, but it is not Redis: it looks like an HTTP server (it said "HTTP/1.1 400 Bad Request")\n`);
  }, 60_000);
});
