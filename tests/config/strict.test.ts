import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildConfig } from '../../config/load.js';
import { Config } from '../../config/schema.js';

type Def = { type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; in?: z.ZodType; out?: z.ZodType; valueType?: z.ZodType };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Every object schema inside `schema`, with its path (`targets[].card`). */
function objects(schema: z.ZodType, path: string, out: Array<{ path: string; strict: boolean }> = []): Array<{ path: string; strict: boolean }> {
  const def = defOf(schema);
  if (def.type === 'object') {
    out.push({ path, strict: def.catchall !== undefined && defOf(def.catchall).type === 'never' });
    for (const [key, child] of Object.entries(def.shape ?? {})) objects(child, path === '' ? key : `${path}.${key}`, out);
  }
  for (const child of [def.innerType, def.element, def.in, def.out, def.valueType]) if (child !== undefined) objects(child, def.element === child ? `${path}[]` : path, out);
  for (const option of def.options ?? []) objects(option, path, out);
  return out;
}

/** Issue 12: a typo inside a nested config object is an error naming the path, never silently ignored. */
describe('config strictness', () => {
  it('should make every object in the config schema strict', () => {
    const found = objects(Config, '');
    expect(found.length).toBeGreaterThan(15);
    expect(found.filter((o) => !o.strict).map((o) => o.path)).toEqual([]);
  });

  it('should name the path of a typo inside a nested object', () => {
    expect(() => buildConfig({ targets: [{ id: 'ig', platform: 'instagram', card: { siteNme: 'Harbour News' } }] }, {})).toThrow(/targets\.0\.card: unknown key\(s\) "siteNme"/);
    expect(() => buildConfig({ targets: [{ id: 'tg', platform: 'telegram', hashtags: { mx: 2 } }] }, {})).toThrow(/targets\.0\.hashtags: unknown key\(s\) "mx"/);
    expect(() => buildConfig({ targets: [{ id: 'x', platform: 'twitter', caps: { per15mins: 1 } }] }, {})).toThrow(/targets\.0\.caps: unknown key\(s\) "per15mins"/);
    expect(() => buildConfig({ targets: [{ id: 'x', platform: 'twitter', limiter: { max: 1, duration: 1000, burst: 2 } }] }, {})).toThrow(/targets\.0\.limiter: unknown key\(s\) "burst"/);
  });
});
