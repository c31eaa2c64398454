import type { Logger } from 'pino';
import type { InstagramTarget } from '../../config/targets/instagram.js';
import { hasCachedFile } from '../../src/media/cache.js';
import { renderCard, type CardStyle } from '../../src/media/card.js';
import { INSTAGRAM_IMAGE } from '../../src/media/jpeg-info.js';
import { prepareImage } from '../../src/media/prepare-image.js';
import type { AdapterDeps, InstagramPost } from '../types.js';

/**
 * The picture for an Instagram post: the article image fitted by the media pipeline, or —
 * when there is none or it cannot be fetched or decoded — the branded title card.
 * Preview runs this too, so editors see the exact JPEG that will be posted.
 */

export const DEFAULT_MEDIA_DIR = '.cache/media';

export function cardStyle(target: InstagramTarget): CardStyle {
  const { width, height, background, foreground, accent, siteName, logo, locale, fonts } = target.card;
  // Instagram takes 4:5..1.91:1 only: a configured card outside it is clamped into it.
  const fitted = Math.min(Math.floor(width / INSTAGRAM_IMAGE.minAspect), Math.max(Math.ceil(width / INSTAGRAM_IMAGE.maxAspect), height));
  const style: CardStyle = { width, height: fitted, background, foreground, accent };
  if (siteName !== undefined) style.siteName = siteName;
  if (logo !== undefined) style.logo = logo;
  if (locale !== undefined) style.locale = locale;
  if (fonts !== undefined && fonts.length > 0) style.fonts = [...fonts];
  return style;
}

/** True when the post already points at a prepared file that is still on disk. */
export async function isPrepared(post: InstagramPost): Promise<boolean> {
  return post.image.path !== undefined && post.image.mime === 'image/jpeg' && (await hasCachedFile(post.image.path));
}

export async function prepareInstagramPost(post: InstagramPost, target: InstagramTarget, deps: AdapterDeps, signal: AbortSignal): Promise<InstagramPost> {
  if (await isPrepared(post)) return post;
  const dir = deps.mediaDir ?? DEFAULT_MEDIA_DIR;
  const logger: Logger = deps.logger;
  if (post.image.url !== undefined) {
    try {
      const image = await prepareImage(
        { url: post.image.url },
        {
          dir,
          signal,
          fit: target.fit,
          background: target.padColor ?? target.card.background,
          width: target.imageWidth,
          allowPrivateNetwork: deps.allowPrivateNetwork ?? false,
          ...(deps.mediaMaxBytes === undefined ? {} : { maxBytes: deps.mediaMaxBytes }),
          ...(deps.mediaTimeoutMs === undefined ? {} : { timeoutMs: deps.mediaTimeoutMs }),
          ...(post.image.focus === undefined ? {} : { focus: post.image.focus }),
        },
      );
      return {
        ...post,
        image: { url: post.image.url, path: image.path, width: image.width, height: image.height, mime: image.mime },
        imageSource: 'article',
      };
    } catch (error) {
      if (signal.aborted) throw error;
      logger.warn({ err: error, target: target.id, image: post.image.url }, 'instagram: article image unusable; using a title card');
    }
  }
  const text = post.cardText ?? { title: post.caption.split('\n')[0] ?? '' };
  const card = await renderCard(text, cardStyle(target), { dir, logger });
  return { ...post, image: { path: card.path, width: card.width, height: card.height, mime: card.mime }, imageSource: 'card' };
}
