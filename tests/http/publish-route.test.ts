import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateJobId } from '../../queues/names.js';
import { NotReplicatedError } from '../../queues/replica-acks.js';
import { toArticle } from '../../src/article/schema.js';
import { buildServer } from '../../src/http/server.js';
import { signBody, signGhostBody } from '../../src/http/signature.js';
import { silentLogger } from '../../src/logging.js';
import { countJobs, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { SECRETS, TestApp, testConfig } from './test-app.js';

const ARTICLE = {
  url: 'https://gazette.example/2026/06/tide-tables',
  title: 'New tide tables published for the <b>harbour</b>',
  summary: 'Spring tides arrive a week early this year.',
  tags: ['Harbour', 'Weather'],
};

describe('POST /publish', () => {
  let prefix: string;
  let app: TestApp;
  let server: FastifyInstance;
  let clock: number;

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    server.inject({ method: 'POST', url: '/publish', headers: { 'content-type': 'application/json', ...headers }, payload: body });
  const signed = (body: string, at = clock, secret: string = SECRETS.webhook) =>
    post(body, { 'x-crier-timestamp': String(at), 'x-crier-signature': signBody(secret, at, body) });
  const jobCount = () => countJobs(app);

  async function start(http: Record<string, unknown> = {}) {
    app = new TestApp(testConfig(prefix, http), silentLogger);
    server = await buildServer({ app, now: () => clock });
  }

  beforeEach(async () => {
    prefix = uniquePrefix('publish');
    clock = 1_780_000_000;
    await start();
  });

  afterEach(async () => {
    await server.close();
    await app.close();
    await deletePrefix(prefix);
  });

  it('should accept a signed article with 202, its id and one queued delivery per target', async () => {
    const res = await signed(JSON.stringify(ARTICLE));
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.articleId).toMatch(/^u[0-9a-f]{20}$/);
    expect(body.deliveries).toEqual([
      { target: 'chan', platform: 'telegram', state: 'queued', enqueued: true },
      { target: 'x', platform: 'twitter', state: 'queued', enqueued: true },
      { target: 'gram', platform: 'instagram', state: 'queued', enqueued: true },
    ]);
    expect(await jobCount()).toBe(3);
    expect((await app.ledger.getArticle(body.articleId))?.title).toBe(ARTICLE.title);
  });

  it('should answer the same article again with 200 and its states, enqueuing nothing', async () => {
    const first = await signed(JSON.stringify(ARTICLE));
    expect(first.statusCode).toBe(202);
    // Same story, re-signed a second later, with a tracking parameter on the URL: same article id.
    const again = await signed(JSON.stringify({ ...ARTICLE, url: ARTICLE.url + '?utm_source=cms' }), clock + 1);
    expect(again.statusCode).toBe(200);
    expect(again.json().articleId).toBe(first.json().articleId);
    expect(again.json().deliveries.every((d: { enqueued: boolean; state: string }) => !d.enqueued && d.state === 'queued')).toBe(true);
    expect(await jobCount()).toBe(3);
  });

  it('should refuse an unsigned request with 401 and say so', async () => {
    const res = await post(JSON.stringify(ARTICLE));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'unauthorized', reason: expect.stringMatching(/missing X-Crier-Signature/) });
    expect(await jobCount()).toBe(0);
  });

  it('should refuse a forged signature (wrong secret, or a body changed after signing) with 401', async () => {
    const forged = await signed(JSON.stringify(ARTICLE), clock, 'not-the-real-secret-at-all');
    expect(forged.statusCode).toBe(401);
    expect(forged.json().reason).toMatch(/does not match/);
    const body = JSON.stringify(ARTICLE);
    const tampered = await post(body.replace('tide', 'TIDE'), { 'x-crier-timestamp': String(clock), 'x-crier-signature': signBody(SECRETS.webhook, clock, body) });
    expect(tampered.statusCode).toBe(401);
    expect(await jobCount()).toBe(0);
  });

  it('should refuse a 10-minute-old timestamp and a replayed request with 401', async () => {
    const old = await signed(JSON.stringify(ARTICLE), clock - 600);
    expect(old.statusCode).toBe(401);
    expect(old.json().reason).toMatch(/more than 300 seconds away/);

    const body = JSON.stringify(ARTICLE);
    const headers = { 'x-crier-timestamp': String(clock), 'x-crier-signature': signBody(SECRETS.webhook, clock, body) };
    expect((await post(body, headers)).statusCode).toBe(202);
    const replay = await post(body, headers);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().reason).toMatch(/replayed/);
  });

  it('should not let a revision the CMS changed before the published one undo it (a webhook retried late)', async () => {
    const first = { ...ARTICLE, title: 'Tide tables: 500 boats stranded', updatedAt: '2026-06-01T10:00:00Z' };
    const corrected = { ...ARTICLE, title: 'Tide tables: 50 boats stranded', updatedAt: '2026-06-01T10:05:00Z' };
    expect((await signed(JSON.stringify(first))).statusCode).toBe(202);
    const fix = await signed(JSON.stringify(corrected), clock + 1);
    expect(fix.json()).toMatchObject({ action: 'update', rev: 2 });
    const id = fix.json().articleId as string;
    const jobs = await jobCount();
    // The first webhook's retry arrives late, signed anew: not applied.
    const late = await signed(JSON.stringify(first), clock + 2);
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ articleId: id, action: 'outdated', rev: 2 });
    expect((await app.ledger.getArticle(id))?.title).toBe('Tide tables: 50 boats stranded');
    expect(await jobCount()).toBe(jobs);
    // The same from a process that never saw the article (planned on a fresh read, not on memory).
    expect((await app.ledger.saveAndClaim(toArticle(first), app.targets)).action).toBe('outdated');
    expect((await app.ledger.getHistory(id)).rev).toBe(2);
    // A later change still applies, and one without updatedAt is taken as it comes.
    const later = await signed(JSON.stringify({ ...corrected, title: 'Tide tables: 50 boats stranded overnight', updatedAt: '2026-06-01T11:00:00Z' }), clock + 3);
    expect(later.json()).toMatchObject({ action: 'update', rev: 3 });
    const undated = await signed(JSON.stringify({ ...ARTICLE, title: 'Tide tables: all boats back' }), clock + 4);
    expect(undated.json()).toMatchObject({ action: 'update', rev: 4 });
  });

  it('should refuse a replay whose signature is respelled (hex in upper case, spaces around it): it is the same request', async () => {
    const body = JSON.stringify(ARTICLE);
    const signature = signBody(SECRETS.webhook, clock, body);
    expect((await post(body, { 'x-crier-timestamp': String(clock), 'x-crier-signature': signature })).statusCode).toBe(202);
    const corrected = JSON.stringify({ ...ARTICLE, title: 'Tide tables corrected' });
    expect((await signed(corrected, clock + 1)).statusCode).toBe(202);
    const upper = `sha256=${signature.slice('sha256='.length).toUpperCase()}`;
    for (const respelled of [upper, ` ${signature} `]) {
      const replay = await post(body, { 'x-crier-timestamp': String(clock), 'x-crier-signature': respelled });
      expect(replay.statusCode).toBe(401);
      expect(replay.json().reason).toMatch(/replayed/);
    }
    // The correction stands: the replayed original did not bring the old title back.
    const id = (await signed(corrected, clock + 2)).json().articleId as string;
    expect((await app.ledger.getArticle(id))?.title).toBe('Tide tables corrected');
  });

  it('should answer 503 with Retry-After when no Redis replica confirmed the enqueue, and take the same signed request again', async () => {
    const body = JSON.stringify(ARTICLE);
    const headers = { 'x-crier-timestamp': String(clock), 'x-crier-signature': signBody(SECRETS.webhook, clock, body) };
    const publishing = app.publish.bind(app);
    app.publish = () => Promise.reject(new NotReplicatedError('publishing u0', { wanted: 1, acked: 0 }));
    const refused = await post(body, headers);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({ error: 'publishing u0: 0 of 1 Redis replica(s) confirmed it in time: nothing was acknowledged, send it again' });
    app.publish = publishing;
    // The sender retries the very same request: not a replay, since nothing was acknowledged.
    const retried = await post(body, headers);
    expect(retried.statusCode).toBe(202);
    expect(await jobCount()).toBe(3);
  });

  it('should refuse a 3 MB body with 413 before reading it as an article', async () => {
    const huge = JSON.stringify({ ...ARTICLE, body: 'x'.repeat(3 * 1024 * 1024) });
    const res = await signed(huge);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatch(/too large/);
  });

  it('should answer 400 to a signed body that is not JSON, or that tries prototype pollution', async () => {
    const broken = await signed('{"url": "https://gazette.example/a", "title": ');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatch(/invalid JSON/);
    const polluted = await signed('{"url":"https://gazette.example/a","title":"t","__proto__":{"admin":true}}', clock + 1);
    expect(polluted.statusCode).toBe(400);
    expect(polluted.json().error).toMatch(/forbidden key "__proto__"/);
    const deep = await signed('['.repeat(100) + ']'.repeat(100), clock + 2);
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error).toMatch(/nested deeper/);
  });

  it('should answer 422 naming each failing field', async () => {
    const res = await signed(JSON.stringify({ url: 'ftp://gazette.example/x', title: '', tags: 'Harbour', colour: 'blue' }));
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.error).toBe('invalid article');
    const paths = body.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['(root)', 'tags', 'title', 'url']);
    expect(body.issues.find((i: { path: string }) => i.path === 'url').message).toMatch(/http\(s\)/);
    expect(body.issues.find((i: { path: string }) => i.path === '(root)').message).toMatch(/"colour"/);
    expect(await jobCount()).toBe(0);
  });

  it('should map a Ghost post.published body and refuse a Ghost draft with 422', async () => {
    const ghost = {
      post: {
        current: {
          id: '6650f0c2a1b2c3d4e5f60718', status: 'published', title: 'Night market opens on the pier',
          url: 'https://gazette.example/night-market/', custom_excerpt: 'Food stalls until midnight.',
          html: '<p>Forty stalls.</p>', published_at: '2026-06-05T18:00:00.000Z',
          tags: [{ name: 'Food' }, { name: '#internal' }], authors: [{ name: 'Mira Okafor' }],
          feature_image: 'https://gazette.example/content/images/pier.jpg', feature_image_alt: 'Lanterns on the pier',
        },
        previous: { status: 'draft' },
      },
    };
    const res = await signed(JSON.stringify(ghost));
    expect(res.statusCode).toBe(202);
    expect(res.json().format).toBe('ghost');
    const article = await app.ledger.getArticle(res.json().articleId);
    expect(article).toMatchObject({ title: 'Night market opens on the pier', summary: 'Food stalls until midnight.', body: 'Forty stalls.', tags: ['Food'], authors: ['Mira Okafor'] });
    expect(article?.image).toEqual({ url: 'https://gazette.example/content/images/pier.jpg', alt: 'Lanterns on the pier' });

    const draft = { post: { current: { ...ghost.post.current, status: 'draft' } } };
    const refused = await signed(JSON.stringify(draft), clock + 1);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatch(/"draft", not published/);
  });

  it('should refuse every request with 503 when no webhook secret is configured', async () => {
    await server.close();
    await app.close();
    await start({ webhookSecret: undefined });
    const unsigned = await post(JSON.stringify(ARTICLE));
    expect(unsigned.statusCode).toBe(503);
    expect(unsigned.json().error).toBe('webhook secret not configured (set WEBHOOK_SECRET)');
    const signedAnyway = await signed(JSON.stringify(ARTICLE));
    expect(signedAnyway.statusCode).toBe(503);
    expect(await jobCount()).toBe(0);
  });

  describe('corrections and retractions (issue 13)', () => {
    const ghost = (name: string) => readFileSync(new URL(`../fixtures/webhooks/ghost-${name}.json`, import.meta.url), 'utf8');
    const postTo = (url: string, body: string, at: number) =>
      server.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-crier-timestamp': String(at), 'x-crier-signature': signBody(SECRETS.webhook, at, body) }, payload: body });

    it("should take a webhook signed by Ghost itself (X-Ghost-Signature), and refuse a forged, stale or replayed one", async () => {
      const body = ghost('post-published');
      const ghostSigned = (payload: string, header: string) => server.inject({ method: 'POST', url: '/publish', headers: { 'content-type': 'application/json', 'x-ghost-signature': header }, payload });
      const ms = clock * 1000 + 123;
      const header = signGhostBody(SECRETS.webhook, ms, body);
      expect(header).toMatch(/^sha256=[0-9a-f]{64}, t=\d+$/);
      const forged = await ghostSigned(body, signGhostBody('not-the-secret', ms, body));
      expect(forged.statusCode).toBe(401);
      expect(forged.json().reason).toMatch(/does not match/);
      const stale = await ghostSigned(body, signGhostBody(SECRETS.webhook, ms - 600_000, body));
      expect(stale.statusCode).toBe(401);
      expect(stale.json().reason).toMatch(/more than 300 seconds away/);
      expect(await jobCount()).toBe(0);
      const accepted = await ghostSigned(body, header);
      expect(accepted.statusCode).toBe(202);
      expect(accepted.json()).toMatchObject({ format: 'ghost', action: 'publish' });
      const replay = await ghostSigned(body, header);
      expect(replay.statusCode).toBe(401);
      expect(replay.json().reason).toMatch(/replayed/);
      expect(await jobCount()).toBe(3);
    });

    it('should take Ghost post.published, then post.published.edited as an update, then post.unpublished as a retraction', async () => {
      const published = await signed(ghost('post-published'));
      expect(published.statusCode).toBe(202);
      expect(published.json()).toMatchObject({ format: 'ghost', action: 'publish', rev: 1 });
      const id = published.json().articleId as string;

      const edited = await signed(ghost('post-published-edited'), clock + 1);
      expect(edited.statusCode).toBe(202);
      expect(edited.json()).toMatchObject({ articleId: id, action: 'update', rev: 2 });
      expect((await app.ledger.getArticle(id))?.title).toBe('The night ferry gets a second boat from July');
      const updates = await Promise.all(app.targets.map((t) => app.queues.get(t).getJob(updateJobId(id, 2))));
      expect(updates.every((job) => job?.name === 'update')).toBe(true);

      // Unpublished: the draft's URL is a preview (/p/<uuid>/); the published one is found.
      const unpublished = await signed(ghost('post-unpublished'), clock + 2);
      expect(unpublished.statusCode).toBe(202);
      expect(unpublished.json()).toMatchObject({ articleId: id, retracted: true, reason: 'unpublished in Ghost (now draft)' });
      expect((await app.ledger.getAll(id)).map((r) => r.state)).toEqual(['retracted', 'retracted', 'retracted']);

      // The original webhook replayed (signed anew): refused, nothing enqueued.
      const before = await jobCount();
      const replay = await signed(ghost('post-published'), clock + 3);
      expect(replay.statusCode).toBe(409);
      expect(replay.json().error).toMatch(/retracted/);
      expect(await jobCount()).toBe(before);
    });

    it('should retract on Ghost post.deleted, on a WordPress trash (its __trashed slug undone) and on POST /retract, and say 404 for an unknown article', async () => {
      const published = await signed(ghost('post-published'));
      const deleted = await signed(ghost('post-deleted'), clock + 1);
      expect(deleted.statusCode).toBe(202);
      expect(deleted.json()).toMatchObject({ articleId: published.json().articleId, retracted: true, reason: 'deleted in Ghost' });
      expect((await signed(ghost('post-deleted'), clock + 2)).statusCode).toBe(200); // already retracted

      const wp = { post_title: 'Pier lights', post_status: 'publish', permalink: 'https://gazette.example/2026/06/pier-lights/' };
      const wpId = (await signed(JSON.stringify(wp), clock + 3)).json().articleId as string;
      const trashed = await signed(JSON.stringify({ ...wp, post_status: 'trash', permalink: 'https://gazette.example/2026/06/pier-lights__trashed/' }), clock + 4);
      expect(trashed.statusCode).toBe(202);
      expect(trashed.json().articleId).toBe(wpId);
      // A draft that was never published here is still refused as not published.
      const draft = await signed(JSON.stringify({ post_title: 'Never out', post_status: 'draft', permalink: 'https://gazette.example/never/' }), clock + 5);
      expect(draft.statusCode).toBe(422);

      const article = (await signed(JSON.stringify(ARTICLE), clock + 6)).json().articleId as string;
      const byUrl = await postTo('/retract', JSON.stringify({ url: ARTICLE.url, reason: 'wrong tide tables' }), clock + 7);
      expect(byUrl.statusCode).toBe(202);
      expect(byUrl.json()).toMatchObject({ articleId: article, retracted: true, reason: 'wrong tide tables' });
      const again = await postTo('/retract', JSON.stringify({ url: ARTICLE.url }), clock + 10);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ articleId: article, retracted: true, reason: 'wrong tide tables' });
      const unknown = await postTo('/retract', JSON.stringify({ id: 'never-published' }), clock + 8);
      expect(unknown.statusCode).toBe(404);
      const ftp = await postTo('/retract', JSON.stringify({ url: 'ftp://gazette.example/2026/06/tide-tables' }), clock + 9);
      expect(ftp.statusCode).toBe(422);
      expect(ftp.json().error).toBe('url: not a valid http(s) URL');
      const unsigned = await server.inject({ method: 'POST', url: '/retract', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ id: article }) });
      expect(unsigned.statusCode).toBe(401);
    });
  });

  describe('scheduled posts (issue 14)', () => {
    const base = JSON.parse(readFileSync(new URL('../fixtures/webhooks/ghost-post-unpublished.json', import.meta.url), 'utf8')).post.current as Record<string, unknown>;
    const preview = `https://gazette.example/p/${base.uuid as string}/`;
    const live = 'https://gazette.example/night-ferry-second-boat/';
    const ghost = (current: Record<string, unknown>, previous: Record<string, unknown>) => JSON.stringify({ post: { current: { ...base, url: preview, ...current }, previous } });

    it('should hold a Ghost post.scheduled until its published_at (under its live URL), move it on post.rescheduled, cancel it on post.unscheduled and take it back when scheduled again', async () => {
      const at = new Date(Date.now() + 3_600_000).toISOString();
      const scheduled = await signed(ghost({ status: 'scheduled', published_at: at, tags: [{ name: 'Transport' }, { name: '#breaking' }] }, { status: 'draft' }));
      expect(scheduled.statusCode).toBe(202);
      expect(scheduled.json()).toMatchObject({ format: 'ghost', action: 'publish', scheduledFor: at });
      const id = scheduled.json().articleId as string;
      expect((await app.ledger.getArticle(id))?.url).toBe(live);
      let pending = await app.pending();
      expect(pending.map((p) => [p.target, p.reason, p.dueAt])).toEqual(app.targets.map((t) => [t.id, 'embargo', at]));
      expect(pending.every((p) => p.priority === 'normal')).toBe(true);

      const later = new Date(Date.now() + 7_200_000).toISOString();
      const moved = await signed(ghost({ status: 'scheduled', published_at: later }, { published_at: at }), clock + 1);
      expect(moved.statusCode).toBe(200);
      expect(moved.json()).toMatchObject({ articleId: id, action: 'same', scheduledFor: later });
      pending = await app.pending();
      expect(pending.map((p) => p.dueAt)).toEqual([later, later, later]);

      const unscheduled = await signed(ghost({ status: 'draft', published_at: null }, { status: 'scheduled' }), clock + 2);
      expect(unscheduled.statusCode).toBe(200);
      expect(unscheduled.json()).toMatchObject({ articleId: id, unscheduled: true });
      expect(await app.pending()).toEqual([]);
      expect((await app.ledger.getAll(id)).map((r) => r.state)).toEqual(['failed', 'failed', 'failed']);

      const again = await signed(ghost({ status: 'scheduled', published_at: at }, { status: 'draft' }), clock + 3);
      expect(again.json()).toMatchObject({ articleId: id, scheduledFor: at });
      pending = await app.pending();
      expect(pending.map((p) => [p.reason, p.dueAt])).toEqual([['embargo', at], ['embargo', at], ['embargo', at]]);
      expect((await app.ledger.getAll(id)).map((r) => r.state)).toEqual(['queued', 'queued', 'queued']);

      const unknown = await signed(ghost({ status: 'draft', slug: 'never-scheduled', url: 'https://gazette.example/p/00000000-0000-0000-0000-000000000000/' }, { status: 'scheduled' }), clock + 4);
      expect(unknown.statusCode).toBe(404);
    });

    it('should take a WordPress "future" post as a schedule and its priority from mapped tags', async () => {
      await server.close();
      await app.close();
      app = new TestApp({ ...testConfig(prefix), priorityTags: { breaking: ['Eilmeldung'], low: [] } }, silentLogger);
      server = await buildServer({ app, now: () => clock });
      const at = new Date(Date.now() + 3_600_000);
      const gmt = at.toISOString().slice(0, 19).replace('T', ' ');
      const res = await signed(JSON.stringify({ post_title: 'Storm warning', permalink: 'https://gazette.example/storm', post_status: 'future', post_date_gmt: gmt, tags: 'Eilmeldung, Weather' }));
      expect(res.statusCode).toBe(202);
      expect(res.json().format).toBe('wordpress');
      const pending = await app.pending();
      expect(pending).toHaveLength(3);
      expect(pending.every((p) => p.reason === 'embargo' && p.priority === 'breaking' && Math.abs(Date.parse(p.dueAt as string) - Math.floor(at.getTime() / 1000) * 1000) < 5)).toBe(true);
    });
  });
});

