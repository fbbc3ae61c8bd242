import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { vectorsDir } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { checkConsistency, checkInclusion } from '../../src/merkle.js';

const dir = vectorsDir();
const root = dir ? join(dir, 'merkle', 'testdata') : '';

function files(sub: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json')) out.push(p);
    }
  };
  walk(join(root, sub));
  return out.sort();
}

const b64 = (s: string | null | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64'));
const big = (n: unknown) => BigInt(n as number);

describe.skipIf(!dir)('interop: transparency-dev/merkle RFC 6962 vectors', () => {
  const inclusion = dir ? files('inclusion') : [];
  const consistency = dir ? files('consistency') : [];

  it('found the vector files', () => {
    expect(inclusion.length).toBeGreaterThan(90);
    expect(consistency.length).toBeGreaterThan(90);
  });

  it.each(inclusion.map((f) => [relative(root, f), f]))('inclusion %s', (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    const failure = checkInclusion(
      big(v.leafIdx),
      big(v.treeSize),
      b64(v.leafHash),
      (v.proof ?? []).map(b64),
      b64(v.root),
    );
    expect(failure !== undefined).toBe(v.wantErr);
  });

  it.each(consistency.map((f) => [relative(root, f), f]))('consistency %s', (_name, file) => {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    const failure = checkConsistency(
      big(v.size1),
      big(v.size2),
      (v.proof ?? []).map(b64),
      b64(v.root1),
      b64(v.root2),
    );
    expect(failure !== undefined).toBe(v.wantErr);
  });
});
