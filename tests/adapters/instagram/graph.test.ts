import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInstagramAdapter } from '../../../adapters/instagram/index.js';
import { PausedError, PermanentError, RateLimitedError, TransientError } from '../../../adapters/errors.js';
import type { AdapterDeps, InstagramPost, SendContext } from '../../../adapters/types.js';
import { InstagramTarget } from '../../../config/targets/instagram.js';
import { toArticle } from '../../../src/article/schema.js';
import { silentLogger } from '../../../src/logging.js';
import { listen, type RunningServer } from '../../../src/sandbox/http.js';
import { startInstagramGraphFake, type InstagramGraphFake } from '../../../src/sandbox/instagram-graph.js';

let graph: InstagramGraphFake;
let media: RunningServer;
let mediaDir: string;

/** Stands in for `crier serve`'s /media/<file> route. */
const publicMediaUrl = (path: string) => `${media.url}/media/${basename(path)}`;

function adapter(graphExtra: Record<string, unknown> = {}, deps: Partial<AdapterDeps> = {}) {
  const target = InstagramTarget.parse({
    id: 'ig-graph',
    platform: 'instagram',
    backend: 'graph',
    graph: { userId: graph.userId, accessToken: graph.accessToken, apiRoot: graph.url, pollIntervalMs: 1, ...graphExtra },
  });
  return createInstagramAdapter(target, { logger: silentLogger, mediaDir, publicMediaUrl, ...deps });
}

function context(progress: Record<string, string> = {}): SendContext & { saved: Record<string, string> } {
  const saved: Record<string, string> = {};
  return { signal: new AbortController().signal, progress, saved, saveProgress: async (k, v) => void (saved[k] = v) };
}

async function preparedPost(a: ReturnType<typeof adapter>): Promise<InstagramPost> {
  const post = a.format(toArticle({ url: 'https://news.example.org/graph', title: 'Graph story', tags: ['Harbour'] }));
  return (await a.prepare?.(post, { signal: new AbortController().signal })) ?? post;
}

beforeAll(async () => {
  graph = await startInstagramGraphFake({ pollsUntilFinished: 2 });
  mediaDir = await mkdtemp(join(tmpdir(), 'crier-ig-graph-'));
  media = await listen(async (req, res) => {
    const name = (req.url ?? '').replace(/^\/media\//, '');
    try {
      const body = await readFile(join(mediaDir, basename(name)));
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
});

afterAll(async () => {
  await graph.close();
  await media.close();
  await rm(mediaDir, { recursive: true, force: true });
});

beforeEach(() => graph.reset());

describe('Instagram Graph backend', () => {
  it('should publish through container, status polls and media_publish', async () => {
    const a = adapter();
    const post = await preparedPost(a);
    const ctx = context();
    const result = await a.send(post, ctx);
    expect(graph.published).toHaveLength(1);
    const [item] = graph.published;
    expect(item).toMatchObject({ caption: post.caption, altText: 'Graph story', width: 1080, height: 1350, imageUrl: publicMediaUrl(post.image.path as string) });
    expect(result).toEqual({ remoteId: item?.id, url: item?.permalink, status: 'delivered' });
    expect(ctx.saved).toEqual({ container: item?.containerId, media: item?.id });
    expect(graph.requests.filter((r) => r.path === `/${item?.containerId}`)).toHaveLength(3); // IN_PROGRESS, IN_PROGRESS, FINISHED
    expect(graph.requests[0]?.path).toBe(`/${graph.userId}/content_publishing_limit`);
  });

  it('should resume from saved progress instead of publishing twice', async () => {
    const a = adapter();
    const first = await a.send(await preparedPost(a), context());
    const again = await a.send(await preparedPost(a), context({ media: first.remoteId }));
    expect(again.remoteId).toBe(first.remoteId);
    expect(graph.published).toHaveLength(1);
  });

  it('should answer with a rate-limit error when the 24-hour publishing quota is used up', async () => {
    const a = adapter();
    graph.quotaUsage = 50;
    const error = await a.send(await preparedPost(a), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(graph.published).toHaveLength(0);
    expect(graph.requests.some((r) => r.path.endsWith('/media'))).toBe(false);
  });

  it('should map Meta error codes: server faults transient, expired token paused, bad container permanent', async () => {
    const a = adapter();
    const post = await preparedPost(a);
    graph.faults.push({ status: 500, body: { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2, is_transient: true } } });
    await expect(a.send(post, context())).rejects.toBeInstanceOf(TransientError);
    const badToken = adapter({ accessToken: 'expired-token' });
    await expect(badToken.send(post, context())).rejects.toBeInstanceOf(PausedError);
    const unreachable = adapter({}, { publicMediaUrl: () => `${media.url}/media/nope.jpg` });
    await expect(unreachable.send(post, context())).rejects.toMatchObject({ kind: 'transient', code: 9004 });
    expect(graph.published).toHaveLength(0);
  });

  it('should wait for the container up to maxPolls, then give up transiently keeping the container', async () => {
    graph.pollsUntilFinished = 5;
    const a = adapter({ maxPolls: 2 });
    const ctx = context();
    const error = await a.send(await preparedPost(a), ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(ctx.saved.container).toMatch(/^\d+$/);
    graph.pollsUntilFinished = 2;
  });

  it('should need a public media URL, user id and token only when sending', async () => {
    const a = adapter();
    const noUrl = createInstagramAdapter(InstagramTarget.parse({ id: 'g', platform: 'instagram', backend: 'graph', graph: { userId: '1', accessToken: 't', apiRoot: graph.url } }), { logger: silentLogger, mediaDir });
    const post = await preparedPost(a);
    await expect(noUrl.send(post, context())).rejects.toBeInstanceOf(PermanentError);
    const noToken = createInstagramAdapter(InstagramTarget.parse({ id: 'g', platform: 'instagram', backend: 'graph', graph: { userId: '1', apiRoot: graph.url } }), { logger: silentLogger, mediaDir, publicMediaUrl });
    await expect(noToken.send(post, context())).rejects.toThrow('Missing Instagram Graph access token.');
    expect(graph.requests).toHaveLength(0);
  });
});
