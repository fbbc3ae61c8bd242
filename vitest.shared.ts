import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The one vitest configuration of the workspace. CI runs on two cores with several
 * packages' suites side by side, and the test kit mints RSA keys and certificate chains on
 * first use, so timeouts are generous; speed is measured by `pnpm bench`, not by tests.
 */
export const sharedConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: [fileURLToPath(new URL('./vitest.setup.ts', import.meta.url))],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
