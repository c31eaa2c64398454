import type { Logger } from 'pino';
import type { RedisClient } from '../queues/connection.js';
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
  /** What the platform needs to find the post again for an update or a retraction (Telegram chat and kind, Instagram media id). */
  remote?: Record<string, string>;
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

/** A post already on the platform, as the ledger knows it. */
export interface RemotePost {
  remoteId: string;
  url?: string;
  /** What the adapter recorded to find it again (Telegram chat and kind, Instagram media id). */
  remote: Record<string, string>;
  /** When it went out (ISO 8601). */
  deliveredAt?: string;
}

/** An update or a retraction of a delivered post. */
export interface OpContext extends SendContext {
  /** An earlier attempt of this same operation died or lost its answer: look before acting again where acting twice would show. */
  inDoubt: boolean;
  /** Nothing this operation posted can be older than this. */
  since: Date;
  /** The revision being applied (updates), for naming progress steps. */
  rev: number;
}

/**
 * What an update or a retraction did: edited in place, not modified (nothing visible
 * changed), replied (X correction), replaced (deleted and posted anew), ignored (policy),
 * not_supported (the platform has no way), deleted, notice (edited to a retraction notice),
 * gone (it was not there any more).
 */
export type OpAction = 'edited' | 'not_modified' | 'replied' | 'replaced' | 'ignored' | 'not_supported' | 'deleted' | 'notice' | 'gone';

export interface OpResult {
  action: OpAction;
  note?: string;
  /** What the adapter records to find the post again from now on, when it changed (a new photo). */
  remote?: Record<string, string>;
  /** A post that stands in for the old one from now on (replaced). */
  replacement?: SendResult & { progress: Record<string, string> };
}

export interface ReconcileContext extends PrepareContext {
  /** The post cannot be older than this (its job was created then, less a margin for clock skew). */
  since: Date;
}

/** Services an adapter may use; built once by the composition root. */
export interface AdapterDeps {
  logger: Logger;
  /** Present in workers; absent in pure preview. */
  redis?: RedisClient;
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
  /** Where a human can look at what was posted (the channel, the profile), for a send in doubt. */
  readonly lookUrl?: string;
  format(article: Article): P;
  prepare?(post: P, ctx: PrepareContext): Promise<P>;
  send(post: P, ctx: SendContext): Promise<SendResult>;
  /**
   * After a send in doubt (a crash between sending and recording, or a lost answer), look
   * the post up on the platform among what the account posted since `ctx.since`. Returns
   * the result when found, undefined when surely absent; throws when it cannot tell (a
   * transient DeliveryError when asking may work later).
   */
  reconcile?(post: P, ctx: ReconcileContext): Promise<SendResult | undefined>;
  /** Bring a delivered post up to date with the article's newest revision (per the target's onUpdate). Idempotent, or safe under `ctx.inDoubt`. */
  update?(article: Article, current: RemotePost, ctx: OpContext): Promise<OpResult>;
  /** Take a delivered post down (per the target's onRetract). Idempotent. */
  retract?(current: RemotePost, ctx: OpContext): Promise<OpResult>;
  close?(): Promise<void>;
}
