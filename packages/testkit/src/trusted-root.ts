import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { TestKey, TestKeyType } from './keys.js';
import type { TestCertificate } from './x509.js';

/** A transparency log (Rekor) or CT log entry of a trusted root. */
export interface TrustedRootLog {
  /** Log base URL, e.g. `'https://rekor.flareo.test'`. */
  baseUrl: string;
  /** The log's signing key. */
  key: TestKey;
  /** Start of the key's validity. Default `2020-01-01T00:00:00Z`. */
  start?: Date;
  /** End of the key's validity. Default: open-ended (no `end`). */
  end?: Date;
  /** Log id. Default sha256(DER SPKI of {@link key}). */
  logId?: Uint8Array;
}

/** A certificate authority (Fulcio) or timestamp authority entry of a trusted root. */
export interface TrustedRootAuthority {
  /** Certificate chain, leaf-most first (intermediates first, root last). */
  chain: TestCertificate[];
  /** Authority URI. Default `'https://fulcio.flareo.test'` for CAs, `'https://timestamp.flareo.test/api/v1/timestamp'` for TSAs. */
  uri?: string;
  /** Start of validity. Default the first certificate's notBefore. */
  start?: Date;
  /** End of validity. Default: open-ended (no `end`). */
  end?: Date;
}

/** Options for {@link buildTrustedRoot}. */
export interface TrustedRootOptions {
  /** Fulcio CAs. Default none. */
  certificateAuthorities?: TrustedRootAuthority[];
  /** Rekor logs. Default none. */
  tlogs?: TrustedRootLog[];
  /** Certificate transparency logs. Default none. */
  ctlogs?: TrustedRootLog[];
  /** RFC 3161 timestamp authorities. Default none. */
  timestampAuthorities?: TrustedRootAuthority[];
  /** Default `'application/vnd.dev.sigstore.trustedroot+json;version=0.1'`. */
  mediaType?: string;
}

/** The trusted root media type of Sigstore's public-good instance. */
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

const KEY_DETAILS: Record<TestKeyType, string> = {
  'ecdsa-p256': 'PKIX_ECDSA_P256_SHA_256',
  'ecdsa-p384': 'PKIX_ECDSA_P384_SHA_384',
  'ecdsa-p521': 'PKIX_ECDSA_P521_SHA_512',
  ed25519: 'PKIX_ED25519',
  'rsa-2048': 'PKIX_RSA_PKCS1V15_2048_SHA256',
  'rsa-3072': 'PKIX_RSA_PKCS1V15_3072_SHA256',
  'rsa-4096': 'PKIX_RSA_PKCS1V15_4096_SHA256',
};

/** The protobuf-JSON `keyDetails` value of a test key type. */
export function keyDetailsFor(type: TestKeyType): string {
  return KEY_DETAILS[type];
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** RFC 3339 timestamp as protobuf JSON writes it: no fraction for whole seconds. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

function validFor(start: Date, end: Date | undefined): Record<string, string> {
  return end === undefined
    ? { start: timestamp(start) }
    : { start: timestamp(start), end: timestamp(end) };
}

function log(entry: TrustedRootLog): Record<string, unknown> {
  const logId = entry.logId ?? createHash('sha256').update(entry.key.spki).digest();
  return {
    baseUrl: entry.baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: base64(entry.key.spki),
      keyDetails: KEY_DETAILS[entry.key.type],
      validFor: validFor(entry.start ?? new Date('2020-01-01T00:00:00Z'), entry.end),
    },
    logId: { keyId: base64(logId) },
  };
}

const tbsOf = (cert: TestCertificate) => AsnConvert.parse(cert.der, Certificate).tbsCertificate;

/** organization / commonName of a certificate's subject (first value of each). */
function subjectOf(cert: TestCertificate): Record<string, string> {
  const name = tbsOf(cert).subject;
  const subject: Record<string, string> = {};
  for (const rdn of name) {
    for (const atv of rdn) {
      const key =
        atv.type === '2.5.4.10' ? 'organization' : atv.type === '2.5.4.3' ? 'commonName' : '';
      if (key && subject[key] === undefined) subject[key] = atv.value.toString();
    }
  }
  return {
    ...(subject.organization === undefined ? {} : { organization: subject.organization }),
    ...(subject.commonName === undefined ? {} : { commonName: subject.commonName }),
  };
}

function authority(entry: TrustedRootAuthority, defaultUri: string): Record<string, unknown> {
  const first = entry.chain[0];
  const last = entry.chain[entry.chain.length - 1];
  if (!first || !last) throw new Error('buildTrustedRoot: an authority needs a non-empty chain');
  return {
    subject: subjectOf(last),
    uri: entry.uri ?? defaultUri,
    certChain: { certificates: entry.chain.map((cert) => ({ rawBytes: base64(cert.der) })) },
    validFor: validFor(entry.start ?? tbsOf(first).validity.notBefore.getTime(), entry.end),
  };
}

/**
 * Build a Sigstore `trusted_root.json` object (protobuf-JSON shape of
 * `dev.sigstore.trustedroot.v1.TrustedRoot`). All four lists are always present.
 */
export function buildTrustedRoot(options: TrustedRootOptions): Record<string, unknown> {
  return {
    mediaType: options.mediaType ?? TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: (options.tlogs ?? []).map(log),
    certificateAuthorities: (options.certificateAuthorities ?? []).map((ca) =>
      authority(ca, 'https://fulcio.flareo.test'),
    ),
    ctlogs: (options.ctlogs ?? []).map(log),
    timestampAuthorities: (options.timestampAuthorities ?? []).map((tsa) =>
      authority(tsa, 'https://timestamp.flareo.test/api/v1/timestamp'),
    ),
  };
}
