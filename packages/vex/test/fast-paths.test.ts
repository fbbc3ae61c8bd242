import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeResidual, conformsToOpenVexSchema } from '../src/advanced.js';
import { copyPlainJson, isPlainJson, NOT_PLAIN } from '../src/copy.js';
import {
  applyToGrype,
  applyToSarif,
  applyToTrivy,
  createVexIndex,
  type FindingOutcome,
  validateVex,
} from '../src/index.js';
import {
  coarsePackageKey,
  parsePurlSafe,
  plainVersion,
  slowCoarsePackageKey,
} from '../src/purl.js';
import { doc, na, st } from './helpers.js';

// The apply fast paths (near misses only when asked for, the JSON copy of the report, residual counted as
// findings are decided) must give what the plain versions gave.
const d = doc([na('CVE-1', 'pkg:npm/a@2'), na('CVE-2', 'pkg:npm/b')]);
const report = () => ({
  Results: [
    {
      Target: 't',
      Vulnerabilities: [
        { VulnerabilityID: 'CVE-1', PkgIdentifier: { PURL: 'pkg:npm/a@1' }, Severity: 'HIGH' },
        { VulnerabilityID: 'CVE-2', PkgIdentifier: { PURL: 'pkg:npm/b@1' }, Severity: 'LOW' },
        { VulnerabilityID: 'CVE-3', PkgIdentifier: { PURL: 'pkg:npm/c@1' }, Severity: 'LOW' },
      ],
    },
  ],
});

describe('near misses: the explain option and result.explain', () => {
  it('are worked out only when asked for, and are plain data', () => {
    const lazy = applyToTrivy(report(), [d]);
    const [miss] = lazy.findings;
    expect(miss?.nearMisses).toEqual([]);
    const asked = lazy.explain(miss as FindingOutcome);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ field: 'version', expected: '2', actual: '1' });
    const eager = applyToTrivy(report(), [d], { explain: true });
    expect(eager.findings[0]?.nearMisses).toEqual(asked);
    expect(eager.explain(eager.findings[0] as FindingOutcome)).toEqual(asked);
    const plain = JSON.parse(JSON.stringify(eager.findings[0]));
    expect(plain.nearMisses).toEqual(asked);
    expect(structuredClone(eager.findings[0])).toEqual(plain);
  });

  it('are those resolveAll gives for the same queries', () => {
    const index = createVexIndex([d]);
    const r = applyToTrivy(report(), index);
    const direct = index.resolveAll([
      { vulnerability: ['CVE-1'], product: { purls: ['pkg:npm/a@1'] } },
    ]).nearMisses;
    expect(r.explain(r.findings[0] as FindingOutcome)).toEqual(direct);
  });

  it('are empty for a finding a statement decided', () => {
    for (const explain of [false, true]) {
      const r = applyToTrivy(report(), [d], { explain });
      const decided = r.findings[1] as FindingOutcome;
      expect(decided.disposition).toBe('suppressed');
      expect(r.explain(decided)).toEqual([]);
    }
  });

  it('explain is a method the result does not serialize, and refuses a foreign finding', () => {
    const r = applyToTrivy(report(), [d]);
    expect(Object.keys(r)).not.toContain('explain');
    expect(JSON.parse(JSON.stringify(r))).not.toHaveProperty('explain');
    const other = applyToTrivy(report(), [d]);
    for (const foreign of [other.findings[0], other.findings[1], { ...r.findings[0] }, null, 'x']) {
      expect(() => r.explain(foreign as FindingOutcome)).toThrowError(
        expect.objectContaining({ name: 'VexError', code: 'ARGUMENT_INVALID' }),
      );
    }
  });

  it('are found for every run of a SARIF log', () => {
    const sarif = {
      version: '2.1.0',
      runs: [0, 1].map(() => ({
        tool: { driver: { name: 'grype', rules: [{ id: 'CVE-2024-0001-a' }] } },
        results: [{ ruleId: 'CVE-2024-0001-a', message: { text: 'x' } }],
      })),
    };
    const sub = doc([
      {
        ...na('CVE-2024-0001', 'pkg:oci/app'),
        products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:npm/a' }] }],
      },
    ]);
    const r = applyToSarif(sarif, [sub], { product: { purls: ['pkg:oci/app'] } });
    expect(r.findings.map((f) => r.explain(f)[0]?.field)).toEqual(['subcomponent', 'subcomponent']);
  });
});

describe('report copy', () => {
  it('copies plain JSON data and leaves the input as it was', () => {
    const input = report();
    const before = JSON.stringify(input);
    const out = applyToTrivy(input, [d]).report as ReturnType<typeof report>;
    expect(JSON.stringify(input)).toBe(before);
    expect(out.Results[0]).not.toBe(input.Results[0]);
    expect(out.Results[0]?.Vulnerabilities[0]).not.toBe(input.Results[0]?.Vulnerabilities[0]);
  });

  it('keeps an own "__proto__" key as data', () => {
    const input = JSON.parse('{"__proto__": {"x": 1}, "Results": []}');
    const out = applyToTrivy(input, [d]).report;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out as object, '__proto__')).toBe(true);
  });

  it('falls back to structuredClone for what is not plain JSON: dates, cycles', () => {
    const when = new Date(0);
    const withDate = { ...report(), CreatedAt: when };
    const out = applyToTrivy(withDate, [d]).report as { CreatedAt: Date };
    expect(out.CreatedAt).toBeInstanceOf(Date);
    expect(out.CreatedAt).not.toBe(when);
    const cyclic: Record<string, unknown> = report();
    cyclic.self = cyclic;
    const copy = applyToTrivy(cyclic, [d]).report as Record<string, unknown>;
    expect(copy.self).toBe(copy);
    expect(() => applyToTrivy({ ...report(), f: () => 1 }, [d])).toThrow();
  });
});

describe('report applied in place', () => {
  it('takes as plain JSON exactly what the copy takes', () => {
    const holed: unknown[] = [1];
    holed[2] = 3;
    const odd = fc.constantFrom<unknown>(new Date(0), new Map(), () => 1, Symbol('s'), holed);
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.jsonValue({ maxDepth: 3 }),
        odd,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 6 }), (v, depth) => {
        expect(isPlainJson(v, depth)).toBe(copyPlainJson(v, depth) !== NOT_PLAIN);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the keys the copy reads: own, enumerable, not inherited', () => {
    const hidden = { a: 1 };
    Object.defineProperty(hidden, 'fn', { value: () => 1, enumerable: false });
    const bare = Object.assign(Object.create(null), { a: { b: [1] } });
    const protoKey = JSON.parse('{"__proto__": {"x": [1]}}');
    const cases: [name: string, value: unknown, plain: boolean][] = [
      ['a non-enumerable function', hidden, true],
      ['a null-prototype object', bare, true],
      ['an own "__proto__" key', protoKey, true],
      [
        'a getter giving a function',
        Object.defineProperty({}, 'g', { get: () => () => 1, enumerable: true }),
        false,
      ],
      ['a nested date', { a: [{ d: new Date(0) }] }, false],
    ];
    for (const [name, v, expected] of cases) {
      expect(isPlainJson(v, 8), name).toBe(expected);
      expect(copyPlainJson(v, 8) !== NOT_PLAIN, name).toBe(expected);
    }
    // What Object.prototype inherits enumerably is not the object's own: neither reads it.
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.flareoInherited = () => 1;
    try {
      expect(isPlainJson({ a: 1 }, 8)).toBe(true);
      expect(copyPlainJson({ a: 1 }, 8)).toEqual({ a: 1 });
    } finally {
      delete polluted.flareoInherited;
    }
  });

  it('gives the result a copy gives, in the input itself', () => {
    for (const explain of [false, true]) {
      const copied = applyToTrivy(report(), [d], { explain });
      const input = report();
      const inPlace = applyToTrivy(input, [d], { explain, inPlace: true });
      expect(inPlace.report).toBe(input);
      expect(JSON.stringify(inPlace.report)).toBe(JSON.stringify(copied.report));
      expect(JSON.stringify(inPlace.findings)).toBe(JSON.stringify(copied.findings));
      expect(inPlace.residual).toEqual(copied.residual);
      expect(inPlace.explain(inPlace.findings[0] as FindingOutcome)).toEqual(
        copied.explain(copied.findings[0] as FindingOutcome),
      );
    }
    const grype = () => ({
      matches: [
        { vulnerability: { id: 'CVE-2' }, artifact: { purl: 'pkg:npm/b@1' } },
        { vulnerability: { id: 'CVE-3' }, artifact: { purl: 'pkg:npm/c@1' } },
      ],
    });
    const g = grype();
    expect(JSON.stringify(applyToGrype(g, [d], { inPlace: true }).report)).toBe(
      JSON.stringify(applyToGrype(grype(), [d]).report),
    );
    expect(g.matches).toHaveLength(1);
    const sarif = () => ({
      runs: [{ tool: { driver: { name: 't' } }, results: [{ ruleId: 'CVE-2', message: {} }] }],
    });
    const s = sarif();
    const product = { purls: ['pkg:npm/b'] };
    expect(applyToSarif(s, [d], { product, inPlace: true }).report).toBe(s);
    expect(JSON.stringify(s)).toBe(JSON.stringify(applyToSarif(sarif(), [d], { product }).report));
  });

  it('refuses a report too deep, as a copy does, takes what is not plain JSON, ignores the option for text', () => {
    let deep: Record<string, unknown> = {};
    const top = { Results: [], x: deep };
    for (let i = 0; i < 200; i++) {
      const next = {};
      deep.x = next;
      deep = next;
    }
    for (const inPlace of [false, true]) {
      expect(() => applyToTrivy(top, [d], { inPlace })).toThrow(
        expect.objectContaining({ code: 'INPUT_TOO_DEEP' }),
      );
    }
    // What a copy would not take as plain JSON (a Date, a cycle) is measured the way the
    // copy's fallback measures it, and used as it is.
    const when = new Date(0);
    const dated = { ...report(), CreatedAt: when };
    expect((applyToTrivy(dated, [d], { inPlace: true }).report as typeof dated).CreatedAt).toBe(
      when,
    );
    const cyclic: Record<string, unknown> = report();
    cyclic.self = cyclic;
    expect(applyToTrivy(cyclic, [d], { inPlace: true }).report).toBe(cyclic);
    const text = JSON.stringify(report());
    const r = applyToTrivy(text, [d], { inPlace: true });
    expect(JSON.stringify(r.report)).toBe(JSON.stringify(applyToTrivy(report(), [d]).report));
  });
});

describe('residual', () => {
  it('counted during the apply equals computeResidual over the findings', () => {
    for (const r of [
      applyToTrivy(report(), [d]),
      applyToTrivy(report(), [d], { product: { purls: ['pkg:npm/b'] } }),
    ]) {
      expect(r.residual).toEqual(computeResidual(r.findings));
    }
    const grype = applyToGrype(
      {
        matches: [
          {
            vulnerability: { id: 'CVE-2', severity: 'Low' },
            artifact: { purl: 'pkg:npm/b@1', cpes: ['cpe:2.3:a:b:b:1:*:*:*:*:*:*:*'] },
          },
          { vulnerability: { id: 'CVE-2', severity: 'High' }, artifact: { purl: 'pkg:npm/b@1' } },
        ],
      },
      [d],
    );
    expect(grype.residual).toEqual(computeResidual(grype.findings));
    expect(grype.residual.findings.suppressed).toBe(2);
  });
});

describe('packages no statement can name are not compiled', () => {
  // Each finding is decided as if its package had been compiled: the skip only applies when
  // no claim of the vulnerability's statements has one of the package's keys.
  const statements = [
    na('CVE-A', 'pkg:golang/app', {
      products: [{ '@id': 'pkg:golang/app', subcomponents: [{ '@id': 'pkg:golang/lib@v1.0.0' }] }],
    }),
    na('CVE-A', 'pkg:npm/x'),
    na('CVE-B', 'pkg:1npm/a@1'), // not a valid purl: matched by its text (an IRI) only
    na('CVE-C', 'pkg:golang/app'),
    na('CVE-D', 'pkg:npm/x', {
      vulnerability: { name: 'CVE-D', aliases: ['GHSA-aaaa-bbbb-cccc'] },
    }),
  ];
  const index = createVexIndex([doc(statements)]);
  const finding = (id: string, purl: string) => ({
    VulnerabilityID: id,
    PkgIdentifier: { PURL: purl },
    Severity: 'HIGH',
  });
  const vulns = [
    finding('CVE-A', 'pkg:golang/lib@v1.0.0'),
    finding('CVE-A', 'pkg:golang/lib@v2.0.0'),
    finding('CVE-A', 'pkg:npm/x@1'),
    finding('CVE-A', 'pkg:npm/y@1'),
    finding('CVE-B', 'pkg:1npm/a@1'),
    finding('CVE-B', 'pkg:1npm/a@2'),
    finding('CVE-C', 'pkg:npm/z@1'),
    finding('GHSA-AAAA-BBBB-CCCC', 'pkg:NPM/X@3'),
    finding('CVE-A', 'pkg:generic'),
  ];
  const report = { Results: [{ Target: 't', Vulnerabilities: vulns }] };
  const app = { purls: ['pkg:golang/app@v9.0.0'] };

  it('decide every finding as resolveAll does, with and without a product', () => {
    for (const product of [undefined, app]) {
      const result = applyToTrivy(report, index, product ? { product } : {});
      const eager = applyToTrivy(
        report,
        index,
        product ? { product, explain: true } : { explain: true },
      );
      result.findings.forEach((f, i) => {
        const purl = vulns[i]?.PkgIdentifier.PURL as string;
        const queries = [
          { vulnerability: f.vulnerability, product: { purls: [purl] } },
          ...(product
            ? [{ vulnerability: f.vulnerability, product, subcomponent: { purls: [purl] } }]
            : []),
        ];
        const direct = index.resolveAll(queries);
        expect(f.statement?.ref, `${purl} ${product ? 'with' : 'without'} a product`).toEqual(
          direct.winner?.ref,
        );
        expect(result.explain(f)).toEqual(direct.nearMisses);
        expect(eager.findings[i]?.nearMisses).toEqual(direct.nearMisses);
        expect(f.nearMisses).toEqual([]);
      });
    }
  });

  it('still find matches by package, by subcomponent, by text and by product', () => {
    const without = applyToTrivy(report, index).findings;
    expect(without.map((f) => f.via ?? null)).toEqual([
      null,
      null,
      'package',
      null,
      'package',
      null,
      null,
      'package',
      null,
    ]);
    const withApp = applyToTrivy(report, index, { product: app, explain: true }).findings;
    expect(withApp.map((f) => f.via ?? null)).toEqual([
      'product',
      null,
      'package',
      null,
      'package',
      null,
      'product',
      'package',
      null,
    ]);
    expect(withApp[1]?.nearMisses[0]).toMatchObject({ field: 'version', expected: 'v1.0.0' });
  });
});

describe('packages named only at other versions are not compiled', () => {
  // A purl whose version is certain without parsing, and equal to no version the statements
  // give its package, is not parsed: every finding is still decided as `resolveAll` decides.
  it('plainVersion is the parsed version up to case, or undefined', () => {
    const char = fc.constantFrom(...'aZ09.-_~+:@/%? #é\t\n\r\u0001'.split(''), '%41', '%2F');
    const text = fc.array(char, { minLength: 0, maxLength: 8 }).map((c) => c.join(''));
    const purl = fc
      .tuple(
        fc.constantFrom('pkg:', 'pkg://', 'PKG:', ' pkg:'),
        fc.constantFrom('golang', 'npm', 'OCI', 'oci', 'huggingface', 'luarocks', 'deb', 'n%70m'),
        fc.constantFrom('/github.com/a/', '/', '/@scope/', '//x/'),
        text,
        fc.constantFrom('', '@'),
        text,
        fc.constantFrom('', '?arch=x', '#sub', '?a=@b'),
      )
      .map((p) => p.join(''));
    fc.assert(
      fc.property(purl, (raw) => {
        const v = plainVersion(raw);
        if (v === undefined) return;
        const parsed = parsePurlSafe(raw);
        if (parsed) expect(parsed.version?.toLowerCase(), raw).toBe(v.toLowerCase());
      }),
      { numRuns: 5000 },
    );
    expect(plainVersion('pkg:golang/github.com/a/b@v1.2.3')).toBe('v1.2.3');
    expect(plainVersion('pkg:deb/debian/curl@7.74.0-1.3%2Bdeb11u7?arch=amd64')).toBeUndefined();
    expect(plainVersion('pkg:deb/debian/curl@1:7.74.0-1?arch=amd64')).toBe('1:7.74.0-1');
    expect(plainVersion('pkg:npm/@scope/name')).toBeUndefined();
    expect(plainVersion('pkg:oci/app@sha256:abc')).toBeUndefined();
    expect(plainVersion('pkg:npm/a')).toBeUndefined();
    expect(plainVersion('pkg:golang/a/\t@v1')).toBeUndefined();
  });

  it('decide every finding as resolveAll does', () => {
    const version = fc.constantFrom('v1.0.0', 'V1.0.0', 'v2.0.0', '1', '2', 'A', 'a', '1:2');
    const pkg = fc.constantFrom(
      'pkg:golang/example.com/lib',
      'pkg:npm/x',
      'pkg:huggingface/m/n',
      'pkg:luarocks/l',
      'pkg:oci/app',
    );
    const vexPurl = fc
      .tuple(pkg, fc.option(version), fc.constantFrom('', '?arch=amd64'))
      .map(([p, v, q]) => `${p}${v === null ? '' : `@${v}`}${q}`);
    const scannerPurl = fc
      .tuple(pkg, fc.option(version), fc.constantFrom('', '?arch=amd64', '#sub'))
      .map(([p, v, q]) => `${p}${v === null ? '' : `@${v}`}${q}`);
    const app = { purls: ['pkg:golang/example.com/app@v9'] };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(vexPurl, fc.boolean()), { minLength: 1, maxLength: 4 }),
        fc.array(scannerPurl, { minLength: 1, maxLength: 6 }),
        (claims, purls) => {
          const statements = claims.map(([p, asSub]) =>
            asSub
              ? na('CVE-A', 'pkg:golang/example.com/app', {
                  products: [
                    { '@id': 'pkg:golang/example.com/app', subcomponents: [{ '@id': p }] },
                  ],
                })
              : na('CVE-A', p),
          );
          const index = createVexIndex([doc(statements)]);
          const rep = {
            Results: [
              {
                Target: 't',
                Vulnerabilities: purls.map((p) => ({
                  VulnerabilityID: 'CVE-A',
                  PkgIdentifier: { PURL: p },
                })),
              },
            ],
          };
          for (const product of [undefined, app]) {
            const r = applyToTrivy(rep, index, product ? { product } : {});
            r.findings.forEach((f, i) => {
              const purl = purls[i] as string;
              const direct = index.resolveAll([
                { vulnerability: 'CVE-A', product: { purls: [purl] } },
                ...(product
                  ? [{ vulnerability: 'CVE-A', product, subcomponent: { purls: [purl] } }]
                  : []),
              ]);
              expect(f.statement?.ref, purl).toEqual(direct.winner?.ref);
              // Near misses are only given for a finding no statement decided.
              expect(r.explain(f)).toEqual(direct.winner ? [] : direct.nearMisses);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('duplicate statements', () => {
  const base = na('CVE-1', 'pkg:npm/a@1', { status_notes: 'one' });
  it('are found whatever the order of their keys, and only when equal in full', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as typeof base;
    const other = { ...base, status_notes: 'two' };
    for (const mode of ['strict', 'lenient'] as const) {
      const r = validateVex(doc([base, other, reordered]), { mode });
      const dups = [...r.errors, ...r.warnings].filter((i) => i.code === 'DUPLICATE_STATEMENT');
      expect(dups).toEqual([
        expect.objectContaining({ path: '/statements/2', actual: '/statements/0' }),
      ]);
      expect(conformsToOpenVexSchema(doc([base, other, reordered]))).toBe(false);
      expect(conformsToOpenVexSchema(doc([base, other]))).toBe(true);
    }
  });

  it('in a document that fails the schema are compared in full, as before', () => {
    const bad = { ...base, status_notes: 7 } as unknown as typeof base;
    const r = validateVex(doc([bad, { ...bad }]));
    expect(r.valid).toBe(false);
    expect(r.errors.map((e) => e.code)).toContain('DUPLICATE_STATEMENT');
    expect(() => validateVex(doc([{ ...base, status_notes: 1n } as never]))).toThrowError(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
  });
});

describe('lenient copy', () => {
  it('normalizes a copy of a value and leaves the input as it was', () => {
    const input = doc([{ ...na('CVE-1', 'pkg:npm/a@1'), extra: true } as never], {
      '@context': 'https://openvex.dev/ns/v0.2.0/',
    });
    const before = JSON.stringify(input);
    const r = validateVex(input, { mode: 'lenient' });
    expect(r.valid).toBe(true);
    expect(JSON.stringify(input)).toBe(before);
    expect(r.document).not.toBe(input);
    expect(r.document?.['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    expect(r.document?.statements[0]).not.toHaveProperty('extra');
  });

  it('reports depth where it always did, for a shared object and for a cycle', () => {
    let deep: unknown = {};
    for (let i = 0; i < 70; i++) deep = { d: deep };
    let shallow: unknown = {};
    for (let i = 0; i < 62; i++) shallow = { d: shallow };
    const shared = doc([na('CVE-1', 'pkg:npm/a@1')], {
      x: shallow,
      y: { z: { w: shallow } },
    } as never);
    for (const value of [doc([], { x: deep } as never), shared]) {
      const lenient = validateVex(value, { mode: 'lenient' });
      const strict = validateVex(value, { mode: 'strict' });
      expect(lenient.errors[0]).toEqual(strict.errors[0]);
    }
    expect(validateVex(shared, { mode: 'lenient' }).errors[0]).toMatchObject({
      code: 'INPUT_TOO_DEEP',
      path: '/y/z/w',
    });
    const cyclic = doc([]) as unknown as Record<string, unknown>;
    cyclic.self = cyclic;
    expect(validateVex(cyclic, { mode: 'lenient' }).errors[0]).toMatchObject({
      code: 'INPUT_TOO_DEEP',
      path: '/self',
    });
  });

  it('copies what is not plain JSON with structuredClone, as before', () => {
    const withDate = doc([na('CVE-1', 'pkg:npm/a@1')], { when: new Date(0) } as never);
    const r = validateVex(withDate, { mode: 'lenient' });
    expect(r.valid).toBe(true);
    expect(r.warnings.map((w) => w.code)).toContain('EXTRA_KEY');
    expect(() => validateVex(doc([], { f: () => 1 } as never), { mode: 'lenient' })).toThrow();
  });
});

describe('groups filed on first lookup', () => {
  it('give the same answers whatever order they are first looked up in', () => {
    const docs = [
      doc([
        na('CVE-1', 'pkg:npm/a@1'),
        na('CVE-2', 'pkg:npm/a', {
          vulnerability: { name: 'CVE-2', aliases: ['GHSA-2222-2222-2222'] },
        }),
        na('CVE-1', 'pkg:npm/a@1', { status_notes: 'later', timestamp: '2025-01-01T00:00:00Z' }),
        na('CVE-3', 'pkg:oci/app?tag=1'),
      ]),
      doc([na('GHSA-2222-2222-2222', 'pkg:npm/a@2')], { '@id': 'https://example.com/vex/2' }),
    ];
    const queries = ['CVE-1', 'CVE-2', 'GHSA-2222-2222-2222', 'CVE-3', 'CVE-4'].flatMap((v) =>
      ['pkg:npm/a@1', 'pkg:npm/a@2', 'pkg:oci/app?tag=1'].map((purl) => ({
        vulnerability: v,
        product: { purls: [purl] },
      })),
    );
    const forward = createVexIndex(docs);
    const backward = createVexIndex(docs);
    const a = queries.map((q) => forward.resolve(q));
    const b = [...queries]
      .reverse()
      .map((q) => backward.resolve(q))
      .reverse();
    expect(b).toEqual(a);
    expect(a.filter((r) => r.winner).length).toBeGreaterThan(3);
    expect(a[0]?.winner?.statement.status_notes).toBe('later');
  });
});

describe('IRI format', () => {
  it('refuses every control character, DEL and whitespace, and accepts other characters', () => {
    const idError = (id: string) =>
      validateVex(doc([na('CVE-1', 'pkg:npm/a@1')], { '@id': id })).errors.map((e) => e.code);
    for (let code = 0; code <= 0x20; code++) {
      expect(idError(`https://example.com/a${String.fromCharCode(code)}b`)).toEqual([
        'DOCUMENT_ID_NOT_IRI',
      ]);
    }
    for (const ch of ['\x7f', '\u00a0', '\u2028', '<', '"', '{', '|', '\\', '^', '`']) {
      expect(idError(`https://example.com/a${ch}b`)).toEqual(['DOCUMENT_ID_NOT_IRI']);
    }
    for (const ch of ['é', '~', '\x80', '%20', '日本']) {
      expect(idError(`https://example.com/a${ch}b`)).toEqual([]);
    }
    expect(idError('no-scheme/a')).toEqual(['DOCUMENT_ID_NOT_IRI']);
  });
});

describe('coarse package keys', () => {
  it('are the same by the fast path as by splitting and folding', () => {
    // Purl-shaped strings: a scheme, segments, then maybe a version, qualifiers, a subpath.
    const char = fc.constantFrom(...'abcxyz019.-~+:@_AZ%É é\t/'.split(''), '%40', '%2F', '%zz');
    const segment = fc.array(char, { minLength: 0, maxLength: 6 }).map((c) => c.join(''));
    const purl = fc
      .tuple(
        fc.constantFrom('pkg:', 'PKG:', 'pkg://', ' pkg:', 'pk:', ''),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', '@v1', '@1?a=b', '?x=/y@z', '#sub/p', '@1#p?q', '/', ' '),
      )
      .map(([scheme, segments, tail]) => `${scheme}${segments.join('/')}${tail}`);
    fc.assert(
      fc.property(fc.oneof(purl, fc.string()), (raw) => {
        expect(coarsePackageKey(raw)).toBe(slowCoarsePackageKey(raw));
      }),
      { numRuns: 5000 },
    );
    for (const raw of [
      'pkg:npm/a@1',
      'pkg:golang/github.com/aws/aws-sdk-go@v1.51.21',
      'pkg:npm/%40angular/core@1?x=1#p',
      'pkg:npm/@angular/core@1',
      'pkg://npm//a@1',
      'pkg:npm@1',
      'pkg:npm/A_b@1',
      'pkg:NPM/a@1',
      'pkg:np_m/a',
      'pkg:npm/a?x=1@2',
      'pkg:npm/a ',
      ' pkg:npm/a',
    ]) {
      expect(coarsePackageKey(raw), raw).toBe(slowCoarsePackageKey(raw));
    }
    expect(coarsePackageKey('pkg:npm/%40angular/core@1')).toBe('npm/@angular/core');
  });
});

describe('groups filed with the slots of shared claim lists', () => {
  // Statements that name the same components share one claim list (and its slots); several
  // subcomponents, repeated identifiers and a component with more identifiers than its
  // `@id` must still be filed under every slot, each statement once.
  const P = 'pkg:golang/example.com/app';
  const sub = (...ids: string[]) => ids.map((id) => ({ '@id': id }));
  const docs = [
    doc([
      na('CVE-1', P, {
        products: [{ '@id': P, subcomponents: sub('pkg:npm/a@1', 'pkg:npm/b@1') }],
      }),
      na('CVE-1', P, {
        products: [{ '@id': P, subcomponents: sub('pkg:npm/b@1', 'pkg:npm/a@1', 'pkg:npm/b@1') }],
        timestamp: '2025-01-01T00:00:00Z',
        status_notes: 'later',
      }),
      na('CVE-1', P, {
        products: [
          {
            '@id': P,
            identifiers: { purl: P },
            subcomponents: [{ '@id': 'pkg:npm/c', identifiers: { purl: 'pkg:npm/c@3' } }],
          },
        ],
      }),
      na('CVE-2', P, { products: [{ '@id': P, subcomponents: sub('pkg:npm/a@1') }] }),
      na('CVE-2', 'pkg:npm/a@1'),
    ]),
  ];
  const cases: [vulnerability: string, subcomponent: string | undefined, winner: string][] = [
    ['CVE-1', 'pkg:npm/a@1', '0/1'],
    ['CVE-1', 'pkg:npm/b@1', '0/1'],
    ['CVE-1', 'pkg:npm/a@2', 'none'],
    ['CVE-1', 'pkg:npm/c@1', '0/2'],
    ['CVE-1', 'pkg:npm/c@3', '0/2'],
    ['CVE-1', undefined, 'none'],
    ['CVE-2', 'pkg:npm/a@1', '0/3'],
    ['CVE-2', 'pkg:npm/b@1', 'none'],
  ];
  it.each(cases)('%s with subcomponent %s: %s', (vulnerability, s, expected) => {
    const index = createVexIndex(docs);
    const r = index.resolve({
      vulnerability,
      product: { purls: [P] },
      ...(s === undefined ? {} : { subcomponent: { purls: [s] } }),
    });
    const w = r.winner;
    expect(w ? `${w.ref.documentIndex}/${w.ref.statementIndex}` : 'none').toBe(expected);
    if (w) expect(w.scope).toBe('subcomponent');
  });
  it('give the same near misses whether the group was filed by an apply or by the lookup', () => {
    const query = {
      vulnerability: 'CVE-1',
      product: { purls: [P] },
      subcomponent: { purls: ['pkg:npm/b@2'] },
    };
    const fresh = createVexIndex(docs).resolve(query).nearMisses;
    const used = createVexIndex(docs);
    applyToTrivy(
      {
        Results: [
          {
            Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgIdentifier: { PURL: 'pkg:npm/b@1' } }],
          },
        ],
      },
      used,
      { product: { purls: [P] } },
    );
    expect(used.resolve(query).nearMisses).toEqual(fresh);
    expect(fresh.map((m) => [m.ref.statementIndex, m.field])).toEqual([
      [0, 'version'],
      [1, 'version'],
    ]);
  });
  it('give the package as product its own statement, and near misses by version', () => {
    const index = createVexIndex(docs);
    expect(
      index.resolve({ vulnerability: 'CVE-2', product: { purls: ['pkg:npm/a@1'] } }).winner?.ref
        .statementIndex,
    ).toBe(4);
    const miss = index.resolve({
      vulnerability: 'CVE-1',
      product: { purls: [P] },
      subcomponent: { purls: ['pkg:npm/a@2'] },
    });
    expect(miss.nearMisses.map((m) => [m.ref.statementIndex, m.field, m.expected])).toEqual([
      [0, 'version', '1'],
      [1, 'version', '1'],
    ]);
  });
});

describe('the whole product’s queries resolved once per package and vulnerability', () => {
  // Two statements of the same time with other statuses: every finding of the pair gets the
  // winner and the conflict, each in a list of its own.
  const app = 'pkg:golang/example.com/app';
  const sub = (status: 'not_affected' | 'affected', product: string, purl: string) =>
    st(status, 'CVE-1', product, {
      products: [{ '@id': product, subcomponents: [{ '@id': purl }] }],
    });
  const docs = [
    doc([
      // On a time tie the later statement wins: the finding is suppressed, with a conflict.
      sub('affected', app, 'pkg:golang/example.com/lib@v1.0.0'),
      sub('not_affected', app, 'pkg:golang/example.com/lib@v1.0.0'),
      // The product at other versions, with other subcomponents: filed by product slot, and
      // by subcomponent only when a lookup meets that version.
      ...Array.from({ length: 20 }, (_, i) =>
        sub('not_affected', `${app}@v1.${i}.0`, `pkg:golang/example.com/lib@v0.${i}.0`),
      ),
    ]),
  ];
  const vuln = (purl: string, id = 'CVE-1') => ({
    VulnerabilityID: id,
    PkgIdentifier: { PURL: purl },
    Severity: 'HIGH',
  });
  const report = () => ({
    Results: [
      { Target: 'a', Vulnerabilities: [vuln('pkg:golang/example.com/lib@v1.0.0')] },
      {
        Target: 'b',
        Vulnerabilities: [
          vuln('pkg:golang/example.com/lib@v1.0.0'),
          vuln('pkg:golang/example.com/lib@v0.3.0'),
          vuln('pkg:golang/example.com/lib@v0.3.0', 'CVE-2'),
        ],
      },
    ],
  });

  it('give every finding of the pair the same winner, and conflicts in a list of its own', () => {
    const index = createVexIndex(docs);
    for (const product of [{ purls: [app] }, { purls: [`${app}@v1.3.0`] }]) {
      const r = applyToTrivy(report(), index, { product });
      const direct = (purl: string, id = 'CVE-1') =>
        index.resolveAll([
          { vulnerability: id, product: { purls: [purl] } },
          { vulnerability: id, product, subcomponent: { purls: [purl] } },
        ]);
      const purls = ['pkg:golang/example.com/lib@v1.0.0', 'pkg:golang/example.com/lib@v1.0.0'];
      purls.push('pkg:golang/example.com/lib@v0.3.0', 'pkg:golang/example.com/lib@v0.3.0');
      r.findings.forEach((f, i) => {
        const want = direct(purls[i] as string, f.vulnerability);
        expect(f.statement?.ref).toEqual(want.winner?.ref);
        expect(f.conflicts).toEqual(want.conflicts);
      });
    }
    const [a, b] = applyToTrivy(report(), index, { product: { purls: [app] } }).findings;
    expect(a?.disposition).toBe('suppressed');
    expect(a?.conflicts.map((c) => c.status)).toEqual(['affected']);
    expect(b?.conflicts).toEqual(a?.conflicts);
    expect(b?.conflicts).not.toBe(a?.conflicts);
    (a?.conflicts as unknown[]).length = 0;
    expect(b?.conflicts).toHaveLength(1);
  });

  it('give what a fresh index gives, whatever was looked up before', () => {
    const shared = createVexIndex(docs);
    const product = { purls: [`${app}@v1.3.0`] };
    applyToTrivy(report(), shared, { product: { purls: [app] } });
    const after = applyToTrivy(report(), shared, { product });
    const fresh = applyToTrivy(report(), createVexIndex(docs), { product });
    expect(after.findings).toEqual(fresh.findings);
    // The versionless statements take app@v1.3.0 too; v1.3.0's own names lib@v0.3.0.
    expect(after.findings.map((f) => f.disposition)).toEqual([
      'suppressed',
      'suppressed',
      'suppressed',
      'unaddressed',
    ]);
    expect(after.findings[2]?.statement?.ref.statementIndex).toBe(5);
  });
});
