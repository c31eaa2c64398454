import { IgApiClient, IgNotFoundError } from 'instagram-private-api';
import type { Logger } from 'pino';
import type { InstagramTarget } from '../../config/targets/instagram.js';
import { jpegInfo } from '../../src/media/jpeg-info.js';
import { PermanentError, TransientError, withoutSendDoubt } from '../errors.js';
import type { SendResult } from '../types.js';
import { comparableCaption } from './caption-match.js';
import { isLoginRequired, mapPrivateError } from './map-error.js';
import type { SessionStore } from './session-store.js';

/**
 * Posting through instagram-private-api (the account's own username/password).
 *
 * - Network seam: `ig.request.defaults.baseUrl` is ignored by the SDK, so `ig.request.send`
 *   is wrapped to pass `baseUrl` = target.apiRoot (and a per-request timeout) on every call.
 * - Session: the device comes from a fixed seed (the username), so Instagram always sees
 *   the same phone. `ig.state` (minus `constants`) is saved to the SessionStore after
 *   every response (`ig.request.end$`) and restored on start; crier logs in only when no
 *   session is stored, or once when Instagram answers `login_required`.
 * - The SDK does not check images: the caller hands over a validated JPEG.
 */

export interface PrivateClientOptions {
  target: InstagramTarget;
  logger: Logger;
  sessions: SessionStore;
  /**
   * The next upload id: a millisecond timestamp, as the app sends, never handed out twice
   * for the account (two uploads under one id mix up their pictures). Default: unique in
   * this process; workers in several processes share one through Redis (see index.ts).
   */
  uploadId?: () => Promise<string>;
}

let lastUploadId = 0;

/** Millisecond-timestamp upload ids, never the same twice in this process. */
export function localUploadId(): Promise<string> {
  lastUploadId = Math.max(Date.now(), lastUploadId + 1);
  return Promise.resolve(String(lastUploadId));
}

type SendFn = IgApiClient['request']['send'];

/** At most this many pages of the account's feed (about 12–18 posts each) are read to look a post up. */
const RECONCILE_PAGES = 20;

interface FeedItem {
  pk?: string | number;
  id?: string;
  code?: string;
  /** Epoch seconds. */
  taken_at?: number;
  caption?: { text?: string } | null;
}


function resultOf(item: FeedItem): SendResult {
  const result: SendResult = { remoteId: String(item.pk ?? item.id), status: 'delivered' };
  if (item.id !== undefined) result.remote = { mediaId: String(item.id) };
  if (typeof item.code === 'string' && item.code !== '') result.url = `https://www.instagram.com/p/${item.code}/`;
  return result;
}

export class InstagramPrivateClient {
  private readonly target: InstagramTarget;
  private readonly logger: Logger;
  private readonly sessions: SessionStore;
  private readonly uploadId: () => Promise<string>;
  private ig: IgApiClient | undefined;
  private starting: Promise<IgApiClient> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private signal: AbortSignal | undefined;
  private unsubscribe: (() => void) | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: PrivateClientOptions) {
    this.target = options.target;
    this.logger = options.logger.child({ target: options.target.id, backend: 'private' });
    this.sessions = options.sessions;
    this.uploadId = options.uploadId ?? localUploadId;
  }

  private get account(): string {
    return this.target.username === undefined ? 'the account' : `@${this.target.username}`;
  }

  private credentials(): { username: string; password: string } {
    const { username, password } = this.target;
    if (username === undefined) throw new PermanentError('Missing Instagram username.', { platform: 'instagram', code: 'config' });
    if (password === undefined) throw new PermanentError('Missing Instagram password.', { platform: 'instagram', code: 'config' });
    return { username, password };
  }

  /** A client pointed at target.apiRoot whose state is saved after every response. */
  private build(username: string): IgApiClient {
    const ig = new IgApiClient();
    ig.state.generateDevice(username);
    const apiRoot = this.target.apiRoot.replace(/\/+$/, '');
    const host = new URL(apiRoot).host;
    const request = ig.request;
    const original = request.send.bind(request) as SendFn;
    const send = (options: Parameters<SendFn>[0], onlyCheckHttpStatus?: boolean) => {
      if (this.signal?.aborted) return Promise.reject(new TransientError('instagram: aborted', { platform: 'instagram', cause: this.signal.reason }));
      const headers = { ...(options.headers ?? {}), Host: host };
      return original({ ...options, headers, baseUrl: apiRoot, timeout: this.target.timeoutMs }, onlyCheckHttpStatus);
    };
    request.send = send as SendFn;
    const subscription = request.end$.subscribe(() => this.queueSave(ig, username));
    this.unsubscribe = () => subscription.unsubscribe();
    return ig;
  }

  private queueSave(ig: IgApiClient, username: string): void {
    this.saving = this.saving
      .then(async () => this.sessions.save(username, (await ig.state.serialize()) as Record<string, unknown>))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'instagram: could not persist the session'));
  }

  /** Wait until every state snapshot queued so far is stored. */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve)); // end$ fires on process.nextTick
    await this.saving;
  }

  private async login(ig: IgApiClient, username: string, password: string): Promise<void> {
    this.logger.info({ username }, 'instagram: logging in');
    // A key kept from an earlier session may have been rotated since: without one, the SDK
    // asks for the current key first (qe/sync), as the app does before logging in.
    delete ig.state.passwordEncryptionPubKey;
    delete ig.state.passwordEncryptionKeyId;
    try {
      await ig.account.login(username, password);
    } catch (error) {
      throw withoutSendDoubt(mapPrivateError(error, this.account));
    }
    await this.flush();
  }

  /** The client with a restored or fresh session. */
  private session(): Promise<IgApiClient> {
    if (this.ig !== undefined) return Promise.resolve(this.ig);
    this.starting ??= (async () => {
      const { username, password } = this.credentials();
      const ig = this.build(username);
      const stored = await this.sessions.load().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'instagram: could not read the stored session');
        return undefined;
      });
      if (stored !== undefined && stored.username === username) {
        await ig.state.deserialize({ ...stored.state });
        this.logger.debug({ savedAt: stored.savedAt }, 'instagram: session restored');
      } else {
        await this.login(ig, username, password);
      }
      this.ig = ig;
      return ig;
    })().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /**
   * One request sequence at a time per client: the SDK's calls share `this.signal`, its
   * upload ids are millisecond timestamps, and an account posting in parallel is what
   * Instagram flags. Posts from one process to one account therefore go one by one.
   */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Post one photo; a rejected session gets one fresh login and one retry. Throws DeliveryError. */
  publishPhoto(jpeg: Buffer, caption: string, signal: AbortSignal): Promise<SendResult> {
    return this.exclusive(() => this.publishNow(jpeg, caption, signal));
  }

  private async publishNow(jpeg: Buffer, caption: string, signal: AbortSignal): Promise<SendResult> {
    this.signal = signal;
    try {
      const ig = await this.session();
      let media;
      try {
        media = await this.publish(ig, jpeg, caption);
      } catch (error) {
        if (!isLoginRequired(error)) throw mapPrivateError(error, this.account);
        this.logger.warn('instagram: session rejected (login_required); logging in again once');
        const { username, password } = this.credentials();
        await this.login(ig, username, password);
        if (signal.aborted) throw new TransientError('instagram: aborted', { platform: 'instagram', cause: signal.reason });
        try {
          media = await this.publish(ig, jpeg, caption);
        } catch (retryError) {
          throw mapPrivateError(retryError, this.account);
        }
      }
      return resultOf(media.media);
    } finally {
      await this.flush();
      this.signal = undefined;
    }
  }

  /**
   * What `ig.publish.photo` does (upload, then configure), with an upload id of our own.
   * Only `configure` makes a post: a lost answer to the upload leaves nothing to find.
   */
  private async publish(ig: IgApiClient, jpeg: Buffer, caption: string) {
    const uploadId = await this.uploadId();
    const size = jpegInfo(jpeg);
    try {
      await ig.upload.photo({ file: jpeg, uploadId });
    } catch (error) {
      if (isLoginRequired(error)) throw error;
      throw withoutSendDoubt(mapPrivateError(error, this.account));
    }
    return ig.media.configure({ upload_id: uploadId, caption, ...(size ? { width: size.width, height: size.height } : {}) });
  }

  /**
   * After a send in doubt: the account's posts since `since` (its own feed, newest first,
   * page by page until a post older than `since`), looked through for this caption. The
   * result when found, undefined when it is surely not among them; throws DeliveryError
   * when Instagram cannot be asked, or when the account posted more than RECONCILE_PAGES
   * pages since then (crier cannot tell).
   */
  findPost(caption: string, signal: AbortSignal, since: Date): Promise<SendResult | undefined> {
    return this.exclusive(async () => {
      this.signal = signal;
      try {
        const ig = await this.session();
        const feed = ig.feed.user(ig.state.cookieUserId);
        const wanted = comparableCaption(caption);
        const sinceS = since.getTime() / 1000;
        for (let page = 0; page < RECONCILE_PAGES; page++) {
          const items = (await feed.items()) as FeedItem[];
          const found = items.find((item) => comparableCaption(item.caption?.text ?? '') === wanted);
          if (found !== undefined) return resultOf(found);
          // Newest first: once a post is older than `since`, nothing further down can be ours.
          if (!feed.isMoreAvailable() || items.some((item) => typeof item.taken_at === 'number' && item.taken_at < sinceS)) return undefined;
        }
        throw new PermanentError(`instagram: cannot tell: the account posted more than ${RECONCILE_PAGES} pages since ${since.toISOString()}`, { platform: 'instagram', code: 'lookup_window' });
      } catch (error) {
        throw mapPrivateError(error, this.account);
      } finally {
        await this.flush();
        this.signal = undefined;
      }
    });
  }

  /**
   * One task against the account with a session: one at a time, the caller's signal
   * honoured, a rejected session given one fresh login. Errors come back classified.
   */
  private run<T>(signal: AbortSignal, task: (ig: IgApiClient) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.signal = signal;
      try {
        const ig = await this.session();
        try {
          return await task(ig);
        } catch (error) {
          if (!isLoginRequired(error)) throw mapPrivateError(error, this.account);
          this.logger.warn('instagram: session rejected (login_required); logging in again once');
          const { username, password } = this.credentials();
          await this.login(ig, username, password);
          try {
            return await task(ig);
          } catch (retryError) {
            throw mapPrivateError(retryError, this.account);
          }
        }
      } finally {
        await this.flush();
        this.signal = undefined;
      }
    });
  }

  /** A new caption for a post of the account (`media/<id>/edit_media/`). False when the post is gone. */
  editCaption(mediaId: string, caption: string, signal: AbortSignal): Promise<boolean> {
    return this.run(signal, async (ig) => {
      try {
        await ig.media.editMedia({ mediaId, captionText: caption });
        return true;
      } catch (error) {
        if (error instanceof IgNotFoundError) return false;
        throw error;
      }
    });
  }

  /** Delete a post of the account. False when it was already gone. */
  deletePost(mediaId: string, signal: AbortSignal): Promise<boolean> {
    return this.run(signal, async (ig) => {
      try {
        await ig.media.delete({ mediaId, mediaType: 'PHOTO' });
        return true;
      } catch (error) {
        if (error instanceof IgNotFoundError) return false;
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.flush();
    this.unsubscribe?.();
    this.ig = undefined;
  }
}
