import type { Subject } from '../identity.js';
import { type FindingOutcome, ResidualTally } from '../residual.js';
import { indexCore } from '../resolve.js';
import type { IndexCore } from '../vex-index/core.js';
import { type DecideContext, Resolutions } from './decide.js';
import { Explanations, withExplain } from './explain.js';
import type { Leaves } from './leaves.js';
import { type ApplyOptions, type ApplyResult, toIndex, type VexInput } from './options.js';
import { readReport } from './report.js';
import { compileAll } from './subjects.js';
import { tagOnlyWarnings } from './warnings.js';

// What `applyToTrivy` and `applyToGrype` share: both match findings by package, against one
// scanned product (the image the report names, plus `options.product`) for the whole report.

/** One package-granular apply under way: the report, what deciding needs, the tally. */
export interface PackageApply {
  /** The report of the apply's own (parsed, copied, or the input with `inPlace`). */
  readonly input: Record<string, unknown>;
  readonly ctx: DecideContext;
  /** Record a decided finding, in report order. */
  readonly add: (outcome: FindingOutcome) => void;
  /** The result, once every finding is added (frees the apply's memo of packages). */
  readonly finish: () => ApplyResult;
}

/**
 * Start a package-granular apply: read the report (`label` names the format in errors), the
 * index, the scanned image (`imageOf` the report) with `options.product`, and the package
 * identities (`leavesOf` the index's core).
 */
export function startPackageApply(
  report: unknown,
  vex: VexInput,
  options: ApplyOptions,
  format: 'trivy' | 'grype',
  label: string,
  imageOf: (input: Record<string, unknown>) => Subject | undefined,
  leavesOf: (core: IndexCore) => Leaves,
): PackageApply {
  const input = readReport(report, label, options.inPlace ?? false);
  const core = indexCore(toIndex(vex, options));
  const explanations = new Explanations(options.explain ?? false);
  const image = imageOf(input);
  const products = compileAll(
    [image, options.product].filter((s): s is Subject => s !== undefined),
  );
  const findings: FindingOutcome[] = [];
  const residual = new ResidualTally();
  const ctx: DecideContext = {
    core,
    leaves: leavesOf(core),
    products,
    useAliases: options.scannerAliases ?? false,
    explainScope: false,
    explanations,
    resolutions: new Resolutions(),
  };
  return {
    input,
    ctx,
    add: (o) => {
      findings.push(o);
      residual.add(o);
    },
    finish: () => {
      ctx.leaves.release();
      ctx.resolutions.clear();
      return withExplain(
        {
          format,
          granularity: 'package',
          limitations: [],
          warnings: tagOnlyWarnings(core, products),
          findings,
          residual: residual.result(),
          report: input,
        },
        explanations,
      );
    },
  };
}
