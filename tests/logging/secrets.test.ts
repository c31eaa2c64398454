import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, secretsOf } from '../../config/load.js';
import { waitForDeliveries } from '../../queues/wait.js';
import { loadArticle } from '../../src/article/load.js';
import { startService, type Service } from '../../src/cli/commands/serve.js';
import { signBody } from '../../src/http/signature.js';
import { createLogger } from '../../src/logging.js';
import { SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sampleArticleMarkdown, sampleArticleUrl } from '../../src/sandbox/sample-article.js';
import { deletePrefix, eventually, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * A whole `crier serve` run in-process (sandbox platforms, workers, feed poller, HTTP), with
 * platform errors that quote credentials and requests that carry them where they do not
 * belong; then every log line and every response is searched for each configured secret.
 */

const WEBHOOK_SECRET = 'whsec_full-run-Secret-7781';
const DASHBOARD_PASSWORD = 'dash-full-run-Pa55';

describe('secrets never reach the logs or responses', () => {
  let sandbox: Sandbox;
  let service: Service;
  let prefix: string;
  let mediaDir: string;
  let secrets: string[];
  const lines: string[] = [];
  const responses: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    prefix = uniquePrefix('secrets');
    mediaDir = mkdtempSync(join(tmpdir(), 'crier-secrets-media-'));
    const config = buildConfig(
      {
        redis: { url: REDIS_URL, prefix },
        http: { port: 0, host: '127.0.0.1', webhookSecret: WEBHOOK_SECRET, dashboardPassword: DASHBOARD_PASSWORD },
        media: { dir: mediaDir, allowPrivateNetwork: true },
        worker: { shutdownGraceSeconds: 5 },
        // A feed URL with credentials in it: fetch refuses it, and the error quotes the URL.
        feeds: [{ url: `http://reader:${DASHBOARD_PASSWORD}@127.0.0.1:9/feed.rss`, intervalSeconds: 3600 }],
        targets: sandbox.targets().map((t) => ({ ...t, attempts: 4, backoffMs: 20 })),
      },
      {},
    );
    secrets = secretsOf(config);
    const logger = createLogger({ level: 'trace', secrets, destination: { write: (line: string) => void lines.push(line) } });

    // Each platform fails once with an error text that quotes a credential.
    sandbox.telegram.faults.push({ status: 500, body: { ok: false, error_code: 500, description: `Internal Server Error at /bot${SANDBOX_CREDENTIALS.telegramToken}/sendPhoto` } });
    sandbox.twitter.faults.push({ status: 503, body: { title: 'Service Unavailable', detail: `consumer ${SANDBOX_CREDENTIALS.twitter.appSecret} rejected`, status: 503 } });
    sandbox.instagram.faults.push({ status: 500, body: { status: 'fail', message: `password ${SANDBOX_CREDENTIALS.instagram.password} expired` } });

    service = await startService({ config, logger });
  });

  afterAll(async () => {
    await service?.stop();
    await sandbox?.close();
    await deletePrefix(prefix);
    rmSync(mediaDir, { recursive: true, force: true });
  });

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(service.address + path, init);
    const text = await res.text();
    responses.push(text);
    return { status: res.status, text };
  };

  it('should deliver an article end to end while logging nothing secret', async () => {
    const article = loadArticle(sampleArticleMarkdown(sandbox.site.url), { url: sampleArticleUrl(sandbox.site.url) });
    const body = JSON.stringify(article);
    const ts = Math.floor(Date.now() / 1000);
    const accepted = await call('/publish', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-crier-timestamp': String(ts), 'x-crier-signature': signBody(WEBHOOK_SECRET, ts, body) },
      body,
    });
    expect(accepted.status).toBe(202);

    // Secrets where they do not belong: in a query string, a forged signature, the dashboard.
    const forged = await call(`/publish?secret=${WEBHOOK_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-crier-timestamp': String(ts), 'x-crier-signature': signBody('wrong-secret-wrong-secret', ts, body) },
      body,
    });
    expect(forged.status).toBe(401);
    const basic = (p: string) => ({ authorization: 'Basic ' + Buffer.from(`admin:${p}`).toString('base64') });
    expect((await call('/admin/queues', { headers: basic('nope') })).status).toBe(401);
    expect((await call('/admin/queues/api/queues', { headers: basic(DASHBOARD_PASSWORD) })).status).toBe(200);

    const { records, timedOut } = await waitForDeliveries(service.app.ledger, article.id, ['telegram', 'twitter', 'instagram'], { timeoutMs: 60_000 });
    expect(timedOut).toBe(false);
    expect(records.map((r) => `${r.target}:${r.state}`)).toEqual(['instagram:delivered', 'telegram:delivered', 'twitter:delivered']);
    expect(records.find((r) => r.target === 'telegram')?.attempts).toBe(2);

    await eventually(() => (lines.some((l) => l.includes('feed poll failed')) ? true : undefined), 10_000, 'the feed error to be logged');
    const ledger = await call(`/articles/${article.id}`);
    expect(ledger.status).toBe(200);
    expect(ledger.text).toContain('[REDACTED]'); // the Telegram error text, scrubbed
    const metrics = await call('/metrics');
    expect(metrics.text).toContain('crier_deliveries_total{platform="telegram",target="telegram",outcome="delivered"} 1');
    expect((await call('/healthz')).status).toBe(200);
  });

  it('should find none of the configured secrets in any log line or response', () => {
    expect(secrets).toEqual(expect.arrayContaining([WEBHOOK_SECRET, DASHBOARD_PASSWORD, SANDBOX_CREDENTIALS.telegramToken, SANDBOX_CREDENTIALS.twitter.appSecret, SANDBOX_CREDENTIALS.instagram.password]));
    const logs = lines.join('');
    // The run did log the failures (so the secrets were there to leak) and scrubbed them.
    expect(lines.filter((l) => l.includes('delivery attempt failed')).length).toBeGreaterThanOrEqual(2);
    expect(logs).toContain('[REDACTED]');
    expect(logs).toContain('incoming request');
    for (const secret of secrets) {
      expect(logs.includes(secret), `a log line contains ${secret.slice(0, 4)}…`).toBe(false);
      for (const response of responses) expect(response.includes(secret), `a response contains ${secret.slice(0, 4)}…`).toBe(false);
    }
  });
});
