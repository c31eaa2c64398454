import type { TwitterApi } from 'twitter-api-v2';

/**
 * The article image for a tweet: fetched safely (http(s) only, timeout, size cap, no
 * private addresses unless allowed), made a JPEG or PNG under X's 5 MB, uploaded with
 * the v2 chunked upload (initialize/append/finalize) and given its alt text.
 */

/** X's limit for a tweet image. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Largest side kept when an image has to be re-encoded. */
const MAX_SIDE = 4096;
/** Largest download accepted before conversion. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

export interface TweetImage {
  buffer: Buffer;
  mime: 'image/jpeg' | 'image/png';
}

/** Why an image was left out: it could not be fetched or converted. */
export class ImageSkipped extends Error {
  override readonly name = 'ImageSkipped';
}

export interface LoadImageOptions {
  timeoutMs: number;
  maxBytes?: number;
  allowPrivateNetwork?: boolean;
  signal?: AbortSignal;
}

/** Download and convert; throws ImageSkipped when the image cannot be used. */
export async function loadTweetImage(url: string, options: LoadImageOptions): Promise<TweetImage> {
  let body: Buffer;
  try {
    // Loaded on the first image: a worker posting text and links does not carry the HTTP client.
    const { safeFetch } = await import('../../src/net/safe-fetch.js');
    const fetched = await safeFetch(url, {
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes ?? MAX_DOWNLOAD_BYTES,
      allowPrivateNetwork: options.allowPrivateNetwork ?? false,
      accept: 'image/jpeg,image/png,image/webp,image/*;q=0.8',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    body = fetched.body;
  } catch (error) {
    throw new ImageSkipped(`cannot fetch ${url}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await toTweetImage(body);
  } catch (error) {
    throw new ImageSkipped(`cannot convert ${url}: ${(error as Error).message}`, { cause: error });
  }
}

/** JPEG or PNG under 5 MB: kept as is when already so, else re-encoded (smaller each try). */
export async function toTweetImage(input: Buffer): Promise<TweetImage> {
  // Loaded on the first image: a worker that posts text only never pays for libvips.
  const { default: sharp } = await import('sharp');
  const meta = await sharp(input).metadata();
  if (meta.format === undefined || meta.width === undefined || meta.height === undefined) throw new Error('not an image');
  const orientationOk = meta.orientation === undefined || meta.orientation === 1;
  if (input.length <= MAX_IMAGE_BYTES && orientationOk && (meta.format === 'jpeg' || meta.format === 'png')) {
    return { buffer: input, mime: meta.format === 'jpeg' ? 'image/jpeg' : 'image/png' };
  }
  const keepPng = meta.format === 'png' && meta.hasAlpha === true;
  let side = Math.min(MAX_SIDE, Math.max(meta.width, meta.height));
  for (let attempt = 0; attempt < 6; attempt++) {
    const pipeline = sharp(input, { pages: 1 }).rotate().resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true });
    const buffer = keepPng
      ? await pipeline.png({ compressionLevel: 6 }).toBuffer()
      : await pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: Math.max(70, 85 - attempt * 5) }).toBuffer();
    if (buffer.length <= MAX_IMAGE_BYTES) return { buffer, mime: keepPng ? 'image/png' : 'image/jpeg' };
    // Bytes grow with the area: scale the sides by the square root of the excess, and then some.
    side = Math.max(1, Math.round(side * Math.min(0.9, Math.sqrt(MAX_IMAGE_BYTES / buffer.length) * 0.95)));
  }
  throw new Error(`still larger than ${MAX_IMAGE_BYTES} bytes after re-encoding`);
}

/** Upload through the v2 chunked endpoints; returns the media id. */
export async function uploadTweetImage(client: TwitterApi, image: TweetImage): Promise<string> {
  return client.v2.uploadMedia(image.buffer, { media_type: image.mime, media_category: 'tweet_image' });
}

/** Alt text (≤ 1000 characters, X's limit) for an uploaded image. */
export async function setAltText(client: TwitterApi, mediaId: string, alt: string): Promise<void> {
  const text = [...alt].slice(0, 1000).join('');
  if (text.trim() === '') return;
  await client.v2.createMediaMetadata(mediaId, { alt_text: { text } });
}
