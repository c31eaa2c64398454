/**
 * Reading a JPEG's frame header without decoding it: enough to tell a JPEG from anything
 * else and to learn its size, the way Instagram's servers do before they accept an upload.
 * Pure; used by the Instagram adapter (validate before the SDK uploads) and by the fakes.
 */

export interface JpegInfo {
  width: number;
  height: number;
  /** 1 = greyscale, 3 = YCbCr (what crier writes), 4 = CMYK/YCCK. */
  components: number;
  progressive: boolean;
}

/** Instagram's image rules (PLATFORMS.md). */
export const INSTAGRAM_IMAGE = {
  minAspect: 0.8,
  maxAspect: 1.91,
  minWidth: 320,
  maxWidth: 1440,
  maxBytes: 8 * 1024 * 1024,
} as const;

/** True when the buffer starts like a JPEG (SOI marker followed by another marker). */
export function looksLikeJpeg(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
}

/** Frame size and layout of a baseline or progressive JPEG, or undefined when it is not one. */
export function jpegInfo(data: Uint8Array): JpegInfo | undefined {
  if (!looksLikeJpeg(data)) return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / start of scan before any frame
    const length = view.getUint16(offset + 2);
    if (length < 2 || offset + 2 + length > data.length) return undefined;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) return undefined;
      const height = view.getUint16(offset + 5);
      const width = view.getUint16(offset + 7);
      const components = data[offset + 9] as number;
      if (width === 0 || height === 0) return undefined;
      return { width, height, components, progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce };
    }
    offset += 2 + length;
  }
  return undefined;
}

/**
 * Why Instagram would refuse this file, or undefined when it is an acceptable photo:
 * JPEG, colour (YCbCr) or grey, width 320–1440, aspect 0.8–1.91, at most 8 MiB.
 */
export function instagramImageProblem(data: Uint8Array): string | undefined {
  const info = jpegInfo(data);
  if (info === undefined) return 'not a JPEG';
  if (data.length > INSTAGRAM_IMAGE.maxBytes) return `too large: ${data.length} bytes, limit is ${INSTAGRAM_IMAGE.maxBytes}`;
  if (info.components !== 3 && info.components !== 1) return `unsupported colour layout (${info.components} components)`;
  if (info.width < INSTAGRAM_IMAGE.minWidth || info.width > INSTAGRAM_IMAGE.maxWidth) {
    return `width ${info.width} outside ${INSTAGRAM_IMAGE.minWidth}..${INSTAGRAM_IMAGE.maxWidth}`;
  }
  const aspect = info.width / info.height;
  if (aspect < INSTAGRAM_IMAGE.minAspect || aspect > INSTAGRAM_IMAGE.maxAspect) {
    return `aspect ratio ${aspect.toFixed(3)} outside ${INSTAGRAM_IMAGE.minAspect}..${INSTAGRAM_IMAGE.maxAspect}`;
  }
  return undefined;
}
