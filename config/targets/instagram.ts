import { z } from 'zod';
import { CommonTargetFields } from './common.js';

export const INSTAGRAM_API_ROOT_DEFAULT = 'https://i.instagram.com';
export const INSTAGRAM_GRAPH_ROOT_DEFAULT = 'https://graph.instagram.com';

/** Private-API pacing defaults: one post per 10 minutes, 25 a day (PLATFORMS.md: repeated actions trigger checkpoints). */
export const INSTAGRAM_LIMITER_DEFAULT = { max: 1, duration: 600_000 } as const;
export const INSTAGRAM_DAILY_CAP_DEFAULT = 25;

/**
 * Caption template placeholders (each expands to plain text, "" when absent; blank lines
 * left by empty placeholders collapse):
 *   {title} {deck} (subtitle) {lead} (summary or first body paragraph, shortened to fit)
 *   {source} ("Source: <name>") {source_name} {byline} ("By A and B") {date} (YYYY-MM-DD)
 *   {link_in_bio} (the linkInBio text) {url} (article URL + tracking) {hashtags}
 * The default points readers to the link in the bio and leaves the raw URL out (a caption's
 * links are not clickable): a template that wants both says {link_in_bio} and {url}.
 */
export const INSTAGRAM_TEMPLATE_DEFAULT = '{title}\n\n{deck}\n\n{lead}\n\n{source}\n{link_in_bio}\n\n{hashtags}';

export const InstagramTarget = z
  .strictObject({
    ...CommonTargetFields,
    platform: z.literal('instagram'),
    /** BullMQ limiter; Instagram default is conservative: 1 post per 10 minutes. `max: 0` disables it. */
    limiter: z
      .strictObject({ max: z.number().int().min(0), duration: z.number().int().positive() })
      .default({ ...INSTAGRAM_LIMITER_DEFAULT }),
    /** Posts per rolling 24 h for this account (private backend; the Graph backend reads Meta's own quota). 0 = no cap. */
    dailyCap: z.number().int().min(0).default(INSTAGRAM_DAILY_CAP_DEFAULT),
    /** Extra random pause (0..jitterMs) after each private-backend post before the next may go, so posts are not metronomic. */
    jitterMs: z.number().int().min(0).default(120_000),
    /** The line telling readers where the link is (links in captions are not clickable). */
    linkInBio: z.string().min(1).max(200).default('Link in bio'),
    /** The lead is shortened to at most this many characters (then further to fit 2200). */
    leadMaxChars: z.number().int().min(0).max(2200).default(600),
    /** What a new revision of a posted article does: edit the caption (private backend; the Graph API cannot), or nothing. */
    onUpdate: z.enum(['edit', 'ignore']).default('edit'),
    /** What counts as worth an update: any change to what the caption is built from, or only a new title. */
    minChange: z.enum(['any', 'title']).default('any'),
    /** What a retraction does: delete the post (private backend; the Graph API cannot), or nothing. */
    onRetract: z.enum(['delete', 'ignore']).default('delete'),
    /** `private`: instagram-private-api (username/password); `graph`: the official Graph API. */
    backend: z.enum(['private', 'graph']).default('private'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Private API root (INSTAGRAM_API_ROOT); default https://i.instagram.com. */
    apiRoot: z.string().url().default(INSTAGRAM_API_ROOT_DEFAULT),
    graph: z
      .strictObject({
        userId: z.string().min(1).optional(),
        accessToken: z.string().min(1).optional(),
        apiRoot: z.string().url().default(INSTAGRAM_GRAPH_ROOT_DEFAULT),
        /** Graph API version path segment. */
        version: z.string().regex(/^v\d+\.\d+$/, 'must look like v23.0').default('v23.0'),
        /** Container status polling: pause between polls and how many polls before giving up (transient). */
        pollIntervalMs: z.number().int().min(0).default(3000),
        maxPolls: z.number().int().min(1).max(200).default(40),
      })
      .prefault({}),
    /** Title card used when the article has no usable image. */
    card: z
      .strictObject({
        width: z.number().int().min(320).max(1440).default(1080),
        height: z.number().int().min(320).max(1800).default(1350),
        background: z.string().default('#14213d'),
        foreground: z.string().default('#ffffff'),
        accent: z.string().default('#fca311'),
        siteName: z.string().optional(),
        /** Logo: a local file path or a data: URI (PNG, JPEG, SVG, WebP). */
        logo: z.string().optional(),
        /** Language of the card's date (BCP 47, e.g. "ar-EG", "fa", "ja"); default: the article's `lang`, else guessed from the title's script, else en-GB. */
        locale: z.string().optional(),
        /** Your own font files (TTF, OTF or WOFF), tried before the shipped Noto fonts for every character they have. */
        fonts: z.array(z.string().min(1)).max(16).optional(),
      })
      .prefault({}),
    /** How an image outside 4:5..1.91:1 is fitted: crop (centre or the article's focus), blur (blurred copy behind), pad (brand colour). */
    fit: z.enum(['crop', 'blur', 'pad']).default('crop'),
    /** Padding colour for fit "pad"; defaults to card.background. */
    padColor: z.string().optional(),
    /** Output width of prepared images, px. */
    imageWidth: z.number().int().min(320).max(1440).default(1080),
  })
  .strict();

export type InstagramTarget = z.output<typeof InstagramTarget>;
