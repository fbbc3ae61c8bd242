import { describe, expect, it } from 'vitest';
import { mergeVex, VexBuilder, VexError, validateVex } from '../src/index.js';
import { doc, na, st } from './helpers.js';

describe('mergeVex', () => {
  const a = doc(
    [
      na('CVE-2', 'pkg:npm/a'),
      st('affected', 'CVE-1', 'pkg:npm/a', { timestamp: '2023-06-01T00:00:00Z' }),
    ],
    {
      '@id': 'https://example.com/a',
      author: 'Alice',
    },
  );
  const b = doc([na('CVE-2', 'pkg:npm/a')], {
    '@id': 'https://example.com/b',
    author: 'Bob',
    timestamp: '2024-05-01T00:00:00Z',
  });

  it('is deterministic, pins times, collapses duplicates and emits a strict-valid document', () => {
    const m1 = mergeVex([a, b, a]);
    const m2 = mergeVex([b, a]);
    expect(JSON.stringify(m1.document)).toBe(JSON.stringify(m2.document));
    expect(m1.document['@id']).toMatch(/^urn:flareo:vex:sha256:[0-9a-f]{64}$/);
    expect(m1.document.timestamp).toBe('2024-05-01T00:00:00Z');
    expect(m1.document.statements.map((s) => [s.vulnerability.name, s.timestamp])).toEqual([
      ['CVE-1', '2023-06-01T00:00:00Z'],
      ['CVE-2', '2024-01-01T00:00:00Z'],
      ['CVE-2', '2024-05-01T00:00:00Z'],
    ]);
    expect(m1.duplicatesRemoved).toBe(0);
    expect(m1.dropped.map((d) => d.reason)).toEqual(['superseded']);
    expect(validateVex(m1.document).valid).toBe(true);
  });

  it('collapses identical statements across documents', () => {
    const c = doc([na('CVE-2', 'pkg:npm/a')], { '@id': 'https://example.com/c' });
    expect(mergeVex([a, c]).duplicatesRemoved).toBe(1);
  });

  it('filters by trusted author and takes options', () => {
    const m = mergeVex([a, b], {
      trustedAuthors: ['Bob'],
      id: 'https://catalog.example/api/v1/modules/x/vex',
      author: 'Catalog',
      version: 4,
    });
    expect(m.document).toMatchObject({
      '@id': 'https://catalog.example/api/v1/modules/x/vex',
      author: 'Catalog',
      version: 4,
    });
    expect(m.document.statements).toHaveLength(1);
    expect(m.dropped).toEqual([
      { documentIndex: 0, documentId: 'https://example.com/a', reason: 'untrusted_author' },
    ]);
    expect(() => mergeVex([a], { trustedAuthors: [] })).toThrowError(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
  });

  it('needs a timestamp from somewhere', () => {
    const { timestamp: _t, ...noTime } = doc([na('CVE-1', 'pkg:npm/a')]);
    expect(() => mergeVex([noTime as never])).toThrowError(VexError);
    expect(
      mergeVex([noTime as never], { timestamp: '2025-01-01T00:00:00Z' }).document.timestamp,
    ).toBe('2025-01-01T00:00:00Z');
  });
});

describe('VexBuilder', () => {
  it('writes reviewers’ statements as a strict-valid document', () => {
    const d = new VexBuilder({
      id: 'https://catalog.example/vex/redis',
      author: 'Flareo Catalog Review',
      timestamp: '2025-01-01T00:00:00Z',
      tooling: 'catalog',
    })
      .notAffected({
        vulnerability: 'CVE-2024-1',
        products: ['pkg:oci/redis?repository_url=ghcr.io/flareo/redis'],
        subcomponents: ['pkg:golang/stdlib'],
        impactStatement: 'The vulnerable parser is never reached.',
      })
      .affected({
        vulnerability: { name: 'CVE-2024-2', aliases: ['GHSA-aaaa-bbbb-cccc'] },
        products: ['pkg:npm/x'],
        actionStatement: 'Upgrade to 2.0',
      })
      .fixed({
        vulnerability: 'CVE-2024-3',
        products: [{ '@id': 'pkg:npm/y', hashes: { 'sha-256': 'ab'.repeat(32) } }],
      })
      .underInvestigation({
        vulnerability: 'CVE-2024-4',
        products: ['pkg:npm/z'],
        statusNotes: 'triage',
      })
      .build();
    expect(validateVex(d)).toMatchObject({ valid: true, warnings: [] });
    expect(d.statements.map((s) => s.status)).toEqual([
      'not_affected',
      'affected',
      'fixed',
      'under_investigation',
    ]);
    expect(d.statements[0]?.products?.[0]?.subcomponents).toEqual([{ '@id': 'pkg:golang/stdlib' }]);
    expect(d.version).toBe(1);
  });

  it('refuses to emit an invalid document', () => {
    const b = new VexBuilder({ id: 'not an iri', author: 'x' }).fixed({
      vulnerability: 'C',
      products: ['pkg:npm/a'],
    });
    expect(() => b.build()).toThrowError(expect.objectContaining({ code: 'BUILD_INVALID' }));
    expect(() =>
      new VexBuilder({ id: 'urn:x:y', author: 'x' }).fixed({ vulnerability: 'C', products: [] }),
    ).toThrowError(expect.objectContaining({ code: 'ARGUMENT_INVALID' }));
    expect(() => new VexBuilder(undefined as never)).toThrowError(VexError);
    expect(() => new VexBuilder({ id: 'urn:x:y', author: 'x' }).build()).toThrowError(
      expect.objectContaining({ code: 'BUILD_INVALID' }),
    );
  });
});
