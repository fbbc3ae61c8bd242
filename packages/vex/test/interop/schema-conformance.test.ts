import { readVector, vectorsDir } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { conformsToOpenVexSchema } from '../../src/advanced.js';
import { createAjv } from '../../src/schema-compiler.js';

const dir = vectorsDir();

const OPENVEX_FILES = [
  'openvex/grype-integration-affected.openvex.json',
  'openvex/grype-integration-under_investigation.openvex.json',
  'openvex/grype-openvex-debian.json',
  'openvex/grype-openvex-demo1.json',
  'openvex/grype-openvex-demo2.json',
  'openvex/grype-openvex-image-no-subcomponents.json',
  'openvex/grype-openvex-package-product.json',
  'openvex/trivy-oci.openvex.json',
  'openvex/trivy-testdata-openvex-multiple.json',
  'openvex/trivy-testdata-openvex-nested.json',
  'openvex/trivy-testdata-openvex-oci-mismatch.json',
  'openvex/trivy-testdata-openvex-oci.json',
  'openvex/trivy.openvex.json',
  'openvex/vexhub-index.json',
  'sarif/sample-1statement.openvex.json',
  'sarif/sample-history.openvex.json',
];

type Json = Record<string, unknown>;
type Mutation = [string, (d: Json) => void];

const s0 = (d: Json) => (d.statements as Json[])[0] as Json;
const p0 = (d: Json) => (s0(d).products as Json[])[0] as Json;

// Each mutation is applied to a valid base document; both schemas must agree on the result.
const MUTATIONS: Mutation[] = [
  ['identity', () => {}],
  ...['@context', '@id', 'author', 'timestamp', 'version', 'statements'].map(
    (k): Mutation => [`drop ${k}`, (d) => delete d[k]],
  ),
  ['extra top-level key', (d) => (d.supplier = 'x')],
  [
    'role and tooling',
    (d) => Object.assign(d, { role: 'r', tooling: 't', last_updated: '2024-01-02T00:00:00Z' }),
  ],
  ['version 0', (d) => (d.version = 0)],
  ['version 1.5', (d) => (d.version = 1.5)],
  ['version string', (d) => (d.version = '1')],
  ['timestamp no zone', (d) => (d.timestamp = '2023-01-16T19:07:16')],
  ['timestamp space', (d) => (d.timestamp = '2023-01-16 19:07:16Z')],
  ['timestamp nanos', (d) => (d.timestamp = '2023-01-16T19:07:16.853479631-06:00')],
  ['timestamp month 13', (d) => (d.timestamp = '2023-13-16T19:07:16Z')],
  ['@id no scheme', (d) => (d['@id'] = 'owner/repo:abc')],
  ['@id urn', (d) => (d['@id'] = 'urn:uuid:1234')],
  ['@context relative', (d) => (d['@context'] = 'openvex/ns')],
  ['empty statements', (d) => (d.statements = [])],
  ['duplicate statement', (d) => (d.statements as Json[]).push(structuredClone(s0(d)))],
  ['statement not object', (d) => (d.statements as unknown[]).push('x')],
  ['drop status', (d) => delete s0(d).status],
  ['drop vulnerability', (d) => delete s0(d).vulnerability],
  ['bad status', (d) => (s0(d).status = 'unknown')],
  ['extra statement key', (d) => (s0(d).statement = 'x')],
  [
    'statement @id and version',
    (d) => Object.assign(s0(d), { '@id': 'https://x.example/s', version: 2 }),
  ],
  ['statement version 0', (d) => (s0(d).version = 0)],
  [
    'not_affected without reasons',
    (d) =>
      Object.assign(s0(d), {
        status: 'not_affected',
        justification: undefined,
        impact_statement: undefined,
      }),
  ],
  [
    'not_affected impact only',
    (d) =>
      Object.assign(s0(d), { status: 'not_affected', impact_statement: 'x' }) &&
      delete s0(d).justification,
  ],
  [
    'bad justification',
    (d) => Object.assign(s0(d), { status: 'not_affected', justification: 'nope' }),
  ],
  [
    'affected no action',
    (d) => {
      s0(d).status = 'affected';
      delete s0(d).action_statement;
      delete s0(d).justification;
    },
  ],
  [
    'affected with action',
    (d) => {
      Object.assign(s0(d), { status: 'affected', action_statement: 'a' });
      delete s0(d).justification;
    },
  ],
  ['fixed with justification', (d) => (s0(d).status = 'fixed')],
  ['vulnerability only @id', (d) => (s0(d).vulnerability = { '@id': 'https://x.example/v' })],
  ['vulnerability extra key', (d) => ((s0(d).vulnerability as Json).cve = 'x')],
  ['duplicate aliases', (d) => ((s0(d).vulnerability as Json).aliases = ['a', 'a'])],
  [
    'aliases repeating the name',
    (d) => ((s0(d).vulnerability as Json).aliases = [(s0(d).vulnerability as Json).name]),
  ],
  ['products empty', (d) => (s0(d).products = [])],
  ['products missing', (d) => delete s0(d).products],
  ['duplicate product', (d) => (s0(d).products as Json[]).push(structuredClone(p0(d)))],
  ['product hashes only', (d) => (s0(d).products = [{ hashes: { 'sha-256': 'ab' } }])],
  ['product identifiers only', (d) => (s0(d).products = [{ identifiers: { purl: 'pkg:npm/a' } }])],
  ['product empty identifiers', (d) => (s0(d).products = [{ identifiers: {} }])],
  ['product blake3 hash', (d) => (p0(d).hashes = { blake3: 'ab' })],
  ['product supplier', (d) => (p0(d).supplier = 'x')],
  [
    'subcomponent nested',
    (d) => (p0(d).subcomponents = [{ '@id': 'pkg:npm/a', subcomponents: [] }]),
  ],
  [
    'duplicate subcomponents',
    (d) => (p0(d).subcomponents = [{ '@id': 'pkg:npm/a' }, { '@id': 'pkg:npm/a' }]),
  ],
  ['subcomponent hashes only', (d) => (p0(d).subcomponents = [{ hashes: { md5: 'ab' } }])],
  ['product @id with space', (d) => (p0(d)['@id'] = 'pkg:npm/a b')],
  ['action timestamp bad', (d) => (s0(d).action_statement_timestamp = 'yesterday')],
];

function base(): Json {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://openvex.dev/docs/example/vex-1',
    author: 'A',
    timestamp: '2024-01-01T00:00:00Z',
    version: 1,
    statements: [
      {
        vulnerability: { name: 'CVE-2024-1', aliases: ['GHSA-aaaa-bbbb-cccc'] },
        products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:npm/a' }] }],
        status: 'not_affected',
        justification: 'component_not_present',
      },
    ],
  };
}

describe.skipIf(!dir)('interop: our schema agrees with the official OpenVEX 0.2.0 schema', () => {
  const official = dir
    ? createAjv().compile(JSON.parse(readVector('vex/openvex_json_schema.json')))
    : undefined;

  it.each(OPENVEX_FILES)('%s', (file) => {
    const value = JSON.parse(readVector(`vex/${file}`));
    expect(conformsToOpenVexSchema(value)).toBe(official?.(value));
  });

  it.each(MUTATIONS)('mutation: %s', (_name, mutate) => {
    const d = base();
    mutate(d);
    const value = JSON.parse(JSON.stringify(d));
    expect(conformsToOpenVexSchema(value)).toBe(official?.(value));
  });

  it('the mutation corpus exercises both outcomes', () => {
    const outcomes = MUTATIONS.map(([, m]) => {
      const d = base();
      m(d);
      return conformsToOpenVexSchema(JSON.parse(JSON.stringify(d)));
    });
    expect(outcomes.filter(Boolean).length).toBeGreaterThan(5);
    expect(outcomes.filter((x) => !x).length).toBeGreaterThan(20);
  });

  it('the 1,666-statement vexhub-rke2 document conforms to both', () => {
    const value = JSON.parse(readVector('vex/openvex/vexhub-rke2.openvex.json'));
    expect(conformsToOpenVexSchema(value)).toBe(true);
    expect(official?.(value)).toBe(true);
  });
});
