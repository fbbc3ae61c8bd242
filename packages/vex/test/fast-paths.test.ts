import { describe, expect, it } from 'vitest';
import { applyToGrype, applyToTrivy, computeResidual, createVexIndex } from '../src/index.js';
import { doc, na } from './helpers.js';

// The apply fast paths (lazy near misses, the JSON copy of the report, residual counted as
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

describe('lazy near misses', () => {
  it('are an own enumerable property that serializes, spreads and clones like a plain one', () => {
    const [miss] = applyToTrivy(report(), [d]).findings;
    expect(Object.keys(miss ?? {}).at(-1)).toBe('nearMisses');
    expect(miss?.nearMisses).toHaveLength(1);
    expect(miss?.nearMisses[0]).toMatchObject({ field: 'version', expected: '2', actual: '1' });
    expect(miss?.nearMisses).toBe(miss?.nearMisses);
    const plain = JSON.parse(JSON.stringify(miss));
    expect(plain.nearMisses).toEqual(miss?.nearMisses);
    expect({ ...miss }).toEqual(plain);
    expect(structuredClone(miss)).toEqual(plain);
  });

  it('equal what resolveAll gives for the same queries', () => {
    const index = createVexIndex([d]);
    const [miss] = applyToTrivy(report(), index).findings;
    const direct = index.resolveAll([
      { vulnerability: ['CVE-1'], product: { purls: ['pkg:npm/a@1'] } },
    ]).nearMisses;
    expect(miss?.nearMisses).toEqual(direct);
  });

  it('can be replaced by assignment, on the outcome or on an object inheriting from it', () => {
    const [miss] = applyToTrivy(report(), [d]).findings;
    const child = Object.create(miss ?? null) as { nearMisses: unknown };
    child.nearMisses = ['child'];
    expect(child.nearMisses).toEqual(['child']);
    expect(miss?.nearMisses).toHaveLength(1);
    (miss as { nearMisses: unknown }).nearMisses = [];
    expect(miss?.nearMisses).toEqual([]);
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
