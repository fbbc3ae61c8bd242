/**
 * `@flareo/trust-score/definition`: the constants and curves that define the score, for
 * tools that explain or chart it (a score breakdown page, a what-if calculator) rather than
 * compute it. Everyday use needs only the main entry: `computeTrustScore` already returns
 * each signal's weight, subscore, points and reason.
 */
export {
  PACKAGE_COMPONENT_TYPES,
  SBOM_FIELDS,
  STRONG_HASH_ALGORITHMS,
} from './sbom.js';
export {
  freshnessSubscore,
  MAX_SLSA_LEVEL,
  SEVERITIES,
  SIGNAL_WEIGHTS,
  VULNERABILITY_PENALTIES,
  vulnerabilitySubscore,
} from './score.js';
export { IN_TOTO_STATEMENT_TYPES, SLSA_PROVENANCE_TYPES } from './slsa.js';
