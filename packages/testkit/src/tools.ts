import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Find an external program (a Debian package's binary such as `docker-registry`, `skopeo`
 * or `chromium`) on `PATH`. Returns its absolute path, or undefined when it is absent,
 * unless `$FLAREO_REQUIRE_TOOLS` is set (CI sets it after installing them), in which case
 * a missing program throws so that a suite can never pass by skipping.
 */
export function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  if (process.env.FLAREO_REQUIRE_TOOLS) {
    throw new Error(
      `${name} is required (FLAREO_REQUIRE_TOOLS is set) but was not found on PATH; install the Debian package that provides it`,
    );
  }
  return undefined;
}
