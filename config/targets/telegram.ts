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
    /** What a new revision of a posted article does: edit the post in place (text or caption, button, photo), or nothing. */
    onUpdate: z.enum(['edit', 'ignore']).default('edit'),
    /** What counts as worth an update: any change to what the post is built from, or only a new title. */
    minChange: z.enum(['any', 'title']).default('any'),
    /** What a retraction does: delete the post (past Telegram's 48 hours: edit it to retractNotice), edit it to the notice, or nothing. */
    onRetract: z.enum(['delete', 'notice', 'ignore']).default('delete'),
    /** The text a retracted post is edited to where it cannot be deleted (plain text). */
    retractNotice: z.string().min(1).max(1000).default('This post was withdrawn by the publisher.'),
  })
  .strict();

export type TelegramTarget = z.output<typeof TelegramTarget>;
