import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// `src/tuf` imports the main entry by package name (as the build keeps it); tests read source.
export default mergeConfig(sharedConfig, {
  resolve: {
    alias: [
      {
        find: /^@flareo\/trust-root$/,
        replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      },
    ],
  },
});
