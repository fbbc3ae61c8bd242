import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What is wrong with using `path` as a file or directory the controller will create or
 * write, judged without creating or writing anything (for `--check`): `undefined` when it
 * is usable. An existing path must be of the right kind and writable; a missing one needs
 * its nearest existing ancestor to be a writable directory.
 */
export function pathProblem(path: string, kind: 'file' | 'directory'): string | undefined {
  let current = path;
  for (let depth = 0; depth < 256; depth++) {
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(current);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const parent = dirname(current);
        if (parent === current) return `no existing ancestor of ${path}`;
        current = parent;
        continue;
      }
      return `${current}: ${(error as Error).message}`;
    }
    const wanted = current === path ? kind : 'directory';
    const isWanted = wanted === 'file' ? stats.isFile() : stats.isDirectory();
    if (!isWanted) {
      return current === path
        ? `${path} is not a ${kind}`
        : `${current} is not a directory, so ${path} cannot be created`;
    }
    try {
      accessSync(current, constants.W_OK);
    } catch {
      return `${current} is not writable`;
    }
    return undefined;
  }
  return `${path} is nested too deeply`;
}
