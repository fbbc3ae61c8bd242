// Embedded Signed Certificate Timestamps (RFC 6962 §3.2-3.3), verified offline against the
// CT logs of a trust root. The SCTs in a final certificate sign its *precertificate* entry:
// the leaf's TBSCertificate without the SCT list extension, bound to the issuer's key.

import { concatBytes } from '@flareo/internal/bytes';
import {
  type CryptoTask,
  runCryptoSync,
  type TransparencyLog,
  type TrustRoot,
  type VerifyRequest,
} from '@flareo/trust-root';
import {
  type CertificateView,
  DerError,
  encodeHeader,
  OID,
  parseCertificate,
  readTlv,
  toHex,
} from '@flareo/trust-root/x509';
import { BundleVerifyError } from './errors.js';
import { sha256 } from './keys.js';
import { syncBackend } from './platform.js';

/** One SCT that verified with a CT log of the trust root. */
export interface VerifiedSct {
  /** The SCT's log id, lowercase hex. */
  readonly logId: string;
  /** The trust-root CT log whose key verified it. */
  readonly log: TransparencyLog;
  /** When the log promised to include the certificate. */
  readonly timestamp: Date;
}

/** Outcome of {@link verifyEmbeddedScts}. */
export interface SctResult {
  /** The certificate carries an SCT list extension. */
  readonly present: boolean;
  /** The SCTs that verified, in list order. */
  readonly verified: readonly VerifiedSct[];
  /**
   * Log ids (lowercase hex, each once) of SCTs that were ignored because the trust root has
   * no CT log with that id whose validity window contains the SCT's timestamp.
   */
  readonly unknownLogs: readonly string[];
}

/** Options of {@link verifyEmbeddedScts}. */
export interface SctVerifyOptions {
  /**
   * How many distinct trusted CT logs must have a verified SCT in the certificate when it
   * carries an SCT list. Default 1; 0 checks the SCTs of known logs but requires none.
   */
  readonly threshold?: number;
}

/** Most SCTs read from one certificate (hostile input guard; real certificates carry 1-3). */
export const MAX_SCTS = 32;
/** Largest certificate (leaf or issuer) accepted, in bytes. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** Largest signature accepted in an SCT (RSA-4096 needs 512 bytes). */
const MAX_SCT_SIGNATURE_BYTES = 1024;

const EMPTY_RESULT: SctResult = Object.freeze({
  present: false,
  verified: Object.freeze([]),
  unknownLogs: Object.freeze([]),
});

/** RFC 5246 HashAlgorithm codes RFC 6962 logs use. */
const HASHES: Readonly<Record<number, 'sha256' | 'sha384' | 'sha512'>> = {
  4: 'sha256',
  5: 'sha384',
  6: 'sha512',
};
const SIG_RSA = 1;
const SIG_ECDSA = 3;
/** TLS 1.3 SignatureScheme ed25519 = 0x0807: "hash" 8 (intrinsic), "signature" 7. */
const HASH_INTRINSIC = 8;
const SIG_ED25519 = 7;

class SctFormatError extends Error {}

function sctInvalid(
  message: string,
  detail: { field?: string; expected?: unknown; actual?: unknown; missing?: string },
  cause?: unknown,
): BundleVerifyError {
  return new BundleVerifyError(
    'SCT_INVALID',
    message,
    { step: 'sct', ...detail },
    cause === undefined ? undefined : { cause },
  );
}

function malformedCertificate(role: 'certificate' | 'issuer', reason: string, cause?: unknown) {
  const what = role === 'certificate' ? 'signing certificate' : 'issuer certificate';
  return new BundleVerifyError(
    'BUNDLE_MALFORMED',
    `cannot check SCTs: the ${what} is malformed (${reason})`,
    { step: 'sct', field: role },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The leaf's TBSCertificate with the SCT list extension removed, lengths re-encoded: the
 * RFC 6962 pre-certificate TBS, rebuilt from the view's byte layout.
 */
function precertificateTbs(leaf: CertificateView): Uint8Array {
  const { der, layout } = leaf;
  const { tbs, extensionsWrapper } = layout;
  if (!extensionsWrapper) return der.subarray(tbs.start, tbs.end);
  const kept = [...leaf.extensions.values()].filter((e) => e.oid !== OID.sctList);
  const keptLength = kept.reduce((n, e) => n + (e.tlv.end - e.tlv.start), 0);
  const parts: Uint8Array[] = [der.subarray(tbs.valueStart, extensionsWrapper.start)];
  if (kept.length > 0) {
    // An empty Extensions SEQUENCE is not valid DER: without extensions the [3] goes too.
    const seqHeader = encodeHeader(0x30, keptLength);
    parts.push(encodeHeader(0xa3, seqHeader.length + keptLength), seqHeader);
    for (const e of kept) parts.push(der.subarray(e.tlv.start, e.tlv.end));
  }
  parts.push(der.subarray(extensionsWrapper.end, tbs.end));
  const contentLength = parts.reduce((n, p) => n + p.length, 0);
  return concatBytes(encodeHeader(0x30, contentLength), ...parts);
}

/** A v1 SCT as read from the list. */
interface ParsedSct {
  readonly index: number;
  readonly logId: string;
  readonly timestamp: Date;
  /** The 8 timestamp bytes as written (signed as they are). */
  readonly timestampBytes: Uint8Array;
  readonly extensions: Uint8Array;
  readonly hashAlgorithm: number;
  readonly signatureAlgorithm: number;
  readonly signature: Uint8Array;
}

/** Bounds-checked reader of TLS-encoded structures. */
class TlsReader {
  #pos: number;
  readonly #end: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.#pos = start;
    this.#end = end;
  }
  get remaining(): number {
    return this.#end - this.#pos;
  }
  take(n: number, what: string): Uint8Array {
    if (n > this.remaining) throw new SctFormatError(`truncated ${what}`);
    const out = this.bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  uint(n: number, what: string): number {
    const bytes = this.take(n, what);
    let v = 0;
    for (const b of bytes) v = v * 256 + b;
    return v;
  }
  /** A uint16-length-prefixed opaque vector. */
  vector16(what: string): Uint8Array {
    return this.take(this.uint(2, `${what} length`), what);
  }
}

function parseSctList(extnValue: Uint8Array): { scts: ParsedSct[]; skipped: number } {
  let list: Uint8Array;
  try {
    const octets = readTlv(extnValue, 0);
    if (octets.tag !== 0x04 || octets.end !== extnValue.length) {
      throw new DerError('not a DER OCTET STRING');
    }
    list = extnValue.subarray(octets.valueStart, octets.end);
  } catch (cause) {
    throw new SctFormatError(`the extension value is not an OCTET STRING (${String(cause)})`);
  }
  const reader = new TlsReader(list);
  const body = reader.vector16('SCT list');
  if (reader.remaining !== 0) throw new SctFormatError('bytes after the SCT list');
  if (body.length === 0) throw new SctFormatError('empty SCT list');
  const items = new TlsReader(body);
  const scts: ParsedSct[] = [];
  let skipped = 0;
  for (let index = 0; items.remaining > 0; index++) {
    if (index >= MAX_SCTS) {
      throw new BundleVerifyError(
        'LIMIT_EXCEEDED',
        `the certificate carries more than ${MAX_SCTS} SCTs`,
        { step: 'sct', field: 'sctList', expected: `<= ${MAX_SCTS}`, actual: `> ${MAX_SCTS}` },
      );
    }
    const serialized = items.vector16(`SCT ${index}`);
    if (serialized.length === 0) throw new SctFormatError(`SCT ${index} is empty`);
    const sct = new TlsReader(serialized);
    const version = sct.uint(1, 'version');
    if (version !== 0) {
      // RFC 6962 §3.2: SCTs of versions a client does not know are ignored.
      skipped++;
      continue;
    }
    const logId = toHex(sct.take(32, 'log id'));
    const timestampBytes = sct.take(8, 'timestamp');
    const millis = new DataView(timestampBytes.buffer, timestampBytes.byteOffset, 8).getBigUint64(
      0,
    );
    if (millis > BigInt(8.64e15)) throw new SctFormatError(`SCT ${index} timestamp out of range`);
    const extensions = sct.vector16('extensions');
    const hashAlgorithm = sct.uint(1, 'hash algorithm');
    const signatureAlgorithm = sct.uint(1, 'signature algorithm');
    const signature = sct.vector16('signature');
    if (signature.length === 0 || signature.length > MAX_SCT_SIGNATURE_BYTES) {
      throw new SctFormatError(`SCT ${index} signature length ${signature.length}`);
    }
    if (sct.remaining !== 0) throw new SctFormatError(`bytes after SCT ${index}`);
    scts.push({
      index,
      logId,
      timestamp: new Date(Number(millis)),
      timestampBytes,
      extensions,
      hashAlgorithm,
      signatureAlgorithm,
      signature,
    });
  }
  return { scts, skipped };
}

/** Why `log` cannot have made this SCT's signature, or undefined when it verifies. */
function* signatureProblem(
  log: TransparencyLog,
  sct: ParsedSct,
  data: Uint8Array,
): CryptoTask<string | undefined> {
  const key = log.key;
  const { hashAlgorithm: h, signatureAlgorithm: s } = sct;
  const declared = `hash ${h}, signature ${s}`;
  const keyKind = key.algorithm.kind;
  let scheme: VerifyRequest['scheme'];
  if (s === SIG_ED25519 && h === HASH_INTRINSIC) {
    if (keyKind !== 'ed25519') return `Ed25519 signature, but the log key is ${keyKind}`;
    scheme = { kind: 'ed25519' };
  } else {
    const hash = HASHES[h];
    if (hash === undefined) return `unsupported hash algorithm ${h} (${declared})`;
    if (key.hash !== undefined && key.hash !== hash) {
      return `SCT hashes with ${hash}, the log key is declared for ${key.hash}`;
    }
    if (s === SIG_ECDSA) {
      if (keyKind !== 'ecdsa') return `ECDSA signature, but the log key is ${keyKind}`;
      scheme = { kind: 'ecdsa', hash };
    } else if (s === SIG_RSA) {
      if (key.algorithm.kind !== 'rsa') return `RSA signature, but the log key is ${keyKind}`;
      if (!key.algorithm.schemes.includes('pkcs1v15')) {
        return 'RSA PKCS#1 v1.5 signature, but the log key is trusted for PSS only';
      }
      scheme = { kind: 'rsa-pkcs1v15', hash };
    } else {
      return `unsupported signature algorithm ${s} (${declared})`;
    }
  }
  const ok: boolean = yield {
    key: { spki: key.spki, algorithm: key.algorithm },
    scheme,
    data,
    signature: sct.signature,
  };
  return ok ? undefined : 'the signature does not verify over the precertificate entry';
}

const describeLog = (log: TransparencyLog): string =>
  log.baseUrl ? `${log.baseUrl} (${log.logId})` : log.logId;

/**
 * Verify the Signed Certificate Timestamps embedded in `leaf` (extension
 * 1.3.6.1.4.1.11129.2.4.2) against the CT logs of `trustRoot`.
 *
 * - No SCT list extension: `{ present: false }` and nothing is required (private CAs without
 *   CT); the caller decides whether SCTs are mandatory.
 * - Each v1 SCT names its log by id. A log the trust root does not have (or whose window
 *   does not contain the SCT's time) is listed in `unknownLogs` and otherwise ignored; SCTs
 *   of other versions are ignored as RFC 6962 asks.
 * - An SCT of a known log must verify, over the RFC 6962 precert entry: issuer_key_hash =
 *   sha256(`issuer`'s SPKI) and the leaf's TBSCertificate without the SCT list.
 *   Otherwise SCT_INVALID names the log.
 * - Fewer than `threshold` (default 1) distinct logs with a verified SCT: SCT_INVALID, with
 *   `missing: 'ctlogs'` when SCTs of unknown logs were seen.
 *
 * @param leaf The signing certificate: its view (as the pipeline passes it, parsed once) or DER.
 * @param issuer The certificate that issued it (Fulcio's intermediate): view or DER.
 * @throws BundleVerifyError SCT_INVALID, LIMIT_EXCEEDED, BUNDLE_MALFORMED or ARGUMENT_INVALID.
 */
export function verifyEmbeddedScts(
  leafCertificate: CertificateView | Uint8Array,
  issuerCertificate: CertificateView | Uint8Array,
  trustRoot: TrustRoot,
  options: SctVerifyOptions = {},
): SctResult {
  return runCryptoSync(
    embeddedSctsTask(leafCertificate, issuerCertificate, trustRoot, options),
    syncBackend,
  );
}

/** {@link verifyEmbeddedScts} as a crypto-seam task (what the pipeline runs). */
export function* embeddedSctsTask(
  leafCertificate: CertificateView | Uint8Array,
  issuerCertificate: CertificateView | Uint8Array,
  trustRoot: TrustRoot,
  options: SctVerifyOptions = {},
): CryptoTask<SctResult> {
  const threshold = options.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    throw new BundleVerifyError(
      'ARGUMENT_INVALID',
      `SCT threshold must be a non-negative integer, got ${String(threshold)}`,
      { step: 'sct', field: 'threshold', expected: 'integer >= 0', actual: threshold },
    );
  }
  const leaf = readCertificate(leafCertificate, 'certificate');
  // The view refuses a certificate with an extension twice, so there is one list at most.
  const extension = leaf.extensions.get(OID.sctList);
  if (!extension) return EMPTY_RESULT;

  let parsed: ParsedSct[];
  try {
    ({ scts: parsed } = parseSctList(extension.value));
  } catch (cause) {
    if (cause instanceof BundleVerifyError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw sctInvalid(
      `the certificate's SCT list is malformed: ${reason}`,
      { field: 'sctList', expected: 'RFC 6962 SignedCertificateTimestampList', actual: reason },
      cause,
    );
  }

  // Everything but version, timestamp and extensions is the same for every SCT.
  const tbs = precertificateTbs(leaf);
  if (tbs.length >= 2 ** 24) throw malformedCertificate('certificate', 'TBSCertificate too large');
  const issuerKeyHash = issuerKeyHashOf(readCertificate(issuerCertificate, 'issuer'));
  const entry = new Uint8Array(2 + 32 + 3 + tbs.length);
  entry[1] = 1; // entry_type precert_entry (uint16 big-endian)
  entry.set(issuerKeyHash, 2);
  entry[34] = (tbs.length >>> 16) & 0xff; // uint24 length
  entry[35] = (tbs.length >>> 8) & 0xff;
  entry[36] = tbs.length & 0xff;
  entry.set(tbs, 37);

  const verified: VerifiedSct[] = [];
  const unknown = new Set<string>();
  const knownOutsideWindow = new Set<string>();
  for (const sct of parsed) {
    const logs = trustRoot.ctlogsById(sct.logId, sct.timestamp);
    if (logs.length === 0) {
      unknown.add(sct.logId);
      if (trustRoot.ctlogsById(sct.logId).length > 0) knownOutsideWindow.add(sct.logId);
      continue;
    }
    const ext = Uint8Array.of((sct.extensions.length >>> 8) & 0xff, sct.extensions.length & 0xff);
    const data = concatBytes(
      Uint8Array.of(0, 0), // sct_version v1, signature_type certificate_timestamp
      sct.timestampBytes,
      entry,
      ext,
      sct.extensions,
    );
    let problem: string | undefined;
    let match: TransparencyLog | undefined;
    for (const log of logs) {
      const why = yield* signatureProblem(log, sct, data);
      if (why === undefined) {
        match = log;
        break;
      }
      problem ??= why;
    }
    if (!match) {
      const log = logs[0] as TransparencyLog;
      throw sctInvalid(
        `SCT ${sct.index} from CT log ${describeLog(log)} does not verify: ${problem}` +
          ' (is the issuer certificate the one that issued the leaf?)',
        {
          field: 'signature',
          expected: `a valid signature by CT log ${log.logId}`,
          actual: problem,
        },
      );
    }
    verified.push(Object.freeze({ logId: sct.logId, log: match, timestamp: sct.timestamp }));
  }

  const unknownLogs = Object.freeze([...unknown]);
  const distinct = new Set(verified.map((v) => v.logId)).size;
  if (distinct < threshold) {
    const notes = unknownLogs.map((id) =>
      knownOutsideWindow.has(id)
        ? `the trust root's CT log ${id} is not valid at the SCT's time`
        : `the trust root has no CT log with id ${id}`,
    );
    throw sctInvalid(
      `${distinct} of the required ${threshold} SCTs verify` +
        (notes.length > 0 ? `; ${notes.join('; ')}` : ''),
      {
        field: 'threshold',
        expected: threshold,
        actual: distinct,
        ...(unknownLogs.length > 0 ? { missing: 'ctlogs' } : {}),
      },
    );
  }
  return Object.freeze({ present: true, verified: Object.freeze(verified), unknownLogs });
}

// The issuer is nearly always the same trust-root certificate (Fulcio's intermediate), so
// the hash of its key is kept per certificate view.
const issuerKeyHashes = new WeakMap<CertificateView, Uint8Array>();

/** SHA-256 of the issuer's SubjectPublicKeyInfo, the RFC 6962 issuer_key_hash. */
function issuerKeyHashOf(issuer: CertificateView): Uint8Array {
  let hash = issuerKeyHashes.get(issuer);
  if (!hash) {
    hash = sha256(issuer.spki);
    issuerKeyHashes.set(issuer, hash);
  }
  return hash;
}

/** The view of a certificate given as a view or as DER, within the size limit. */
function readCertificate(
  cert: CertificateView | Uint8Array,
  role: 'certificate' | 'issuer',
): CertificateView {
  const der = cert instanceof Uint8Array ? cert : cert?.der;
  if (!(der instanceof Uint8Array)) throw malformedCertificate(role, 'not bytes');
  if (der.length > MAX_CERTIFICATE_BYTES) {
    throw new BundleVerifyError(
      'LIMIT_EXCEEDED',
      `the ${role === 'certificate' ? 'signing' : 'issuer'} certificate is ${der.length} bytes (limit ${MAX_CERTIFICATE_BYTES})`,
      { step: 'sct', field: role, expected: `<= ${MAX_CERTIFICATE_BYTES}`, actual: der.length },
    );
  }
  if (!(cert instanceof Uint8Array)) return cert;
  try {
    return parseCertificate(der);
  } catch (cause) {
    throw malformedCertificate(role, cause instanceof Error ? cause.message : String(cause), cause);
  }
}
