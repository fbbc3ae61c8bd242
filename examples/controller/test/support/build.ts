import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: build dist/ with tsup before the suites that run the controller and
 * prexorctl as child processes, so they never test a stale build.
 */
export default function setup(): void {
  const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const require = createRequire(join(packageDir, 'package.json'));
  const manifest = require.resolve('tsup/package.json');
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin
    .tsup;
  execFileSync(
    process.execPath,
    [join(dirname(manifest), bin ?? 'dist/cli-default.js'), '--silent'],
    {
      cwd: packageDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
