import type { ServerResponse } from 'node:http';
import { sendJson } from './http.js';

/**
 * The X fake's media endpoints (API v2): chunked upload
 *   POST /2/media/upload/initialize {media_type, total_bytes, media_category}
 *   POST /2/media/upload/:id/append  multipart: segment_index, media
 *   POST /2/media/upload/:id/finalize
 * and POST /2/media/metadata {id, metadata: {alt_text: {text}}}, answering with the
 * shapes twitter-api-v2 parses (MediaV2UploadResponse, MediaV2MetadataCreateResult).
 */

export interface FakeMedia {
  id: string;
  /** The uploaded file, segments joined (empty until finalized). */
  bytes: Buffer;
  mime: string;
  category?: string;
  alt?: string;
  finalized: boolean;
}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const EXPIRES_AFTER_SECS = 86_400;

/** The real API's "invalid request" problem body. */
export function invalidRequest(res: ServerResponse, message: string, parameters?: Record<string, string[]>, headers: Record<string, string> = {}): void {
  sendJson(
    res,
    400,
    {
      errors: [parameters === undefined ? { message } : { parameters, message }],
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    },
    headers,
  );
}

function sniff(bytes: Buffer): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

export interface MultipartField {
  name: string;
  contentType?: string;
  content: Buffer;
}

/** A small multipart/form-data reader (binary-safe, unlike Response.formData for file-less parts). */
export function parseMultipart(body: Buffer, contentType: string): MultipartField[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (boundary === null) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields: MultipartField[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString('latin1') === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      if (name !== undefined) fields.push({ name, content: part.subarray(headerEnd + 4), ...(type ? { contentType: type.trim() } : {}) });
    }
    pos = next;
  }
  return fields;
}

export class FakeMediaStore {
  readonly media: FakeMedia[] = [];
  private readonly pending = new Map<string, { totalBytes: number; segments: Map<number, Buffer> }>();
  private nextId = 1_900_000_000_000_000_000n;

  constructor(private readonly now: () => number) {}

  reset(): void {
    this.media.length = 0;
    this.pending.clear();
  }

  /** A finalized media id, usable in a tweet. */
  usable(id: string): boolean {
    return this.media.some((m) => m.id === id && m.finalized);
  }

  initialize(res: ServerResponse, body: Record<string, unknown>): void {
    const mime = String(body.media_type ?? '');
    const total = Number(body.total_bytes);
    if (!IMAGE_TYPES.has(mime)) return invalidRequest(res, `Unsupported media_type: ${mime || '(none)'}.`, { media_type: [mime] });
    if (!Number.isInteger(total) || total <= 0) return invalidRequest(res, 'total_bytes must be a positive integer.', { total_bytes: [String(body.total_bytes)] });
    if (total > MAX_IMAGE_BYTES) return invalidRequest(res, `File size exceeds ${MAX_IMAGE_BYTES} bytes.`, { total_bytes: [String(total)] });
    const id = String(this.nextId++);
    this.pending.set(id, { totalBytes: total, segments: new Map() });
    const category = typeof body.media_category === 'string' ? body.media_category : undefined;
    this.media.push({ id, bytes: Buffer.alloc(0), mime, finalized: false, ...(category ? { category } : {}) });
    sendJson(res, 200, { data: { id, media_key: `3_${id}`, expires_after_secs: EXPIRES_AFTER_SECS } });
  }

  append(res: ServerResponse, id: string, body: Buffer, contentType: string): void {
    const upload = this.pending.get(id);
    if (upload === undefined) return invalidRequest(res, `Unknown media id ${id}.`, { id: [id] });
    const fields = parseMultipart(body, contentType);
    const index = Number(fields.find((f) => f.name === 'segment_index')?.content.toString('utf8'));
    const media = fields.find((f) => f.name === 'media');
    if (!Number.isInteger(index) || index < 0 || index > 999) return invalidRequest(res, 'segment_index must be 0-999.', { segment_index: [String(index)] });
    if (media === undefined || media.content.length === 0) return invalidRequest(res, 'media is required.', { media: [''] });
    upload.segments.set(index, Buffer.from(media.content));
    sendJson(res, 200, { data: { expires_at: Math.floor(this.now() / 1000) + EXPIRES_AFTER_SECS } });
  }

  finalize(res: ServerResponse, id: string): void {
    const upload = this.pending.get(id);
    const record = this.media.find((m) => m.id === id);
    if (upload === undefined || record === undefined) return invalidRequest(res, `Unknown media id ${id}.`, { id: [id] });
    const bytes = Buffer.concat([...upload.segments.entries()].sort(([a], [b]) => a - b).map(([, b]) => b));
    if (bytes.length !== upload.totalBytes) {
      return invalidRequest(res, `Segments do not add up to provided total file size (${bytes.length} of ${upload.totalBytes}).`, { id: [id] });
    }
    if (sniff(bytes) !== record.mime) return invalidRequest(res, `InvalidMedia: the file is not a valid ${record.mime}.`, { id: [id] });
    this.pending.delete(id);
    record.bytes = bytes;
    record.finalized = true;
    sendJson(res, 200, { data: { id, media_key: `3_${id}`, size: bytes.length, expires_after_secs: EXPIRES_AFTER_SECS } });
  }

  metadata(res: ServerResponse, body: Record<string, unknown>): void {
    const id = String(body.id ?? '');
    const record = this.media.find((m) => m.id === id && m.finalized);
    if (record === undefined) return invalidRequest(res, `Unknown media id ${id || '(none)'}.`, { id: [id] });
    const alt = (body.metadata as { alt_text?: { text?: unknown } } | undefined)?.alt_text?.text;
    if (typeof alt !== 'string') return invalidRequest(res, 'metadata.alt_text.text is required.', { 'metadata.alt_text.text': [''] });
    if ([...alt].length > 1000) return invalidRequest(res, 'Alt text must be at most 1000 characters.', { 'metadata.alt_text.text': [alt.slice(0, 50)] });
    record.alt = alt;
    sendJson(res, 200, { data: { id, associated_metadata: { alt_text: { text: alt } } } });
  }
}
