import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// This package adds one setup file: every verification the tests make also runs through the
// asynchronous twin of the method, and the two must agree (test/support/async-twin.ts).
export default mergeConfig(sharedConfig, {
  test: {
    setupFiles: [fileURLToPath(new URL('./test/support/async-twin.ts', import.meta.url))],
  },
});
