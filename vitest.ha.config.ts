import { defineConfig } from 'vitest/config';

/** `npm run test:ha`: crier through failovers on real Sentinel and Cluster setups (a few minutes). */
export default defineConfig({
  test: {
    include: ['tests/ha/**/*.ha.test.ts'],
    testTimeout: 200_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // One topology at a time: each starts several redis-servers and times its failover.
    fileParallelism: false,
  },
});
