import { VexError } from './errors.js';
import type { Candidate, NearMiss } from './resolve.js';
import type { VexJustification, VexStatus } from './types.js';

/** Normalized severity across the Trivy, Grype and SARIF scales. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'negligible' | 'unknown';

/** All severities, most severe first. */
export const SEVERITIES: readonly Severity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'negligible',
  'unknown',
];

/** What VEX did to a finding. */
export type Disposition = 'suppressed' | 'affected' | 'under_investigation' | 'unaddressed';

/** The package a finding is about, as far as the report says. */
export interface FindingPackage {
  readonly name: string | undefined;
  readonly version: string | undefined;
  readonly purl: string | undefined;
}

/** One scanner finding after VEX. */
export interface FindingOutcome {
  /** JSON pointer of the finding in the input report. */
  readonly location: string;
  /** The scanner's vulnerability id. */
  readonly vulnerability: string;
  /** Other ids the scanner gave (used for matching only with `scannerAliases`). */
  readonly aliases: readonly string[];
  readonly package: FindingPackage;
  readonly severity: Severity;
  /**
   * `suppressed` (`not_affected` or `fixed`), `affected` (open, with its action statement),
   * `under_investigation` (open, pending) or `unaddressed` (open, no statement).
   */
  readonly disposition: Disposition;
  /** The deciding statement's status. */
  readonly status: VexStatus | undefined;
  readonly justification: VexJustification | undefined;
  readonly impactStatement: string | undefined;
  readonly actionStatement: string | undefined;
  readonly statusNotes: string | undefined;
  /** The deciding statement; for `paths`, the statement that cut the first path. */
  readonly statement: Candidate | undefined;
  /**
   * How the deciding statement reached the finding: `package` (the package is the product),
   * `product` (the image or root module, possibly with the package as subcomponent), or
   * `paths` (every dependency path to the root is covered by a statement).
   */
  readonly via: 'package' | 'product' | 'paths' | undefined;
  /** Statements with the winner's time and another status. */
  readonly conflicts: readonly Candidate[];
  /**
   * Why statements that almost applied did not: filled for an unaddressed finding when the
   * apply ran with `explain: true`, else empty (ask `ApplyResult.explain(finding)`); always
   * empty for a finding a statement decided.
   */
  readonly nearMisses: readonly NearMiss[];
}

/** Counts of one population, split by disposition. */
export interface ResidualCounts {
  readonly unaddressed: number;
  readonly under_investigation: number;
  readonly affected: number;
  /** `unaddressed + under_investigation + affected`: what policy counts. */
  readonly open: number;
  readonly suppressed: number;
}

/** Residual risk after VEX: the input of the admission policy. */
export interface Residual {
  /** Unique (vulnerability, package) pairs, each with its most open disposition. */
  readonly pairs: ResidualCounts;
  /** The same pairs by their highest normalized severity. */
  readonly bySeverity: Readonly<Record<Severity, ResidualCounts>>;
  /** Unique vulnerability ids, each with its most open disposition over all packages. */
  readonly vulnerabilities: ResidualCounts;
  /** Raw findings (a CVE repeated per Trivy target counts each time). */
  readonly findings: ResidualCounts;
}

const OPENNESS: Record<Disposition, number> = {
  suppressed: 0,
  unaddressed: 1,
  under_investigation: 2,
  affected: 3,
};

type MutableCounts = { -readonly [K in keyof ResidualCounts]: number };

function counts(): MutableCounts {
  return { unaddressed: 0, under_investigation: 0, affected: 0, open: 0, suppressed: 0 };
}

function count(c: MutableCounts, d: Disposition): void {
  switch (d) {
    case 'suppressed':
      c.suppressed++;
      return;
    case 'unaddressed':
      c.unaddressed++;
      break;
    case 'under_investigation':
      c.under_investigation++;
      break;
    case 'affected':
      c.affected++;
      break;
    default:
      c[d as Disposition]++; // not a disposition: counted as before, under its own name
  }
  c.open++;
}

function packageKey(p: FindingPackage): string {
  if (p.purl) return p.purl;
  return `${p.name ?? ''}@${p.version ?? ''}`;
}

/** `SEVERITIES.indexOf(s)`, without the scan. */
const SEVERITY_RANK = new Map<string, number>(SEVERITIES.map((s, i) => [s, i]));
const rank = (s: Severity): number => SEVERITY_RANK.get(s) ?? -1;

/**
 * Count what is left after VEX. A (vulnerability, package) pair takes the most open
 * disposition of its findings (affected, then under investigation, then unaddressed, then
 * suppressed) and the highest severity. Throws `VexError` `ARGUMENT_INVALID` for a value that
 * is not an array.
 */
export function computeResidual(findings: readonly FindingOutcome[]): Residual {
  if (!Array.isArray(findings)) {
    throw new VexError('ARGUMENT_INVALID', 'computeResidual expects an array of findings', {
      expected: 'an array of FindingOutcome',
      actual: findings === null ? 'null' : typeof findings,
    });
  }
  const tally = new ResidualTally();
  for (const f of findings) tally.add(f);
  return tally.result();
}

/**
 * {@link computeResidual} one finding at a time: the `applyTo*` functions add each outcome
 * as it is made, while its strings are still in the CPU cache, instead of reading every
 * finding again at the end (which, on large reports, costs more than the counting).
 *
 * A pair is (vulnerability, package). It is found in at most two hash lookups, the package,
 * then the vulnerability in the package's map, with the report's own strings as keys and pair
 * indices as values: no string is built per finding, and the cost per finding does not grow
 * with the number of vulnerabilities one package has. Most packages of a report have one
 * vulnerability: such a package holds its one pair index instead of a map, and gets a map
 * when a second vulnerability of it turns up.
 */
export class ResidualTally {
  private readonly byPackage = new Map<string, number | Map<string, number>>();
  private readonly pairV: string[] = [];
  private readonly pairD: Disposition[] = [];
  private readonly pairS: Severity[] = [];
  private readonly vulns = new Map<string, Disposition>();
  private readonly raw = counts();

  add(f: FindingOutcome): void {
    const { pairV, pairD, pairS } = this;
    const v = f.vulnerability.trim().toUpperCase();
    const pkg = packageKey(f.package);
    const held = this.byPackage.get(pkg);
    let at: number | undefined;
    if (held === undefined) {
      this.byPackage.set(pkg, pairD.length);
    } else if (typeof held === 'number') {
      if (pairV[held] === v) at = held;
      else this.byPackage.set(pkg, new Map([[pairV[held] as string, held]]).set(v, pairD.length));
    } else {
      at = held.get(v);
      if (at === undefined) held.set(v, pairD.length);
    }
    if (at === undefined) {
      pairV.push(v);
      pairD.push(f.disposition);
      pairS.push(f.severity);
    } else {
      if (OPENNESS[f.disposition] > OPENNESS[pairD[at] as Disposition]) pairD[at] = f.disposition;
      if (rank(f.severity) < rank(pairS[at] as Severity)) pairS[at] = f.severity;
    }
    const pv = this.vulns.get(v);
    if (pv === undefined || OPENNESS[f.disposition] > OPENNESS[pv]) {
      this.vulns.set(v, f.disposition);
    }
    count(this.raw, f.disposition);
  }

  result(): Residual {
    const { pairD, pairS } = this;
    const all = counts();
    const bySeverity = new Map<string, MutableCounts>(SEVERITIES.map((sev) => [sev, counts()]));
    for (let i = 0; i < pairD.length; i++) {
      const d = pairD[i] as Disposition;
      count(all, d);
      const c = bySeverity.get(pairS[i] as Severity);
      if (c) count(c, d);
    }
    const vulnerabilities = counts();
    for (const d of this.vulns.values()) count(vulnerabilities, d);
    return {
      pairs: all,
      bySeverity: Object.fromEntries(bySeverity) as Record<Severity, ResidualCounts>,
      vulnerabilities,
      findings: { ...this.raw },
    };
  }
}

/** How to read Grype's `Negligible`. */
export type NegligibleAs = 'negligible' | 'low';

/**
 * Normalize a severity word from Trivy (`UNKNOWN|LOW|MEDIUM|HIGH|CRITICAL`), Grype
 * (`Unknown|Negligible|Low|Medium|High|Critical`) or SARIF text; anything else is `unknown`.
 */
export function normalizeSeverity(
  value: unknown,
  negligibleAs: NegligibleAs = 'negligible',
): Severity {
  if (typeof value !== 'string') return 'unknown';
  // The constants, not `v` itself: every finding's outcome keeps its severity, and these are
  // shared where `v` would be one more string per finding.
  switch (value.trim().toLowerCase()) {
    case 'negligible':
      return negligibleAs;
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    default:
      return 'unknown';
  }
}
