import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// Without a trust flag the CLI prefers a TUF-cached trusted root to the embedded one; point
// every test (and the flareo processes they start) at an empty cache so that the machine's
// own cache never changes a result. Tests of the cache set their own directory.
export default mergeConfig(sharedConfig, {
  test: { env: { FLAREO_TUF_CACHE: join(tmpdir(), 'flareo-cli-tests-no-tuf-cache') } },
});
