import { IgApiClient } from 'instagram-private-api';
import type { Logger } from 'pino';
import type { InstagramTarget } from '../../config/targets/instagram.js';
import { PermanentError, TransientError } from '../errors.js';
import type { SendResult } from '../types.js';
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
}

type SendFn = IgApiClient['request']['send'];

export class InstagramPrivateClient {
  private readonly target: InstagramTarget;
  private readonly logger: Logger;
  private readonly sessions: SessionStore;
  private ig: IgApiClient | undefined;
  private starting: Promise<IgApiClient> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private signal: AbortSignal | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: PrivateClientOptions) {
    this.target = options.target;
    this.logger = options.logger.child({ target: options.target.id, backend: 'private' });
    this.sessions = options.sessions;
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
    try {
      await ig.account.login(username, password);
    } catch (error) {
      throw mapPrivateError(error, this.account);
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

  /** Post one photo; a rejected session gets one fresh login and one retry. Throws DeliveryError. */
  async publishPhoto(jpeg: Buffer, caption: string, signal: AbortSignal): Promise<SendResult> {
    this.signal = signal;
    try {
      const ig = await this.session();
      let media;
      try {
        media = await ig.publish.photo({ file: jpeg, caption });
      } catch (error) {
        if (!isLoginRequired(error)) throw mapPrivateError(error, this.account);
        this.logger.warn('instagram: session rejected (login_required); logging in again once');
        const { username, password } = this.credentials();
        await this.login(ig, username, password);
        if (signal.aborted) throw new TransientError('instagram: aborted', { platform: 'instagram', cause: signal.reason });
        try {
          media = await ig.publish.photo({ file: jpeg, caption });
        } catch (retryError) {
          throw mapPrivateError(retryError, this.account);
        }
      }
      const item = media.media;
      const remoteId = String(item.pk ?? item.id);
      const result: SendResult = { remoteId, status: 'delivered' };
      if (typeof item.code === 'string' && item.code !== '') result.url = `https://www.instagram.com/p/${item.code}/`;
      return result;
    } finally {
      await this.flush();
      this.signal = undefined;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.unsubscribe?.();
    this.ig = undefined;
  }
}
