import { readVector } from '@flareo/testkit';
import { type ParsedVex, parseVex } from '../src/index.js';

/** The 1,666-statement vexhub rke2 document, parsed leniently. */
export function rke2(): ParsedVex {
  return parseVex(readVector('vex/openvex/vexhub-rke2.openvex.json'), { mode: 'lenient' });
}

/**
 * A Trivy report with `n` findings for the rke2 binary: a third reuse (vulnerability,
 * subcomponent) pairs from the VEX so they match, a third reuse the vulnerability with another
 * version of the package (near misses), and a third are unrelated. Deterministic.
 */
export function trivyReport(doc: ParsedVex, n: number): Record<string, unknown> {
  const pairs: [string, string][] = [];
  for (const s of doc.document.statements) {
    for (const p of s.products ?? []) {
      for (const sc of p.subcomponents ?? [])
        if (sc['@id']) pairs.push([s.vulnerability.name, sc['@id']]);
    }
  }
  const severities = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNKNOWN'];
  const vulns = [];
  for (let i = 0; i < n; i++) {
    const [vuln, purl] = pairs[i % pairs.length] as [string, string];
    const kind = i % 3;
    const pkgPurl =
      kind === 0
        ? purl
        : kind === 1
          ? purl.replace(/@.*$/, `@v0.0.${i}`)
          : `pkg:golang/example.com/mod${i % 500}@v1.${i}.0`;
    vulns.push({
      VulnerabilityID: kind === 2 ? `CVE-2099-${10000 + i}` : vuln,
      PkgName: pkgPurl,
      PkgIdentifier: { PURL: pkgPurl },
      Severity: severities[i % severities.length],
    });
  }
  return {
    SchemaVersion: 2,
    ArtifactName: 'rke2',
    ArtifactType: 'filesystem',
    Results: [{ Target: 'rke2', Class: 'lang-pkgs', Type: 'gobinary', Vulnerabilities: vulns }],
  };
}

export const PRODUCT = { purls: ['pkg:golang/github.com/rancher/rke2@v1.30.0'] };
