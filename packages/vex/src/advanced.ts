/**
 * `@flareo/vex/advanced`: the building blocks under the everyday API, for callers that
 * match, count or check by themselves. Purl parsing and comparison as the matcher does it,
 * hash normalization, residual counts of outcomes made elsewhere, severity normalization,
 * SARIF rule ids, the OpenVEX schema and its enumerations, a yes/no schema check, and the
 * nesting limits. Everything here throws the same `VexError` as the main entry (one class,
 * shared by both entries).
 */
export { SARIF_LIMITATION, sarifVulnerabilityId } from './apply/sarif.js';
export { MAX_REPORT_DEPTH, MAX_VEX_DEPTH } from './depth.js';
export { normalizeHash } from './identity.js';
export type { NormalizedPurl, PurlMismatch } from './purl.js';
export { comparePurls, parsePurlSafe as parsePurl, purlMatches } from './purl.js';
export { computeResidual, normalizeSeverity } from './residual.js';
export { HASH_ALGORITHMS, JUSTIFICATIONS, openVexSchema, STATUSES } from './schema.js';
export { conformsToOpenVexSchema, OPENVEX_CONTEXT } from './validate.js';
