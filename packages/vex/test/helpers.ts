import type { VexDocument, VexStatement } from '../src/index.js';

/** A strict-valid document around the given statements. */
export function doc(statements: VexStatement[], extra: Partial<VexDocument> = {}): VexDocument {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.com/vex/test',
    author: 'Test Author',
    timestamp: '2024-01-01T00:00:00Z',
    version: 1,
    statements,
    ...extra,
  };
}

/** A not_affected statement for one product. */
export function na(vuln: string, product: string, extra: Partial<VexStatement> = {}): VexStatement {
  return {
    vulnerability: { name: vuln },
    products: [{ '@id': product }],
    status: 'not_affected',
    justification: 'vulnerable_code_not_present',
    ...extra,
  };
}

/** A statement with the given status (and the fields that status needs). */
export function st(
  status: VexStatement['status'],
  vuln: string,
  product: string,
  extra: Partial<VexStatement> = {},
): VexStatement {
  const base: VexStatement = {
    vulnerability: { name: vuln },
    products: [{ '@id': product }],
    status,
  };
  if (status === 'not_affected') base.justification = 'component_not_present';
  if (status === 'affected') base.action_statement = 'upgrade';
  return { ...base, ...extra };
}

/** A minimal Trivy report with one result and the given vulnerabilities. */
export function trivyReport(
  vulns: { id: string; purl: string; severity?: string; pkgId?: string }[],
  extra: Record<string, unknown> = {},
  packages?: unknown[],
): Record<string, unknown> {
  return {
    SchemaVersion: 2,
    ArtifactName: 'test',
    ArtifactType: 'filesystem',
    ...extra,
    Results: [
      {
        Target: 't',
        ...(packages ? { Packages: packages } : {}),
        Vulnerabilities: vulns.map((v) => ({
          VulnerabilityID: v.id,
          PkgID: v.pkgId,
          PkgName: v.purl.split('/').pop()?.split('@')[0],
          PkgIdentifier: { PURL: v.purl },
          InstalledVersion: v.purl.split('@')[1]?.split('?')[0],
          Severity: v.severity ?? 'HIGH',
        })),
      },
    ],
  };
}
