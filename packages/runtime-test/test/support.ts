// Which runtimes this machine has, found once per test file.
import { findTool } from '@flareo/testkit';
import { findWorkerd, type WorkerdBinary } from '../src/index.js';

/**
 * Debian's Chromium, never a downloaded browser. Absent → the Chromium tests skip with a
 * printed reason, unless FLAREO_REQUIRE_TOOLS is set (CI), when findTool throws and the
 * suite fails.
 */
export const chromiumPath: string | undefined = findTool('chromium');
if (!chromiumPath) {
  console.warn('runtime-test: chromium is not on PATH, so the Chromium runs are skipped');
}

/** workerd comes from npm (a devDependency), so it is expected everywhere. */
export const workerd: WorkerdBinary | undefined = findWorkerd();
if (!workerd) {
  if (process.env.FLAREO_REQUIRE_TOOLS) {
    throw new Error(
      'workerd is required (FLAREO_REQUIRE_TOOLS is set) but its npm package is not installed',
    );
  }
  console.warn(
    'runtime-test: the workerd package has no binary for this platform, so the workerd runs are skipped',
  );
}
