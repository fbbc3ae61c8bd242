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
  /** Why statements that almost applied did not. */
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

function tally(items: Iterable<Disposition>): ResidualCounts {
  const c = { unaddressed: 0, under_investigation: 0, affected: 0, open: 0, suppressed: 0 };
  for (const d of items) {
    c[d]++;
    if (d !== 'suppressed') c.open++;
  }
  return c;
}

function packageKey(p: FindingPackage): string {
  if (p.purl) return p.purl;
  return `${p.name ?? ''}@${p.version ?? ''}`;
}

/**
 * Count what is left after VEX. A (vulnerability, package) pair takes the most open
 * disposition of its findings (affected, then under investigation, then unaddressed, then
 * suppressed) and the highest severity.
 */
export function computeResidual(findings: readonly FindingOutcome[]): Residual {
  const pairs = new Map<string, { d: Disposition; s: Severity }>();
  const vulns = new Map<string, Disposition>();
  for (const f of findings) {
    const v = f.vulnerability.trim().toUpperCase();
    const key = `${v}\u0000${packageKey(f.package)}`;
    const prev = pairs.get(key);
    if (!prev) pairs.set(key, { d: f.disposition, s: f.severity });
    else {
      if (OPENNESS[f.disposition] > OPENNESS[prev.d]) prev.d = f.disposition;
      if (SEVERITIES.indexOf(f.severity) < SEVERITIES.indexOf(prev.s)) prev.s = f.severity;
    }
    const pv = vulns.get(v);
    if (pv === undefined || OPENNESS[f.disposition] > OPENNESS[pv]) vulns.set(v, f.disposition);
  }
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((sev) => [
      sev,
      tally([...pairs.values()].filter((p) => p.s === sev).map((p) => p.d)),
    ]),
  ) as Record<Severity, ResidualCounts>;
  return {
    pairs: tally([...pairs.values()].map((p) => p.d)),
    bySeverity,
    vulnerabilities: tally(vulns.values()),
    findings: tally(findings.map((f) => f.disposition)),
  };
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
  const v = value.trim().toLowerCase();
  if (v === 'negligible') return negligibleAs;
  if (v === 'critical' || v === 'high' || v === 'medium' || v === 'low') return v;
  if (v === 'moderate') return 'medium';
  return 'unknown';
}
