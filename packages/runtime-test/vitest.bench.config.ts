import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// `pnpm bench` of runtime-test: the measurement runs as a vitest run of bench/*.measure.ts
// (Node and Chromium timed side by side), not as `vitest bench`, which only times Node. The
// workspace's shared settings, with only the bench files included.
export default defineConfig({
  ...sharedConfig,
  test: { ...sharedConfig.test, include: ['bench/**/*.measure.ts'] },
});
