import { z } from 'zod';
import { CommonTargetFields } from './common.js';

export const INSTAGRAM_API_ROOT_DEFAULT = 'https://i.instagram.com';
export const INSTAGRAM_GRAPH_ROOT_DEFAULT = 'https://graph.instagram.com';

export const InstagramTarget = z
  .object({
    ...CommonTargetFields,
    platform: z.literal('instagram'),
    /** `private`: instagram-private-api (username/password); `graph`: the official Graph API. */
    backend: z.enum(['private', 'graph']).default('private'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Private API root (INSTAGRAM_API_ROOT); default https://i.instagram.com. */
    apiRoot: z.string().url().default(INSTAGRAM_API_ROOT_DEFAULT),
    graph: z
      .object({
        userId: z.string().min(1).optional(),
        accessToken: z.string().min(1).optional(),
        apiRoot: z.string().url().default(INSTAGRAM_GRAPH_ROOT_DEFAULT),
      })
      .prefault({}),
    /** Title card used when the article has no usable image. */
    card: z
      .object({
        width: z.number().int().min(320).max(1440).default(1080),
        height: z.number().int().min(320).max(1800).default(1350),
        background: z.string().default('#14213d'),
        foreground: z.string().default('#ffffff'),
        accent: z.string().default('#fca311'),
        siteName: z.string().optional(),
        logo: z.string().optional(),
      })
      .prefault({}),
    /** How an image outside 4:5..1.91:1 is fitted. */
    fit: z.enum(['crop', 'blur', 'pad']).default('crop'),
  })
  .strict();

export type InstagramTarget = z.output<typeof InstagramTarget>;
