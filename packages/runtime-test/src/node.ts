import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuntimeBundle } from './bundle.js';
import type { CaseResult } from './cases.js';
import { RuntimeTestError } from './errors.js';
import { parseResults } from './results.js';

/**
 * Run a `node` bundle of a case module in this Node process (written to a temporary file and
 * imported), so Node runs the same bundled code the other runtimes run.
 * @throws {RuntimeTestError} `RUNTIME_FAILED` if importing or running it throws,
 *   `RESULTS_INVALID` for a malformed result list.
 */
export async function runInNode(bundle: RuntimeBundle): Promise<CaseResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flareo-runtime-node-'));
  try {
    const file = join(dir, 'bundle.mjs');
    await writeFile(file, bundle.code);
    let results: unknown;
    try {
      const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
        run: () => Promise<unknown>;
      };
      results = await mod.run();
    } catch (error) {
      throw new RuntimeTestError(
        'RUNTIME_FAILED',
        `node: the bundle failed: ${(error as Error).message}`,
        { target: 'node' },
        { cause: error },
      );
    }
    return parseResults(results, 'node');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
