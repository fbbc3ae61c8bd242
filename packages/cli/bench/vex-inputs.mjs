// The inputs of the `flareo vex apply` benchmark rows, written deterministically from the
// vexhub-rke2 vector; shared by whole-process.mjs and vex-outputs.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Write `trivy-10k.json` and `trivy-100k.json` into `dir`; returns their paths, the VEX
 * document's and the `--product` arguments that make the statements apply.
 */
export function writeVexApplyInputs(dir, vectors) {
  // A 10,000-finding Trivy report for the rke2 binary: a third of the findings are named by
  // the VEX document (same vulnerability and subcomponent), a third share the vulnerability
  // with another version of the module, a third are unrelated. Deterministic.
  const vexFile = join(vectors, 'vex', 'openvex', 'vexhub-rke2.openvex.json');
  const vexDoc = JSON.parse(readFileSync(vexFile, 'utf8'));
  const named = vexDoc.statements.flatMap((s) =>
    (s.products ?? []).flatMap((p) =>
      (p.subcomponents ?? []).filter((c) => c['@id']).map((c) => [s.vulnerability.name, c['@id']]),
    ),
  );
  const findings = Array.from({ length: 10_000 }, (_, i) => {
    const [vuln, purl] = named[i % named.length];
    const variant = i % 3;
    const pkg =
      variant === 0
        ? purl
        : variant === 1
          ? purl.replace(/@.*$/, `@v0.0.${i}`)
          : `pkg:golang/example.com/m${i % 400}@v2.${i}.1`;
    return {
      VulnerabilityID: variant === 2 ? `CVE-2098-${20000 + i}` : vuln,
      PkgName: pkg,
      PkgIdentifier: { PURL: pkg },
      Severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][i % 4],
    };
  });
  const trivyReport = (vulnerabilities) =>
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'rke2',
      ArtifactType: 'filesystem',
      Results: [
        { Target: 'rke2', Class: 'lang-pkgs', Type: 'gobinary', Vulnerabilities: vulnerabilities },
      ],
    });
  const report = join(dir, 'trivy-10k.json');
  writeFileSync(report, trivyReport(findings));
  // The same at 100,000 findings, made from the 10,000: ten copies, where the findings the
  // VEX document names stay as they are and the others get another version in each copy
  // (the unrelated ones another vulnerability id too), so packages stay mostly distinct.
  const findings100k = [];
  for (let k = 0; k < 10; k++) {
    findings.forEach((f, i) => {
      if (k === 0 || i % 3 === 0) {
        findings100k.push(f);
        return;
      }
      const pkg = `${f.PkgName}-${k}`;
      findings100k.push({
        ...f,
        VulnerabilityID: i % 3 === 2 ? `CVE-2098-${k}${20000 + i}` : f.VulnerabilityID,
        PkgName: pkg,
        PkgIdentifier: { PURL: pkg },
      });
    });
  }
  const report100k = join(dir, 'trivy-100k.json');
  writeFileSync(report100k, trivyReport(findings100k));
  // The scanned binary's own module: with it, statements about rke2's subcomponents apply
  // (a third of the findings are suppressed); without it, none does.
  const product = ['--product', 'pkg:golang/github.com/rancher/rke2'];
  return { vexFile, report, report100k, product };
}
