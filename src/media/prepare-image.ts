import sharp, { type Sharp } from 'sharp';
import { safeFetch } from '../net/safe-fetch.js';
import { cachedFile, cacheKey, sha256 } from './cache.js';
import { INSTAGRAM_IMAGE, jpegInfo } from './jpeg-info.js';

/**
 * Article image → a JPEG every platform accepts: downloaded safely (src/net/safe-fetch),
 * oriented per EXIF, converted to sRGB with metadata stripped, fitted to an aspect ratio
 * between 4:5 and 1.91:1 at a fixed width, and encoded under 8 MiB. Prepared files are
 * cached by content hash (source bytes + options) in `dir`.
 */

export type FitMode = 'crop' | 'blur' | 'pad';

export interface FocusPoint {
  /** 0..1 from the left edge. */
  x: number;
  /** 0..1 from the top edge. */
  y: number;
}

export interface PrepareImageOptions {
  /** Cache directory for prepared files. */
  dir: string;
  /** Download size cap in bytes. Default 20 MiB. */
  maxBytes?: number;
  /** Download timeout in ms. Default 5000. */
  timeoutMs?: number;
  allowPrivateNetwork?: boolean;
  signal?: AbortSignal;
  /** How an image outside the aspect range is fitted. Default 'crop'. */
  fit?: FitMode;
  /** Padding colour for 'pad' (CSS colour). Default '#000000'. */
  background?: string;
  /** Point to keep in view when cropping; default the centre. */
  focus?: FocusPoint;
  /** Output width in px, 320..1440. Default 1080. */
  width?: number;
}

export type ImageSource = { url: string } | { buffer: Uint8Array };

export interface PreparedJpeg {
  path: string;
  width: number;
  height: number;
  mime: 'image/jpeg';
  bytes: number;
  sha256: string;
  /** True when the prepared file came from the cache. */
  cached: boolean;
}

export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const DEFAULT_IMAGE_WIDTH = 1080;
const DEFAULT_MAX_DOWNLOAD = 20 * 1024 * 1024;
const QUALITIES = [90, 82, 74, 66, 58, 50, 42];
/** Bumped whenever the output for the same input changes, so old cache entries are not reused. */
const PIPELINE_VERSION = 'image-v1';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** How a source of `srcWidth`×`srcHeight` becomes the output; pure, so it is tested on its own. */
export interface FitPlan {
  width: number;
  height: number;
  /** resize: aspect already allowed; crop: cut `extract` then scale; pad: scale into `inner` on a background. */
  mode: 'resize' | 'crop' | 'pad';
  extract?: Rect;
  inner?: Rect;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export function planFit(srcWidth: number, srcHeight: number, options: { width?: number; fit?: FitMode; focus?: FocusPoint } = {}): FitPlan {
  const width = options.width ?? DEFAULT_IMAGE_WIDTH;
  if (!Number.isInteger(width) || width < INSTAGRAM_IMAGE.minWidth || width > INSTAGRAM_IMAGE.maxWidth) {
    throw new RangeError(`width must be an integer in ${INSTAGRAM_IMAGE.minWidth}..${INSTAGRAM_IMAGE.maxWidth}`);
  }
  const minHeight = Math.ceil(width / INSTAGRAM_IMAGE.maxAspect);
  const maxHeight = Math.floor(width / INSTAGRAM_IMAGE.minAspect);
  const ratio = srcWidth / srcHeight;
  const fx = options.focus?.x ?? 0.5;
  const fy = options.focus?.y ?? 0.5;

  if (ratio >= INSTAGRAM_IMAGE.minAspect && ratio <= INSTAGRAM_IMAGE.maxAspect) {
    return { width, height: clamp(Math.round(width / ratio), minHeight, maxHeight), mode: 'resize' };
  }
  const tooWide = ratio > INSTAGRAM_IMAGE.maxAspect;
  const height = tooWide ? minHeight : maxHeight;
  if ((options.fit ?? 'crop') === 'crop') {
    if (tooWide) {
      const cw = Math.min(srcWidth, Math.max(1, Math.round((srcHeight * width) / height)));
      const left = clamp(Math.round(fx * srcWidth - cw / 2), 0, srcWidth - cw);
      return { width, height, mode: 'crop', extract: { left, top: 0, width: cw, height: srcHeight } };
    }
    const ch = Math.min(srcHeight, Math.max(1, Math.round((srcWidth * height) / width)));
    const top = clamp(Math.round(fy * srcHeight - ch / 2), 0, srcHeight - ch);
    return { width, height, mode: 'crop', extract: { left: 0, top, width: srcWidth, height: ch } };
  }
  if (tooWide) {
    const ih = clamp(Math.round(width / ratio), 1, height);
    return { width, height, mode: 'pad', inner: { left: 0, top: Math.floor((height - ih) / 2), width, height: ih } };
  }
  const iw = clamp(Math.round(height * ratio), 1, width);
  return { width, height, mode: 'pad', inner: { left: Math.floor((width - iw) / 2), top: 0, width: iw, height } };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

const open = (bytes: Uint8Array) => sharp(bytes, { autoOrient: true, failOn: 'error', limitInputPixels: 150_000_000 });

/** The fitted picture as raw sRGB pixels (3 channels). */
async function compose(bytes: Uint8Array, plan: FitPlan, options: PrepareImageOptions): Promise<{ data: Buffer; width: number; height: number }> {
  const white = { r: 255, g: 255, b: 255 };
  let pipeline: Sharp;
  if (plan.mode === 'resize') {
    pipeline = open(bytes).flatten({ background: white }).resize(plan.width, plan.height, { fit: 'cover' });
  } else if (plan.mode === 'crop' && plan.extract !== undefined) {
    pipeline = open(bytes).extract(plan.extract).flatten({ background: white }).resize(plan.width, plan.height, { fit: 'fill' });
  } else if (plan.inner !== undefined) {
    const inner = await open(bytes).flatten({ background: white }).resize(plan.inner.width, plan.inner.height, { fit: 'fill' }).toBuffer();
    const canvas =
      options.fit === 'blur'
        ? sharp(
            await open(bytes)
              .flatten({ background: white })
              .resize(plan.width, plan.height, { fit: 'cover' })
              .blur(40)
              .modulate({ brightness: 0.8 })
              .toBuffer(),
          )
        : sharp({ create: { width: plan.width, height: plan.height, channels: 3, background: options.background ?? '#000000' } });
    pipeline = sharp(await canvas.composite([{ input: inner, left: plan.inner.left, top: plan.inner.top }]).png().toBuffer());
  } else {
    throw new MediaError(`internal: incomplete fit plan (${plan.mode})`);
  }
  const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new MediaError(`internal: expected 3 channels, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** Encode raw pixels as a baseline sRGB JPEG under Instagram's size limit, lowering quality as needed. */
export async function encodeJpeg(raw: { data: Buffer; width: number; height: number }, maxBytes: number = INSTAGRAM_IMAGE.maxBytes): Promise<Buffer> {
  for (const quality of QUALITIES) {
    const out = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } })
      .jpeg({ quality, chromaSubsampling: '4:2:0' })
      .toBuffer();
    if (out.length < maxBytes) return out;
  }
  throw new MediaError(`cannot encode a ${raw.width}x${raw.height} JPEG under ${maxBytes} bytes`);
}

async function render(bytes: Uint8Array, options: PrepareImageOptions): Promise<Buffer> {
  let width: number;
  let height: number;
  try {
    const meta = await open(bytes).metadata();
    width = meta.autoOrient.width;
    height = meta.autoOrient.height;
  } catch (error) {
    throw new MediaError(`cannot decode image: ${(error as Error).message}`, { cause: error });
  }
  if (!(width > 0 && height > 0)) throw new MediaError('cannot decode image: no dimensions');
  const plan = planFit(width, height, options);
  throwIfAborted(options.signal);
  try {
    return await encodeJpeg(await compose(bytes, plan, options));
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw new MediaError(`cannot convert image: ${(error as Error).message}`, { cause: error });
  }
}

/** Download (or take) an image and turn it into a cached, Instagram-ready JPEG. Throws FetchError or MediaError. */
export async function prepareImage(source: ImageSource, options: PrepareImageOptions): Promise<PreparedJpeg> {
  throwIfAborted(options.signal);
  let bytes: Uint8Array;
  if ('buffer' in source) bytes = source.buffer;
  else {
    const response = await safeFetch(source.url, {
      timeoutMs: options.timeoutMs ?? 5000,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_DOWNLOAD,
      allowPrivateNetwork: options.allowPrivateNetwork ?? false,
      accept: 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8',
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    bytes = response.body;
  }
  if (bytes.length === 0) throw new MediaError('cannot decode image: empty file');
  throwIfAborted(options.signal);
  const settings = JSON.stringify({
    fit: options.fit ?? 'crop',
    background: options.background ?? '#000000',
    focus: options.focus ?? null,
    width: options.width ?? DEFAULT_IMAGE_WIDTH,
  });
  const key = cacheKey(PIPELINE_VERSION, bytes, settings);
  const file = await cachedFile(options.dir, `img-${key.slice(0, 40)}.jpg`, () => render(bytes, options));
  const info = jpegInfo(file.data);
  if (info === undefined) throw new MediaError(`cached file ${file.path} is not a JPEG`);
  return {
    path: file.path,
    width: info.width,
    height: info.height,
    mime: 'image/jpeg',
    bytes: file.data.length,
    sha256: sha256(file.data),
    cached: file.hit,
  };
}
