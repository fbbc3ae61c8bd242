import { describe, expect, it } from 'vitest';
import { computeResidual, normalizeSeverity } from '../src/advanced.js';
import {
  applyToGrype,
  applyToSarif,
  applyToTrivy,
  createVexIndex,
  VexError,
} from '../src/index.js';
import { doc, na, st, trivyReport } from './helpers.js';

const ROOT = 'pkg:golang/example.com/app@v1.0.0';
const A = 'pkg:golang/example.com/a@v1.0.0';
const B = 'pkg:golang/example.com/b@v1.0.0';
const LEAF = 'pkg:golang/example.com/leaf@v1.0.0';

// root → a → leaf, root → b → leaf
const graph = [
  { ID: 'app', Identifier: { PURL: ROOT }, Relationship: 'root', DependsOn: ['a', 'b'] },
  { ID: 'a', Identifier: { PURL: A }, DependsOn: ['leaf'] },
  { ID: 'b', Identifier: { PURL: B }, DependsOn: ['leaf'] },
  { ID: 'leaf', Identifier: { PURL: LEAF } },
];
const withSub = (product: string, status: 'not_affected' | 'affected' = 'not_affected') => ({
  ...st(status, 'CVE-1', product),
  products: [{ '@id': product, subcomponents: [{ '@id': LEAF }] }],
});

describe('applyToTrivy with a dependency graph', () => {
  const report = trivyReport([{ id: 'CVE-1', purl: LEAF, pkgId: 'leaf' }], {}, graph);

  it('suppresses only when every path to the root is cut', () => {
    const one = applyToTrivy(report, [doc([withSub(A)])]).findings[0];
    expect(one?.disposition).toBe('unaddressed');
    const both = applyToTrivy(report, [doc([withSub(A), withSub(B)])]).findings[0];
    expect(both).toMatchObject({ disposition: 'suppressed', via: 'paths' });
    const atRoot = applyToTrivy(report, [doc([withSub(ROOT)])]).findings[0];
    expect(atRoot).toMatchObject({ disposition: 'suppressed', via: 'paths' });
  });

  it('a path cut by an affected statement stays open', () => {
    expect(
      applyToTrivy(report, [doc([withSub(A), withSub(B, 'affected')])]).findings[0]?.disposition,
    ).toBe('unaddressed');
  });

  it('moves suppressed findings to ExperimentalModifiedFindings without touching the input', () => {
    const before = JSON.stringify(report);
    const r = applyToTrivy(report, [doc([na('CVE-1', LEAF)])]);
    expect(JSON.stringify(report)).toBe(before);
    const out = r.report as {
      Results: { Vulnerabilities: unknown[]; ExperimentalModifiedFindings: unknown[] }[];
    };
    expect(out.Results[0]?.Vulnerabilities).toEqual([]);
    expect(out.Results[0]?.ExperimentalModifiedFindings[0]).toMatchObject({
      Type: 'vulnerability',
      Status: 'not_affected',
      Statement: 'vulnerable_code_not_present',
      Source: 'https://example.com/vex/test',
    });
  });

  it('uses options.product as the product when the report has no image', () => {
    const flat = trivyReport([{ id: 'CVE-1', purl: LEAF }]);
    const d = doc([withSub('pkg:golang/example.com/app')]);
    expect(applyToTrivy(flat, [d]).findings[0]?.disposition).toBe('unaddressed');
    expect(applyToTrivy(flat, [d], { product: { purls: [ROOT] } }).findings[0]?.disposition).toBe(
      'suppressed',
    );
  });

  it('matches scanner aliases only when asked', () => {
    const r = trivyReport([{ id: 'DLA-1-1', purl: LEAF }]);
    (r.Results as { Vulnerabilities: Record<string, unknown>[] }[])[0]!
      .Vulnerabilities[0]!.VendorIDs = ['CVE-1'];
    const d = doc([na('CVE-1', LEAF)]);
    expect(applyToTrivy(r, [d]).findings[0]?.disposition).toBe('unaddressed');
    expect(applyToTrivy(r, [d], { scannerAliases: true }).findings[0]?.disposition).toBe(
      'suppressed',
    );
  });

  it('reports a vulnerability-name near miss', () => {
    const d = doc([na('https://nvd.nist.gov/vuln/detail/CVE-2024-1234', LEAF)]);
    const r = applyToTrivy(trivyReport([{ id: 'CVE-2024-1234', purl: LEAF }]), [d]);
    const [f] = r.findings;
    expect(f && r.explain(f)[0]).toMatchObject({ field: 'vulnerability', actual: 'CVE-2024-1234' });
  });

  it('rejects what is not a report with VexError', () => {
    for (const bad of ['{', '[]', 'null', JSON.stringify({ Results: 3 })]) {
      expect(() => applyToTrivy(bad, [])).toThrowError(VexError);
    }
    expect(() => applyToTrivy({}, 'x' as never)).toThrowError(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
  });
});

describe('applyToGrype', () => {
  const HEX = 'ab'.repeat(32);
  const report = {
    matches: [
      {
        vulnerability: { id: 'CVE-1', severity: 'Negligible' },
        relatedVulnerabilities: [{ id: 'GHSA-aaaa-bbbb-cccc' }],
        artifact: {
          name: 'lib',
          version: '1',
          purl: 'pkg:deb/debian/lib@1',
          cpes: ['cpe:2.3:a:x:lib:1:*:*:*:*:*:*:*'],
        },
      },
      {
        vulnerability: { id: 'CVE-2', severity: 'Critical' },
        artifact: { name: 'p', version: '2', purl: '', cpes: ['cpe:2.3:a:x:p:2:*:*:*:*:*:*:*'] },
      },
      {
        vulnerability: { id: 'CVE-3', severity: 'High' },
        artifact: { name: 'q', version: '3', purl: 'pkg:deb/debian/q@3' },
      },
    ],
    ignoredMatches: [],
    source: {
      type: 'image',
      target: {
        userInput: 'alpine:3',
        repoDigests: [`alpine@sha256:${HEX}`],
        tags: ['alpine:3'],
        manifestDigest: `sha256:${HEX}`,
      },
    },
  };

  it('matches by purl, CPE and image digest; moves suppressed matches to ignoredMatches', () => {
    const d = doc([
      na('CVE-1', 'pkg:deb/debian/lib'),
      na('CVE-2', 'cpe:2.3:a:x:p:2:*:*:*:*:*:*:*'),
      {
        ...st('under_investigation', 'CVE-3', 'x'),
        products: [
          { '@id': `pkg:oci/alpine@sha256:${HEX}?repository_url=docker.io/library/alpine` },
        ],
      },
    ]);
    const r = applyToGrype(report, [d]);
    expect(r.findings.map((f) => f.disposition)).toEqual([
      'suppressed',
      'suppressed',
      'under_investigation',
    ]);
    const out = r.report as {
      matches: unknown[];
      ignoredMatches: { appliedIgnoreRules: unknown[] }[];
    };
    expect(out.matches).toHaveLength(1);
    expect(out.ignoredMatches[0]?.appliedIgnoreRules[0]).toEqual({
      vulnerability: 'CVE-1',
      namespace: 'vex',
      'vex-status': 'not_affected',
      'vex-justification': 'vulnerable_code_not_present',
    });
    expect(r.residual.bySeverity.high).toMatchObject({ under_investigation: 1, open: 1 });
    expect(r.findings[0]?.severity).toBe('negligible');
    expect(applyToGrype(report, [d], { negligibleAs: 'low' }).findings[0]?.severity).toBe('low');
  });

  it('matches a hashes-only image product by the manifest digest', () => {
    const d = { ...doc([st('fixed', 'CVE-3', 'x')]) };
    d.statements[0]!.products = [{ '@id': 'https://example.com/img', hashes: { 'sha-256': HEX } }];
    expect(applyToGrype(report, [d]).findings[2]?.disposition).toBe('suppressed');
  });
});

describe('applyToSarif', () => {
  const HEX = 'cd'.repeat(32);
  const sarif = {
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Trivy',
            rules: [
              { id: 'CVE-1', help: { text: 'Severity: HIGH' } },
              { id: 'CVE-2024-0002-openssl', properties: { 'security-severity': '9.8' } },
            ],
          },
        },
        properties: { imageName: `nginx@sha256:${HEX}`, repoDigests: [`nginx@sha256:${HEX}`] },
        results: [
          { ruleId: 'CVE-1', message: { text: 'Package: apt\nInstalled Version: 2.6.1\n' } },
          { ruleId: 'CVE-2024-0002-openssl', message: { text: 'x' } },
        ],
      },
    ],
  };

  it('is image-level only, says so, and adds SARIF suppressions', () => {
    const image = `pkg:oci/nginx@sha256:${HEX}`;
    const d = doc([
      na('CVE-1', image),
      {
        ...na('CVE-2024-0002', image),
        products: [{ '@id': image, subcomponents: [{ '@id': 'pkg:deb/debian/openssl' }] }],
      },
    ]);
    const r = applyToSarif(sarif, [d]);
    expect(r.granularity).toBe('image');
    expect(r.limitations[0]).toMatch(/no package identity/);
    expect(r.findings.map((f) => [f.vulnerability, f.disposition, f.severity])).toEqual([
      ['CVE-1', 'suppressed', 'high'],
      ['CVE-2024-0002', 'unaddressed', 'critical'],
    ]);
    expect(r.findings[0]?.package).toEqual({ name: 'apt', version: '2.6.1', purl: undefined });
    expect(r.findings[1] && r.explain(r.findings[1])[0]?.field).toBe('subcomponent');
    const out = r.report as typeof sarif & { runs: { results: { suppressions?: unknown[] }[] }[] };
    expect(out.runs[0]?.results[0]?.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'OpenVEX not_affected: vulnerable_code_not_present',
      },
    ]);
  });

  it('notes when a run has no image identity', () => {
    const bare = { runs: [{ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'CVE-1' }] }] };
    expect(applyToSarif(bare, []).limitations).toHaveLength(2);
  });
});

describe('residual', () => {
  it('counts unique (vulnerability, package) pairs with their most open disposition', () => {
    const d = doc([
      st('affected', 'CVE-1', 'pkg:npm/a'),
      st('under_investigation', 'CVE-2', 'pkg:npm/a'),
      na('CVE-3', 'pkg:npm/a'),
    ]);
    const report = trivyReport([
      { id: 'CVE-1', purl: 'pkg:npm/a@1', severity: 'CRITICAL' },
      { id: 'CVE-1', purl: 'pkg:npm/a@1', severity: 'CRITICAL' },
      { id: 'CVE-2', purl: 'pkg:npm/a@1', severity: 'LOW' },
      { id: 'CVE-3', purl: 'pkg:npm/a@1', severity: 'MEDIUM' },
      { id: 'CVE-4', purl: 'pkg:npm/a@1', severity: 'BOGUS' },
      { id: 'CVE-4', purl: 'pkg:npm/b@1', severity: 'HIGH' },
    ]);
    const { residual } = applyToTrivy(report, createVexIndex([d]));
    expect(residual.findings).toEqual({
      unaddressed: 2,
      under_investigation: 1,
      affected: 2,
      open: 5,
      suppressed: 1,
    });
    expect(residual.pairs).toEqual({
      unaddressed: 2,
      under_investigation: 1,
      affected: 1,
      open: 4,
      suppressed: 1,
    });
    expect(residual.vulnerabilities).toEqual({
      unaddressed: 1,
      under_investigation: 1,
      affected: 1,
      open: 3,
      suppressed: 1,
    });
    expect(residual.bySeverity.critical.affected).toBe(1);
    expect(residual.bySeverity.unknown.unaddressed).toBe(1);
    expect(residual.bySeverity.high.unaddressed).toBe(1);
    expect(computeResidual([]).pairs.open).toBe(0);
  });

  it('normalizes every scale', () => {
    expect(
      ['CRITICAL', 'High', 'medium', 'LOW', 'Negligible', 'UNKNOWN', 'moderate', 3].map((s) =>
        normalizeSeverity(s),
      ),
    ).toEqual(['critical', 'high', 'medium', 'low', 'negligible', 'unknown', 'medium', 'unknown']);
  });
});
