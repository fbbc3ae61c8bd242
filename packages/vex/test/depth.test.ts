import { describe, expect, it } from 'vitest';
import { conformsToOpenVexSchema, MAX_REPORT_DEPTH, MAX_VEX_DEPTH } from '../src/advanced.js';
import { canonicalJson } from '../src/canonical.js';
import { findTooDeep } from '../src/depth.js';
import {
  applyToGrype,
  applyToSarif,
  applyToTrivy,
  mergeVex,
  parseVex,
  VexError,
  validateVex,
} from '../src/index.js';
import { doc, na, trivyReport } from './helpers.js';

// Deep input is built without recursion: text by repetition, values by a loop.
const DEPTHS = [10_000, 100_000];

function nestedArrayText(n: number, leaf = '1'): string {
  return `${'['.repeat(n)}${leaf}${']'.repeat(n)}`;
}

function nestedObjectText(n: number): string {
  return `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
}

function nestedValue(n: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** A valid document with `inner` (JSON text) as an extra key of its statement. */
function vexText(inner: string): string {
  const base = JSON.stringify(doc([na('CVE-2024-1', 'pkg:npm/a')]));
  return base.replace('"status":', `"x":${inner},"status":`);
}

function tooDeep(fn: () => unknown): VexError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VexError);
    expect((e as VexError).code).toBe('INPUT_TOO_DEEP');
    return e as VexError;
  }
  throw new Error('expected INPUT_TOO_DEEP');
}

describe('nesting depth of VEX documents', () => {
  for (const n of DEPTHS) {
    for (const [kind, text] of [
      ['arrays', nestedArrayText(n)],
      ['objects', nestedObjectText(n)],
    ] as const) {
      it(`validateVex: ${n.toLocaleString('en')} nested ${kind} are invalid, in both modes, as text and as a value`, () => {
        const value = JSON.parse(vexText(text));
        for (const input of [vexText(text), value]) {
          for (const mode of ['strict', 'lenient'] as const) {
            const r = validateVex(input, { mode });
            expect(r.valid).toBe(false);
            expect(r.errors.map((e) => e.code)).toEqual(['INPUT_TOO_DEEP']);
            expect(r.errors[0]?.path.startsWith('/statements/0/x/')).toBe(true);
            expect(r.errors[0]?.path.split('/')).toHaveLength(MAX_VEX_DEPTH + 1);
            // The result itself is safe to serialize.
            expect(JSON.stringify(r).length).toBeLessThan(2_000);
          }
        }
      });
    }

    it(`parseVex and conformsToOpenVexSchema: ${n.toLocaleString('en')} levels`, () => {
      const text = vexText(nestedArrayText(n));
      try {
        parseVex(text, { mode: 'lenient' });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(VexError);
        expect((e as VexError).code).toBe('DOCUMENT_INVALID');
        expect((e as VexError).detail.issues?.[0]?.code).toBe('INPUT_TOO_DEEP');
      }
      expect(conformsToOpenVexSchema(JSON.parse(text))).toBe(false);
      // A deep top-level array (not even an object) is refused the same way.
      expect(validateVex(nestedArrayText(n)).errors[0]?.code).toBe('INPUT_TOO_DEEP');
      // So is a deep value where the schema wants a string.
      const author = JSON.stringify(doc([na('CVE-2024-1', 'pkg:npm/a')])).replace(
        '"author":"Test Author"',
        `"author":${nestedObjectText(n)}`,
      );
      expect(validateVex(author).errors.map((e) => e.code)).toEqual(['INPUT_TOO_DEEP']);
    });
  }

  it('accepts exactly MAX_VEX_DEPTH levels and refuses one more', () => {
    // document (1), statements (2), statement (3), then `x` holds the rest.
    const at = (levels: number) => vexText(nestedArrayText(levels - 3));
    const ok = validateVex(at(MAX_VEX_DEPTH), { mode: 'lenient' });
    expect(ok.valid).toBe(true);
    expect(ok.warnings.map((w) => w.code)).toEqual(['EXTRA_KEY']);
    expect(validateVex(at(MAX_VEX_DEPTH + 1), { mode: 'lenient' }).errors[0]?.code).toBe(
      'INPUT_TOO_DEEP',
    );
  });

  it('refuses a document that contains itself', () => {
    const d = doc([na('CVE-2024-1', 'pkg:npm/a')]) as unknown as Record<string, unknown>;
    const s = (d.statements as Record<string, unknown>[])[0] as Record<string, unknown>;
    s.self = d;
    const r = validateVex(d, { mode: 'lenient' });
    expect(r.errors).toEqual([
      expect.objectContaining({ code: 'INPUT_TOO_DEEP', path: '/statements/0/self' }),
    ]);
    tooDeep(() => mergeVex([d as never]));
  });

  it('mergeVex refuses a deep document given as a value, naming its position', () => {
    for (const n of DEPTHS) {
      const deep = doc([{ ...na('CVE-2024-1', 'pkg:npm/a'), x: nestedValue(n, 'array') } as never]);
      const e = tooDeep(() => mergeVex([doc([na('CVE-2024-2', 'pkg:npm/b')]), deep]));
      expect(e.detail.path?.startsWith('/1/statements/0/x/')).toBe(true);
      expect(e.message).toContain(`${MAX_VEX_DEPTH} levels`);
    }
  });

  it('canonicalJson refuses deep and cyclic values with a coded error, and bigints', () => {
    for (const n of DEPTHS) {
      const e = tooDeep(() => canonicalJson(nestedValue(n, 'object')));
      expect(e.detail.path?.split('/')).toHaveLength(MAX_REPORT_DEPTH + 1);
      tooDeep(() => canonicalJson(nestedValue(n, 'array')));
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.b = [cyclic];
    expect(tooDeep(() => canonicalJson(cyclic)).detail.path).toBe('/b/0');
    expect(() => canonicalJson({ n: 1n })).toThrowError(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
    expect(canonicalJson(nestedValue(MAX_REPORT_DEPTH, 'array'))).toBe(
      nestedArrayText(MAX_REPORT_DEPTH),
    );
  });
});

describe('nesting depth of reports', () => {
  const vex = [doc([na('CVE-2024-1', 'pkg:npm/a')])];
  const trivyWith = (inner: string) =>
    JSON.stringify(trivyReport([{ id: 'CVE-2024-1', purl: 'pkg:npm/a@1' }])).replace(
      '"SchemaVersion":2',
      `"SchemaVersion":2,"Deep":${inner}`,
    );
  const grypeWith = (inner: string) =>
    `{"matches":[{"vulnerability":{"id":"CVE-2024-1"},"artifact":{"purl":"pkg:npm/a@1","metadata":${inner}}}]}`;
  const sarifWith = (inner: string) =>
    `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t"}},"results":[{"ruleId":"CVE-2024-1","properties":${inner}}]}]}`;

  for (const n of DEPTHS) {
    it(`applyToTrivy, applyToGrype, applyToSarif: ${n.toLocaleString('en')} levels, as text and as a value`, () => {
      for (const [apply, text] of [
        [applyToTrivy, trivyWith(nestedArrayText(n))],
        [applyToGrype, grypeWith(nestedObjectText(n))],
        [applyToSarif, sarifWith(nestedArrayText(n))],
      ] as const) {
        const e = tooDeep(() => apply(text, vex));
        expect(e.detail.path?.split('/')).toHaveLength(MAX_REPORT_DEPTH + 1);
        tooDeep(() => apply(JSON.parse(text), vex));
      }
    });
  }

  it('accepts MAX_REPORT_DEPTH levels, and a report value with a cycle is still copied', () => {
    // report (1), then Deep holds the rest.
    const text = trivyWith(nestedArrayText(MAX_REPORT_DEPTH - 1));
    expect(applyToTrivy(text, vex).findings[0]?.disposition).toBe('suppressed');
    expect(applyToTrivy(JSON.parse(text), vex).findings[0]?.disposition).toBe('suppressed');
    tooDeep(() => applyToTrivy(trivyWith(nestedArrayText(MAX_REPORT_DEPTH)), vex));
    // A cycle below the depth limit, and a non-JSON value (a Date) deeper down.
    const cyclic = JSON.parse(text) as Record<string, unknown>;
    cyclic.self = cyclic;
    cyclic.when = new Date(0);
    expect(applyToTrivy(cyclic, vex).findings[0]?.disposition).toBe('suppressed');
    // A value that cannot be copied at all is a coded error, not a DataCloneError.
    expect(() => applyToTrivy({ ...JSON.parse(text), f: () => 1 }, vex)).toThrowError(
      expect.objectContaining({ code: 'REPORT_INVALID' }),
    );
  });

  it('a dependency chain 100,000 packages long is walked without recursion', () => {
    const n = 100_000;
    const packages: Record<string, unknown>[] = [];
    // root0 → root1 → … → root(n-1) → leaf
    for (let i = 0; i < n; i++) {
      packages.push({
        ID: `p${i}`,
        Identifier: { PURL: `pkg:npm/p${i}@1` },
        DependsOn: [i + 1 < n ? `p${i + 1}` : 'leaf'],
      });
    }
    packages.push({ ID: 'leaf', Identifier: { PURL: 'pkg:npm/leaf@1' } });
    const report = trivyReport(
      [{ id: 'CVE-2024-9', purl: 'pkg:npm/leaf@1', pkgId: 'leaf' }],
      {},
      packages,
    );
    const atRoot = doc([
      {
        ...na('CVE-2024-9', 'pkg:npm/p0'),
        products: [{ '@id': 'pkg:npm/p0', subcomponents: [{ '@id': 'pkg:npm/leaf' }] }],
      },
    ]);
    const cut = applyToTrivy(report, [atRoot]).findings[0];
    expect(cut?.disposition).toBe('suppressed');
    expect(cut?.via).toBe('paths');
    // Cut at the root only: a second root that reaches the leaf uncut leaves it open.
    packages.push({ ID: 'other', Identifier: { PURL: 'pkg:npm/other@1' }, DependsOn: ['p5'] });
    const open = applyToTrivy(report, [atRoot]).findings[0];
    expect(open?.disposition).toBe('unaddressed');
  });
});

describe('findTooDeep', () => {
  it('measures a shared object once (a diamond chain 70 levels deep)', () => {
    let v: unknown = 1;
    for (let i = 0; i < 70; i++) v = { a: v, b: v };
    expect(findTooDeep(v, 80)).toBeUndefined();
    expect(findTooDeep(v, 64)?.cycle).toBe(false);
  });

  it('ignores cycles when asked, and reports them otherwise', () => {
    const a: Record<string, unknown> = {};
    a.a = a;
    expect(findTooDeep(a, 10)).toEqual({ path: '/a', cycle: true });
    expect(findTooDeep(a, 10, { cycles: 'ignore' })).toBeUndefined();
    expect(findTooDeep('x', 0)).toBeUndefined();
  });
});
