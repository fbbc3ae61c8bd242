import type { CompiledSubject, Subject } from '../identity.js';
import { normalizeSeverity } from '../residual.js';
import type { IndexCore } from '../vex-index/core.js';
import {
  type DependencyGraph,
  decide,
  type FindingInput,
  NONE,
  suppressionReason,
} from './decide.js';
import { Leaves } from './leaves.js';
import type { ApplyOptions, ApplyResult, VexInput } from './options.js';
import { startPackageApply } from './package-apply.js';
import { arrayAt, isRecord, str, strings } from './report.js';
import { imageSubject } from './subjects.js';

function trivyImage(report: Record<string, unknown>): Subject | undefined {
  if (report.ArtifactType !== 'container_image') return undefined;
  const meta = isRecord(report.Metadata) ? report.Metadata : {};
  const config = isRecord(meta.ImageConfig) ? meta.ImageConfig : {};
  const refs = [...strings(meta.RepoDigests), ...strings(meta.RepoTags)];
  return imageSubject(refs, str(config.architecture));
}

function buildGraph(
  result: Record<string, unknown>,
  path: string,
  core: IndexCore,
): DependencyGraph | undefined {
  const packages = arrayAt(result, 'Packages', path, 'Trivy');
  if (!packages.some((p) => isRecord(p) && Array.isArray(p.DependsOn))) return undefined;
  const subjects = new Map<string, CompiledSubject>();
  const parents = new Map<string, string[]>();
  for (const p of packages) {
    if (!isRecord(p)) continue;
    const id = str(p.ID);
    if (!id) continue;
    const ident = isRecord(p.Identifier) ? p.Identifier : {};
    const purl = str(ident.PURL);
    subjects.set(id, core.compile({ purls: purl ? [purl] : [] }));
    for (const child of strings(p.DependsOn)) {
      const list = parents.get(child);
      if (list) list.push(id);
      else parents.set(child, [id]);
    }
  }
  return { subjects, parents };
}

/**
 * Apply VEX to a Trivy JSON report (`trivy … --format json`). Findings are matched by the
 * package purl; the product is the scanned image (from `RepoDigests`/`RepoTags`) plus
 * `options.product`. When the report carries a dependency graph (`--list-all-pkgs`), a
 * finding without a product-wide statement is suppressed only when every path to a root is
 * covered. Throws `VexError` (`JSON_INVALID`, `REPORT_INVALID`) for input that is not a report.
 */
export function applyToTrivy(
  report: unknown,
  vex: VexInput,
  options: ApplyOptions = {},
): ApplyResult {
  const { input, ctx, add, finish } = startPackageApply(
    report,
    vex,
    options,
    'trivy',
    'Trivy',
    trivyImage,
    (core) => new Leaves(core, (purl) => ({ purls: [purl] }), true),
  );
  const core = ctx.core;
  const results = arrayAt(input, 'Results', '', 'Trivy');
  results.forEach((result, r) => {
    if (!isRecord(result)) return;
    const rp = `/Results/${r}`;
    const at = `${rp}/Vulnerabilities/`;
    const graph = buildGraph(result, rp, core);
    const vulns = arrayAt(result, 'Vulnerabilities', rp, 'Trivy');
    const kept: unknown[] = [];
    const modified = arrayAt(result, 'ExperimentalModifiedFindings', rp, 'Trivy');
    vulns.forEach((v, i) => {
      if (!isRecord(v) || !str(v.VulnerabilityID)) {
        kept.push(v);
        return;
      }
      const ident = isRecord(v.PkgIdentifier) ? v.PkgIdentifier : {};
      const purl = str(ident.PURL);
      const f: FindingInput = {
        location: at + i,
        vulnerability: str(v.VulnerabilityID) as string,
        aliases: Array.isArray(v.VendorIDs) ? strings(v.VendorIDs) : NONE,
        package: { name: str(v.PkgName), version: str(v.InstalledVersion), purl },
        severity: normalizeSeverity(v.Severity, options.negligibleAs),
        leaf: purl,
        node: str(v.PkgID),
      };
      const o = decide(ctx, f, graph);
      add(o);
      if (o.disposition === 'suppressed') {
        modified.push({
          Type: 'vulnerability',
          Status: o.status,
          Statement: suppressionReason(o),
          Source: o.statement?.ref.documentId ?? 'OpenVEX',
          Finding: v,
        });
      } else kept.push(v);
    });
    if (Array.isArray(result.Vulnerabilities)) result.Vulnerabilities = kept;
    if (modified.length > 0) result.ExperimentalModifiedFindings = modified;
  });
  return finish();
}
