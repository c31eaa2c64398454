import type { IncomingMessage } from 'node:http';
import { readBody } from './http.js';
import { BotApiFailure } from './telegram-types.js';

/** An uploaded file in a multipart request. */
export interface UploadedFile {
  filename: string;
  size: number;
  type: string;
}

export type ParamValue = unknown;

/** Parameters that the Bot API takes as JSON objects even inside form bodies. */
const JSON_FIELDS = new Set([
  'reply_markup', 'link_preview_options', 'entities', 'caption_entities', 'reply_parameters', 'commands', 'allowed_updates', 'scope',
]);

function decodeField(key: string, value: string): ParamValue {
  if (!JSON_FIELDS.has(key)) return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    throw new BotApiFailure(400, `Bad Request: can't parse ${key} JSON object`);
  }
}

/**
 * A Bot API request's parameters from the query string and the body, whichever way the
 * client sent them: JSON, application/x-www-form-urlencoded or multipart/form-data.
 */
export async function readParams(req: IncomingMessage): Promise<Record<string, ParamValue>> {
  const params: Record<string, ParamValue> = {};
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  for (const [key, value] of url.searchParams) params[key] = decodeField(key, value);

  const body = await readBody(req, 60 * 1024 * 1024);
  if (body.length === 0) return params;
  const type = (req.headers['content-type'] ?? '').toLowerCase();

  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BotApiFailure(400, "Bad Request: can't parse JSON object");
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BotApiFailure(400, "Bad Request: can't parse JSON object");
    return { ...params, ...(parsed as Record<string, unknown>) };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = decodeField(key, value);
    return params;
  }
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request('http://fake.invalid/', {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body,
    }).formData();
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') params[key] = decodeField(key, value);
      else params[key] = { filename: value.name, size: value.size, type: value.type } satisfies UploadedFile;
    }
    return params;
  }
  return params;
}

export function isUpload(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && 'filename' in value && 'size' in value;
}

/** A parameter as a string (numbers and booleans as JSON writes them), or undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
