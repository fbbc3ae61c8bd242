import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every module the given source file reaches through static or dynamic imports. */
function reach(file: string, seen = new Set<string>(), bare = new Set<string>()) {
  if (seen.has(file)) return { seen, bare };
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    const spec = m[1] ?? '';
    if (spec.startsWith('.')) {
      const js = join(dirname(file), spec);
      const ts = js.replace(/\.js$/, '.ts');
      reach(existsSync(ts) ? ts : js, seen, bare);
    } else bare.add(spec);
  }
  return { seen, bare };
}

describe('entry points', () => {
  it('the main entry never reaches the TUF client, the file system or the network', () => {
    const { seen, bare } = reach(join(src, 'index.ts'));
    expect(seen.size).toBeGreaterThan(10); // the walk follows the real import graph
    expect([...seen].some((f) => f.endsWith('trusted-root.ts'))).toBe(true);
    expect([...seen].filter((f) => f.includes(`${join(src, 'tuf')}`))).toEqual([]);
    expect([...bare].filter((s) => /tuf|^node:(fs|http|https|net|os)$|^fs$/.test(s))).toEqual([]);
  });

  it('the tuf entry imports the main entry by package name (one TrustRootError class)', () => {
    const { bare } = reach(join(src, 'tuf', 'index.ts'));
    expect(bare).toContain('@flareo/trust-root');
    const { seen } = reach(join(src, 'tuf', 'index.ts'));
    expect(
      [...seen].filter((f) => !f.includes(join(src, 'tuf')) && !f.includes('generated')),
    ).toEqual([]);
  });
});
