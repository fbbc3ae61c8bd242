import type { Subject } from '../identity.js';
import {
  type FindingOutcome,
  normalizeSeverity,
  ResidualTally,
  type Severity,
} from '../residual.js';
import { indexCore } from '../resolve.js';
import { type DecideContext, decide, NONE, Resolutions, suppressionReason } from './decide.js';
import { Explanations, withExplain } from './explain.js';
import { Leaves } from './leaves.js';
import {
  type ApplyOptions,
  type ApplyResult,
  type ApplyWarning,
  toIndex,
  type VexInput,
} from './options.js';
import { arrayAt, isRecord, readReport, str, strings } from './report.js';
import { compileAll, imageSubject } from './subjects.js';
import { tagOnlyWarnings } from './warnings.js';

/** Why SARIF results can only be matched by vulnerability and image. */
export const SARIF_LIMITATION =
  'SARIF results carry no package identity (no purl), so only statements about the whole image (or with no subcomponents) can apply; statements scoped to subcomponents are reported as near misses.';

const VULN_ID = /^(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|GO-\d{4}-\d{4,})/i;

/** The vulnerability id of a SARIF rule id: Grype appends `-<package>` to the CVE. */
export function sarifVulnerabilityId(ruleId: string): string {
  return VULN_ID.exec(ruleId)?.[1] ?? ruleId;
}

function ruleSeverity(
  rule: Record<string, unknown> | undefined,
  negligible: ApplyOptions['negligibleAs'],
): Severity {
  if (!rule) return 'unknown';
  const help = isRecord(rule.help) ? str(rule.help.text) : undefined;
  const fromHelp = help ? /Severity:\s*([A-Za-z]+)/.exec(help)?.[1] : undefined;
  if (fromHelp) return normalizeSeverity(fromHelp, negligible);
  const props = isRecord(rule.properties) ? rule.properties : {};
  for (const tag of strings(props.tags)) {
    const s = normalizeSeverity(tag, negligible);
    if (s !== 'unknown') return s;
  }
  const score = Number(props['security-severity']);
  if (Number.isFinite(score) && score > 0) {
    return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  }
  return 'unknown';
}

function messagePackage(text: string | undefined): {
  name: string | undefined;
  version: string | undefined;
} {
  if (!text) return { name: undefined, version: undefined };
  const trivy = /Package:\s*(\S+)\s*\nInstalled Version:\s*(\S+)/.exec(text);
  if (trivy) return { name: trivy[1], version: trivy[2] };
  const grype = /reports (\S+) at version (\S+)/.exec(text);
  if (grype) return { name: grype[1], version: grype[2] };
  return { name: undefined, version: undefined };
}

function runImages(run: Record<string, unknown>, results: unknown[]): string[] {
  const props = isRecord(run.properties) ? run.properties : {};
  const refs = new Set<string>([...strings(props.repoDigests)]);
  const name = str(props.imageName);
  if (name?.includes('@')) refs.add(name);
  for (const tag of strings(props.repoTags)) refs.add(tag);
  if (refs.size === 0) {
    // Grype writes the image reference in front of each logical location.
    for (const r of results) {
      if (!isRecord(r)) continue;
      for (const loc of Array.isArray(r.locations) ? r.locations : []) {
        if (!isRecord(loc)) continue;
        for (const l of Array.isArray(loc.logicalLocations) ? loc.logicalLocations : []) {
          const fq = isRecord(l) ? str(l.fullyQualifiedName) : undefined;
          const m = fq ? /^([^\s@]+@sha256:[0-9a-f]{64})@/.exec(fq) : null;
          if (m?.[1]) refs.add(m[1]);
        }
      }
      if (refs.size > 0) break;
    }
  }
  return [...refs];
}

/**
 * Apply VEX to a SARIF 2.1.0 log from Trivy or Grype. SARIF is lossy: results name the
 * vulnerability (rule id) but not the package, so matching is vulnerability- and image-level
 * only (see {@link SARIF_LIMITATION}, repeated in `limitations`). The image comes from the
 * run properties (Trivy) or the logical locations (Grype), plus `options.product`.
 * Suppressed results get a SARIF `suppressions` entry of kind `external`.
 */
export function applyToSarif(
  report: unknown,
  vex: VexInput,
  options: ApplyOptions = {},
): ApplyResult {
  const input = readReport(report, 'SARIF', options.inPlace ?? false);
  const index = toIndex(vex, options);
  const core = indexCore(index);
  const explanations = new Explanations(options.explain ?? false);
  // SARIF results name no package: no finding has a leaf.
  const leaves = new Leaves(core, () => ({}));
  const findings: FindingOutcome[] = [];
  const residual = new ResidualTally();
  const limitations = [SARIF_LIMITATION];
  const warnings: ApplyWarning[] = [];
  arrayAt(input, 'runs', '', 'SARIF').forEach((run, r) => {
    if (!isRecord(run)) return;
    const rp = `/runs/${r}`;
    const results = arrayAt(run, 'results', rp, 'SARIF');
    const tool = isRecord(run.tool) && isRecord(run.tool.driver) ? run.tool.driver : {};
    const rules = new Map<string, Record<string, unknown>>();
    for (const rule of Array.isArray(tool.rules) ? tool.rules : []) {
      if (isRecord(rule) && str(rule.id)) rules.set(rule.id as string, rule);
    }
    const images = runImages(run, results);
    const subjects: Subject[] = [imageSubject(images)];
    if (options.product) subjects.push(options.product);
    const products = compileAll(subjects);
    tagOnlyWarnings(core, products, warnings);
    const ctx: DecideContext = {
      core,
      leaves,
      products,
      useAliases: false,
      explainScope: true,
      explanations,
      resolutions: new Resolutions(),
    };
    if (products.length === 0) {
      limitations.push(
        `run ${r}: no image identity found and no product given; no statement can apply`,
      );
    }
    results.forEach((res, i) => {
      if (!isRecord(res) || !str(res.ruleId)) return;
      const ruleId = res.ruleId as string;
      const message = isRecord(res.message) ? str(res.message.text) : undefined;
      const pkg = messagePackage(message);
      const o = decide(
        ctx,
        {
          location: `${rp}/results/${i}`,
          vulnerability: sarifVulnerabilityId(ruleId),
          aliases: NONE,
          package: { ...pkg, purl: undefined },
          severity: ruleSeverity(rules.get(ruleId), options.negligibleAs),
          leaf: undefined,
        },
        undefined,
      );
      findings.push(o);
      residual.add(o);
      if (o.disposition === 'suppressed') {
        const prior = Array.isArray(res.suppressions) ? res.suppressions : [];
        res.suppressions = [
          ...prior,
          {
            kind: 'external',
            status: 'accepted',
            justification: `OpenVEX ${o.status}: ${suppressionReason(o)}`,
          },
        ];
      }
    });
    ctx.resolutions.clear();
  });
  return withExplain(
    {
      format: 'sarif',
      granularity: 'image',
      limitations,
      warnings,
      findings,
      residual: residual.result(),
      report: input,
    },
    explanations,
  );
}
