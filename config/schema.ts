import { z } from 'zod';
import { TelegramTarget } from './targets/telegram.js';
import { TwitterTarget } from './targets/twitter.js';
import { InstagramTarget } from './targets/instagram.js';
import { RedisConfig } from './redis.js';
import { isTimeZone } from '../queues/quiet-hours.js';

export { TelegramTarget, TwitterTarget, InstagramTarget };

export const PLATFORMS = ['telegram', 'twitter', 'instagram'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const TargetConfig = z.discriminatedUnion('platform', [TelegramTarget, TwitterTarget, InstagramTarget]);
export type TargetConfig = z.output<typeof TargetConfig>;
export type TargetOf<P extends Platform> = Extract<TargetConfig, { platform: P }>;

/** Default boilerplate a news site appends to articles; each is a case-insensitive regex matched against a paragraph. */
export const DEFAULT_BOILERPLATE = [
  '^\\**\\s*(this article|this text) (was|has been)? ?(originally )?(machine[- ])?translated',
  '(can be read|is available|are available) in \\d+ languages',
  '\\btranslate (website|this page)\\b.{0,40}button',
  '^\\s*(sign up|subscribe)( now)? (for|to) (our|the) .*newsletter',
  '^\\s*to (receive|get) .{0,80}newsletter',
  '^.{0,150}\\bclick here\\b.{0,40}$',
  '^\\s*(follow|like|join) us on ',
  '\\bfollow (him|her|them|me) on (twitter|x|instagram|facebook|telegram|substack|mastodon|bluesky)\\b',
  '^\\s*(feel free to )?(repost|re-post) and share widely',
  '^\\s*(share|forward) this (article|story|post)',
  '^\\s*(click|tap) (the|a) (share|button)',
  '^\\s*\\**\\s*note to readers',
  '^\\s*(the original source of this article is|original source:)',
  '^\\s*copyright\\b|^\\s*©|\\(c\\) copyright|^\\s*all rights reserved',
  '^\\s*(comment on|leave a comment|view comments|comments? \\(\\d+\\))',
  '^\\s*(become a member|support (us|our work)|donate (now|today)|make a donation)',
  '^\\s*disclaimer\\b',
  '^\\s*the contents of this article are of sole responsibility',
  '^\\s*the views expressed (in this article )?are',
  '^\\s*(related articles?|read more|see also|more from [^.]{1,60}|recommended( for you)?|most (read|popular)|you (may|might) also like|about the authors?)\\s*:?\\s*$',
  '^\\s*(more )?articles by\\s*:',
  '^\\s*for media inquiries',
  '^\\s*(listen to (this|the) (article|story)|\\d+\\s*min(ute)?s? read\\s*$|reading time\\s*:)',
  '^\\s*(advertisement|sponsored content|skip to (main )?content)\\s*$',
  '^\\s*[*_]*\\s*[a-z .\\-\']{2,60} (is|was) (a|an|the) ((regular|frequent|senior|former|contributing|independent|staff|news|managing|executive|freelance|award-winning) ){0,3}(contributor|research associate|author|writer|journalist|editor|correspondent|reporter|columnist)\\b',
];

export const Config = z
  .strictObject({
    redis: RedisConfig.prefault({}),
    http: z
      .strictObject({
        port: z.number().int().min(0).max(65535).default(8080),
        host: z.string().default('0.0.0.0'),
        webhookSecret: z.string().min(16, 'must be at least 16 characters').optional(),
        dashboardPassword: z.string().min(1).optional(),
        publicBaseUrl: z.string().url().optional(),
        bodyLimit: z.number().int().positive().default(1_048_576),
      })
      .strict()
      .prefault({}),
    bot: z
      .strictObject({
        /** Editors' bot token; defaults to the first Telegram target's. */
        token: z.string().min(1).optional(),
        apiRoot: z.string().url().optional(),
        /** Telegram user ids allowed to use the bot. */
        editors: z.array(z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)])).default([]),
        /** Chat told about permanent failures and paused targets. */
        alertChat: z.union([z.string().min(1), z.number().int()]).transform(String).optional(),
        webhookUrl: z.string().url().optional(),
        webhookSecret: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 of A-Z a-z 0-9 _ -').optional(),
        /** Let /post fetch private/loopback addresses (tests, sandbox). */
        allowPrivateNetwork: z.boolean().default(false),
        /** Let any user /subscribe to receive each new article from the bot (off by default). */
        subscribers: z.boolean().default(false),
        /** The editors' time zone (IANA): `/post … at 18:00` means 18:00 there, and the bot shows times in it. */
        timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"').default('UTC'),
      })
      .strict()
      .prefault({}),
    extract: z
      .strictObject({
        /** Paragraphs matching any of these (case-insensitive regexes) are site boilerplate and dropped. */
        boilerplate: z.array(z.string()).default(DEFAULT_BOILERPLATE),
        /** Extra patterns added to the defaults. */
        extraBoilerplate: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    media: z
      .strictObject({
        dir: z.string().default('.cache/media'),
        maxBytes: z.number().int().positive().default(20 * 1024 * 1024),
        timeoutMs: z.number().int().positive().default(5000),
        allowPrivateNetwork: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    worker: z
      .strictObject({
        concurrency: z.number().int().min(1).max(1000).default(10),
        /** Seconds to finish in-flight jobs on SIGTERM before giving them back. */
        shutdownGraceSeconds: z.number().min(0).default(30),
        /** How long a job's lock lasts (ms); a crashed worker's jobs are taken over after about this long. */
        lockDurationMs: z.number().int().min(1000).default(30_000),
        /** How often workers look for stalled jobs of crashed workers (ms). */
        stalledIntervalMs: z.number().int().min(1000).default(30_000),
      })
      .strict()
      .prefault({}),
    /** Global Telegram budget per bot token (messages per second across all its targets). */
    telegramGlobalPerSecond: z.number().int().min(0).default(30),
    feeds: z
      .array(
        z.strictObject({
          url: z.string().url(),
          intervalSeconds: z.number().int().min(10).default(300),
          backfill: z.number().int().min(0).default(0),
        }).strict(),
      )
      .default([]),
    targets: z.array(TargetConfig).default([]),
    /** Article tags (Ghost, WordPress, feeds; case-insensitive) that make an article breaking or low priority. */
    priorityTags: z
      .strictObject({ breaking: z.array(z.string().min(1)).default([]), low: z.array(z.string().min(1)).default([]) })
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof Config>;
