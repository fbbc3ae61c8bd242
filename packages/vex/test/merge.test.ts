import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/canonical.js';
import {
  type MergeOptions,
  type MergeResult,
  mergeVex,
  type VexDocument,
  VexError,
  validateVex,
} from '../src/index.js';
import { doc, na, st } from './helpers.js';

const ID = 'https://example.com/vex/app';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(VexError);
    return (e as VexError).code;
  }
}

describe('mergeVex: editions of one @id', () => {
  const v1a = doc([na('CVE-1', 'pkg:npm/a')], { '@id': ID });
  const v1b = doc([st('affected', 'CVE-1', 'pkg:npm/a')], { '@id': ID });

  it('keeps both documents of the same @id, version and time that differ, in any order', () => {
    const ab = mergeVex([v1a, v1b]);
    const ba = mergeVex([v1b, v1a]);
    expect(JSON.stringify(ab.document)).toBe(JSON.stringify(ba.document));
    expect(ab.document.statements.map((s) => s.status).sort()).toEqual([
      'affected',
      'not_affected',
    ]);
    expect(ab.dropped).toEqual([]);
    expect(ab.conflicts).toEqual([
      { documentId: ID, documentIndexes: [0, 1], version: 1, time: '2024-01-01T00:00:00Z' },
    ]);
    expect(validateVex(ab.document).valid).toBe(true);
  });

  it('refuses them with MERGE_CONFLICT naming both when asked to', () => {
    const noise = doc([na('CVE-9', 'pkg:npm/z')], { '@id': 'https://example.com/other' });
    try {
      mergeVex([noise, v1a, v1b], { onConflict: 'reject' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VexError);
      const err = e as VexError;
      expect(err.code).toBe('MERGE_CONFLICT');
      expect(err.message).toContain('documents 1 and 2');
      expect(err.message).toContain(ID);
      expect(err.detail.path).toBe('/1');
    }
    // Without a conflict, `reject` changes nothing.
    expect(mergeVex([noise, v1a, v1a], { onConflict: 'reject' }).dropped).toEqual([
      { documentIndex: 2, documentId: ID, reason: 'superseded', by: 1 },
    ]);
    expect(codeOf(() => mergeVex([v1a], { onConflict: 'maybe' as never }))).toBe(
      'ARGUMENT_INVALID',
    );
  });

  it('a newer version, or the same version updated later, supersedes the conflicting pair', () => {
    const v2 = doc([st('fixed', 'CVE-1', 'pkg:npm/a')], { '@id': ID, version: 2 });
    const later = doc([st('fixed', 'CVE-1', 'pkg:npm/a')], {
      '@id': ID,
      last_updated: '2024-02-01T00:00:00Z',
    });
    for (const newest of [v2, later]) {
      const m = mergeVex([v1a, newest, v1b]);
      expect(m.conflicts).toEqual([]);
      expect(m.document.statements.map((s) => s.status)).toEqual(['fixed']);
      expect(m.dropped).toEqual([
        { documentIndex: 0, documentId: ID, reason: 'superseded', by: 1 },
        { documentIndex: 2, documentId: ID, reason: 'superseded', by: 1 },
      ]);
    }
  });

  it('the merged timestamp does not depend on order when equal instants are spelled differently', () => {
    const z = doc([na('CVE-1', 'pkg:npm/a')], {
      '@id': 'https://example.com/z',
      timestamp: '2024-01-01T00:00:00Z',
    });
    const offset = doc([na('CVE-2', 'pkg:npm/a', { timestamp: '2023-01-01T00:00:00Z' })], {
      '@id': 'https://example.com/o',
      timestamp: '2024-01-01T00:00:00+00:00',
    });
    expect(mergeVex([z, offset]).document).toEqual(mergeVex([offset, z]).document);
  });
});

describe('mergeVex: nothing left to merge', () => {
  const a = doc([na('CVE-1', 'pkg:npm/a')], { '@id': 'https://example.com/a', author: 'Alice' });
  const b = doc([na('CVE-2', 'pkg:npm/b')], { '@id': 'https://example.com/b', author: 'Bob' });

  it('says the trusted-author filter dropped every document, and how many', () => {
    try {
      mergeVex([a, b, a], { trustedAuthors: ['nobody'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VexError);
      const err = e as VexError;
      expect(err.code).toBe('NOTHING_TO_MERGE');
      expect(err.message).toContain('trusted-author filter dropped every document (3 of 3)');
      expect(err.message).not.toContain('timestamp');
      expect(err.detail).toMatchObject({
        path: '/trustedAuthors',
        expected: ['nobody'],
        actual: ['Alice', 'Bob'],
      });
    }
    // Also when the documents have no timestamp (the old message blamed the timestamp).
    const { timestamp: _t, ...untimed } = a;
    expect(codeOf(() => mergeVex([untimed as never], { trustedAuthors: ['nobody'] }))).toBe(
      'NOTHING_TO_MERGE',
    );
  });

  it('refuses no documents, an empty trusted list, and documents without statements', () => {
    expect(codeOf(() => mergeVex([]))).toBe('NOTHING_TO_MERGE');
    expect(codeOf(() => mergeVex([a], { trustedAuthors: [] }))).toBe('ARGUMENT_INVALID');
    const empty = doc([], { '@id': 'https://example.com/empty' });
    try {
      mergeVex([empty, b], { trustedAuthors: ['Test Author'] });
      expect.unreachable();
    } catch (e) {
      expect((e as VexError).code).toBe('NOTHING_TO_MERGE');
      expect((e as VexError).message).toContain('hold no statements');
    }
  });
});

describe('mergeVex: order independence (property)', () => {
  const statement = fc.constantFrom(
    na('CVE-1', 'pkg:npm/a'),
    na('CVE-1', 'pkg:npm/a', { timestamp: '2023-05-01T00:00:00Z' }),
    st('affected', 'CVE-1', 'pkg:npm/a'),
    st('fixed', 'CVE-2', 'pkg:npm/b'),
    st('under_investigation', 'cve-2', 'pkg:npm/b'),
  );
  const document = fc
    .record({
      id: fc.constantFrom('https://example.com/x', 'https://example.com/y', undefined),
      version: fc.constantFrom(1, 2),
      timestamp: fc.constantFrom(
        '2024-01-01T00:00:00Z',
        '2024-01-01T00:00:00+00:00',
        '2024-03-01T00:00:00Z',
      ),
      updated: fc.option(fc.constantFrom('2024-06-01T00:00:00Z', '2024-06-01T02:00:00+02:00'), {
        nil: undefined,
      }),
      author: fc.constantFrom('Alice', 'Bob'),
      statements: fc.uniqueArray(statement, {
        minLength: 1,
        maxLength: 3,
        selector: canonicalJson,
      }),
    })
    .map((r): VexDocument => {
      const d = doc(r.statements, {
        author: r.author,
        version: r.version,
        timestamp: r.timestamp,
      });
      if (r.id === undefined) delete d['@id'];
      else d['@id'] = r.id;
      if (r.updated !== undefined) d.last_updated = r.updated;
      return d;
    });
  const options = fc.constantFrom<MergeOptions>({}, { trustedAuthors: ['Alice'] });

  /** Everything of a result that must not depend on the input order. */
  function summary(docs: readonly VexDocument[], fn: () => MergeResult): unknown {
    let r: MergeResult;
    try {
      r = fn();
    } catch (e) {
      return { error: (e as VexError).code };
    }
    const content = (i: number) => canonicalJson(docs[i]);
    return {
      document: JSON.stringify(r.document),
      duplicatesRemoved: r.duplicatesRemoved,
      dropped: r.dropped.map((d) => `${d.reason} ${content(d.documentIndex)}`).sort(),
      conflicts: r.conflicts.map((c) => c.documentIndexes.map(content).sort()).sort(),
    };
  }

  it('merge(any permutation of the documents) gives the same document and report', () => {
    fc.assert(
      fc.property(
        fc
          .array(document, { minLength: 1, maxLength: 7 })
          .chain((docs) =>
            fc.tuple(
              fc.constant(docs),
              fc.shuffledSubarray(docs, { minLength: docs.length, maxLength: docs.length }),
            ),
          ),
        options,
        ([docs, shuffled], opts) => {
          expect(summary(shuffled, () => mergeVex(shuffled, opts))).toEqual(
            summary(docs, () => mergeVex(docs, opts)),
          );
        },
      ),
    );
  });
});
