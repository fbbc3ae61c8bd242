import { describeValue, TrustScoreError } from './errors.js';
import { parseRfc3339 } from './rfc3339.js';

/** Severities the vulnerability signal counts, from worst to least bad. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

/** The severities in the order they are reported. */
export const SEVERITIES: readonly Severity[] = Object.freeze([
  'critical',
  'high',
  'medium',
  'low',
  'unknown',
]);

/**
 * Open vulnerabilities by severity, counted after VEX: findings a VEX statement marks
 * `not_affected` or `fixed` are left out; unaddressed, under-investigation and affected
 * findings stay in. Every count is a non-negative integer.
 */
export interface VulnerabilityCounts {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  /** Findings the scanner could not rate. Defaults to `0`. */
  readonly unknown?: number | undefined;
}

/** The four inputs of the trust score. */
export interface TrustSignals {
  /** Open vulnerabilities by severity after VEX. */
  readonly vulnerabilities: VulnerabilityCounts;
  /**
   * SLSA build level, an integer 0–3, derived from verified provenance and a trusted-builder
   * table (see `slsaLevelFromProvenance`), never taken from the provenance's own claim.
   * `0` means no verified provenance.
   */
  readonly slsaLevel: number;
  /**
   * Hours since the last successful rebuild-and-sign (see `hoursSince`), a finite number
   * `>= 0`; `null` when the module was never signed, which earns no freshness points.
   */
  readonly hoursSinceSigned: number | null;
  /**
   * Share of SBOM components with complete CycloneDX metadata, from `0` to `1` (see
   * `sbomCompleteness`); `null` when there is no SBOM, which earns no SBOM points.
   */
  readonly sbomCompleteness: number | null;
}

/** Options of {@link computeTrustScore}. */
export interface TrustScoreOptions {
  /** Hours after signing during which freshness earns full credit. Defaults to `24`. */
  readonly freshnessGraceHours?: number | undefined;
  /**
   * Hours after signing at which freshness reaches zero credit; between the grace window and
   * this point credit falls linearly. Must exceed `freshnessGraceHours`. Defaults to `720`
   * (30 days).
   */
  readonly freshnessZeroHours?: number | undefined;
  /** Lowest score (rounded) with status `passing`. Defaults to `85`. */
  readonly passingScore?: number | undefined;
  /** Lowest score (rounded) with status `warning`; below it the status is `failing`. Defaults to `60`. */
  readonly warningScore?: number | undefined;
}

/** Names of the four signals, in the order the explanation lists them. */
export type SignalName = 'vulnerabilities' | 'slsa' | 'freshness' | 'sbom';

/** Points each signal can earn; they add up to 100. */
export const SIGNAL_WEIGHTS: Readonly<Record<SignalName, number>> = Object.freeze({
  vulnerabilities: 50,
  slsa: 20,
  freshness: 15,
  sbom: 15,
});

/**
 * Penalty per open vulnerability in the exponent of the vulnerability curve
 * `subscore = 100 · exp(−Σ penalty[severity] · count[severity])`. One critical costs as much
 * as about three highs, twenty mediums or a hundred lows; an unrated finding counts like a
 * medium.
 */
export const VULNERABILITY_PENALTIES: Readonly<Record<Severity, number>> = Object.freeze({
  critical: 1,
  high: 0.35,
  medium: 0.05,
  low: 0.01,
  unknown: 0.05,
});

/** Highest SLSA build level (SLSA v1.0 build track); the SLSA subscore is `level / 3 · 100`. */
export const MAX_SLSA_LEVEL = 3;

/** Default values of {@link TrustScoreOptions}. */
export const TRUST_SCORE_DEFAULTS: Readonly<{ [K in keyof TrustScoreOptions]-?: number }> =
  Object.freeze({
    freshnessGraceHours: 24,
    freshnessZeroHours: 720,
    passingScore: 85,
    warningScore: 60,
  });

/** Overall status of a module. */
export type TrustStatus = 'passing' | 'warning' | 'failing';

interface SignalCommon {
  /** Points this signal can earn (its weight). */
  readonly weight: number;
  /** The signal's own score, 0–100, rounded to two decimals. */
  readonly subscore: number;
  /** Points earned out of `weight`, rounded to two decimals. */
  readonly points: number;
  /** One sentence saying what was measured and what it earned. */
  readonly reason: string;
}

/** Explanation of the vulnerability signal. */
export interface VulnerabilitySignal extends SignalCommon {
  readonly signal: 'vulnerabilities';
  readonly value: Readonly<Record<Severity, number>>;
}
/** Explanation of the SLSA signal. */
export interface SlsaSignal extends SignalCommon {
  readonly signal: 'slsa';
  readonly value: number;
}
/** Explanation of the signature-freshness signal; `value` is hours since signing. */
export interface FreshnessSignal extends SignalCommon {
  readonly signal: 'freshness';
  readonly value: number | null;
}
/** Explanation of the SBOM-completeness signal; `value` is the complete share, 0–1. */
export interface SbomSignal extends SignalCommon {
  readonly signal: 'sbom';
  readonly value: number | null;
}
/** Explanation of one signal. */
export type SignalExplanation = VulnerabilitySignal | SlsaSignal | FreshnessSignal | SbomSignal;

/** The trust score with its explanation. */
export interface TrustScore {
  /** The score, an integer 0–100: the sum of the unrounded points, rounded half up. */
  readonly score: number;
  /** The sum of the unrounded points, rounded to two decimals. */
  readonly exactScore: number;
  readonly status: TrustStatus;
  /** One sentence saying why the status is what it is. */
  readonly statusReason: string;
  /** The four signals, in the order vulnerabilities, SLSA, freshness, SBOM. */
  readonly signals: readonly [VulnerabilitySignal, SlsaSignal, FreshnessSignal, SbomSignal];
}

interface ResolvedOptions {
  readonly grace: number;
  readonly zero: number;
  readonly passing: number;
  readonly warning: number;
}

function optionNumber(options: TrustScoreOptions, key: keyof TrustScoreOptions): number {
  const value = options[key];
  if (value === undefined) return TRUST_SCORE_DEFAULTS[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TrustScoreError(
      'ARGUMENT_INVALID',
      `option ${key}: expected a finite number >= 0, got ${describeValue(value)}`,
      { field: key, expected: 'a finite number >= 0', actual: value },
    );
  }
  return value;
}

let cachedDefaults: ResolvedOptions | undefined;

function resolveOptions(options: TrustScoreOptions | undefined): ResolvedOptions {
  if (options === undefined) {
    cachedDefaults ??= resolveOptions({});
    return cachedDefaults;
  }
  if (typeof options !== 'object' || options === null) {
    throw new TrustScoreError(
      'ARGUMENT_INVALID',
      `options: expected an object, got ${describeValue(options)}`,
      { field: 'options', expected: 'an object', actual: options },
    );
  }
  const grace = optionNumber(options, 'freshnessGraceHours');
  const zero = optionNumber(options, 'freshnessZeroHours');
  const passing = optionNumber(options, 'passingScore');
  const warning = optionNumber(options, 'warningScore');
  if (zero <= grace) {
    throw new TrustScoreError(
      'ARGUMENT_INVALID',
      `option freshnessZeroHours: expected more than freshnessGraceHours (${grace}), got ${zero}`,
      { field: 'freshnessZeroHours', expected: `> ${grace}`, actual: zero },
    );
  }
  if (passing > 100 || warning > passing) {
    throw new TrustScoreError(
      'ARGUMENT_INVALID',
      `options passingScore/warningScore: expected 0 <= warningScore <= passingScore <= 100, got ${warning} and ${passing}`,
      {
        field: 'passingScore',
        expected: 'warningScore <= passingScore <= 100',
        actual: { passing, warning },
      },
    );
  }
  return { grace, zero, passing, warning };
}

function invalid(field: string, expected: string, actual: unknown): TrustScoreError {
  return new TrustScoreError(
    'SIGNAL_INVALID',
    `${field}: expected ${expected}, got ${describeValue(actual)}`,
    { field, expected, actual },
  );
}

function count(source: Record<string, unknown>, severity: Severity): number {
  const value = source[severity];
  if (value === undefined && severity === 'unknown') return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`vulnerabilities.${severity}`, 'a non-negative integer', value);
  }
  return value;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Vulnerability subscore (0–100) for the given counts: `100 · exp(−Σ penalty · count)`. */
export function vulnerabilitySubscore(counts: Readonly<Record<Severity, number>>): number {
  const exponent =
    VULNERABILITY_PENALTIES.critical * counts.critical +
    VULNERABILITY_PENALTIES.high * counts.high +
    VULNERABILITY_PENALTIES.medium * counts.medium +
    VULNERABILITY_PENALTIES.low * counts.low +
    VULNERABILITY_PENALTIES.unknown * counts.unknown;
  return 100 * Math.exp(-exponent);
}

/**
 * Freshness subscore (0–100) for hours since signing: 100 within the grace window, then
 * linear down to 0 at `zeroHours`, 0 afterwards.
 */
export function freshnessSubscore(
  hours: number,
  graceHours: number = TRUST_SCORE_DEFAULTS.freshnessGraceHours,
  zeroHours: number = TRUST_SCORE_DEFAULTS.freshnessZeroHours,
): number {
  if (hours <= graceHours) return 100;
  if (hours >= zeroHours) return 0;
  return (100 * (zeroHours - hours)) / (zeroHours - graceHours);
}

function formatHours(hours: number): string {
  const shown = hours < 10 ? Math.round(hours * 10) / 10 : Math.round(hours);
  return `${shown} hour${shown === 1 ? '' : 's'}`;
}

function vulnerabilityReason(counts: Readonly<Record<Severity, number>>, points: number): string {
  const parts: string[] = [];
  let total = 0;
  for (const severity of SEVERITIES) {
    const n = counts[severity];
    total += n;
    if (n > 0) parts.push(`${n} ${severity}`);
  }
  const earned = `${round2(points)} of ${SIGNAL_WEIGHTS.vulnerabilities} points`;
  if (total === 0) return `No open vulnerabilities after VEX: ${earned}.`;
  const critical = counts.critical > 0 ? '; criticals cost the most' : '';
  return `${plural(total, 'open vulnerability', 'open vulnerabilities')} after VEX (${parts.join(', ')}): ${earned}${critical}.`;
}

/**
 * Compute the 0–100 trust score of a module from its four signals, with the points each
 * signal earned and why. Pure and synchronous.
 *
 * @throws {TrustScoreError} `SIGNAL_INVALID` for a missing or out-of-range signal,
 *   `ARGUMENT_INVALID` for a bad option.
 * @example
 * computeTrustScore({
 *   vulnerabilities: { critical: 0, high: 1, medium: 0, low: 0 },
 *   slsaLevel: 2,
 *   hoursSinceSigned: 3,
 *   sbomCompleteness: 1,
 * }).score; // 79
 */
export function computeTrustScore(signals: TrustSignals, options?: TrustScoreOptions): TrustScore {
  const opts = resolveOptions(options);
  if (typeof signals !== 'object' || signals === null) {
    throw invalid('signals', 'an object', signals);
  }
  const rawCounts: unknown = signals.vulnerabilities;
  if (typeof rawCounts !== 'object' || rawCounts === null || Array.isArray(rawCounts)) {
    throw invalid('vulnerabilities', 'an object of counts by severity', rawCounts);
  }
  const source = rawCounts as Record<string, unknown>;
  const counts: Readonly<Record<Severity, number>> = {
    critical: count(source, 'critical'),
    high: count(source, 'high'),
    medium: count(source, 'medium'),
    low: count(source, 'low'),
    unknown: count(source, 'unknown'),
  };

  const level: unknown = signals.slsaLevel;
  if (
    typeof level !== 'number' ||
    !Number.isInteger(level) ||
    level < 0 ||
    level > MAX_SLSA_LEVEL
  ) {
    throw invalid('slsaLevel', `an integer from 0 to ${MAX_SLSA_LEVEL}`, level);
  }
  const hours: unknown = signals.hoursSinceSigned;
  if (hours !== null && (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0)) {
    throw invalid('hoursSinceSigned', 'a finite number >= 0, or null when never signed', hours);
  }
  const completeness: unknown = signals.sbomCompleteness;
  if (
    completeness !== null &&
    (typeof completeness !== 'number' ||
      !Number.isFinite(completeness) ||
      completeness < 0 ||
      completeness > 1)
  ) {
    throw invalid(
      'sbomCompleteness',
      'a number from 0 to 1, or null when there is no SBOM',
      completeness,
    );
  }

  const vulnSub = vulnerabilitySubscore(counts);
  const vulnPoints = (vulnSub * SIGNAL_WEIGHTS.vulnerabilities) / 100;
  const slsaSub = (100 * level) / MAX_SLSA_LEVEL;
  const slsaPoints = (slsaSub * SIGNAL_WEIGHTS.slsa) / 100;
  const freshSub = hours === null ? 0 : freshnessSubscore(hours, opts.grace, opts.zero);
  const freshPoints = (freshSub * SIGNAL_WEIGHTS.freshness) / 100;
  const sbomSub = completeness === null ? 0 : 100 * completeness;
  const sbomPoints = (sbomSub * SIGNAL_WEIGHTS.sbom) / 100;

  const exact = vulnPoints + slsaPoints + freshPoints + sbomPoints;
  // Guard against binary noise such as 84.99999999 when the true sum is 85.
  const score = Math.min(100, Math.max(0, Math.round(round2(exact))));

  let status: TrustStatus;
  let statusReason: string;
  if (counts.critical > 0) {
    status = 'failing';
    statusReason = `${plural(counts.critical, 'critical vulnerability', 'critical vulnerabilities')} open after VEX: failing whatever the score (${score}).`;
  } else if (score >= opts.passing) {
    status = 'passing';
    statusReason = `Score ${score} is at least ${opts.passing}: passing.`;
  } else if (score >= opts.warning) {
    status = 'warning';
    statusReason = `Score ${score} is below ${opts.passing} but at least ${opts.warning}: warning.`;
  } else {
    status = 'failing';
    statusReason = `Score ${score} is below ${opts.warning}: failing.`;
  }

  const freshWeight = SIGNAL_WEIGHTS.freshness;
  let freshReason: string;
  if (hours === null) {
    freshReason = `Never signed: 0 of ${freshWeight} points.`;
  } else if (hours <= opts.grace) {
    freshReason = `Signed ${formatHours(hours)} ago, within the ${opts.grace}-hour grace window: ${freshWeight} of ${freshWeight} points.`;
  } else if (hours >= opts.zero) {
    freshReason = `Signed ${formatHours(hours)} ago, at or past the ${opts.zero}-hour limit: 0 of ${freshWeight} points.`;
  } else {
    freshReason = `Signed ${formatHours(hours)} ago; credit falls linearly from ${opts.grace} to ${opts.zero} hours: ${round2(freshPoints)} of ${freshWeight} points.`;
  }

  const sbomReason =
    completeness === null
      ? `No SBOM: 0 of ${SIGNAL_WEIGHTS.sbom} points.`
      : `${round2(100 * completeness)}% of SBOM components have complete CycloneDX metadata: ${round2(sbomPoints)} of ${SIGNAL_WEIGHTS.sbom} points.`;

  const slsaReason =
    level === 0
      ? `No verified SLSA provenance (level 0): 0 of ${SIGNAL_WEIGHTS.slsa} points.`
      : `SLSA build level ${level} of ${MAX_SLSA_LEVEL}: ${round2(slsaPoints)} of ${SIGNAL_WEIGHTS.slsa} points.`;

  return {
    score,
    exactScore: round2(exact),
    status,
    statusReason,
    signals: [
      {
        signal: 'vulnerabilities',
        weight: SIGNAL_WEIGHTS.vulnerabilities,
        value: counts,
        subscore: round2(vulnSub),
        points: round2(vulnPoints),
        reason: vulnerabilityReason(counts, vulnPoints),
      },
      {
        signal: 'slsa',
        weight: SIGNAL_WEIGHTS.slsa,
        value: level,
        subscore: round2(slsaSub),
        points: round2(slsaPoints),
        reason: slsaReason,
      },
      {
        signal: 'freshness',
        weight: freshWeight,
        value: hours,
        subscore: round2(freshSub),
        points: round2(freshPoints),
        reason: freshReason,
      },
      {
        signal: 'sbom',
        weight: SIGNAL_WEIGHTS.sbom,
        value: completeness,
        subscore: round2(sbomSub),
        points: round2(sbomPoints),
        reason: sbomReason,
      },
    ],
  };
}

/** Options of {@link hoursSince}. */
export interface HoursSinceOptions {
  /** The current time. Defaults to `new Date()`. */
  readonly now?: Date | number | undefined;
  /**
   * How far in the future (seconds) a signing time may lie before it is rejected; times
   * within this allowance count as 0 hours. Defaults to `300`.
   */
  readonly clockSkewSeconds?: number | undefined;
}

function toMillis(value: unknown, field: string): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = parseRfc3339(value) ?? Number.NaN;
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    throw invalid(field, 'a valid date, RFC 3339 string or epoch milliseconds', value);
  }
  return ms;
}

/**
 * Hours elapsed since `signedAt` (a Date, a strict RFC 3339 string or epoch milliseconds), for
 * {@link TrustSignals.hoursSinceSigned}. Strings must name a real time: `2021-02-31T24:00:00Z`,
 * a leap second `:60` or a date without time and zone are refused, never shifted.
 *
 * @throws {TrustScoreError} `SIGNAL_INVALID` when a time is not a valid date or `signedAt`
 *   lies further in the future than the clock-skew allowance.
 */
export function hoursSince(
  signedAt: Date | string | number,
  options: HoursSinceOptions = {},
): number {
  const signed = toMillis(signedAt, 'signedAt');
  const now = options.now === undefined ? Date.now() : toMillis(options.now, 'now');
  const skew = options.clockSkewSeconds ?? 300;
  if (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0) {
    throw new TrustScoreError(
      'ARGUMENT_INVALID',
      `option clockSkewSeconds: expected a finite number >= 0, got ${describeValue(skew)}`,
      { field: 'clockSkewSeconds', expected: 'a finite number >= 0', actual: skew },
    );
  }
  const elapsed = now - signed;
  if (elapsed < -skew * 1000) {
    throw invalid(
      'signedAt',
      `a time no later than ${skew} s after now`,
      new Date(signed).toISOString(),
    );
  }
  return Math.max(0, elapsed) / 3_600_000;
}
