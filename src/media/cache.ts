import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A content-addressed file cache for prepared media: the name of a file is the hash of
 * everything that produced it, so the same input with the same options is only processed
 * once per directory, and two workers racing on one key both end up with the same file.
 * The files this process made or read lately are also kept in memory (`RecentFiles`): a
 * post's image is prepared, checked and uploaded from the same bytes without going back to
 * the disk each time (on a busy machine one read is several thread-pool hops, milliseconds
 * of a delivery). A name never changes bytes, so what memory holds is never stale.
 */

/** Recently used files by path, least recently used first out, within a byte budget. */
export class RecentFiles {
  private readonly files = new Map<string, Buffer>();
  private total = 0;

  constructor(private readonly budgetBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get(path: string): Buffer | undefined {
    const data = this.files.get(path);
    if (data !== undefined) {
      // Re-inserted: Map keeps insertion order, so the front is the least recently used.
      this.files.delete(path);
      this.files.set(path, data);
    }
    return data;
  }

  /** Keep `data` under `path`; a file over a quarter of the budget is not kept. */
  set(path: string, data: Buffer): void {
    const old = this.files.get(path);
    if (old !== undefined) {
      this.files.delete(path);
      this.total -= old.length;
    }
    if (data.length > this.budgetBytes / 4) return;
    this.files.set(path, data);
    this.total += data.length;
    for (const [key, value] of this.files) {
      if (this.total <= this.budgetBytes) break;
      this.files.delete(key);
      this.total -= value.length;
    }
  }
}

/** 32 MB: dozens of prepared JPEGs (Instagram's are ≤ 8 MB, typically 100–400 KB). */
const recent = new RecentFiles(32 * 1024 * 1024);

/** A file made by `cachedFile`: from memory when this process has it, else from disk. */
export async function readCachedFile(path: string): Promise<Buffer> {
  return recent.get(path) ?? (await readFile(path));
}

/** Whether a file made by `cachedFile` is on disk (where `crier serve` publishes it for the Instagram Graph API). */
export async function hasCachedFile(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

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
  const known = recent.get(path);
  if (known !== undefined) {
    // The disk copy is what others read (the media route, other workers): put it back if it went.
    if (!(await hasCachedFile(path))) await store(dir, name, known);
    return { path, data: known, hit: true };
  }
  try {
    const data = await readFile(path);
    recent.set(path, data);
    return { path, data, hit: true };
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  const data = await produce();
  await store(dir, name, data);
  recent.set(path, data);
  return { path, data, hit: false };
}

/** Write `dir/name` through a temporary name and a rename, so readers never see half a file. */
async function store(dir: string, name: string, data: Buffer): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, join(dir, name));
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
