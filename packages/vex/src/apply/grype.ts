import type { Subject } from '../identity.js';
import { normalizeSeverity } from '../residual.js';
import { decide, type FindingInput, NONE, suppressionReason } from './decide.js';
import { Leaves } from './leaves.js';
import type { ApplyOptions, ApplyResult, VexInput } from './options.js';
import { startPackageApply } from './package-apply.js';
import { arrayAt, isRecord, str, strings } from './report.js';
import { imageSubject } from './subjects.js';

function grypeImage(report: Record<string, unknown>): Subject | undefined {
  const source = isRecord(report.source) ? report.source : {};
  if (source.type !== 'image' || !isRecord(source.target)) return undefined;
  const t = source.target;
  const refs = [...strings(t.repoDigests), ...strings(t.tags)];
  const manifest = str(t.manifestDigest);
  const digests = manifest ? [manifest] : [];
  if (strings(t.repoDigests).length === 0 && manifest) {
    const name = strings(t.tags)[0] ?? str(t.userInput);
    if (name) refs.push(`${name.replace(/@.*$/, '')}@${manifest}`);
  }
  return imageSubject(refs, str(t.architecture), digests);
}

/**
 * Apply VEX to a Grype JSON report (`grype … -o json`). Findings in `matches` are matched by
 * the artifact purl (and CPEs); the product is the scanned image (repo digests, tags,
 * manifest digest) plus `options.product`. Grype reports carry no dependency graph, so a
 * statement applies through the image (package as subcomponent) or the package as product.
 * Matches already in `ignoredMatches` are left as they are and not counted.
 */
export function applyToGrype(
  report: unknown,
  vex: VexInput,
  options: ApplyOptions = {},
): ApplyResult {
  // A leaf key is `p` + the purl, or the JSON of [purl, cpes] when there are CPEs.
  const { input, ctx, add, finish } = startPackageApply(
    report,
    vex,
    options,
    'grype',
    'Grype',
    grypeImage,
    (core) =>
      new Leaves(core, (key) => {
        if (key.startsWith('p')) return { purls: [key.slice(1)], cpes: [] };
        const [purl, cpes] = JSON.parse(key) as [string | null, string[]];
        return { purls: purl ? [purl] : [], cpes };
      }),
  );
  const kept: unknown[] = [];
  const ignored = arrayAt(input, 'ignoredMatches', '', 'Grype');
  arrayAt(input, 'matches', '', 'Grype').forEach((m, i) => {
    const vuln = isRecord(m) && isRecord(m.vulnerability) ? m.vulnerability : undefined;
    if (!isRecord(m) || !vuln || !str(vuln.id)) {
      kept.push(m);
      return;
    }
    const artifact = isRecord(m.artifact) ? m.artifact : {};
    const purl = str(artifact.purl);
    const cpes = strings(artifact.cpes);
    const related = Array.isArray(m.relatedVulnerabilities)
      ? m.relatedVulnerabilities.flatMap((r) => (isRecord(r) && str(r.id) ? [r.id as string] : []))
      : NONE;
    const f: FindingInput = {
      location: `/matches/${i}`,
      vulnerability: vuln.id as string,
      aliases: related,
      package: { name: str(artifact.name), version: str(artifact.version), purl },
      severity: normalizeSeverity(vuln.severity, options.negligibleAs),
      leaf: cpes.length ? JSON.stringify([purl ?? null, cpes]) : purl ? `p${purl}` : undefined,
    };
    const o = decide(ctx, f, undefined);
    add(o);
    if (o.disposition === 'suppressed') {
      const rules = Array.isArray(m.appliedIgnoreRules) ? m.appliedIgnoreRules : [];
      ignored.push({
        ...m,
        appliedIgnoreRules: [
          ...rules,
          {
            vulnerability: f.vulnerability,
            namespace: 'vex',
            'vex-status': o.status,
            'vex-justification': suppressionReason(o),
          },
        ],
      });
    } else kept.push(m);
  });
  input.matches = kept;
  if (ignored.length > 0) input.ignoredMatches = ignored;
  return finish();
}
