import type { Logger } from 'pino';
import type { InstagramTarget } from '../../config/targets/instagram.js';
import { PermanentError, RateLimitedError, TransientError, withoutSendDoubt } from '../errors.js';
import { maybeReached } from '../send-outcome.js';
import type { SendContext, SendResult } from '../types.js';
import { comparableCaption } from './caption-match.js';
import { mapGraphError } from './map-error.js';

/**
 * Posting through the official Instagram Graph API (professional accounts):
 * read `content_publishing_limit` (50 per 24 h) → `POST /{ig-user-id}/media` with the
 * public `image_url` of the prepared JPEG → poll the container's `status_code` until
 * FINISHED → `POST /{ig-user-id}/media_publish` → read the permalink.
 * The container id and the media id are saved as progress, so a retry resumes after the
 * last step that succeeded instead of creating (or publishing) a second post.
 */

export interface GraphClientOptions {
  target: InstagramTarget;
  logger: Logger;
  /** Public URL of a prepared file (PUBLIC_BASE_URL/media/<file>), which Meta downloads. */
  publicMediaUrl: ((path: string) => string) | undefined;
}

export interface GraphPhoto {
  path: string;
  caption: string;
  alt?: string;
}

const QUOTA_RETRY_MS = 60 * 60 * 1000;
/** At most this many pages of the account's media (25 posts each) are read to look a post up. */
const RECONCILE_PAGES = 20;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new TransientError('instagram graph: aborted', { platform: 'instagram', cause: signal.reason }));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TransientError('instagram graph: aborted', { platform: 'instagram', cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class InstagramGraphClient {
  private readonly target: InstagramTarget;
  private readonly logger: Logger;
  private readonly publicMediaUrl: ((path: string) => string) | undefined;

  constructor(options: GraphClientOptions) {
    this.target = options.target;
    this.logger = options.logger.child({ target: options.target.id, backend: 'graph' });
    this.publicMediaUrl = options.publicMediaUrl;
  }

  private config(): { userId: string; accessToken: string; mediaUrl: (path: string) => string } {
    const { userId, accessToken } = this.target.graph;
    const init = { platform: 'instagram', code: 'config' };
    if (userId === undefined) throw new PermanentError('Missing Instagram Graph user id.', init);
    if (accessToken === undefined) throw new PermanentError('Missing Instagram Graph access token.', init);
    if (this.publicMediaUrl === undefined) throw new PermanentError('Missing public media URL (set http.publicBaseUrl so Meta can download the image).', init);
    return { userId, accessToken, mediaUrl: this.publicMediaUrl };
  }

  private url(path: string): string {
    return `${this.target.graph.apiRoot.replace(/\/+$/, '')}/${this.target.graph.version}/${path}`;
  }

  /**
   * One Graph API call; non-2xx answers and network failures become delivery errors. Only
   * `publishes` calls (media_publish) can leave a post behind a lost answer: their network
   * failures and gateway answers are `maybeSent`, every other call's are not.
   */
  private async call(method: 'GET' | 'POST', path: string, params: Record<string, string>, token: string, signal: AbortSignal, publishes = false): Promise<Record<string, unknown>> {
    const query = new URLSearchParams(method === 'GET' ? { ...params, access_token: token } : {});
    const url = this.url(path) + (method === 'GET' ? `?${query}` : '');
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.target.timeoutMs)]),
        ...(method === 'POST'
          ? { body: new URLSearchParams({ ...params, access_token: token }), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
          : {}),
      });
      text = await response.text();
    } catch (error) {
      const maybeSent = publishes && maybeReached(error);
      throw new TransientError(`instagram graph: ${method} ${path.split('?')[0]} ${maybeSent ? 'gave no answer' : 'failed'} (${(error as Error).message})`, { platform: 'instagram', cause: error, maybeSent });
    }
    let payload: unknown;
    try {
      payload = text === '' ? {} : JSON.parse(text);
    } catch {
      payload = { raw: text.slice(0, 200) };
    }
    if (!response.ok) {
      const mapped = mapGraphError(response.status, payload);
      throw publishes ? mapped : withoutSendDoubt(mapped);
    }
    return (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  }

  /** Throw RateLimitedError when the account used up its 24-hour publishing quota. */
  private async checkQuota(userId: string, token: string, signal: AbortSignal): Promise<void> {
    const answer = await this.call('GET', `${userId}/content_publishing_limit`, { fields: 'quota_usage,config' }, token, signal);
    const first = (answer.data as Array<{ quota_usage?: number; config?: { quota_total?: number } }> | undefined)?.[0];
    const used = first?.quota_usage ?? 0;
    const total = first?.config?.quota_total ?? 50;
    if (used >= total) {
      throw new RateLimitedError(`instagram graph: publishing limit reached (${used}/${total} in 24 h)`, QUOTA_RETRY_MS, { platform: 'instagram', code: 'content_publishing_limit' });
    }
  }

  /** Poll until the container is FINISHED (bounded by graph.maxPolls). */
  private async waitForContainer(container: string, token: string, ctx: SendContext): Promise<'FINISHED' | 'PUBLISHED'> {
    const { pollIntervalMs, maxPolls } = this.target.graph;
    for (let poll = 1; ; poll++) {
      const answer = await this.call('GET', container, { fields: 'status_code,status' }, token, ctx.signal);
      const status = String(answer.status_code ?? '');
      if (status === 'FINISHED' || status === 'PUBLISHED') return status;
      if (status === 'ERROR') {
        throw new PermanentError(`instagram graph: media container failed (${String(answer.status ?? 'ERROR')})`, { platform: 'instagram', code: 'container_error' });
      }
      if (status === 'EXPIRED') {
        await ctx.saveProgress('container', '');
        throw new TransientError('instagram graph: media container expired; a new one is made on retry', { platform: 'instagram', code: 'container_expired' });
      }
      if (poll >= maxPolls) throw new TransientError(`instagram graph: container still ${status || 'unknown'} after ${maxPolls} polls`, { platform: 'instagram', code: 'container_pending' });
      await sleep(pollIntervalMs, ctx.signal);
    }
  }

  async publish(photo: GraphPhoto, ctx: SendContext): Promise<SendResult> {
    const { userId, accessToken, mediaUrl } = this.config();
    const notes: string[] = [];
    let mediaId = ctx.progress.media || undefined;
    if (mediaId === undefined) {
      let container = ctx.progress.container || undefined;
      if (container === undefined) {
        await this.checkQuota(userId, accessToken, ctx.signal);
        const params: Record<string, string> = { image_url: mediaUrl(photo.path), caption: photo.caption };
        if (photo.alt !== undefined && photo.alt !== '') params.alt_text = photo.alt;
        const created = await this.call('POST', `${userId}/media`, params, accessToken, ctx.signal);
        container = String(created.id ?? '');
        if (container === '') throw new TransientError('instagram graph: no container id in the answer', { platform: 'instagram' });
        await ctx.saveProgress('container', container);
      }
      const status = await this.waitForContainer(container, accessToken, ctx);
      if (status === 'PUBLISHED') {
        notes.push('container was already published by an earlier attempt; media id unknown');
        return { remoteId: container, status: 'delivered', notes };
      }
      const published = await this.call('POST', `${userId}/media_publish`, { creation_id: container }, accessToken, ctx.signal, true);
      mediaId = String(published.id ?? '');
      if (mediaId === '') throw new TransientError('instagram graph: no media id in the publish answer', { platform: 'instagram' });
      await ctx.saveProgress('media', mediaId);
    }
    const result: SendResult = { remoteId: mediaId, status: 'delivered' };
    try {
      const media = await this.call('GET', mediaId, { fields: 'permalink' }, accessToken, ctx.signal);
      if (typeof media.permalink === 'string') result.url = media.permalink;
    } catch (error) {
      this.logger.warn({ err: error }, 'instagram graph: published, but the permalink could not be read');
      notes.push('permalink unavailable');
    }
    if (notes.length > 0) result.notes = notes;
    return result;
  }

  /**
   * After a send in doubt: the account's media since `since` (`GET /{ig-user-id}/media`
   * with `since`, newest first, pages of 25), looked through for this caption. The result
   * when found, undefined when surely not among them; throws DeliveryError when Meta cannot
   * be asked, or when there are more than RECONCILE_PAGES pages to read (crier cannot tell).
   */
  async findPost(caption: string, signal: AbortSignal, since: Date): Promise<SendResult | undefined> {
    const { userId, accessToken } = this.config();
    const wanted = comparableCaption(caption);
    let after: string | undefined;
    for (let page = 0; page < RECONCILE_PAGES; page++) {
      const params: Record<string, string> = { fields: 'id,caption,timestamp,permalink', limit: '25', since: String(Math.floor(since.getTime() / 1000)) };
      if (after !== undefined) params.after = after;
      const answer = await this.call('GET', `${userId}/media`, params, accessToken, signal);
      const items = (Array.isArray(answer.data) ? answer.data : []) as Array<{ id?: unknown; caption?: unknown; permalink?: unknown }>;
      const found = items.find((item) => typeof item.caption === 'string' && comparableCaption(item.caption) === wanted);
      if (found !== undefined) {
        const result: SendResult = { remoteId: String(found.id), status: 'delivered' };
        if (typeof found.permalink === 'string') result.url = found.permalink;
        return result;
      }
      const paging = answer.paging as { next?: unknown; cursors?: { after?: unknown } } | undefined;
      if (typeof paging?.next !== 'string' || typeof paging.cursors?.after !== 'string') return undefined;
      after = paging.cursors.after;
    }
    throw new PermanentError(`instagram graph: cannot tell: the account published more than ${RECONCILE_PAGES * 25} posts since ${since.toISOString()}`, { platform: 'instagram', code: 'lookup_window' });
  }
}
