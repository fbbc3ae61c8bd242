import { VexError } from '../errors.js';
import type { Subject } from '../identity.js';
import type { FindingOutcome, NegligibleAs, Residual } from '../residual.js';
import { type NearMiss, type StatementRef, VexIndex, type VexIndexOptions } from '../resolve.js';
import type { VexDocument } from '../types.js';
import type { ParsedVex } from '../validate.js';
import type { ReportFormat } from './detect.js';

// The options and result of the `applyTo*` functions, and what turns their `vex` argument
// into an index.

/** The VEX to apply: an index built once, or documents to index now. */
export type VexInput = VexIndex | readonly (VexDocument | ParsedVex)[];

/** Options shared by {@link applyToTrivy}, {@link applyToGrype} and {@link applyToSarif}. */
export interface ApplyOptions extends VexIndexOptions {
  /**
   * Extra identities of the scanned product (e.g. the root module purl of a Go binary, or an
   * image purl or digest), added to what the report itself says.
   * @defaultValue none: the product is taken from the report only
   */
  readonly product?: Subject;
  /**
   * Also match statements by the scanner's own alias ids (Trivy `VendorIDs`, Grype
   * `relatedVulnerabilities`).
   * @defaultValue `false`
   */
  readonly scannerAliases?: boolean;
  /**
   * Where Grype's `Negligible` severity is counted.
   * @defaultValue `'negligible'`
   */
  readonly negligibleAs?: NegligibleAs;
  /**
   * Work out, during the apply, why statements did not apply to each finding that no
   * statement decides, into the finding's `nearMisses`. Off by default: near misses cost a
   * second, wider lookup per such finding, and most callers only need the dispositions;
   * {@link ApplyResult.explain} gives the same list for one finding when it is wanted.
   * @defaultValue `false`
   */
  readonly explain?: boolean;
  /**
   * Apply VEX to the report value itself instead of a copy: for a caller that parsed the
   * report only to apply VEX to it (as the `flareo` command does), this spares copying it.
   * The value is then changed the way {@link ApplyResult.report} describes, and is that
   * `report`. Its depth is checked as a copy's would be. Ignored when the report is given as
   * text or bytes, which are parsed into a value of the apply's own anyway.
   * @defaultValue `false`: the input is copied and never changed
   */
  readonly inPlace?: boolean;
}

/** A statement about the scanned image that was not applied, and why. */
export interface ApplyWarning {
  /**
   * `OCI_TAG_ONLY`: the statement names the image only by a mutable tag (no digest), which
   * may now point to another image than the one the statement was written about, so it is
   * not applied (see `matchOciTags`).
   */
  readonly code: 'OCI_TAG_ONLY';
  /** The statement. */
  readonly statement: StatementRef;
  /** The statement's vulnerability name. */
  readonly vulnerability: string;
  /** The identifier as written in the statement, e.g. `pkg:oci/app?tag=1.0`. */
  readonly product: string;
  readonly message: string;
}

/** The outcome of applying VEX to a report. */
export interface ApplyResult<R = unknown> {
  readonly format: ReportFormat;
  /**
   * `package`: findings are matched by package identity. `image`: SARIF carries no package
   * identity, so only vulnerability- and image-level statements can apply.
   */
  readonly granularity: 'package' | 'image';
  /** What this format could not support, in words. Empty for Trivy and Grype. */
  readonly limitations: readonly string[];
  /** Statements that were not applied although they name the scanned image, and why. */
  readonly warnings: readonly ApplyWarning[];
  /** One outcome per finding, in report order. */
  readonly findings: readonly FindingOutcome[];
  readonly residual: Residual;
  /**
   * A copy of the report with VEX applied in the format's own way (Trivy:
   * `ExperimentalModifiedFindings`; Grype: `ignoredMatches` with a `vex` rule; SARIF:
   * `suppressions`). The input is never modified, unless the apply ran with `inPlace: true`
   * on a report given as a value: then this is that value.
   */
  readonly report: R;
  /**
   * Why statements did not apply to one finding of this result (`findings[i]`, the object
   * itself, not a copy): the statements about the same package at another version or with
   * other qualifiers, about the same vulnerability number under another name, or scoped to
   * subcomponents the finding does not name. Empty for a finding a statement decided.
   * Worked out on each call, unless the apply ran with `explain: true` (then it is the
   * finding's `nearMisses`). A non-enumerable method: serializing or spreading the result
   * leaves it out.
   *
   * Throws `VexError` `ARGUMENT_INVALID` for a value that is not one of this result's
   * findings.
   */
  readonly explain: (finding: FindingOutcome) => readonly NearMiss[];
}

/** The index to apply: `vex` itself, or a new index of the documents it lists. */
export function toIndex(vex: VexInput, options: ApplyOptions): VexIndex {
  if (vex instanceof VexIndex) return vex;
  if (!Array.isArray(vex)) {
    throw new VexError('ARGUMENT_INVALID', 'vex must be a VexIndex or an array of documents', {
      actual: typeof vex,
    });
  }
  return new VexIndex(vex, {
    ...(options.conservative === undefined ? {} : { conservative: options.conservative }),
    ...(options.matchOciTags === undefined ? {} : { matchOciTags: options.matchOciTags }),
  });
}
