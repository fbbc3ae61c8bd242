import { normalizeRepositoryUrl } from '@flareo/internal/image-reference';
import { PackageURL } from 'packageurl-js';

/** A purl parsed into components and normalized for comparison. */
export interface NormalizedPurl {
  readonly type: string;
  readonly namespace: string | undefined;
  readonly name: string;
  /** Decoded version; for `oci`, the digest as `algorithm:hex` in lower case. */
  readonly version: string | undefined;
  /** Decoded qualifiers with lower-case keys; for `oci`, `repository_url` is normalized. */
  readonly qualifiers: ReadonlyMap<string, string>;
  /** `type/namespace/name`: the part that must be equal for two purls to be compared at all. */
  readonly packageKey: string;
}

const HEX = /^[0-9a-f]+$/i;

/** Normalize an OCI digest: `sha256:HEX`, `sha256%3AHEX` (decoded already) or bare hex. */
export function normalizeDigest(value: string): string {
  const v = value.trim();
  const colon = v.indexOf(':');
  if (colon < 0) return HEX.test(v) && v.length === 64 ? `sha256:${v.toLowerCase()}` : v;
  return `${v.slice(0, colon).toLowerCase()}:${v.slice(colon + 1).toLowerCase()}`;
}

const cache = new Map<string, NormalizedPurl | null>();
const CACHE_LIMIT = 50_000;

/**
 * Parse a purl with packageurl-js and normalize it for matching. Returns `undefined` (never
 * throws) when the string is not a valid purl. Results are cached, so repeated purls in a
 * report are parsed once.
 */
export function parsePurlSafe(value: string): NormalizedPurl | undefined {
  const hit = cache.get(value);
  if (hit !== undefined) return hit ?? undefined;
  let out: NormalizedPurl | null = null;
  try {
    out = normalize(PackageURL.fromString(value.trim()));
  } catch {
    out = null;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(value, out);
  return out ?? undefined;
}

function normalize(p: PackageURL): NormalizedPurl {
  const type = p.type.toLowerCase();
  const isOci = type === 'oci';
  const name = isOci ? p.name.toLowerCase() : p.name;
  const namespace = p.namespace === undefined || p.namespace === '' ? undefined : p.namespace;
  const qualifiers = new Map<string, string>();
  for (const [k, v] of Object.entries(p.qualifiers ?? {})) {
    if (typeof v !== 'string') continue;
    const key = k.toLowerCase();
    qualifiers.set(key, isOci && key === 'repository_url' ? normalizeRepositoryUrl(v, name) : v);
  }
  const rawVersion = p.version === undefined || p.version === '' ? undefined : p.version;
  const version = isOci && rawVersion !== undefined ? normalizeDigest(rawVersion) : rawVersion;
  return {
    type,
    namespace,
    name,
    version,
    qualifiers,
    packageKey: `${type}/${namespace ?? ''}/${name}`,
  };
}

/** Which part of a purl made a comparison fail. */
export type PurlMismatch =
  | { readonly field: 'version'; readonly expected: string; readonly actual: string | undefined }
  | {
      readonly field: 'qualifier' | 'repository_url';
      readonly qualifier: string;
      readonly expected: string;
      readonly actual: string | undefined;
    };

/**
 * Compare a VEX purl with a scanner purl of the same package (`packageKey`): a VEX purl
 * without a version matches every version; every VEX qualifier must be present on the
 * scanner purl with the same decoded value (the scanner may have more); subpaths are
 * ignored. Returns `undefined` on a match, else the first field that differs.
 */
export function comparePurls(
  vex: NormalizedPurl,
  scanner: NormalizedPurl,
): PurlMismatch | undefined {
  if (vex.version !== undefined && vex.version !== scanner.version) {
    return { field: 'version', expected: vex.version, actual: scanner.version };
  }
  for (const [key, expected] of vex.qualifiers) {
    const actual = scanner.qualifiers.get(key);
    if (actual !== expected) {
      return {
        field: key === 'repository_url' ? 'repository_url' : 'qualifier',
        qualifier: key,
        expected,
        actual,
      };
    }
  }
  return undefined;
}

/**
 * `comparePurls(vex, scanner) === undefined`, without building the mismatch: the hot path of
 * matching, where most comparisons only need a yes or no.
 */
export function purlAccepts(vex: NormalizedPurl, scanner: NormalizedPurl): boolean {
  if (vex.version !== undefined && vex.version !== scanner.version) return false;
  if (vex.qualifiers.size === 0) return true;
  for (const [key, expected] of vex.qualifiers) {
    if (scanner.qualifiers.get(key) !== expected) return false;
  }
  return true;
}

/** True when the VEX purl matches the scanner purl under the rules of {@link comparePurls}. */
export function purlMatches(vexPurl: string, scannerPurl: string): boolean {
  const a = parsePurlSafe(vexPurl);
  const b = parsePurlSafe(scannerPurl);
  if (!a || !b || a.packageKey !== b.packageKey) return false;
  return comparePurls(a, b) === undefined;
}

function fold(part: string): string {
  // decodeURIComponent leaves a string without `%` as it is (and cannot throw on it).
  const decoded = part.includes('%') ? decodeURIComponent(part) : part;
  const lower = decoded.toLowerCase();
  return lower.includes('_') ? lower.replace(/_/g, '-') : lower;
}

const PKG_SCHEME = /^pkg:/i;
const QUERY_OR_FRAGMENT = /[?#]/;

/**
 * A coarse, cheap key of a purl's `type/namespace/name` (decoded, lower-cased, `_` as `-`),
 * computed without the purl library. Two purls whose parsed package keys are equal always
 * have equal coarse keys, so a coarse key that no VEX statement has proves the purl cannot
 * match, and the (slower) full parse can be skipped. `undefined` when in doubt.
 */
export function coarsePackageKey(raw: string): string | undefined {
  // The common case, without splitting and folding: `pkg:` in lower case, then segments of
  // characters that decoding, lower-casing and `_` → `-` leave as they are, one `/` apart.
  if (raw.startsWith('pkg:')) {
    let start = 4;
    while (raw.charCodeAt(start) === 47 /* '/' */) start++;
    let end = raw.length;
    const query = raw.indexOf('?', start);
    if (query >= 0) end = query;
    const fragment = raw.indexOf('#', start);
    if (fragment >= 0 && fragment < end) end = fragment;
    const slash = raw.lastIndexOf('/', end - 1);
    const at = raw.indexOf('@', slash + 1);
    if (at >= 0 && at < end) end = at;
    const s = raw.slice(start, end);
    if (PLAIN_KEY.test(s)) return s;
  }
  return slowCoarsePackageKey(raw);
}

/** At least two non-empty segments of characters that {@link fold} does not change. */
const PLAIN_KEY = /^[a-z0-9.~+!$&'()*,;=:@-]+(?:\/[a-z0-9.~+!$&'()*,;=:@-]+)+$/;

/**
 * {@link coarsePackageKey} for any string: split, decoded and folded segment by segment
 * (the fast path there gives the same key for the shapes it takes).
 */
export function slowCoarsePackageKey(raw: string): string | undefined {
  let s = raw.trim();
  if (!PKG_SCHEME.test(s)) return undefined;
  let start = 4;
  while (s.charCodeAt(start) === 47 /* '/' */) start++;
  s = s.slice(start);
  const cut = s.search(QUERY_OR_FRAGMENT);
  if (cut >= 0) s = s.slice(0, cut);
  const at = s.indexOf('@', s.lastIndexOf('/') + 1);
  if (at >= 0) s = s.slice(0, at);
  let key = '';
  let count = 0;
  try {
    for (const segment of s.split('/')) {
      if (segment === '') continue;
      key = count === 0 ? fold(segment) : `${key}/${fold(segment)}`;
      count++;
    }
  } catch {
    return undefined;
  }
  return count < 2 ? undefined : key;
}

/** Characters a version keeps through the purl parse: no `%`, `/`, `@`, space or control. */
const PLAIN_VERSION = /^[A-Za-z0-9._+~:-]+$/;
const TAB_OR_NEWLINE = /[\t\n\r]/;
/** A type written plainly (no percent-encoding), after `pkg:` and any slashes. */
const PLAIN_TYPE = /^pkg:\/*([A-Za-z0-9.+-]+)\//;

/**
 * The version a purl string gives, read without the purl library, when that is certain up
 * to case: the purl starts with `pkg:` and a plainly written type other than `oci` (whose
 * digests are normalized), and the text after its last `@` (before `?` or `#`) is made only
 * of characters that percent-decoding and trimming leave as they are. packageurl-js then
 * either rejects the purl or gives that text as its version, lower-cased for the types that
 * fold versions (huggingface, luarocks), so a caller comparing versions must ignore case.
 * `undefined` when in doubt (no version, or one that parsing could change).
 */
export function plainVersion(raw: string): string | undefined {
  const type = PLAIN_TYPE.exec(raw)?.[1];
  if (type === undefined || type.toLowerCase() === 'oci') return undefined;
  // The URL parser packageurl-js uses drops tabs and line breaks anywhere, which can move
  // what stands before the `@`.
  if (TAB_OR_NEWLINE.test(raw)) return undefined;
  let end = raw.length;
  const query = raw.indexOf('?');
  if (query >= 0) end = query;
  const fragment = raw.indexOf('#');
  if (fragment >= 0 && fragment < end) end = fragment;
  const at = raw.lastIndexOf('@', end - 1);
  // An `@` right after a `/` starts a name (`pkg:npm/@scope/x`), not a version.
  if (at < 0 || raw.charCodeAt(at - 1) === 47 /* '/' */) return undefined;
  const version = raw.slice(at + 1, end);
  return PLAIN_VERSION.test(version) ? version : undefined;
}

/** The coarse key of an already parsed purl (see {@link coarsePackageKey}). */
export function coarseKeyOf(p: NormalizedPurl): string {
  const parts = [p.type, ...(p.namespace ? p.namespace.split('/') : []), p.name].filter(
    (x) => x !== '',
  );
  return parts.map((x) => x.toLowerCase().replace(/_/g, '-')).join('/');
}
