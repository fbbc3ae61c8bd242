// The two builds a before/after bench compares, from its command line: `--reference
// path/to/earlier/cli.js` (required) and this package's build (or FLAREO_BENCH_CLI), plus the
// vectors directory (fixtures/vectors, or FLAREO_VECTORS). Exits 2 with `usage` when
// `--reference` is missing.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** `{ args, reference, current, vectors, here }` for a bench script run as `usage` says. */
export function compareBuilds(usage) {
  const args = process.argv.slice(2);
  const refAt = args.indexOf('--reference');
  if (refAt < 0 || !args[refAt + 1]) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return {
    args,
    here,
    reference: resolve(args[refAt + 1]),
    current: process.env.FLAREO_BENCH_CLI
      ? resolve(process.env.FLAREO_BENCH_CLI)
      : join(here, '..', 'dist', 'cli.cjs'),
    vectors: process.env.FLAREO_VECTORS ?? join(here, '..', '..', '..', 'fixtures', 'vectors'),
  };
}
