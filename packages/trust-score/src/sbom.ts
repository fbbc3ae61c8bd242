import { PackageURL } from 'packageurl-js';
import { describeValue, TrustScoreError } from './errors.js';

/** The metadata a component needs to count as complete. */
export type SbomField = 'name' | 'version' | 'purl' | 'license' | 'hash' | 'supplier';

/** The fields, in the order they are reported. */
export const SBOM_FIELDS: readonly SbomField[] = Object.freeze([
  'name',
  'version',
  'purl',
  'license',
  'hash',
  'supplier',
]);

/**
 * Hash algorithms (CycloneDX `hashes[].alg`) that count as "SHA-256 or stronger", with the
 * length of their hex digest.
 */
export const STRONG_HASH_ALGORITHMS: Readonly<Record<string, number>> = Object.freeze({
  'SHA-256': 64,
  'SHA-384': 96,
  'SHA-512': 128,
  'SHA3-256': 64,
  'SHA3-384': 96,
  'SHA3-512': 128,
  'BLAKE2b-256': 64,
  'BLAKE2b-384': 96,
  'BLAKE2b-512': 128,
  BLAKE3: 64,
});

/**
 * CycloneDX component types that describe packages, the things the completeness share is
 * about. `file`, `data`, `machine-learning-model` and `cryptographic-asset` are left out.
 */
export const PACKAGE_COMPONENT_TYPES: readonly string[] = Object.freeze([
  'application',
  'framework',
  'library',
  'container',
  'platform',
  'operating-system',
  'device',
  'device-driver',
  'firmware',
]);

/** Options of {@link sbomCompleteness}. */
export interface SbomCompletenessOptions {
  /**
   * Component `type`s that are counted; others are ignored. A component without `type` is
   * always counted. Defaults to {@link PACKAGE_COMPONENT_TYPES}.
   */
  readonly componentTypes?: readonly string[] | undefined;
  /** At most this many incomplete components are listed in the result. Defaults to `100`. */
  readonly maxListed?: number | undefined;
}

/** A component that is not complete, and what it lacks. */
export interface IncompleteComponent {
  /** The component's `bom-ref`, else `name@version`, else its JSON path. */
  readonly ref: string;
  readonly missing: readonly SbomField[];
}

/** Result of {@link sbomCompleteness}. */
export interface SbomCompleteness {
  /** Share of counted components that are complete, 0–1; `0` when none are counted. */
  readonly completeness: number;
  /** Number of components counted (nested components included, the SBOM's subject excluded). */
  readonly total: number;
  /** Number of complete components. */
  readonly complete: number;
  /** Per field, the share of counted components that have it (0 when none are counted). */
  readonly coverage: Readonly<Record<SbomField, number>>;
  /** Incomplete components, in document order, at most `maxListed`. */
  readonly incomplete: readonly IncompleteComponent[];
  /** One sentence summarising the result, naming the weakest field. */
  readonly reason: string;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Whether `value` is a package URL that packageurl-js (the purl parser `@flareo/vex` uses
 * too) parses, with a version when it has an `@`: `pkg:npm/lodash@` names no version, so
 * it does not identify a package. packageurl-js follows the purl specification, so empty
 * path segments and qualifiers without a value are discarded rather than refused.
 */
export function isValidPurl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return PackageURL.fromString(value).version !== '';
  } catch {
    return false;
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function hasLicense(component: Json): boolean {
  const licenses = component.licenses;
  if (!Array.isArray(licenses)) return false;
  for (const entry of licenses) {
    if (!isObject(entry)) continue;
    if (nonEmpty(entry.expression) && entry.expression.trim().toUpperCase() !== 'NOASSERTION') {
      return true;
    }
    const license = entry.license;
    if (isObject(license)) {
      if (nonEmpty(license.id)) return true;
      if (nonEmpty(license.name) && license.name.trim().toUpperCase() !== 'NOASSERTION')
        return true;
    }
  }
  return false;
}

function hasStrongHash(component: Json): boolean {
  const hashes = component.hashes;
  if (!Array.isArray(hashes)) return false;
  for (const entry of hashes) {
    if (!isObject(entry) || typeof entry.alg !== 'string' || typeof entry.content !== 'string') {
      continue;
    }
    const length = STRONG_HASH_ALGORITHMS[entry.alg];
    if (length !== undefined && entry.content.length === length && HEX.test(entry.content)) {
      return true;
    }
  }
  return false;
}

function missingFields(component: Json): SbomField[] {
  const missing: SbomField[] = [];
  if (!nonEmpty(component.name)) missing.push('name');
  if (!nonEmpty(component.version)) missing.push('version');
  if (!isValidPurl(component.purl)) missing.push('purl');
  if (!hasLicense(component)) missing.push('license');
  if (!hasStrongHash(component)) missing.push('hash');
  if (!(isObject(component.supplier) && nonEmpty(component.supplier.name)))
    missing.push('supplier');
  return missing;
}

function sbomInvalid(field: string, expected: string, actual: unknown, cause?: unknown) {
  return new TrustScoreError(
    'SBOM_INVALID',
    `SBOM ${field}: expected ${expected}, got ${describeValue(actual)}`,
    { field, expected, actual },
    cause === undefined ? undefined : { cause },
  );
}

function parseBom(sbom: unknown): Json {
  let doc = sbom;
  if (typeof sbom === 'string' || sbom instanceof Uint8Array) {
    const text = typeof sbom === 'string' ? sbom : new TextDecoder().decode(sbom);
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw sbomInvalid('document', 'CycloneDX JSON', 'text that is not JSON', error);
    }
  }
  if (!isObject(doc)) throw sbomInvalid('document', 'a JSON object', doc);
  if (doc.bomFormat !== 'CycloneDX') throw sbomInvalid('bomFormat', '"CycloneDX"', doc.bomFormat);
  if (!nonEmpty(doc.specVersion)) {
    throw sbomInvalid('specVersion', 'a CycloneDX version string', doc.specVersion);
  }
  if (doc.components !== undefined && !Array.isArray(doc.components)) {
    throw sbomInvalid('components', 'an array', doc.components);
  }
  return doc;
}

/**
 * Measure how complete a CycloneDX JSON SBOM is: the share of its package components that
 * carry **all** of
 * - `name` and `version` (non-empty),
 * - a `purl` that packageurl-js parses (with a version when it has an `@`),
 * - a license: `licenses[]` with a `license.id`, a `license.name` or an `expression` that is
 *   not `NOASSERTION`,
 * - a hash: `hashes[]` with an algorithm of {@link STRONG_HASH_ALGORITHMS} and a hex digest
 *   of the right length,
 * - a supplier: `supplier.name` (non-empty).
 *
 * Components nested in `components[].components` count; the SBOM's own subject
 * (`metadata.component`) does not. An SBOM without counted components scores `0`.
 *
 * @param sbom The parsed document, or its JSON text or bytes.
 * @throws {TrustScoreError} `SBOM_INVALID` when it is not CycloneDX JSON (`bomFormat`,
 *   `specVersion`, array `components` whose items are objects).
 */
export function sbomCompleteness(
  sbom: unknown,
  options: SbomCompletenessOptions = {},
): SbomCompleteness {
  const doc = parseBom(sbom);
  const types = new Set(options.componentTypes ?? PACKAGE_COMPONENT_TYPES);
  const maxListed = options.maxListed ?? 100;
  if (!Number.isSafeInteger(maxListed) || maxListed < 0) {
    throw new TrustScoreError(
      'ARGUMENT_INVALID',
      `option maxListed: expected a non-negative integer, got ${describeValue(maxListed)}`,
      { field: 'maxListed', expected: 'a non-negative integer', actual: maxListed },
    );
  }

  const have: Record<SbomField, number> = {
    name: 0,
    version: 0,
    purl: 0,
    license: 0,
    hash: 0,
    supplier: 0,
  };
  const incomplete: IncompleteComponent[] = [];
  let total = 0;
  let complete = 0;

  // Depth-first in document order: a component, then its children, then its next sibling.
  const pending: { item: unknown; path: string }[] = [];
  const top = Array.isArray(doc.components) ? doc.components : [];
  for (let i = top.length - 1; i >= 0; i--)
    pending.push({ item: top[i], path: `components[${i}]` });
  while (pending.length > 0) {
    const { item, path: itemPath } = pending.pop()!;
    if (!isObject(item)) throw sbomInvalid(itemPath, 'a component object', item);
    const children = item.components;
    if (children !== undefined) {
      if (!Array.isArray(children))
        throw sbomInvalid(`${itemPath}.components`, 'an array', children);
      for (let i = children.length - 1; i >= 0; i--) {
        pending.push({ item: children[i], path: `${itemPath}.components[${i}]` });
      }
    }
    if (item.type !== undefined && !(typeof item.type === 'string' && types.has(item.type))) {
      continue;
    }
    total++;
    const missing = missingFields(item);
    for (const field of SBOM_FIELDS) if (!missing.includes(field)) have[field]++;
    if (missing.length === 0) {
      complete++;
    } else if (incomplete.length < maxListed) {
      const ref = nonEmpty(item['bom-ref'])
        ? item['bom-ref']
        : nonEmpty(item.name)
          ? `${item.name}${nonEmpty(item.version) ? `@${item.version}` : ''}`
          : itemPath;
      incomplete.push({ ref, missing });
    }
  }

  const share = (n: number): number => (total === 0 ? 0 : n / total);
  const coverage = {} as Record<SbomField, number>;
  for (const field of SBOM_FIELDS) coverage[field] = share(have[field]);
  const completeness = share(complete);

  let reason: string;
  if (total === 0) {
    reason = 'The SBOM lists no package components, so none can be complete.';
  } else {
    const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
    let weakest: SbomField = 'name';
    for (const field of SBOM_FIELDS) if (coverage[field] < coverage[weakest]) weakest = field;
    reason =
      complete === total
        ? `All ${total} components have name, version, purl, license, strong hash and supplier.`
        : `${complete} of ${total} components (${pct(completeness)}) are complete; the least covered field is ${weakest} (${pct(coverage[weakest])}).`;
  }
  return { completeness, total, complete, coverage, incomplete, reason };
}
