import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs every ```js example of the README against the built package (self-reference import)
// and checks each `// → value` line against what the example printed.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const built = existsSync(join(packageDir, 'dist', 'index.js'));

describe.skipIf(!built)('README examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((code, i) => [i + 1, code] as const))(
    'example %i prints what it says',
    (_i, code) => {
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        cwd: packageDir,
        encoding: 'utf8',
      });
      const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1]?.trim());
      expect(stdout.trim().split('\n')).toEqual(expected);
    },
  );
});
