import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeResidual } from '../src/advanced.js';
import {
  type Disposition,
  type FindingOutcome,
  type Residual,
  type ResidualCounts,
  SEVERITIES,
  type Severity,
} from '../src/index.js';

function finding(
  vulnerability: string,
  purl: string | undefined,
  disposition: Disposition,
  severity: Severity,
  name?: string,
): FindingOutcome {
  return {
    location: '',
    vulnerability,
    aliases: [],
    package: { name, version: undefined, purl },
    severity,
    disposition,
    status: undefined,
    justification: undefined,
    impactStatement: undefined,
    actionStatement: undefined,
    statusNotes: undefined,
    statement: undefined,
    via: undefined,
    conflicts: [],
    nearMisses: [],
  };
}

const OPEN_ORDER: Disposition[] = ['suppressed', 'unaddressed', 'under_investigation', 'affected'];

/** A plain reference: pairs keyed by a JSON array, so no separator can be confused. */
function reference(findings: readonly FindingOutcome[]): Residual {
  const zero = (): { -readonly [K in keyof ResidualCounts]: number } => ({
    unaddressed: 0,
    under_investigation: 0,
    affected: 0,
    open: 0,
    suppressed: 0,
  });
  const add = (c: ReturnType<typeof zero>, d: Disposition) => {
    c[d]++;
    if (d !== 'suppressed') c.open++;
  };
  const pairs = new Map<string, { d: Disposition; s: Severity }>();
  const vulns = new Map<string, Disposition>();
  const raw = zero();
  for (const f of findings) {
    const v = f.vulnerability.trim().toUpperCase();
    const pkg = f.package.purl ?? `${f.package.name ?? ''}@${f.package.version ?? ''}`;
    const key = JSON.stringify([v, pkg]);
    const prev = pairs.get(key);
    if (!prev) pairs.set(key, { d: f.disposition, s: f.severity });
    else {
      if (OPEN_ORDER.indexOf(f.disposition) > OPEN_ORDER.indexOf(prev.d)) prev.d = f.disposition;
      if (SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(prev.s)) prev.s = f.severity;
    }
    const pv = vulns.get(v);
    if (pv === undefined || OPEN_ORDER.indexOf(f.disposition) > OPEN_ORDER.indexOf(pv)) {
      vulns.set(v, f.disposition);
    }
    add(raw, f.disposition);
  }
  const all = zero();
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, zero()])) as Record<
    Severity,
    ReturnType<typeof zero>
  >;
  for (const { d, s } of pairs.values()) {
    add(all, d);
    add(bySeverity[s], d);
  }
  const vulnerabilities = zero();
  for (const d of vulns.values()) add(vulnerabilities, d);
  return { pairs: all, bySeverity, vulnerabilities, findings: raw };
}

describe('computeResidual', () => {
  it('counts 20,000 distinct vulnerabilities of one package, each repeated, exactly', () => {
    const findings: FindingOutcome[] = [];
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      findings.push(finding(`CVE-2099-${i}`, 'pkg:generic/mono@1', 'suppressed', 'low'));
    }
    // A second finding for every third id: more open, and more severe.
    for (let i = 0; i < n; i += 3) {
      findings.push(finding(` cve-2099-${i} `, 'pkg:generic/mono@1', 'affected', 'critical'));
    }
    const r = computeResidual(findings);
    const reopened = Math.ceil(n / 3);
    expect(r.pairs).toEqual({
      unaddressed: 0,
      under_investigation: 0,
      affected: reopened,
      open: reopened,
      suppressed: n - reopened,
    });
    expect(r.bySeverity.critical.affected).toBe(reopened);
    expect(r.bySeverity.low.suppressed).toBe(n - reopened);
    expect(r.vulnerabilities.open).toBe(reopened);
    expect(r.findings.suppressed + r.findings.open).toBe(n + reopened);
    expect(r).toEqual(reference(findings));
  });

  it('keeps pairs apart that a separator could confuse (NUL in ids and purls)', () => {
    const r = computeResidual([
      finding('A\u0000B', 'C', 'affected', 'high'),
      finding('A', 'B\u0000C', 'suppressed', 'low'),
      finding('A', 'B\u0000C', 'unaddressed', 'medium'),
    ]);
    expect(r.pairs).toMatchObject({ affected: 1, unaddressed: 1, open: 2, suppressed: 0 });
    expect(r.bySeverity.medium.unaddressed).toBe(1);
  });

  it('agrees with a plain reference on random findings', () => {
    const arb = fc.array(
      fc.record({
        v: fc.constantFrom('CVE-1', 'cve-1', 'CVE-2', 'GHSA-x', 'A\u0000B', 'A'),
        purl: fc.option(fc.constantFrom('pkg:npm/a@1', 'pkg:npm/b@1', 'B\u0000C', 'C'), {
          nil: undefined,
        }),
        name: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
        d: fc.constantFrom<Disposition>(...OPEN_ORDER),
        s: fc.constantFrom<Severity>(...SEVERITIES),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, (items) => {
        const findings = items.map((x) => finding(x.v, x.purl, x.d, x.s, x.name));
        expect(computeResidual(findings)).toEqual(reference(findings));
      }),
    );
  });
});
