import { describe, expect, it } from 'vitest';
import { parseVex, VexError, type VexIssueCode, validateVex } from '../src/index.js';
import { doc, na, st } from './helpers.js';

const codes = (list: readonly { code: VexIssueCode }[]) => list.map((i) => i.code);

describe('validateVex: strict mode', () => {
  it('accepts a complete document with no warnings', () => {
    const r = validateVex(doc([na('CVE-2024-1', 'pkg:npm/a@1.0.0')]));
    expect(r.valid).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.document?.statements).toHaveLength(1);
  });

  it('accepts JSON text and bytes', () => {
    const text = JSON.stringify(doc([na('CVE-2024-1', 'pkg:npm/a@1.0.0')]));
    expect(validateVex(text).valid).toBe(true);
    expect(validateVex(new TextEncoder().encode(text)).valid).toBe(true);
  });

  it.each<[string, unknown, VexIssueCode, string]>([
    ['not JSON object', [], 'SCHEMA_VIOLATION', ''],
    [
      'no @context',
      { ...doc([na('C', 'pkg:npm/a')]), '@context': undefined },
      'CONTEXT_MISSING',
      '',
    ],
    [
      'foreign @context',
      doc([na('C', 'pkg:npm/a')], { '@context': 'https://example.com/ns' }),
      'CONTEXT_UNKNOWN',
      '/@context',
    ],
    [
      'unversioned @context',
      doc([na('C', 'pkg:npm/a')], { '@context': 'https://openvex.dev/ns' }),
      'CONTEXT_UNVERSIONED',
      '/@context',
    ],
    [
      'trailing-slash @context',
      doc([na('C', 'pkg:npm/a')], { '@context': 'https://openvex.dev/ns/v0.2.0/' }),
      'CONTEXT_TRAILING_SLASH',
      '/@context',
    ],
    ['no @id', { ...doc([na('C', 'pkg:npm/a')]), '@id': undefined }, 'DOCUMENT_ID_MISSING', ''],
    [
      '@id not an IRI',
      doc([na('C', 'pkg:npm/a')], { '@id': 'owner/repo:abc' }),
      'DOCUMENT_ID_NOT_IRI',
      '/@id',
    ],
    ['no author', { ...doc([na('C', 'pkg:npm/a')]), author: undefined }, 'AUTHOR_MISSING', ''],
    [
      'no timestamp',
      { ...doc([na('C', 'pkg:npm/a')]), timestamp: undefined },
      'TIMESTAMP_MISSING',
      '',
    ],
    ['no version', { ...doc([na('C', 'pkg:npm/a')]), version: undefined }, 'VERSION_MISSING', ''],
    ['version 0', doc([na('C', 'pkg:npm/a')], { version: 0 }), 'SCHEMA_VIOLATION', '/version'],
    [
      'timestamp without zone',
      doc([na('C', 'pkg:npm/a')], { timestamp: '2023-01-16T19:07:16' }),
      'SCHEMA_VIOLATION',
      '/timestamp',
    ],
    ['empty statements', doc([]), 'SCHEMA_VIOLATION', '/statements'],
    [
      'extra document key',
      { ...doc([na('C', 'pkg:npm/a')]), supplier: 'x' },
      'EXTRA_KEY',
      '/supplier',
    ],
    [
      'extra statement key',
      doc([{ ...na('C', 'pkg:npm/a'), statement: 'x' } as never]),
      'EXTRA_KEY',
      '/statements/0/statement',
    ],
    [
      'unknown status',
      doc([{ ...na('C', 'pkg:npm/a'), status: 'maybe' } as never]),
      'SCHEMA_VIOLATION',
      '/statements/0/status',
    ],
    [
      'not_affected bare',
      doc([
        {
          vulnerability: { name: 'C' },
          products: [{ '@id': 'pkg:npm/a' }],
          status: 'not_affected',
        },
      ]),
      'NOT_AFFECTED_WITHOUT_JUSTIFICATION',
      '/statements/0',
    ],
    [
      'affected bare',
      doc([
        { vulnerability: { name: 'C' }, products: [{ '@id': 'pkg:npm/a' }], status: 'affected' },
      ]),
      'AFFECTED_WITHOUT_ACTION',
      '/statements/0',
    ],
    [
      'unknown justification',
      doc([na('C', 'pkg:npm/a', { justification: 'because' as never })]),
      'JUSTIFICATION_UNKNOWN',
      '/statements/0/justification',
    ],
    [
      'justification on affected',
      doc([st('affected', 'C', 'pkg:npm/a', { justification: 'component_not_present' })]),
      'FIELD_NOT_ALLOWED_FOR_STATUS',
      '/statements/0/justification',
    ],
    [
      'impact on fixed',
      doc([st('fixed', 'C', 'pkg:npm/a', { impact_statement: 'x' })]),
      'FIELD_NOT_ALLOWED_FOR_STATUS',
      '/statements/0/impact_statement',
    ],
    [
      'action on under_investigation',
      doc([st('under_investigation', 'C', 'pkg:npm/a', { action_statement: 'x' })]),
      'FIELD_NOT_ALLOWED_FOR_STATUS',
      '/statements/0/action_statement',
    ],
    [
      'action on not_affected',
      doc([na('C', 'pkg:npm/a', { action_statement: 'x' })]),
      'FIELD_NOT_ALLOWED_FOR_STATUS',
      '/statements/0/action_statement',
    ],
    [
      'vulnerability without name',
      doc([
        {
          ...na('C', 'pkg:npm/a'),
          vulnerability: { '@id': 'https://nvd.nist.gov/vuln/detail/CVE-1' },
        } as never,
      ]),
      'VULNERABILITY_NAME_MISSING',
      '/statements/0/vulnerability',
    ],
    [
      'hashes-only product',
      doc([{ ...na('C', 'pkg:npm/a'), products: [{ hashes: { 'sha-256': 'ab'.repeat(32) } }] }]),
      'COMPONENT_HASHES_ONLY',
      '/statements/0/products/0',
    ],
    [
      'product with nothing',
      doc([{ ...na('C', 'pkg:npm/a'), products: [{}] }]),
      'SCHEMA_VIOLATION',
      '/statements/0/products/0',
    ],
    [
      'empty identifiers',
      doc([{ ...na('C', 'pkg:npm/a'), products: [{ identifiers: {} }] }]),
      'SCHEMA_VIOLATION',
      '/statements/0/products/0/identifiers',
    ],
    [
      'unknown hash algorithm',
      doc([
        {
          ...na('C', 'pkg:npm/a'),
          products: [{ '@id': 'pkg:npm/a', hashes: { blake3: 'ab' } as never }],
        },
      ]),
      'EXTRA_KEY',
      '/statements/0/products/0/hashes/blake3',
    ],
    [
      'duplicate statement',
      doc([na('C', 'pkg:npm/a'), na('C', 'pkg:npm/a')]),
      'DUPLICATE_STATEMENT',
      '/statements/1',
    ],
    [
      'duplicate product',
      doc([
        { ...na('C', 'pkg:npm/a'), products: [{ '@id': 'pkg:npm/a' }, { '@id': 'pkg:npm/a' }] },
      ]),
      'DUPLICATE_PRODUCT',
      '/statements/0/products/1',
    ],
    [
      'duplicate alias',
      doc([na('C', 'pkg:npm/a', { vulnerability: { name: 'C', aliases: ['X', 'X'] } })]),
      'SCHEMA_VIOLATION',
      '/statements/0/vulnerability/aliases',
    ],
    [
      'vulnerability @id not IRI',
      doc([na('C', 'pkg:npm/a', { vulnerability: { name: 'C', '@id': 'not an iri' } })]),
      'SCHEMA_VIOLATION',
      '/statements/0/vulnerability/@id',
    ],
  ])('rejects %s', (_name, input, code, path) => {
    const r = validateVex(input);
    expect(r.valid).toBe(false);
    expect(r.document).toBeUndefined();
    expect(
      r.errors.some((e) => e.code === code && e.path === path),
      JSON.stringify(r.errors),
    ).toBe(true);
  });

  it('reports the ajv keyword and the actual value for generic schema errors', () => {
    const r = validateVex(doc([na('C', 'pkg:npm/a')], { version: 0 }));
    expect(r.errors[0]).toMatchObject({ code: 'SCHEMA_VIOLATION', keyword: 'minimum', actual: 0 });
  });

  it('lints in both modes: no products, unparsable purl, doubled digest', () => {
    const d = doc([
      { vulnerability: { name: 'A' }, status: 'fixed' },
      st('fixed', 'B', 'pkg:'),
      st('fixed', 'C', `pkg:oci/app@sha256:sha256:${'a'.repeat(64)}`),
    ]);
    const r = validateVex(d);
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toEqual([
      'STATEMENT_WITHOUT_PRODUCTS',
      'PURL_INVALID',
      'DIGEST_DOUBLED',
    ]);
  });

  it('throws VexError JSON_INVALID for text that is not JSON, and ARGUMENT_INVALID for a bad mode', () => {
    expect(() => validateVex('{')).toThrowError(expect.objectContaining({ code: 'JSON_INVALID' }));
    expect(() => validateVex('{}', { mode: 'loose' as never })).toThrowError(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
  });

  it('parseVex throws DOCUMENT_INVALID with every issue', () => {
    try {
      parseVex(
        doc([
          { vulnerability: { name: 'C' }, products: [{ '@id': 'pkg:npm/a' }], status: 'affected' },
        ]),
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VexError);
      const err = e as VexError;
      expect(err.code).toBe('DOCUMENT_INVALID');
      expect(err.detail.path).toBe('/statements/0');
      expect(err.detail.issues?.map((i) => i.code)).toEqual(['AFFECTED_WITHOUT_ACTION']);
    }
  });

  it('escapes JSON pointer segments', () => {
    const r = validateVex({ ...doc([na('C', 'pkg:npm/a')]), 'a/b~c': 1 });
    expect(r.errors.map((e) => e.path)).toContain('/a~1b~0c');
  });
});

describe('validateVex: lenient mode', () => {
  const lenient = { mode: 'lenient' } as const;

  it.each<[string, unknown, VexIssueCode]>([
    ['missing @id', { ...doc([na('C', 'pkg:npm/a')]), '@id': undefined }, 'DOCUMENT_ID_MISSING'],
    [
      'non-IRI @id',
      doc([na('C', 'pkg:npm/a')], { '@id': 'owner/repo:abc' }),
      'DOCUMENT_ID_NOT_IRI',
    ],
    ['missing author', { ...doc([na('C', 'pkg:npm/a')]), author: undefined }, 'AUTHOR_MISSING'],
    [
      'missing timestamp',
      { ...doc([na('C', 'pkg:npm/a')]), timestamp: undefined },
      'TIMESTAMP_MISSING',
    ],
    ['missing version', { ...doc([na('C', 'pkg:npm/a')]), version: undefined }, 'VERSION_MISSING'],
    [
      'string version',
      doc([na('C', 'pkg:npm/a')], { version: '2' as never }),
      'VERSION_NOT_INTEGER',
    ],
    [
      'unversioned @context',
      doc([na('C', 'pkg:npm/a')], { '@context': 'https://openvex.dev/ns' }),
      'CONTEXT_UNVERSIONED',
    ],
    [
      'trailing slash',
      doc([na('C', 'pkg:npm/a')], { '@context': 'https://openvex.dev/ns/v0.2.0/' }),
      'CONTEXT_TRAILING_SLASH',
    ],
    [
      'affected without action',
      doc([
        { vulnerability: { name: 'C' }, products: [{ '@id': 'pkg:npm/a' }], status: 'affected' },
      ]),
      'AFFECTED_WITHOUT_ACTION',
    ],
    ['extra key', doc([{ ...na('C', 'pkg:npm/a'), statement: 'x' } as never]), 'EXTRA_KEY'],
    [
      'vulnerability only @id',
      doc([{ ...na('C', 'pkg:npm/a'), vulnerability: { '@id': 'CVE-2024-9' } } as never]),
      'VULNERABILITY_NAME_MISSING',
    ],
    [
      'hashes-only product',
      doc([{ ...na('C', 'pkg:npm/a'), products: [{ hashes: { 'sha-256': 'ab'.repeat(32) } }] }]),
      'COMPONENT_HASHES_ONLY',
    ],
    [
      'field not allowed for status',
      doc([st('fixed', 'C', 'pkg:npm/a', { justification: 'component_not_present' })]),
      'FIELD_NOT_ALLOWED_FOR_STATUS',
    ],
    [
      'duplicate statement',
      doc([na('C', 'pkg:npm/a'), na('C', 'pkg:npm/a')]),
      'DUPLICATE_STATEMENT',
    ],
  ])('accepts %s with a warning', (_name, input, code) => {
    const r = validateVex(input, lenient);
    expect(r.errors, JSON.stringify(r.errors)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(codes(r.warnings)).toContain(code);
  });

  it('normalizes: extra keys removed, vulnerability name from @id, string version, context pinned', () => {
    const iri = 'https://osv.dev/vulnerability/GO-2024-9';
    const input = doc(
      [{ ...na('C', 'pkg:npm/a'), statement: 'x', vulnerability: { '@id': iri } } as never],
      {
        version: '3' as never,
        '@context': 'https://openvex.dev/ns',
      },
    );
    const before = JSON.stringify(input);
    const d = parseVex(input, lenient).document;
    expect(JSON.stringify(input)).toBe(before); // the input is not modified
    expect(d.version).toBe(3);
    expect(d['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    expect(d.statements[0]?.vulnerability.name).toBe(iri);
    expect('statement' in (d.statements[0] as object)).toBe(false);
    expect(validateVex(d).valid).toBe(true);
  });

  it('transcodes the legacy v0.0.1 shape', () => {
    const legacy = {
      '@context': 'https://openvex.dev/ns',
      '@id': 'https://example.com/legacy',
      author: 'A',
      timestamp: '2023-01-01T00:00:00Z',
      version: '1',
      statements: [
        {
          vulnerability: 'CVE-2023-1',
          products: [`pkg:oci/app@sha256%3A${'a'.repeat(64)}`],
          subcomponents: ['pkg:apk/alpine/busybox'],
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ],
    };
    expect(validateVex(legacy).errors.map((e) => e.code)).toContain('LEGACY_V001');
    const r = parseVex(legacy, lenient);
    expect(codes(r.warnings)).toContain('LEGACY_V001');
    expect(r.document.version).toBe(1);
    expect(r.document.statements[0]).toMatchObject({
      vulnerability: { name: 'CVE-2023-1' },
      products: [
        {
          '@id': `pkg:oci/app@sha256%3A${'a'.repeat(64)}`,
          subcomponents: [{ '@id': 'pkg:apk/alpine/busybox' }],
        },
      ],
    });
  });

  it('still rejects what no tool accepts', () => {
    for (const bad of [
      doc([
        {
          vulnerability: { name: 'C' },
          products: [{ '@id': 'pkg:npm/a' }],
          status: 'not_affected',
        },
      ]),
      doc([na('C', 'pkg:npm/a', { justification: 'because' as never })]),
      doc([na('C', 'pkg:npm/a')], { '@context': 'https://example.com' }),
      { statements: [na('C', 'pkg:npm/a')] },
      doc([{ ...na('C', 'pkg:npm/a'), status: 'maybe' } as never]),
    ]) {
      expect(validateVex(bad, lenient).valid).toBe(false);
    }
  });
});

describe('lint pointers', () => {
  it('name the statement, product, subcomponent and field of each lint', () => {
    const d = doc([
      { vulnerability: { name: 'A' }, status: 'fixed' },
      {
        ...st('not_affected', 'B', 'pkg:npm/ok@1'),
        products: [
          { '@id': 'pkg:npm/ok@1' },
          {
            '@id': 'pkg:',
            identifiers: { purl: `pkg:oci/app@sha256:sha256:${'a'.repeat(64)}` },
            subcomponents: [
              { '@id': 'pkg:npm/fine@1' },
              { '@id': 'pkg:', identifiers: { purl: 'pkg:' } },
              { hashes: { 'sha-256': 'ab'.repeat(32) } },
            ],
          },
          { '@id': 'pkg:npm/ok@1' },
        ],
        action_statement: 'not for not_affected',
      },
    ]);
    const r = validateVex(d, { mode: 'lenient' });
    expect([...r.errors, ...r.warnings].map((w) => [w.code, w.path])).toEqual(
      expect.arrayContaining([
        ['STATEMENT_WITHOUT_PRODUCTS', '/statements/0'],
        ['FIELD_NOT_ALLOWED_FOR_STATUS', '/statements/1/action_statement'],
        ['DUPLICATE_PRODUCT', '/statements/1/products/2'],
        ['PURL_INVALID', '/statements/1/products/1/@id'],
        ['DIGEST_DOUBLED', '/statements/1/products/1/identifiers/purl'],
        ['PURL_INVALID', '/statements/1/products/1/subcomponents/1/@id'],
        ['PURL_INVALID', '/statements/1/products/1/subcomponents/1/identifiers/purl'],
        ['COMPONENT_HASHES_ONLY', '/statements/1/products/1/subcomponents/2'],
      ]),
    );
  });
});

describe('lenient normalization pointers', () => {
  it('name each extra key and repair where it is, in document order', () => {
    const d = {
      ...doc([
        {
          ...st('affected', 'A', 'pkg:npm/a@1'),
          action_statement: undefined,
          zExtra: 1,
          aExtra: 2,
          version: '3',
          vulnerability: { '@id': 'https://example.com/A', 'x/y~z': true },
          products: [
            { '@id': 'pkg:npm/a@1', extra: 1 },
            {
              '@id': 'pkg:npm/b@1',
              subcomponents: [{ '@id': 'pkg:npm/c@1' }, { '@id': 'x', more: 1 }],
            },
          ],
        } as never,
      ]),
      topExtra: true,
    };
    const r = validateVex(JSON.stringify(d), { mode: 'lenient' });
    expect(r.warnings.map((w) => [w.code, w.path])).toEqual([
      ['EXTRA_KEY', '/topExtra'],
      ['EXTRA_KEY', '/statements/0/zExtra'],
      ['EXTRA_KEY', '/statements/0/aExtra'],
      ['VERSION_NOT_INTEGER', '/statements/0/version'],
      ['EXTRA_KEY', '/statements/0/vulnerability/x~1y~0z'],
      ['VULNERABILITY_NAME_MISSING', '/statements/0/vulnerability'],
      ['AFFECTED_WITHOUT_ACTION', '/statements/0'],
      ['EXTRA_KEY', '/statements/0/products/0/extra'],
      ['EXTRA_KEY', '/statements/0/products/1/subcomponents/1/more'],
    ]);
  });
});
