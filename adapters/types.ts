import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Article } from '../src/article/schema.js';
import type { TargetConfig, Platform } from '../config/schema.js';

export type { Platform };

export interface TelegramPost {
  target: string;
  platform: 'telegram';
  method: 'sendMessage' | 'sendPhoto';
  text?: string;
  caption?: string;
  parse_mode: 'HTML';
  photo?: string;
  link_preview_options?: {
    is_disabled?: boolean;
    url?: string;
    prefer_small_media?: boolean;
    prefer_large_media?: boolean;
    show_above_text?: boolean;
  };
  reply_markup?: { inline_keyboard: Array<Array<{ text: string; url: string }>> };
}

export interface TweetMedia {
  /** Where the image comes from (article image URL) or a prepared local file. */
  url?: string;
  path?: string;
  alt?: string;
  mime?: string;
}

export interface TwitterPost {
  target: string;
  platform: 'twitter';
  tweets: Array<{ text: string; media?: TweetMedia[] }>;
}

export interface PreparedImage {
  path?: string;
  url?: string;
  width?: number;
  height?: number;
  mime?: string;
  /** Point of interest to keep when cropping (article image focus), each 0..1 from the top-left. */
  focus?: { x: number; y: number };
}

/** What a generated title card shows (Instagram), carried on the post so `prepare` needs no article. */
export type { CardText } from '../src/media/card.js';
import type { CardText } from '../src/media/card.js';

export interface InstagramPost {
  target: string;
  platform: 'instagram';
  caption: string;
  image: PreparedImage;
  /** Where the image came from: the article's image, or a generated title card. */
  imageSource?: 'article' | 'card';
  alt?: string;
  /** Text for the title card drawn when there is no usable image. */
  cardText?: CardText;
}

export type Post = TelegramPost | TwitterPost | InstagramPost;

export interface SendResult {
  remoteId: string;
  url?: string;
  /** `duplicate`: the platform already has this post (X duplicate content). */
  status?: 'delivered' | 'duplicate';
  /** Estimated cost in US dollars (X pay-per-use). */
  costUsd?: number;
  /** Things worth recording that did not stop the delivery ("image skipped: …"). */
  notes?: string[];
}

export interface SendContext {
  signal: AbortSignal;
  /** Steps recorded by earlier attempts of this delivery (e.g. tweet ids of a half-posted thread). */
  progress: Readonly<Record<string, string>>;
  /** Record a step durably before moving on, so a retry resumes after it. */
  saveProgress(key: string, value: string): Promise<void>;
}

export interface PrepareContext {
  signal: AbortSignal;
}

/** Services an adapter may use; built once by the composition root. */
export interface AdapterDeps {
  logger: Logger;
  /** Present in workers; absent in pure preview. */
  redis?: Redis;
  /** Key prefix for any Redis keys an adapter keeps (sessions, counters). */
  keyPrefix?: string;
  /** Allow fetching images from private/loopback addresses (sandbox, tests). */
  allowPrivateNetwork?: boolean;
  /** Directory for prepared media (cache by content hash). */
  mediaDir?: string;
  /** Image download cap and timeout for media preparation (config `media`). */
  mediaMaxBytes?: number;
  mediaTimeoutMs?: number;
  /**
   * Public URL under which `crier serve` serves a prepared media file (PUBLIC_BASE_URL/media/<file>);
   * needed by the Instagram Graph backend, whose servers download the image.
   */
  publicMediaUrl?: (path: string) => string;
}

/**
 * The small contract every platform implements (crosspost's strategy shape).
 * `format` is pure; `prepare` may do I/O to ready media; only `send` posts.
 */
export interface Adapter<P extends Post = Post> {
  readonly platform: Platform;
  readonly target: TargetConfig;
  format(article: Article): P;
  prepare?(post: P, ctx: PrepareContext): Promise<P>;
  send(post: P, ctx: SendContext): Promise<SendResult>;
  /**
   * After a crash between sending and recording, look the post up on the platform.
   * Returns the result when found, undefined when surely absent; throws when it cannot tell.
   */
  reconcile?(post: P, ctx: PrepareContext): Promise<SendResult | undefined>;
  close?(): Promise<void>;
}
