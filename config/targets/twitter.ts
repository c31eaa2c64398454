import { z } from 'zod';
import { CommonTargetFields } from './common.js';

export const TWITTER_API_ROOT_DEFAULT = 'https://api.x.com';

export const TwitterTarget = z
  .strictObject({
    ...CommonTargetFields,
    platform: z.literal('twitter'),
    appKey: z.string().min(1).optional(),
    appSecret: z.string().min(1).optional(),
    accessToken: z.string().min(1).optional(),
    accessSecret: z.string().min(1).optional(),
    /** X API root (TWITTER_API_ROOT); default https://api.x.com. */
    apiRoot: z.string().url().default(TWITTER_API_ROOT_DEFAULT),
    /** Post the lead as a numbered thread of replies. */
    thread: z.boolean().default(false),
    /** Most tweets in a thread, the first one included; a longer lead is cut with an ellipsis. */
    threadMax: z.number().int().min(2).max(25).default(10),
    /** Attach the article image. */
    media: z.boolean().default(true),
    /** Posting caps for this account (PLATFORMS.md); crier slows down before a 429. */
    caps: z
      .strictObject({
        per15min: z.number().int().positive().default(100),
        per24h: z.number().int().positive().default(10_000),
      })
      .prefault({}),
    /**
     * What a new revision of a posted article does (X has no edit): nothing, a correction
     * as a reply in the thread ("Correction: <new title> <url>"), or delete and post again
     * (it loses the engagement).
     */
    onUpdate: z.enum(['ignore', 'reply', 'replace']).default('ignore'),
    /** What counts as worth an update: only a new title (a typo fixed in the body does not touch X), or any change. */
    minChange: z.enum(['title', 'any']).default('title'),
    /** The words a correction reply starts with. */
    correctionPrefix: z.string().min(1).max(50).default('Correction:'),
    /** What a retraction does: delete every tweet of the post, or nothing. */
    onRetract: z.enum(['delete', 'ignore']).default('delete'),
    /** Pay-per-use prices in USD for the cost estimate in the ledger. */
    pricing: z
      .strictObject({ post: z.number().min(0).default(0.015), postWithUrl: z.number().min(0).default(0.2) })
      .prefault({}),
  })
  .strict();

export type TwitterTarget = z.output<typeof TwitterTarget>;
