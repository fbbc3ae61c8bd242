import { readVector, vectorsDir } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import {
  applyToGrype,
  applyToSarif,
  applyToTrivy,
  mergeVex,
  parseVex,
  type VexDocument,
  type VexIssueCode,
  validateVex,
} from '../../src/index.js';

const dir = vectorsDir();
const json = (p: string) => JSON.parse(readVector(`vex/${p}`)) as Record<string, unknown>;
const lenient = (p: string) => parseVex(readVector(`vex/${p}`), { mode: 'lenient' });

// Every real document, the warnings lenient mode must give, and whether strict mode accepts it.
const EXPECTED: [string, VexIssueCode[], boolean][] = [
  ['openvex/grype-integration-affected.openvex.json', ['AFFECTED_WITHOUT_ACTION'], false],
  ['openvex/grype-integration-under_investigation.openvex.json', [], true],
  ['openvex/grype-openvex-debian.json', [], true],
  ['openvex/grype-openvex-demo1.json', [], true],
  ['openvex/grype-openvex-demo2.json', [], true],
  ['openvex/grype-openvex-image-no-subcomponents.json', [], true],
  ['openvex/grype-openvex-package-product.json', [], true],
  ['openvex/trivy-oci.openvex.json', [], true],
  [
    'openvex/trivy-testdata-openvex-multiple.json',
    ['CONTEXT_UNVERSIONED', 'DOCUMENT_ID_MISSING', 'AFFECTED_WITHOUT_ACTION'],
    false,
  ],
  ['openvex/trivy-testdata-openvex-nested.json', ['DOCUMENT_ID_MISSING'], false],
  ['openvex/trivy-testdata-openvex-oci-mismatch.json', ['DOCUMENT_ID_MISSING'], false],
  ['openvex/trivy-testdata-openvex-oci.json', ['DOCUMENT_ID_MISSING'], false],
  ['openvex/trivy.openvex.json', ['DOCUMENT_ID_NOT_IRI'], false],
  ['openvex/vexhub-rke2.openvex.json', [], true],
  ['sarif/sample-1statement.openvex.json', ['EXTRA_KEY'], false],
  ['sarif/sample-history.openvex.json', ['EXTRA_KEY', 'EXTRA_KEY'], false],
];

describe.skipIf(!dir)('interop: real OpenVEX documents', () => {
  it.each(EXPECTED)('%s: lenient warnings %j, strict valid %s', (file, warnings, strictValid) => {
    expect(lenient(file).warnings.map((w) => w.code)).toEqual(warnings);
    expect(validateVex(readVector(`vex/${file}`)).valid).toBe(strictValid);
  });

  it('vexhub index.json is not a VEX document, in either mode', () => {
    const r = validateVex(readVector('vex/openvex/vexhub-index.json'), { mode: 'lenient' });
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.code).toBe('CONTEXT_MISSING');
  });

  it('merges the 14 real documents to the same bytes in either order, losing no statement', () => {
    const files = EXPECTED.map(([f]) => f).filter((f) => f.startsWith('openvex/'));
    expect(files).toHaveLength(14);
    const docs = files.map(lenient);
    const forward = mergeVex(docs);
    const backward = mergeVex([...docs].reverse());
    expect(JSON.stringify(backward.document)).toBe(JSON.stringify(forward.document));
    // Every distinct statement of every document is kept: 1,710 in all, one repeated.
    const all = docs.reduce((n, d) => n + d.document.statements.length, 0);
    expect(all).toBe(1710);
    expect(forward.document.statements).toHaveLength(1709);
    expect(forward.duplicatesRemoved).toBe(1);
    expect(forward.dropped).toEqual([]);
    // The five Grype fixtures share one @id, version and timestamp with different content.
    expect(forward.conflicts).toEqual([
      {
        documentId:
          'https://openvex.dev/docs/public/vex-d4e9020b6d0d26f131d535e055902dd6ccf3e2088bce3079a8cd3588a4b14c78',
        documentIndexes: [0, 1, 2, 3, 4],
        version: 1,
        time: '2023-07-17T18:28:47.696004345-06:00',
      },
    ]);
    expect(backward.conflicts[0]?.documentIndexes).toEqual([9, 10, 11, 12, 13]);
    expect(() => mergeVex(docs, { onConflict: 'reject' })).toThrowError(
      expect.objectContaining({ code: 'MERGE_CONFLICT' }),
    );
  });

  it('vexhub-rke2 has 1,666 statements, all not_affected', () => {
    const d = lenient('openvex/vexhub-rke2.openvex.json').document;
    expect(d.statements).toHaveLength(1666);
    expect(new Set(d.statements.map((s) => s.status))).toEqual(new Set(['not_affected']));
  });
});

describe.skipIf(!dir)('interop: SARIF (vexctl nginx scans)', () => {
  it.each(['nginx-grype', 'nginx-trivy'])(
    '%s: 99 results, the one-statement VEX suppresses 1 (as vexctl)',
    (name) => {
      const r = applyToSarif(readVector(`vex/sarif/${name}.sarif.json`), [
        lenient('sarif/sample-1statement.openvex.json'),
      ]);
      expect(r.findings).toHaveLength(99);
      expect(r.residual.findings.suppressed).toBe(1);
      expect(r.residual.findings.open).toBe(98);
      expect(r.findings.find((f) => f.disposition === 'suppressed')?.vulnerability).toBe(
        'CVE-2023-27103',
      );
      expect(r.granularity).toBe('image');
    },
  );

  it('the history document (two not_affected statements) still suppresses exactly 1', () => {
    const r = applyToSarif(readVector('vex/sarif/nginx-trivy.sarif.json'), [
      lenient('sarif/sample-history.openvex.json'),
    ]);
    expect(r.residual.findings.suppressed).toBe(1);
  });

  it('a different image digest suppresses nothing', () => {
    const r = applyToSarif(readVector('vex/sarif/nginx-grype.sarif.json'), [
      lenient('openvex/grype-openvex-demo1.json'),
    ]);
    expect(r.residual.findings.suppressed).toBe(0);
  });

  it('severities come from the rules', () => {
    const r = applyToSarif(readVector('vex/sarif/nginx-trivy.sarif.json'), []);
    const total = Object.values(r.residual.bySeverity).reduce((n, c) => n + c.open, 0);
    expect(total).toBe(r.residual.pairs.open);
    expect(r.residual.bySeverity.unknown.open).toBeLessThan(r.residual.pairs.open);
  });
});

describe.skipIf(!dir)('interop: Trivy JSON reports', () => {
  const uvVex = (status: 'not_affected' | 'affected'): VexDocument => ({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/uv',
    author: 'test',
    timestamp: '2024-01-01T00:00:00Z',
    version: 1,
    statements: [
      {
        vulnerability: { name: 'CVE-2019-14806' },
        products: [{ '@id': 'pkg:pypi/uv-test', subcomponents: [{ '@id': 'pkg:pypi/werkzeug' }] }],
        status,
        ...(status === 'affected'
          ? { action_statement: 'upgrade werkzeug' }
          : { justification: 'vulnerable_code_not_in_execute_path' as const }),
      },
    ],
  });

  it('uv: the root → werkzeug path is covered, so CVE-2019-14806 is suppressed through the graph', () => {
    const r = applyToTrivy(json('reports/trivy-uv.json'), [uvVex('not_affected')]);
    expect(r.findings.map((f) => [f.vulnerability, f.disposition, f.via])).toEqual([
      ['CVE-2019-14806', 'suppressed', 'paths'],
      ['CVE-2020-28724', 'unaddressed', undefined],
    ]);
    expect(r.residual.bySeverity.medium.unaddressed).toBe(1);
    const affected = applyToTrivy(json('reports/trivy-uv.json'), [uvVex('affected')]);
    expect(affected.findings[0]).toMatchObject({ disposition: 'unaddressed' });
  });

  it('npm-with-suppressed: earlier ExperimentalModifiedFindings are kept, new ones appended', () => {
    const d = parseVex({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/npm',
      author: 'test',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2017-20165' },
          products: [{ '@id': 'pkg:npm/debug' }],
          status: 'fixed',
        },
      ],
    });
    const r = applyToTrivy(json('reports/trivy-npm-with-suppressed.json'), [d]);
    expect(r.findings).toHaveLength(1);
    expect(r.residual.findings.suppressed).toBe(1);
    const out = r.report as {
      Results: { Vulnerabilities: unknown[]; ExperimentalModifiedFindings: unknown[] }[];
    };
    const before =
      (json('reports/trivy-npm-with-suppressed.json').Results as typeof out.Results)[0]
        ?.ExperimentalModifiedFindings.length ?? 0;
    expect(out.Results[0]?.ExperimentalModifiedFindings).toHaveLength(before + 1);
    expect(out.Results[0]?.Vulnerabilities).toHaveLength(0);
  });

  it('alpine-distroless: an image product named only by tag is not applied unless tags are trusted', () => {
    const mk = (sub: string): VexDocument => ({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/git',
      author: 'test',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2022-24765' },
          products: [
            {
              '@id':
                'pkg:oci/trivy-test-images?repository_url=ghcr.io/aquasecurity&tag=alpine-distroless&arch=amd64',
              subcomponents: [{ '@id': sub }],
            },
          ],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    });
    const report = () => json('reports/trivy-alpine-distroless.json');
    // The report has only a tag (RepoTags, no RepoDigests): a tag says nothing about which
    // image the statement was written for, so by default the statement does not suppress.
    const byDefault = applyToTrivy(report(), [mk('pkg:apk/alpine/git?distro=3.16')]);
    expect(byDefault.findings[0]?.disposition).toBe('unaddressed');
    expect(byDefault.warnings).toEqual([
      expect.objectContaining({
        code: 'OCI_TAG_ONLY',
        statement: {
          documentId: 'https://example.com/vex/git',
          documentIndex: 0,
          statementIndex: 0,
        },
        vulnerability: 'CVE-2022-24765',
        product:
          'pkg:oci/trivy-test-images?repository_url=ghcr.io/aquasecurity&tag=alpine-distroless&arch=amd64',
      }),
    ]);
    expect(byDefault.warnings[0]?.message).toContain('statement 0 of https://example.com/vex/git');
    const trusted = { matchOciTags: true };
    const ok = applyToTrivy(report(), [mk('pkg:apk/alpine/git?distro=3.16')], trusted);
    expect(ok.findings[0]?.disposition).toBe('suppressed');
    expect(ok.warnings).toEqual([]);
    const miss = applyToTrivy(report(), [mk('pkg:apk/alpine/git?distro=3.16.2')], trusted);
    expect(miss.findings[0] && miss.explain(miss.findings[0])[0]).toMatchObject({
      field: 'qualifier',
      qualifier: 'distro',
      expected: '3.16.2',
      actual: '3.16',
    });
  });

  const image = (repoDigest: string, vulns: { id: string; purl: string }[]) => ({
    SchemaVersion: 2,
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [repoDigest], ImageConfig: { architecture: 'amd64' } },
    Results: [
      {
        Target: 'x',
        Vulnerabilities: vulns.map((v) => ({
          VulnerabilityID: v.id,
          PkgIdentifier: { PURL: v.purl },
          Severity: 'LOW',
        })),
      },
    ],
  });
  const D = `sha256:${'e'.repeat(64)}`;

  it.each([
    [`aquasec/trivy@${D}`, 'Docker Hub short name vs index.docker.io%2Faquasec%2Ftrivy'],
    [`public.ecr.aws/aquasecurity/trivy@${D}`, 'ECR'],
    [`ghcr.io/aquasecurity/trivy@${D}`, 'GHCR, unencoded repository_url'],
  ])("trivy's own oci.openvex.json applies to %s (%s)", (ref) => {
    const r = applyToTrivy(
      image(ref, [
        {
          id: 'CVE-2023-42363',
          purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.20.1',
        },
        { id: 'CVE-2023-42363', purl: 'pkg:apk/alpine/musl@1.2.5-r0' },
      ]),
      [lenient('openvex/trivy-oci.openvex.json')],
    );
    expect(r.findings.map((f) => f.disposition)).toEqual(['suppressed', 'unaddressed']);
  });

  it("trivy's testdata openvex-oci applies to a debian image; openvex-oci-mismatch does not", () => {
    const report = image(`debian@${D}`, [
      { id: 'CVE-2022-3715', purl: 'pkg:deb/debian/bash@5.1-2?distro=debian-11' },
    ]);
    expect(
      applyToTrivy(report, [lenient('openvex/trivy-testdata-openvex-oci.json')]).findings[0]
        ?.disposition,
    ).toBe('suppressed');
    expect(
      applyToTrivy(report, [lenient('openvex/trivy-testdata-openvex-oci-mismatch.json')])
        .findings[0]?.disposition,
    ).toBe('unaddressed');
  });

  it('trivy.openvex.json (GO-named, CVE aliases) suppresses a CVE-named finding under the trivy product', () => {
    const report = {
      SchemaVersion: 2,
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'go.mod',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2024-26147',
              PkgIdentifier: { PURL: 'pkg:golang/helm.sh/helm/v3@v3.14.1' },
              Severity: 'HIGH',
            },
          ],
        },
      ],
    };
    const doc = lenient('openvex/trivy.openvex.json');
    expect(applyToTrivy(report, [doc]).findings[0]?.disposition).toBe('unaddressed');
    const r = applyToTrivy(report, [doc], {
      product: { purls: ['pkg:golang/github.com/aquasecurity/trivy@v0.53.0'] },
    });
    expect(r.findings[0]).toMatchObject({
      disposition: 'suppressed',
      justification: 'vulnerable_code_not_in_execute_path',
      via: 'product',
    });
  });

  it('multiple.json: the newer not_affected wins over the older affected', () => {
    const report = {
      Results: [
        {
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2021-44228',
              PkgIdentifier: { PURL: 'pkg:maven/org.springframework.boot/spring-boot@2.6.0' },
            },
          ],
        },
      ],
    };
    expect(
      applyToTrivy(report, [lenient('openvex/trivy-testdata-openvex-multiple.json')]).findings[0]
        ?.status,
    ).toBe('not_affected');
  });
});

describe.skipIf(!dir)('interop: Grype JSON reports', () => {
  it('TestJsonImgsPresenter: two open findings (Low, Critical); a CPE statement suppresses one', () => {
    const report = readVector('vex/reports/grype-TestJsonImgsPresenter.json');
    const none = applyToGrype(report, [lenient('openvex/grype-openvex-package-product.json')]);
    expect(none.residual.pairs).toMatchObject({ open: 2, suppressed: 0 });
    expect(none.residual.bySeverity.critical.unaddressed).toBe(1);
    expect(none.residual.bySeverity.low.unaddressed).toBe(1);
    const d = parseVex({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/grype',
      author: 'test',
      timestamp: '2024-01-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-1999-0001' },
          products: [
            {
              identifiers: {
                cpe23: 'cpe:2.3:a:anchore\\:oss:anchore\\/engine:0.9.2:*:*:en:*:*:*:*',
              },
            },
          ],
          status: 'not_affected',
          justification: 'component_not_present',
        },
        {
          vulnerability: { name: 'CVE-1999-0002' },
          products: [
            {
              '@id':
                'pkg:oci/user-input@sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5',
            },
          ],
          status: 'under_investigation',
        },
      ],
    });
    const r = applyToGrype(report, [d]);
    expect(r.findings.map((f) => f.disposition)).toEqual(['suppressed', 'under_investigation']);
    expect(r.residual.bySeverity.critical.under_investigation).toBe(1);
  });
});
