import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Redis Cluster checks that the keys a script declares (KEYS) share a slot, and refuses the
 * call otherwise (tests/queues/cluster.test.ts runs every script of a delivery on a real
 * cluster). A key a script makes up itself (from ARGV, or by concatenation) escapes that
 * check on Redis 7.0 unless another node serves it, so it could work in tests and fail in
 * production. This reads every Lua script in crier's sources and checks that each command
 * it runs is given a declared key: KEYS[…], or a local holding one.
 */

const ROOT = join(import.meta.dirname, '..', '..');
/** Commands a script may run without a key. */
const KEYLESS = new Set(['TIME']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every template literal that runs redis.call, with where it is. */
export function luaScripts(): Array<{ where: string; lua: string }> {
  const out: Array<{ where: string; lua: string }> = [];
  for (const file of ['queues', 'adapters', 'src'].flatMap((d) => sources(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/`([^`]*redis\.call\([^`]*)`/g)) {
      const line = text.slice(0, m.index).split('\n').length;
      out.push({ where: `${relative(ROOT, file)}:${line}`, lua: m[1] as string });
    }
  }
  return out;
}

/** Commands in a script whose first argument is not a declared key; empty when all are. */
export function undeclaredKeys(lua: string): string[] {
  const declared = new Set<string>();
  // local a, b = KEYS[1], KEYS[2]  /  local key = KEYS[1]
  for (const m of lua.matchAll(/local\s+([\w\s,]+?)\s*=\s*([^\n]+)/g)) {
    const names = (m[1] as string).split(',').map((s) => s.trim());
    const values = (m[2] as string).split(',').map((s) => s.trim());
    names.forEach((name, i) => {
      if (/^KEYS\[[^\]]+\]$/.test(values[i] ?? '')) declared.add(name);
    });
  }
  const problems: string[] = [];
  for (const m of lua.matchAll(/redis\.call\(\s*'(\w+)'\s*(?:,\s*([^,)]+))?/g)) {
    const command = (m[1] as string).toUpperCase();
    const key = (m[2] ?? '').trim();
    if (KEYLESS.has(command)) continue;
    if (/^KEYS\[[^\]]+\]$/.test(key) || declared.has(key)) continue;
    problems.push(`${command} ${key || '(no key)'}`);
  }
  return problems;
}

describe("crier's Lua scripts", () => {
  it('should find the scripts of the ledger, the limiters and the adapters', () => {
    const where = luaScripts().map((s) => s.where.split(':')[0]);
    for (const file of ['queues/ledger-scripts.ts', 'queues/ledger.ts', 'queues/limits.ts', 'adapters/twitter/limits.ts', 'adapters/instagram/pacing.ts', 'src/feeds/state.ts']) {
      expect(where).toContain(file);
    }
  });

  it('should only give Redis keys the script declares, so Redis Cluster checks their slot', () => {
    const bad = luaScripts()
      .map((s) => ({ where: s.where, problems: undeclaredKeys(s.lua) }))
      .filter((s) => s.problems.length > 0);
    expect(bad).toEqual([]);
  });

  it('should catch a script that makes up a key of its own', () => {
    expect(undeclaredKeys("local k = KEYS[1]\nredis.call('SET', k, 1)\nredis.call('SET', ARGV[1] .. ':x', 1)")).toEqual(["SET ARGV[1] .. ':x'"]);
    expect(undeclaredKeys("local other = ARGV[1]\nreturn redis.call('GET', other)")).toEqual(['GET other']);
    expect(undeclaredKeys("local t = redis.call('TIME')\nreturn redis.call('ZADD', KEYS[2], t[1], ARGV[1])")).toEqual([]);
  });
});
