import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vectorsDir } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { openVexSchema, schemaValidators } from '../src/schema.js';
import { createAjv } from '../src/schema-compiler.js';
import { doc, na } from './helpers.js';

// The validators are compiled at build time (scripts/generate-validators.mjs). They must be
// the schema's validators: same verdict and same errors as the schema compiled now.
const compiledNow = (() => {
  const ajv = createAjv();
  return { strict: ajv.compile(openVexSchema(false)), lenient: ajv.compile(openVexSchema(true)) };
})();

const dir = vectorsDir();
const vectors: [string, unknown][] = dir
  ? readdirSync(join(dir, 'vex', 'openvex'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f, JSON.parse(readFileSync(join(dir, 'vex', 'openvex', f), 'utf8'))])
  : [];

const good = { ...doc([na('CVE-2024-1', 'pkg:npm/a@1.0.0')]) } as Record<string, unknown>;
const broken: [string, unknown][] = [
  ['not an object', []],
  ['no statements', { ...good, statements: undefined }],
  ['bad timestamp', { ...good, timestamp: '2024-13-40T99:00:00Z' }],
  ['bad @id', { ...good, '@id': 'not an iri' }],
  ['unknown key', { ...good, extra: 1 }],
  ['statement without status', { ...good, statements: [{ vulnerability: { name: 'X' } }] }],
  ['version 0', { ...good, version: 0 }],
];

describe('build-time OpenVEX validators', () => {
  it.each([...vectors, ['a complete document', good] as [string, unknown], ...broken])(
    '%s: same verdict and errors as the schema compiled at run time',
    (_name, value) => {
      for (const mode of ['strict', 'lenient'] as const) {
        const built = schemaValidators()[mode];
        const now = compiledNow[mode];
        expect(built(value)).toBe(now(value));
        expect(built.errors ?? null).toEqual(now.errors ?? null);
      }
    },
  );

  it('some of the broken documents are refused in both modes', () => {
    const refused = broken.filter(([, v]) => !schemaValidators().lenient(v));
    expect(refused.length).toBeGreaterThanOrEqual(4);
  });
});
