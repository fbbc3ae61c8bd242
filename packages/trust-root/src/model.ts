import { toHex as bytesToHex } from '@flareo/internal/bytes';
import {
  argumentError,
  optionalString,
  requireArrayOf,
  requireCertificate,
  requireDate,
  requireRecord,
  requireString,
  requireTrustedKey,
  requireWindow,
} from './arguments.js';
import { type IssuerReference, namesLink, type TrustedCertificate } from './certificates.js';
import { TrustRootError } from './errors.js';
import type { TrustedKey, TrustSource } from './keys.js';
import { isWithin, type ValidityWindow } from './validity.js';

/** A certificate authority: the certificates it vouches with, the trust anchor last. */
export interface CertificateAuthority {
  /**
   * Every certificate of this authority, most specific first, the trust anchor last. From
   * trusted_root.json this is the `certChain` as given; from a PEM bundle it is the anchor
   * and the intermediates of the bundle that chain to it.
   */
  readonly certificates: readonly TrustedCertificate[];
  /** The certificate trust stops at: a self-signed root, or a certificate whose issuer is not part of the trust material. */
  readonly anchor: TrustedCertificate;
  /** trusted_root.json `subject`, when given. */
  readonly subject?: { readonly organization?: string; readonly commonName?: string };
  /** trusted_root.json `uri`, when given. */
  readonly uri?: string;
  /** When certificates issued under this authority may be trusted (closed interval). */
  readonly validFor: ValidityWindow;
  readonly source: TrustSource;
}

/** An RFC 3161 timestamp authority: `certificates[0]` is the TSA's signing certificate. */
export interface TimestampAuthority {
  readonly certificates: readonly TrustedCertificate[];
  readonly uri?: string;
  readonly subject?: { readonly organization?: string; readonly commonName?: string };
  readonly validFor: ValidityWindow;
  readonly source: TrustSource;
}

/** A transparency log (Rekor) or certificate transparency log instance. */
export interface TransparencyLog {
  readonly kind: 'tlog' | 'ctlog';
  /** Base URL as configured, e.g. `https://rekor.sigstore.dev`. */
  readonly baseUrl?: string;
  /** Host of {@link baseUrl} without scheme: the checkpoint key name (and Rekor v2 origin). */
  readonly host?: string;
  /** Log id, lowercase hex (Rekor v1 and CT: sha256(SPKI); Rekor v2: the note key hash). */
  readonly logId: string;
  /** trusted_root v0.2 `checkpointKeyId`, lowercase hex, when given. */
  readonly checkpointKeyId?: string;
  /** The log's Merkle tree hash (always sha256 for the logs we support). */
  readonly hashAlgorithm: 'sha256';
  readonly key: TrustedKey;
  /** Same as `key.validFor`: when the log signed with this key. */
  readonly validFor: ValidityWindow;
  readonly operator?: string;
}

/** What went into a trust root, for diagnostics. */
export interface TrustRootSummary {
  readonly keys: { id: string; algorithm: string; source: string }[];
  readonly certificateAuthorities: {
    anchor: string;
    certificates: number;
    validFor: string;
    source: string;
  }[];
  readonly tlogs: { logId: string; baseUrl?: string; algorithm: string; validFor: string }[];
  readonly ctlogs: { logId: string; baseUrl?: string; algorithm: string; validFor: string }[];
  readonly timestampAuthorities: { subject: string; validFor: string }[];
  readonly skipped: readonly string[];
}

/** Parts a trust root is made of. */
export interface TrustRootParts {
  keys?: readonly TrustedKey[];
  certificateAuthorities?: readonly CertificateAuthority[];
  timestampAuthorities?: readonly TimestampAuthority[];
  tlogs?: readonly TransparencyLog[];
  ctlogs?: readonly TransparencyLog[];
  /** Human-readable notes about entries left out (`onUnsupported: 'skip'`). */
  skipped?: readonly string[];
}

const describeAlgorithm = (key: TrustedKey): string => {
  const a = key.algorithm;
  return a.kind === 'ecdsa' ? `ECDSA ${a.curve}` : a.kind === 'rsa' ? `RSA ${a.bits}` : 'Ed25519';
};

const describeWindow = (w: ValidityWindow): string =>
  `${w.start?.toISOString() ?? '-inf'} .. ${w.end?.toISOString() ?? '+inf'}`;

const describeSource = (s: TrustSource): string =>
  `${s.kind}${s.name ? `:${s.name}` : ''}@${s.location}`;

const windowKey = (w: ValidityWindow): string =>
  `${w.start?.getTime() ?? ''}/${w.end?.getTime() ?? ''}`;

function uniqueBy<T>(items: Iterable<T>, keyOf: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (!seen.has(key)) seen.set(key, item);
  }
  return [...seen.values()];
}

/**
 * Whole octets of hex digits in either case (what `/^([0-9a-fA-F]{2})*$/` accepts), by a loop:
 * the pattern's repeated group cost more than the index lookup it guards.
 */
function isHex(text: string): boolean {
  if ((text.length & 1) !== 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c | 0x20; // folds A-F onto a-f
    if (!((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x66))) return false;
  }
  return true;
}

function toHex(id: string | Uint8Array, fn: string, parameter: string): string {
  if (typeof id !== 'string' && !(id instanceof Uint8Array)) {
    throw argumentError(fn, parameter, 'a hex string or a Uint8Array', id);
  }
  if (typeof id === 'string') {
    if (!isHex(id)) {
      throw new TrustRootError(
        'ARGUMENT_INVALID',
        `${fn}: ${parameter} must be hex, got ${JSON.stringify(id)}`,
        {
          expected: 'hex string or bytes',
          actual: id,
        },
      );
    }
    return id.toLowerCase();
  }
  return bytesToHex(id);
}

function freezeAll<T>(items: readonly T[] | undefined): readonly T[] {
  return Object.freeze([...(items ?? [])]);
}

function checkAuthority(fn: string, parameter: string, value: unknown): void {
  const authority = requireRecord(fn, parameter, value);
  requireArrayOf(fn, `${parameter}.certificates`, authority.certificates, requireCertificate);
  if ((authority.certificates as unknown[]).length === 0) {
    throw argumentError(
      fn,
      `${parameter}.certificates`,
      'a non-empty array',
      authority.certificates,
    );
  }
  if (authority.anchor !== undefined)
    requireCertificate(fn, `${parameter}.anchor`, authority.anchor);
  requireWindow(fn, `${parameter}.validFor`, authority.validFor);
}

function checkLog(fn: string, parameter: string, value: unknown): void {
  const log = requireRecord(fn, parameter, value);
  requireString(fn, `${parameter}.logId`, log.logId);
  optionalString(fn, `${parameter}.baseUrl`, log.baseUrl);
  optionalString(fn, `${parameter}.host`, log.host);
  optionalString(fn, `${parameter}.checkpointKeyId`, log.checkpointKeyId);
  requireTrustedKey(fn, `${parameter}.key`, log.key);
  requireWindow(fn, `${parameter}.validFor`, log.validFor);
}

/** The parts of a trust root must have the shapes the lookups index. */
function checkParts(parts: unknown): void {
  const fn = 'new TrustRoot';
  const p = requireRecord(fn, 'parts', parts);
  if (p.keys !== undefined) requireArrayOf(fn, 'parts.keys', p.keys, requireTrustedKey);
  for (const field of ['certificateAuthorities', 'timestampAuthorities'] as const) {
    if (p[field] !== undefined) requireArrayOf(fn, `parts.${field}`, p[field], checkAuthority);
  }
  for (const field of ['tlogs', 'ctlogs'] as const) {
    if (p[field] !== undefined) requireArrayOf(fn, `parts.${field}`, p[field], checkLog);
  }
  if (p.skipped !== undefined) requireArrayOf(fn, 'parts.skipped', p.skipped, requireString);
}

/**
 * The immutable trust model: keys, certificate authorities, transparency logs, CT logs and
 * timestamp authorities, each with a validity window, indexed for lookups by id and time.
 * Build it with `parsePemTrustBundle`, `parseTrustedRoot`, `publicGoodTrustRoot` or
 * `mergeTrustRoots`; parse once and reuse it for every verification.
 */
export class TrustRoot {
  /** Standalone public keys (PEM `PUBLIC KEY` blocks), in input order. */
  readonly keys: readonly TrustedKey[];
  readonly certificateAuthorities: readonly CertificateAuthority[];
  readonly timestampAuthorities: readonly TimestampAuthority[];
  readonly tlogs: readonly TransparencyLog[];
  readonly ctlogs: readonly TransparencyLog[];
  /** Entries left out because they were unsupported and the caller chose to skip them. */
  readonly skipped: readonly string[];

  readonly #keysById = new Map<string, TrustedKey[]>();
  readonly #tlogsById = new Map<string, TransparencyLog[]>();
  readonly #ctlogsById = new Map<string, TransparencyLog[]>();
  readonly #caCertsByNameDer = new Map<
    string,
    { certificate: TrustedCertificate; authority: CertificateAuthority }[]
  >();
  readonly #caCertsBySubject = new Map<
    string,
    { certificate: TrustedCertificate; authority: CertificateAuthority }[]
  >();

  constructor(parts: TrustRootParts) {
    checkParts(parts);
    this.keys = freezeAll(uniqueBy(parts.keys ?? [], (k) => `${k.id}|${windowKey(k.validFor)}`));
    this.certificateAuthorities = freezeAll(
      uniqueBy(
        parts.certificateAuthorities ?? [],
        (ca) => `${ca.certificates.map((c) => c.fingerprint).join(',')}|${windowKey(ca.validFor)}`,
      ),
    );
    this.timestampAuthorities = freezeAll(
      uniqueBy(
        parts.timestampAuthorities ?? [],
        (ta) => `${ta.certificates.map((c) => c.fingerprint).join(',')}|${windowKey(ta.validFor)}`,
      ),
    );
    const logKey = (l: TransparencyLog) => `${l.logId}|${l.baseUrl ?? ''}|${windowKey(l.validFor)}`;
    this.tlogs = freezeAll(uniqueBy(parts.tlogs ?? [], logKey));
    this.ctlogs = freezeAll(uniqueBy(parts.ctlogs ?? [], logKey));
    this.skipped = freezeAll(parts.skipped);

    for (const key of this.keys) push(this.#keysById, key.id, key);
    for (const log of this.tlogs) {
      push(this.#tlogsById, log.logId, log);
      if (log.checkpointKeyId && log.checkpointKeyId !== log.logId) {
        push(this.#tlogsById, log.checkpointKeyId, log);
      }
    }
    for (const log of this.ctlogs) push(this.#ctlogsById, log.logId, log);
    for (const authority of this.certificateAuthorities) {
      for (const certificate of authority.certificates) {
        push(this.#caCertsBySubject, certificate.subject, { certificate, authority });
        push(this.#caCertsByNameDer, certificate.subjectNameDer, { certificate, authority });
      }
    }
    Object.freeze(this);
  }

  /** True when the root holds no trust material at all. */
  get isEmpty(): boolean {
    return (
      this.keys.length +
        this.certificateAuthorities.length +
        this.timestampAuthorities.length +
        this.tlogs.length +
        this.ctlogs.length ===
      0
    );
  }

  /**
   * Standalone keys with this id (sha256 of DER SPKI, hex or bytes), optionally only those
   * valid at `at`.
   */
  keysById(id: string | Uint8Array, at?: Date): readonly TrustedKey[] {
    const keys = this.#keysById.get(toHex(id, 'TrustRoot.keysById', 'id')) ?? [];
    if (at !== undefined) requireDate('TrustRoot.keysById', 'at', at);
    return at ? keys.filter((k) => isWithin(k.validFor, at)) : keys;
  }

  /** Standalone keys valid at `at`. */
  keysAt(at: Date): readonly TrustedKey[] {
    requireDate('TrustRoot.keysAt', 'at', at);
    return this.keys.filter((k) => isWithin(k.validFor, at));
  }

  /**
   * Transparency logs whose log id (or trusted_root v0.2 checkpointKeyId) equals `logId`,
   * optionally only those whose key was valid at `at`.
   */
  tlogsById(logId: string | Uint8Array, at?: Date): readonly TransparencyLog[] {
    const logs = this.#tlogsById.get(toHex(logId, 'TrustRoot.tlogsById', 'logId')) ?? [];
    if (at !== undefined) requireDate('TrustRoot.tlogsById', 'at', at);
    return at ? logs.filter((l) => isWithin(l.validFor, at)) : logs;
  }

  /** CT logs whose log id equals `logId`, optionally only those valid at `at`. */
  ctlogsById(logId: string | Uint8Array, at?: Date): readonly TransparencyLog[] {
    const logs = this.#ctlogsById.get(toHex(logId, 'TrustRoot.ctlogsById', 'logId')) ?? [];
    if (at !== undefined) requireDate('TrustRoot.ctlogsById', 'at', at);
    return at ? logs.filter((l) => isWithin(l.validFor, at)) : logs;
  }

  /** Certificate authorities whose window contains `at`. */
  certificateAuthoritiesAt(at: Date): readonly CertificateAuthority[] {
    requireDate('TrustRoot.certificateAuthoritiesAt', 'at', at);
    return this.certificateAuthorities.filter((ca) => isWithin(ca.validFor, at));
  }

  /** Timestamp authorities whose window contains `at`. */
  timestampAuthoritiesAt(at: Date): readonly TimestampAuthority[] {
    requireDate('TrustRoot.timestampAuthoritiesAt', 'at', at);
    return this.timestampAuthorities.filter((ta) => isWithin(ta.validFor, at));
  }

  /**
   * Trusted CA certificates that may have issued `certificate` (issuer name matches the
   * subject, and authority/subject key identifiers agree when both are present), each with
   * its authority. Signatures are not checked here: the caller verifies the candidate.
   */
  issuerCandidates(
    certificate: IssuerReference,
  ): readonly { certificate: TrustedCertificate; authority: CertificateAuthority }[] {
    const ref = requireRecord('TrustRoot.issuerCandidates', 'certificate', certificate);
    optionalString('TrustRoot.issuerCandidates', 'certificate.issuer', ref.issuer);
    optionalString('TrustRoot.issuerCandidates', 'certificate.issuerNameDer', ref.issuerNameDer);
    optionalString('TrustRoot.issuerCandidates', 'certificate.authorityKeyId', ref.authorityKeyId);
    const bucket =
      certificate.issuerNameDer !== undefined
        ? this.#caCertsByNameDer.get(certificate.issuerNameDer)
        : this.#caCertsBySubject.get(certificate.issuer ?? '');
    return (bucket ?? []).filter(({ certificate: c }) => namesLink(certificate, c));
  }

  /** A plain description of the material, for logs and CLIs. */
  summary(): TrustRootSummary {
    const log = (l: TransparencyLog) => ({
      logId: l.logId,
      ...(l.baseUrl === undefined ? {} : { baseUrl: l.baseUrl }),
      algorithm: describeAlgorithm(l.key),
      validFor: describeWindow(l.validFor),
    });
    return {
      keys: this.keys.map((k) => ({
        id: k.id,
        algorithm: describeAlgorithm(k),
        source: describeSource(k.source),
      })),
      certificateAuthorities: this.certificateAuthorities.map((ca) => ({
        anchor: ca.anchor.subject,
        certificates: ca.certificates.length,
        validFor: describeWindow(ca.validFor),
        source: describeSource(ca.source),
      })),
      tlogs: this.tlogs.map(log),
      ctlogs: this.ctlogs.map(log),
      timestampAuthorities: this.timestampAuthorities.map((ta) => ({
        subject: ta.certificates[0]?.subject ?? '',
        validFor: describeWindow(ta.validFor),
      })),
      skipped: this.skipped,
    };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Combine several trust roots into one, e.g. a PEM bundle plus a Rekor key file, or old and
 * new keys side by side during a rotation. Identical entries are kept once.
 */
export function mergeTrustRoots(...roots: readonly TrustRoot[]): TrustRoot {
  for (const [i, root] of roots.entries()) {
    if (!(root instanceof TrustRoot)) {
      throw new TrustRootError(
        'ARGUMENT_INVALID',
        `mergeTrustRoots: argument ${i} is not a TrustRoot`,
        {
          expected: 'TrustRoot',
          actual: typeof root,
        },
      );
    }
  }
  return new TrustRoot({
    keys: roots.flatMap((r) => r.keys),
    certificateAuthorities: roots.flatMap((r) => r.certificateAuthorities),
    timestampAuthorities: roots.flatMap((r) => r.timestampAuthorities),
    tlogs: roots.flatMap((r) => r.tlogs),
    ctlogs: roots.flatMap((r) => r.ctlogs),
    skipped: roots.flatMap((r) => r.skipped),
  });
}
