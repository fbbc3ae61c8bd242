// The public type declarations need no @types/node: a browser/worker project (lib dom, no
// Node types, library checks on) type-checks a use of the package against the built .d.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const project = join(root, 'test', 'fixtures', 'web-consumer');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const built = existsSync(join(root, 'dist', 'index.d.ts'));

function typecheck(dir: string): string {
  try {
    execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe.skipIf(!built)('type declarations without @types/node', () => {
  it('a browser project using the verifier, its async API and trust-root type-checks', () => {
    expect(typecheck(project)).toBe('');
  });

  it('the same settings do refuse Node: a Buffer in the project is an error (the check can fail)', () => {
    const dir = mkdtempSync(join(project, 'control-'));
    try {
      writeFileSync(join(dir, 'consumer.ts'), 'export const b = Buffer.from("x");\n');
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ extends: '../tsconfig.json', files: ['consumer.ts'] }),
      );
      expect(typecheck(dir)).toMatch(/Cannot find name 'Buffer'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
