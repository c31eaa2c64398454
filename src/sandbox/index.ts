import { startInstagramFake } from './instagram.js';
import { startInstagramGraphFake } from './instagram-graph.js';
import { startSandboxSite, type SandboxSite } from './site.js';
import { startTelegramFake } from './telegram.js';
import { startTwitterFake } from './twitter.js';

/**
 * The sandbox platforms: loopback fakes of the Telegram Bot API, the X API and
 * Instagram (private and Graph), plus a publisher site serving the sample article's
 * photo. Used by `crier demo`, `crier serve --sandbox`, the tests and the benchmarks.
 */

/** Credentials the fakes accept. They are not secrets: they only work on loopback. */
export const SANDBOX_CREDENTIALS = {
  telegramToken: '100000001:SANDBOXsandboxSANDBOXsandboxSANDBOX00',
  telegramChat: '@crier_sandbox',
  twitter: { appKey: 'sandbox-app-key', appSecret: 'sandbox-app-secret', accessToken: '1-sandbox-access-token', accessSecret: 'sandbox-access-secret' },
  instagram: { username: 'crier_sandbox', password: 'sandbox-password-1' },
} as const;

export interface SandboxOptions {
  /** Per-channel Telegram limit the fake enforces (per minute). */
  telegramPerChatPerMinute?: number;
  telegramGlobalPerSecond?: number;
}

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export async function startSandbox(options: SandboxOptions = {}) {
  const [telegram, twitter, instagram, instagramGraph, site] = await Promise.all([
    startTelegramFake({
      token: SANDBOX_CREDENTIALS.telegramToken,
      ...(options.telegramPerChatPerMinute !== undefined ? { perChatPerMinute: options.telegramPerChatPerMinute } : {}),
      ...(options.telegramGlobalPerSecond !== undefined ? { globalPerSecond: options.telegramGlobalPerSecond } : {}),
    }),
    startTwitterFake({}),
    startInstagramFake({ username: SANDBOX_CREDENTIALS.instagram.username, password: SANDBOX_CREDENTIALS.instagram.password }),
    startInstagramGraphFake({}),
    startSandboxSite(),
  ]);
  return {
    telegram,
    twitter,
    instagram,
    instagramGraph,
    site: site as SandboxSite,
    /** Environment that points crier's clients at the fakes. */
    env: {
      TELEGRAM_API_ROOT: telegram.url,
      TWITTER_API_ROOT: twitter.url,
      INSTAGRAM_API_ROOT: instagram.url,
      INSTAGRAM_GRAPH_API_ROOT: instagramGraph.url,
    },
    /** One target per platform, wired to the fakes (raw config, before validation). */
    targets(): Array<Record<string, unknown>> {
      return [
        { id: 'telegram', platform: 'telegram', botToken: SANDBOX_CREDENTIALS.telegramToken, chat: SANDBOX_CREDENTIALS.telegramChat, apiRoot: telegram.url },
        { id: 'twitter', platform: 'twitter', ...SANDBOX_CREDENTIALS.twitter, apiRoot: twitter.url },
        { id: 'instagram', platform: 'instagram', ...SANDBOX_CREDENTIALS.instagram, apiRoot: instagram.url, limiter: { max: 0, duration: 1000 }, jitterMs: 0, dailyCap: 0 },
      ];
    },
    async close(): Promise<void> {
      await Promise.all([telegram.close(), twitter.close(), instagram.close(), instagramGraph.close(), site.close()]);
    },
  };
}
