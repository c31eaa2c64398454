import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jpegInfo } from '../media/jpeg-info.js';
import { FaultPlan, listen, readBody, sendJson } from './http.js';

/**
 * A loopback Instagram Graph API (content publishing): `POST /{ig-user-id}/media` downloads
 * `image_url` (loopback allowed: it fetches from crier's own media server) and refuses what
 * Meta refuses — non-JPEG, aspect outside 4:5..1.91:1, over 8 MiB, captions over 2200
 * characters, more than 30 hashtags or 20 mentions — with Meta's error body; containers
 * finish after `pollsUntilFinished` status polls; `media_publish` counts against a
 * 50-per-24-h quota read from `content_publishing_limit`. Paths may carry a version (/v23.0/).
 */

export interface InstagramGraphFakeOptions {
  port?: number;
  userId?: string;
  accessToken?: string;
  /** Status polls answered IN_PROGRESS before a container is FINISHED. Default 1. */
  pollsUntilFinished?: number;
  /** Posts allowed per 24 h. Default 50. */
  quotaTotal?: number;
}

/** What a media container holds: the caption and the fetched, checked image. */
interface ContainerContent {
  caption: string;
  altText?: string;
  imageUrl: string;
  width: number;
  height: number;
  jpegBytes: number;
}

export interface GraphPublished extends ContainerContent {
  id: string;
  containerId: string;
  permalink: string;
  /** When it was published, as Meta writes it (2026-05-04T08:00:00+0000). */
  timestamp: string;
}

interface Container extends ContainerContent {
  id: string;
  /** IN_PROGRESS answers given so far. */
  polls: number;
  mediaId?: string;
}

const MAX_BYTES = 8 * 1024 * 1024;

function graphError(res: ServerResponse, status: number, code: number, message: string, subcode?: number, type = 'OAuthException'): void {
  const error: Record<string, unknown> = { message, type, code };
  if (subcode !== undefined) error.error_subcode = subcode;
  error.is_transient = false;
  error.fbtrace_id = randomBytes(8).toString('base64url');
  sendJson(res, status, { error });
}

async function params(req: IncomingMessage, url: URL): Promise<Record<string, string>> {
  const out: Record<string, string> = Object.fromEntries(url.searchParams.entries());
  if (req.method === 'POST') {
    const raw = (await readBody(req)).toString('utf8');
    const json = (req.headers['content-type'] ?? '').includes('json');
    const fields = json && raw !== '' ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw).entries());
    for (const [k, v] of Object.entries(fields)) out[k] = String(v);
  }
  const auth = req.headers.authorization;
  if (out.access_token === undefined && auth?.startsWith('Bearer ')) out.access_token = auth.slice(7);
  return out;
}

export async function startInstagramGraphFake(options: InstagramGraphFakeOptions = {}) {
  const userId = options.userId ?? '17841400000000002';
  const accessToken = options.accessToken ?? 'sandbox-graph-token';
  const containers = new Map<string, Container>();
  const media = new Map<string, GraphPublished>();
  let counter = 0;
  const state = {
    faults: new FaultPlan(),
    pollsUntilFinished: options.pollsUntilFinished ?? 1,
    quotaTotal: options.quotaTotal ?? 50,
    /** Posts published in the current 24 h. */
    quotaUsage: 0,
    published: [] as GraphPublished[],
    /** Image downloads the fake made: url and HTTP status (0 = network failure). */
    downloads: [] as Array<{ url: string; status: number }>,
    requests: [] as Array<{ method: string; path: string }>,
  };

  async function createContainer(res: ServerResponse, p: Record<string, string>): Promise<void> {
    const caption = p.caption ?? '';
    if (p.image_url === undefined || p.image_url === '') return graphError(res, 400, 100, '(#100) The parameter image_url is required');
    if ([...caption].length > 2200) return graphError(res, 400, 36004, 'The caption is too long.', 2207010);
    if ((caption.match(/#[\p{L}\p{N}_]/gu) ?? []).length > 30) return graphError(res, 400, 36004, 'The caption has more than 30 hashtags.', 2207010);
    if ((caption.match(/@[A-Za-z0-9._]/g) ?? []).length > 20) return graphError(res, 400, 36004, 'The caption has more than 20 mentions.', 2207010);
    let body: Buffer;
    try {
      const response = await fetch(p.image_url, { signal: AbortSignal.timeout(5000) });
      state.downloads.push({ url: p.image_url, status: response.status });
      if (!response.ok) return graphError(res, 400, 9004, 'Media download has failed. The media URI doesn\'t meet our requirements.', 2207052);
      body = Buffer.from(await response.arrayBuffer());
    } catch {
      state.downloads.push({ url: p.image_url, status: 0 });
      return graphError(res, 400, 9004, 'Media download has failed. The media URI doesn\'t meet our requirements.', 2207052);
    }
    const info = jpegInfo(body);
    if (info === undefined) return graphError(res, 400, 9004, 'Only photo or video can be accepted as media type.', 2207052);
    if (body.length > MAX_BYTES) return graphError(res, 400, 9004, 'The image is larger than 8 MB.', 2207004);
    const aspect = info.width / info.height;
    if (aspect < 0.8 || aspect > 1.91) return graphError(res, 400, 36003, 'The aspect ratio is not supported.', 2207009);
    const id = String(18_000_000_000_000_000 + ++counter);
    const container: Container = { id, caption, imageUrl: p.image_url, width: info.width, height: info.height, jpegBytes: body.length, polls: 0 };
    if (p.alt_text !== undefined) container.altText = p.alt_text;
    containers.set(id, container);
    sendJson(res, 200, { id });
  }

  function publish(res: ServerResponse, p: Record<string, string>): void {
    const container = containers.get(p.creation_id ?? '');
    if (container === undefined) return graphError(res, 400, 100, `(#100) Param creation_id must be a valid media container id`, undefined, 'GraphMethodException');
    if (container.mediaId !== undefined) return graphError(res, 400, 100, 'The media has already been published.', undefined, 'GraphMethodException');
    if (container.polls < state.pollsUntilFinished) return graphError(res, 400, 9007, 'Media ID is not available', 2207027);
    if (state.quotaUsage >= state.quotaTotal) return graphError(res, 400, 9, 'Application request limit reached', 2207042);
    state.quotaUsage++;
    const id = String(17_900_000_000_000_000 + counter * 10 + state.quotaUsage);
    container.mediaId = id;
    const item: GraphPublished = {
      id,
      containerId: container.id,
      caption: container.caption,
      imageUrl: container.imageUrl,
      width: container.width,
      height: container.height,
      jpegBytes: container.jpegBytes,
      permalink: `https://www.instagram.com/p/G${id.slice(-9)}/`,
      timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, '+0000'),
    };
    if (container.altText !== undefined) item.altText = container.altText;
    media.set(id, item);
    state.published.push(item);
    sendJson(res, 200, { id });
  }

  /**
   * `GET /{ig-user-id}/media`: the account's media, newest first, `limit` a page (default 25,
   * at most 100) with cursor paging, each item with the `fields` asked for (default `id`);
   * `since` (Unix seconds) keeps media published from then on.
   */
  function list(res: ServerResponse, p: Record<string, string>): void {
    const fields = (p.fields ?? 'id').split(',').map((f) => f.trim());
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 25) || 25));
    // `since` (Unix seconds): only media published at or after it.
    const since = p.since === undefined ? undefined : Number(p.since);
    const newest = [...state.published].reverse().filter((item) => since === undefined || Date.parse(item.timestamp.replace('+0000', 'Z')) / 1000 >= since);
    const start = p.after === undefined ? 0 : Number(Buffer.from(p.after, 'base64url').toString('utf8')) || 0;
    const page = newest.slice(start, start + limit);
    const data = page.map((item) => {
      const row: Record<string, unknown> = { id: item.id };
      for (const f of fields) if (f in item && f !== 'id') row[f] = item[f as keyof GraphPublished];
      if (fields.includes('media_type')) row.media_type = 'IMAGE';
      return row;
    });
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + page.length) } };
    if (start + limit < newest.length) paging.next = `${server.url}/v23.0/${userId}/media?after=${cursor(start + page.length)}`;
    sendJson(res, 200, { data, paging });
  }

  function read(res: ServerResponse, id: string): void {
    const container = containers.get(id);
    if (container !== undefined) {
      // `polls` counts IN_PROGRESS answers given; the container is ready once there were enough.
      const ready = container.polls >= state.pollsUntilFinished;
      if (!ready) container.polls++;
      const status = container.mediaId !== undefined ? 'PUBLISHED' : ready ? 'FINISHED' : 'IN_PROGRESS';
      return sendJson(res, 200, { status_code: status, status: status === 'IN_PROGRESS' ? 'In Progress' : 'Finished', id });
    }
    const item = media.get(id);
    if (item !== undefined) return sendJson(res, 200, { id, permalink: item.permalink, media_type: 'IMAGE' });
    graphError(res, 400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 33, 'GraphMethodException');
  }

  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
    const method = req.method ?? 'GET';
    state.requests.push({ method, path });
    if ((await state.faults.intercept(req, res)) !== undefined) return;
    const p = await params(req, url);
    if (p.access_token !== accessToken) return graphError(res, 400, 190, 'Invalid OAuth access token - Cannot parse access token');
    const parts = path.split('/').filter((s) => s !== '');
    if (parts[0] === userId && parts.length === 2) {
      if (method === 'POST' && parts[1] === 'media') return createContainer(res, p);
      if (method === 'POST' && parts[1] === 'media_publish') return publish(res, p);
      if (method === 'GET' && parts[1] === 'media') return list(res, p);
      if (method === 'GET' && parts[1] === 'content_publishing_limit') {
        return sendJson(res, 200, { data: [{ quota_usage: state.quotaUsage, config: { quota_total: state.quotaTotal, quota_duration: 86400 } }] });
      }
    }
    if (method === 'GET' && parts.length === 1) return read(res, parts[0] as string);
    graphError(res, 400, 100, `Unsupported ${method.toLowerCase()} request.`, 33, 'GraphMethodException');
  }, options.port ?? 0);

  return Object.assign(state, {
    url: server.url,
    userId,
    accessToken,
    close: () => server.close(),
    reset(): void {
      state.faults.clear();
      state.quotaUsage = 0;
      state.published.length = 0;
      state.downloads.length = 0;
      state.requests.length = 0;
      containers.clear();
      media.clear();
    },
  });
}

export type InstagramGraphFake = Awaited<ReturnType<typeof startInstagramGraphFake>>;
