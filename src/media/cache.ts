import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A content-addressed file cache for prepared media: the name of a file is the hash of
 * everything that produced it, so the same input with the same options is only processed
 * once per directory, and two workers racing on one key both end up with the same file.
 */

/** Hex sha256 over the parts, each length-prefixed so ("ab","c") ≠ ("a","bc"). */
export function cacheKey(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CachedFile {
  path: string;
  data: Buffer;
  /** True when the file already existed. */
  hit: boolean;
}

/**
 * The file `dir/name`, produced by `produce` when it is not there yet. Written to a
 * temporary name first and renamed, so readers never see half a file.
 */
export async function cachedFile(dir: string, name: string, produce: () => Promise<Buffer>): Promise<CachedFile> {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new TypeError(`Invalid cache file name: ${name}`);
  const path = join(dir, name);
  try {
    return { path, data: await readFile(path), hit: true };
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  const data = await produce();
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  return { path, data, hit: false };
}
