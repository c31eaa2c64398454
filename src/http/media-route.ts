import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * GET /media/<file>: prepared images from `media.dir`, for the Instagram Graph backend
 * (Meta downloads the image from PUBLIC_BASE_URL/media/<file>). Only plain file names of
 * image types are served: no paths, no dot-files, nothing outside the directory.
 */

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };
export const SAFE_MEDIA_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;

export function isSafeMediaName(name: string): boolean {
  return name.length <= 200 && SAFE_MEDIA_NAME.test(name) && TYPES[extname(name).toLowerCase()] !== undefined;
}

export async function mediaRoute(scope: FastifyInstance, options: { dir: string }): Promise<void> {
  const dir = resolve(options.dir);
  scope.get<{ Params: { file: string } }>('/media/:file', async (request, reply) => {
    const name = request.params.file;
    if (!isSafeMediaName(name)) return reply.code(404).send({ error: 'not found' });
    const path = join(dir, name);
    if (!path.startsWith(dir + '/')) return reply.code(404).send({ error: 'not found' });
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) return reply.code(404).send({ error: 'not found' });
    return reply
      .type(TYPES[extname(name).toLowerCase()] as string)
      .header('content-length', info.size)
      .header('cache-control', 'public, max-age=86400, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(path));
  });
}
