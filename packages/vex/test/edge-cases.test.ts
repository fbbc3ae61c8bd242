import { describe, expect, it } from 'vitest';
import {
  applyToTrivy,
  createVexIndex,
  type FindingOutcome,
  mergeVex,
  parseVex,
} from '../src/index.js';
import { doc, na, st, trivyReport } from './helpers.js';

const HEX = '124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126';
const PKG = 'pkg:npm/lib@1.2.3';

function imageReport(
  vulns: Parameters<typeof trivyReport>[0],
  repoDigest = `index.docker.io/library/alpine@sha256:${HEX}`,
) {
  return trivyReport(vulns, {
    ArtifactType: 'container_image',
    Metadata: { RepoDigests: [repoDigest], ImageConfig: { architecture: 'amd64' } },
  });
}

describe('the 14 edge cases of the research notes', () => {
  it('1. history: older under_investigation, newer fixed → suppressed (newest wins)', () => {
    const d = doc([
      st('under_investigation', 'CVE-1', PKG, { timestamp: '2024-01-01T00:00:00Z' }),
      st('fixed', 'CVE-1', PKG, { timestamp: '2024-02-01T00:00:00Z' }),
    ]);
    const [f] = applyToTrivy(trivyReport([{ id: 'CVE-1', purl: PKG }]), [d]).findings;
    expect(f?.disposition).toBe('suppressed');
    expect(f?.status).toBe('fixed');
    // Order in the document does not matter.
    const reversed = doc([...d.statements].reverse());
    expect(
      applyToTrivy(trivyReport([{ id: 'CVE-1', purl: PKG }]), [reversed]).findings[0]?.status,
    ).toBe('fixed');
  });

  it('2. timestamp tie: the later position wins, the conflict is reported; conservative mode prefers open', () => {
    const d = doc([st('affected', 'CVE-1', PKG), st('not_affected', 'CVE-1', PKG)]);
    const r = createVexIndex([d]).resolve({ vulnerability: 'CVE-1', product: { purls: [PKG] } });
    expect(r.winner?.status).toBe('not_affected');
    expect(r.conflicts.map((c) => c.status)).toEqual(['affected']);
    const c = createVexIndex([d], { conservative: true }).resolve({
      vulnerability: 'CVE-1',
      product: { purls: [PKG] },
    });
    expect(c.winner?.status).toBe('affected');
    // last_updated breaks the tie before position does.
    const lu = doc([
      st('affected', 'CVE-1', PKG, { last_updated: '2024-03-01T00:00:00Z' }),
      st('not_affected', 'CVE-1', PKG),
    ]);
    expect(
      createVexIndex([lu]).resolve({ vulnerability: 'CVE-1', product: { purls: [PKG] } }).winner
        ?.status,
    ).toBe('affected');
  });

  it('3. alias-named older not_affected vs CVE-named newer affected → affected (names never break recency)', () => {
    const d = doc([
      na('GO-2024-1', PKG, {
        vulnerability: { name: 'GO-2024-1', aliases: ['CVE-2024-1'] },
        timestamp: '2024-01-01T00:00:00Z',
      }),
      st('affected', 'CVE-2024-1', PKG, { timestamp: '2024-02-01T00:00:00Z' }),
    ]);
    const [f] = applyToTrivy(trivyReport([{ id: 'CVE-2024-1', purl: PKG }]), [d]).findings;
    expect(f?.disposition).toBe('affected');
    expect(f?.actionStatement).toBe('upgrade');
    // Queried by the GO id, the same group decides.
    expect(
      createVexIndex([d]).resolve({ vulnerability: 'GO-2024-1', product: { purls: [PKG] } }).winner
        ?.status,
    ).toBe('affected');
  });

  it('4. product-only statement vs statement with subcomponents', () => {
    const image = `pkg:oci/alpine@sha256:${HEX}`;
    const productOnly = st('not_affected', 'CVE-1', image);
    const withSub = {
      ...st('affected', 'CVE-1', image),
      products: [{ '@id': image, subcomponents: [{ '@id': 'pkg:npm/lib' }] }],
    };
    const report = imageReport([
      { id: 'CVE-1', purl: PKG },
      { id: 'CVE-1', purl: 'pkg:npm/other@1' },
    ]);
    const r = applyToTrivy(report, [doc([productOnly, withSub])]);
    // Same time: the subcomponent statement is more specific for lib; other is covered by the product-only one.
    expect(r.findings.map((f) => f.disposition)).toEqual(['affected', 'suppressed']);
    expect(r.findings[1]?.via).toBe('product');
  });

  it('5. VEX purl with qualifiers vs scanner purl without them → no match, near miss', () => {
    const d = doc([na('CVE-1', 'pkg:apk/alpine/git?arch=x86_64')]);
    const r = applyToTrivy(trivyReport([{ id: 'CVE-1', purl: 'pkg:apk/alpine/git@2.35.1-r2' }]), [
      d,
    ]);
    const [f] = r.findings;
    expect(f?.disposition).toBe('unaddressed');
    expect(f && r.explain(f)[0]).toMatchObject({
      field: 'qualifier',
      qualifier: 'arch',
      expected: 'x86_64',
      actual: undefined,
    });
  });

  it('6. version-less VEX purl vs versioned scanner purl → match; the reverse does not', () => {
    const d = doc([na('CVE-1', 'pkg:npm/lib'), na('CVE-2', 'pkg:npm/lib@9.9.9')]);
    const r = applyToTrivy(
      trivyReport([
        { id: 'CVE-1', purl: PKG },
        { id: 'CVE-2', purl: PKG },
      ]),
      [d],
    );
    expect(r.findings.map((f) => f.disposition)).toEqual(['suppressed', 'unaddressed']);
    expect(r.explain(r.findings[1] as FindingOutcome)[0]).toMatchObject({
      field: 'version',
      expected: '9.9.9',
      actual: '1.2.3',
    });
  });

  it.each([
    'pkg:oci/alpine?repository_url=docker.io/library',
    'pkg:oci/alpine?repository_url=index.docker.io%2Flibrary%2Falpine',
    'pkg:oci/alpine?repository_url=registry-1.docker.io/library/alpine',
    'pkg:oci/alpine?repository_url=docker.io/alpine&arch=amd64',
  ])('7. repository_url shape and Docker Hub alias: %s', (product) => {
    const d = doc([
      {
        ...na('CVE-1', product),
        products: [{ '@id': product, subcomponents: [{ '@id': 'pkg:npm/lib' }] }],
      },
    ]);
    expect(
      applyToTrivy(imageReport([{ id: 'CVE-1', purl: PKG }]), [d]).findings[0]?.disposition,
    ).toBe('suppressed');
    const other = imageReport([{ id: 'CVE-1', purl: PKG }], `ghcr.io/library/alpine@sha256:${HEX}`);
    const r = applyToTrivy(other, [d], { explain: true });
    const miss = r.findings[0];
    expect(miss?.disposition).toBe('unaddressed');
    expect(miss?.nearMisses[0]?.field).toBe('repository_url');
  });

  it('8. sha256%3A in the VEX vs sha256: from the scanner → match', () => {
    const d = doc([na('CVE-1', `pkg:oci/alpine@sha256%3A${HEX}`)]);
    expect(
      applyToTrivy(imageReport([{ id: 'CVE-1', purl: PKG }]), [d]).findings[0]?.disposition,
    ).toBe('suppressed');
  });

  it('9. hashes-only product: invalid strictly, matched by digest in lenient mode', () => {
    const raw = doc([{ ...na('CVE-1', 'x'), products: [{ hashes: { 'sha-256': HEX } }] }]);
    expect(() => parseVex(raw)).toThrowError(expect.objectContaining({ code: 'DOCUMENT_INVALID' }));
    const parsed = parseVex(raw, { mode: 'lenient' });
    expect(parsed.warnings.map((w) => w.code)).toContain('COMPONENT_HASHES_ONLY');
    expect(
      applyToTrivy(imageReport([{ id: 'CVE-1', purl: PKG }]), [parsed]).findings[0]?.disposition,
    ).toBe('suppressed');
  });

  it('10. vulnerability given only by @id matches a finding with that id', () => {
    const raw = doc([{ ...na('x', PKG), vulnerability: { '@id': 'CVE-2022-23628' } as never }]);
    const parsed = parseVex(raw, { mode: 'lenient' });
    expect(parsed.warnings.map((w) => w.code)).toEqual(['VULNERABILITY_NAME_MISSING']);
    expect(
      applyToTrivy(trivyReport([{ id: 'CVE-2022-23628', purl: PKG }]), [parsed]).findings[0]
        ?.disposition,
    ).toBe('suppressed');
  });

  it.each([
    ['https://openvex.dev/ns', 'CONTEXT_UNVERSIONED'],
    ['https://openvex.dev/ns/v0.2.0/', 'CONTEXT_TRAILING_SLASH'],
  ])('11. @context %s: lenient warning, still applies', (ctx, code) => {
    const parsed = parseVex(doc([na('CVE-1', PKG)], { '@context': ctx }), { mode: 'lenient' });
    expect(parsed.warnings.map((w) => w.code)).toEqual([code]);
    expect(
      applyToTrivy(trivyReport([{ id: 'CVE-1', purl: PKG }]), [parsed]).findings[0]?.disposition,
    ).toBe('suppressed');
  });

  it('12. affected without action_statement: lenient warning, finding stays open as affected', () => {
    const raw = doc([
      { vulnerability: { name: 'CVE-1' }, products: [{ '@id': PKG }], status: 'affected' },
    ]);
    const parsed = parseVex(raw, { mode: 'lenient' });
    expect(parsed.warnings.map((w) => w.code)).toEqual(['AFFECTED_WITHOUT_ACTION']);
    const [f] = applyToTrivy(trivyReport([{ id: 'CVE-1', purl: PKG }]), [parsed]).findings;
    expect(f).toMatchObject({ disposition: 'affected', actionStatement: undefined });
  });

  it('13. same document @id in versions 1 and 2: version 2 supersedes in a merge', () => {
    const v1 = doc([st('affected', 'CVE-1', PKG)], { version: 1 });
    const v2 = doc([na('CVE-1', PKG)], { version: 2, timestamp: '2023-12-01T00:00:00Z' });
    const merged = mergeVex([v2, v1]);
    expect(merged.dropped).toEqual([
      { documentIndex: 1, documentId: v1['@id'], reason: 'superseded', by: 0 },
    ]);
    expect(merged.document.statements.map((s) => s.status)).toEqual(['not_affected']);
    // Without merging, document version breaks the time tie too.
    const tie = doc([na('CVE-1', PKG)], { version: 2 });
    expect(
      createVexIndex([tie, v1]).resolve({ vulnerability: 'CVE-1', product: { purls: [PKG] } })
        .winner?.status,
    ).toBe('not_affected');
  });

  it('14. distro=debian-12 vs distro=debian-12.13 → no match, reported as a near miss', () => {
    const d = doc([na('CVE-1', 'pkg:deb/debian/openssl?distro=debian-12')]);
    const [f] = applyToTrivy(
      trivyReport([
        { id: 'CVE-1', purl: 'pkg:deb/debian/openssl@3.0.11?arch=amd64&distro=debian-12.13' },
      ]),
      [d],
      { explain: true },
    ).findings;
    expect(f?.disposition).toBe('unaddressed');
    expect(f?.nearMisses).toEqual([
      expect.objectContaining({
        field: 'qualifier',
        qualifier: 'distro',
        expected: 'debian-12',
        actual: 'debian-12.13',
      }),
    ]);
    expect(f?.nearMisses[0]?.message).toContain('qualifier distro');
  });
});
