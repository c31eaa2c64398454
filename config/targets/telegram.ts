import { z } from 'zod';
import { CommonTargetFields } from './common.js';
import { validateTelegramTemplate } from '../../adapters/telegram/template.js';

export const TELEGRAM_API_ROOT_DEFAULT = 'https://api.telegram.org';

export const TelegramTarget = z
  .strictObject({
    ...CommonTargetFields,
    platform: z.literal('telegram'),
    /** Post layout in Telegram HTML with placeholders ({title} {subtitle} {summary} {byline} {authors} {source} {hashtags} {url} {link}); checked here. See adapters/telegram/template.ts. */
    template: z
      .string()
      .optional()
      .superRefine((template, ctx) => {
        const problem = template === undefined ? undefined : validateTelegramTemplate(template);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid Telegram template: ${problem}` });
      }),
    /** Bot token (TELEGRAM_BOT_TOKEN). */
    botToken: z.string().min(1).optional(),
    /** Channel/group: "@name" or a numeric chat id (TELEGRAM_CHANNEL). */
    chat: z.union([z.string().min(1), z.number().int()]).transform(String).optional(),
    /** Bot API root (TELEGRAM_API_ROOT); default https://api.telegram.org. */
    apiRoot: z.string().url().default(TELEGRAM_API_ROOT_DEFAULT),
    /** How the link to the article is shown. */
    link: z.enum(['preview', 'button', 'both']).default('both'),
    /** Label of the inline URL button. */
    buttonText: z.string().min(1).max(64).default('Read more'),
    /** Send the article image as a photo with a caption when it fits. */
    photo: z.boolean().default(true),
  })
  .strict();

export type TelegramTarget = z.output<typeof TelegramTarget>;
