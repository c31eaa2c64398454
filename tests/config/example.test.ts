import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';

describe('config/crier.example.yaml', () => {
  it('should be a valid config that declares every platform', () => {
    const file = fileURLToPath(new URL('../../config/crier.example.yaml', import.meta.url));
    const config = loadConfig({ file, env: {} });
    expect(config.targets.map((t) => t.platform).sort()).toEqual(['instagram', 'telegram', 'twitter']);
    expect(config.feeds[0]?.intervalSeconds).toBe(300);
  });
});
