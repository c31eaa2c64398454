import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedFile, hasCachedFile, readCachedFile, RecentFiles } from '../../src/media/cache.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crier-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RecentFiles', () => {
  const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

  it('should drop the least recently used files once over budget, counting a read as a use', () => {
    const recent = new RecentFiles(100);
    recent.set('a', bytes(20));
    recent.set('b', bytes(20));
    recent.set('c', bytes(20));
    expect(recent.get('a')?.length).toBe(20); // a is now the most recent
    recent.set('d', bytes(20));
    recent.set('e', bytes(20)); // 100 bytes: all fit
    expect(recent.bytes).toBe(100);
    recent.set('f', bytes(20)); // over: b goes first (a was read after it)
    expect(recent.get('b')).toBeUndefined();
    expect(['a', 'c', 'd', 'e', 'f'].map((k) => recent.get(k) !== undefined)).toEqual([true, true, true, true, true]);
    expect(recent.bytes).toBe(100);
  });

  it('should keep no file over a quarter of the budget, and replace a path without counting it twice', () => {
    const recent = new RecentFiles(100);
    recent.set('big', bytes(26));
    expect(recent.get('big')).toBeUndefined();
    expect(recent.bytes).toBe(0);
    recent.set('x', bytes(10, 1));
    recent.set('x', bytes(12, 2));
    expect(recent.bytes).toBe(12);
    expect(recent.get('x')?.[0]).toBe(2);
  });
});

describe('cachedFile and readCachedFile', () => {
  it('should produce a file once and serve its bytes from memory afterwards, not from the disk', async () => {
    let produced = 0;
    const produce = async () => {
      produced++;
      return Buffer.from('jpeg bytes');
    };
    const first = await cachedFile(dir, 'img-one.jpg', produce);
    const second = await cachedFile(dir, 'img-one.jpg', produce);
    expect([first.hit, second.hit, produced]).toEqual([false, true, 1]);
    // Scribbled over on disk behind the cache's back: the bytes it made still come from memory.
    await writeFile(first.path, 'other bytes');
    expect((await readCachedFile(first.path)).toString()).toBe('jpeg bytes');
  });

  it('should put a file back on disk when only memory still has it (the media route serves the disk copy)', async () => {
    const made = await cachedFile(dir, 'img-two.jpg', async () => Buffer.from('two'));
    await unlink(made.path);
    expect(await hasCachedFile(made.path)).toBe(false); // so a post pointing at it is prepared again…
    const again = await cachedFile(dir, 'img-two.jpg', async () => {
      throw new Error('not produced twice');
    });
    expect(again.hit).toBe(true); // …from memory, and the disk copy is back
    expect(await hasCachedFile(made.path)).toBe(true);
    expect((await readFile(made.path)).toString()).toBe('two');
  });

  it('should read any other path from disk, and say a missing one is not at hand', async () => {
    const path = join(dir, 'given.jpg');
    await writeFile(path, 'from disk');
    expect((await readCachedFile(path)).toString()).toBe('from disk');
    await writeFile(path, 'changed on disk');
    // Not made by cachedFile, so not remembered: a changed file is read as it is now.
    expect((await readCachedFile(path)).toString()).toBe('changed on disk');
    expect(await hasCachedFile(join(dir, 'missing.jpg'))).toBe(false);
    await expect(readCachedFile(join(dir, 'missing.jpg'))).rejects.toThrow(/ENOENT/);
  });
});
