import { z } from 'zod';
import { isTimeZone } from '../../queues/quiet-hours.js';

/**
 * Hashtags per post when a target sets no `hashtags.max`, the same rule on every platform:
 * Instagram caps posts at 5 (PLATFORMS.md); X advises one or two; Telegram has no cap.
 */
export const HASHTAGS_MAX_DEFAULT = { telegram: 5, twitter: 2, instagram: 5 } as const;

/** Options every target has, whatever its platform. */
export const CommonTargetFields = {
  /** Target id: letters, digits, `_` and `-`; names the target's queue. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ -'),
  enabled: z.boolean().default(true),
  /** Query parameters added to the article URL for this platform, e.g. {utm_source: telegram}. Off by default. */
  tracking: z.record(z.string(), z.string()).default({}),
  hashtags: z
    .strictObject({
      /** Tag → hashtag overrides for this site ("Russia and FSU": "Russia"); "" drops a tag. */
      map: z.record(z.string(), z.string()).default({}),
      /** Most hashtags per post; default per platform (HASHTAGS_MAX_DEFAULT). */
      max: z.number().int().min(0).max(30).optional(),
    })
    .prefault({}),
  /** BullMQ limiter for this target's queue: at most `max` jobs per `duration` ms. 0 disables it. */
  limiter: z.strictObject({ max: z.number().int().min(0), duration: z.number().int().positive() }).optional(),
  /** Parallel deliveries per worker process for this target. */
  concurrency: z.number().int().min(1).max(1000).optional(),
  /** Delivery attempts for transient errors (rate limits do not count). */
  attempts: z.number().int().min(1).max(100).default(8),
  /** First backoff delay in ms; doubles each attempt, with jitter. */
  backoffMs: z.number().int().min(0).default(2000),
  /** Per-target template overriding the platform layout (see README). */
  template: z.string().optional(),
  /** Per-request timeout in ms for this target's API calls. */
  timeoutMs: z.number().int().positive().default(15_000),
  /** Nothing but breaking news goes out in this daily window (local time of `tz`); posts due inside it wait for its end. */
  quietHours: z
    .strictObject({
      from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
      to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
      tz: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"'),
    })
    .optional(),
  /** Feed items held by quiet hours that would be older than this (hours since publishedAt) when the window ends are dropped instead. */
  maxAgeHours: z.number().positive().optional(),
  /** At least this many minutes between two posts on this target; a burst is spread out in order. Breaking news ignores it. */
  minGapMinutes: z.number().positive().max(24 * 60).optional(),
};
