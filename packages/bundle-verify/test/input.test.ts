import { createHash } from 'node:crypto';
import {
  buildTrustedRoot,
  createFulcioChain,
  mintKeyedSignature,
  mintLegacyCosignBundle,
  mintSigstoreBundle,
  SIGSTORE_BUNDLE_MEDIA_TYPES,
  TestRekorV1,
  TestRekorV2,
  TestTimestampAuthority,
  testKey,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import {
  bundleFromJSON,
  isBundleWithCertificateChain,
  isBundleWithDsseEnvelope,
} from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import { type BundleVerifyErrorCode, createVerifier } from '../src/index.js';
import {
  DEFAULT_LIMITS,
  MEDIA_TYPES,
  normalizeBundle,
  normalizeKeyedSignature,
} from '../src/input-entry.js';
import { rejection } from './support/rejection.js';

// biome-ignore lint/suspicious/noExplicitAny: tests reshape protobuf-JSON bundles
type Json = any;

const artifact = new TextEncoder().encode('input normalisation artifact');
const chain = createFulcioChain({ seed: 'bv-input' });
const leaf = chain.leaf();
const key = testKey('ecdsa-p256', 'bv-input-key');
const rekor = new TestRekorV1({ seed: 'bv-input-rekor' });
const rekorV2 = new TestRekorV2({ seed: 'bv-input-rekor-v2' });
const tsa = new TestTimestampAuthority({ seed: 'bv-input-tsa' });
const clone = (o: object): Json => structuredClone(o);
const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

const rejects = (
  fn: () => unknown,
  code: BundleVerifyErrorCode,
  detail: Record<string, unknown> = {},
) => rejection(fn, code, 'parse', detail);

describe('the test kit mints bundles @sigstore/bundle accepts', () => {
  const rows = [
    { version: '0.1', kind: 'message', signer: 'certificate', log: 'v1' },
    { version: '0.1', kind: 'dsse', signer: 'certificate', log: 'v1' },
    { version: '0.2', kind: 'message', signer: 'key', log: 'v1' },
    { version: '0.2', kind: 'dsse', signer: 'certificate', log: 'v1' },
    { version: '0.3', kind: 'message', signer: 'certificate', log: 'v2' },
    { version: '0.3', kind: 'dsse', signer: 'key', log: 'v2' },
    { version: '0.3', kind: 'message', signer: 'certificate', log: 'none' },
  ] as const;
  it.each(rows)('v$version $kind, $signer signer, log $log', ({ version, kind, signer, log }) => {
    const m = mintSigstoreBundle({
      version,
      content: kind === 'message' ? { kind, artifact } : { kind, artifact },
      signer: signer === 'key' ? { key } : { certificate: leaf, chain: [chain.intermediate] },
      rekor: log === 'v1' ? rekor : log === 'v2' ? rekorV2 : null,
      timestamp: tsa,
    });
    const parsed = bundleFromJSON(m.json);
    expect(parsed.mediaType).toBe(m.json.mediaType);
    expect(isBundleWithDsseEnvelope(parsed)).toBe(kind === 'dsse');
    expect(isBundleWithCertificateChain(parsed)).toBe(
      signer === 'certificate' && version !== '0.3',
    );
    expect(parsed.verificationMaterial.tlogEntries).toHaveLength(log === 'none' ? 0 : 1);
    expect(parsed.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(
      1,
    );
    if (parsed.content.$case === 'messageSignature') {
      expect(new Uint8Array(parsed.content.messageSignature.messageDigest?.digest ?? [])).toEqual(
        sha256(artifact),
      );
    }
  });

  it('the legacy v0.3 spelling parses too', () => {
    const m = mintSigstoreBundle({
      version: '0.3',
      mediaTypeSpelling: 'legacy',
      content: { kind: 'message', artifact },
      signer: { key },
    });
    expect(bundleFromJSON(m.json).mediaType).toBe(SIGSTORE_BUNDLE_MEDIA_TYPES['0.3-legacy']);
  });
});

describe('normalizeBundle: formats', () => {
  it.each([
    ['0.1', 'sigstore-bundle-v0.1'],
    ['0.2', 'sigstore-bundle-v0.2'],
    ['0.3', 'sigstore-bundle-v0.3'],
  ] as const)('Sigstore bundle v%s with a message signature', (version, format) => {
    const m = mintSigstoreBundle({
      version,
      content: { kind: 'message', artifact },
      signer: { certificate: leaf, chain: [chain.intermediate] },
      rekor,
    });
    const n = normalizeBundle(m.json);
    expect(n.format).toBe(format);
    expect(n.content).toEqual({
      kind: 'message',
      signature: m.signature,
      digest: { algorithm: 'sha256', value: sha256(artifact) },
    });
    expect(n.signer).toEqual({
      kind: 'certificate',
      chain: version === '0.3' ? [leaf.der] : [leaf.der, chain.intermediate.der],
    });
    expect(n.tlogEntries).toEqual([m.tlogEntry]);
    expect(n.timestamps).toEqual([]);
  });

  it('every known media type maps to its format', () => {
    expect(MEDIA_TYPES).toEqual({
      [SIGSTORE_BUNDLE_MEDIA_TYPES['0.1']]: 'sigstore-bundle-v0.1',
      [SIGSTORE_BUNDLE_MEDIA_TYPES['0.2']]: 'sigstore-bundle-v0.2',
      [SIGSTORE_BUNDLE_MEDIA_TYPES['0.3']]: 'sigstore-bundle-v0.3',
      [SIGSTORE_BUNDLE_MEDIA_TYPES['0.3-legacy']]: 'sigstore-bundle-v0.3',
    });
  });

  it('DSSE envelope, public-key hint, RFC 3161 timestamps', () => {
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'dsse', artifact },
      signer: { key, hint: 'hint-1' },
      rekor: rekorV2,
      timestamp: tsa,
    });
    const n = normalizeBundle(JSON.stringify(m.json));
    expect(n.content).toMatchObject({
      kind: 'dsse',
      payloadType: 'application/vnd.in-toto+json',
      signature: m.signature,
    });
    if (n.content.kind !== 'dsse' || m.signed.kind !== 'dsse') throw new Error('expected DSSE');
    expect(n.content.payload).toEqual(m.signed.payload);
    expect(n.signer).toEqual({ kind: 'public-key', hint: 'hint-1' });
    expect(n.timestamps).toHaveLength(1);
    expect(Buffer.from(n.timestamps[0] ?? []).toString('base64')).toBe(
      (m.json as Json).verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]
        .signedTimestamp,
    );
  });

  it('SHA-384 and SHA-512 message digests', () => {
    for (const digestAlgorithm of ['sha384', 'sha512'] as const) {
      const m = mintSigstoreBundle({
        version: '0.3',
        content: { kind: 'message', artifact },
        signer: { key },
        digestAlgorithm,
      });
      const n = normalizeBundle(m.json);
      expect(n.content.kind === 'message' && n.content.digest?.algorithm).toBe(digestAlgorithm);
    }
  });

  it.each(['base64-pem', 'pem'] as const)(
    'legacy cosign bundle, cert as %s: same chain',
    (certEncoding) => {
      const b = mintLegacyCosignBundle({
        artifact,
        signer: { certificate: leaf, chain: [chain.intermediate] },
        rekor,
        certEncoding,
      });
      const n = normalizeBundle(b);
      expect(n.format).toBe('cosign-legacy-bundle');
      expect(n.signer).toEqual({ kind: 'certificate', chain: [leaf.der, chain.intermediate.der] });
      expect(n.content).toEqual({
        kind: 'message',
        signature: Uint8Array.from(Buffer.from(b.base64Signature, 'base64')),
      });
      expect(n.tlogEntries).toEqual([b.rekorBundle]);
    },
  );

  it('legacy cosign bundle with a public key, without cert, and with a DSSE envelope', () => {
    const keyed = normalizeBundle(mintLegacyCosignBundle({ artifact, signer: { key } }));
    expect(keyed.signer).toEqual({ kind: 'public-key', spki: key.spki });
    expect(keyed.tlogEntries).toEqual([]);
    const bare = normalizeBundle(
      mintLegacyCosignBundle({ artifact, signer: { key }, includePublicKey: false }),
    );
    expect(bare.signer).toEqual({ kind: 'none' });
    const att = normalizeBundle(mintLegacyCosignBundle({ artifact, signer: { key }, dsse: true }));
    expect(att.content).toMatchObject({
      kind: 'dsse',
      payloadType: 'application/vnd.in-toto+json',
    });
  });
});

describe('normalizeBundle: rejections', () => {
  const m: Json = mintSigstoreBundle({
    version: '0.3',
    content: { kind: 'message', artifact },
    signer: { certificate: leaf },
    rekor,
  }).json;
  const d: Json = mintSigstoreBundle({
    version: '0.3',
    content: { kind: 'dsse', artifact },
    signer: { certificate: leaf },
    rekor,
  }).json;

  it('unknown media type (…v0.9+json) → UNSUPPORTED_FORMAT naming the known ones', () => {
    rejects(
      () => normalizeBundle({ ...m, mediaType: 'application/vnd.dev.sigstore.bundle.v0.9+json' }),
      'UNSUPPORTED_FORMAT',
      {
        field: 'mediaType',
        expected: Object.keys(MEDIA_TYPES),
        actual: 'application/vnd.dev.sigstore.bundle.v0.9+json',
      },
    );
    rejects(() => normalizeBundle({ ...m, mediaType: 'application/json' }), 'UNSUPPORTED_FORMAT');
  });

  it('neither mediaType nor base64Signature → UNSUPPORTED_FORMAT', () => {
    rejects(() => normalizeBundle({ payload: 'x' }), 'UNSUPPORTED_FORMAT', { actual: ['payload'] });
  });

  it.each([
    ['not JSON', '{"mediaType":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"bundle"'],
    ['JSON null', 'null'],
    ['invalid UTF-8 JSON bytes', new Uint8Array([0x7b, 0xff, 0x7d])],
  ])('%s → BUNDLE_MALFORMED', (_name, input) => {
    rejects(() => normalizeBundle(input), 'BUNDLE_MALFORMED');
  });

  it.each([
    [
      'no verificationMaterial',
      (j: Json) => {
        delete j.verificationMaterial;
      },
      'verificationMaterial',
    ],
    [
      'no content',
      (j: Json) => {
        delete j.messageSignature;
      },
      'content',
    ],
    [
      'no message digest',
      (j: Json) => {
        delete j.messageSignature.messageDigest;
      },
      'content.messageSignature.messageDigest',
    ],
    [
      'signature not base64',
      (j: Json) => {
        j.messageSignature.signature = '!!!';
      },
      'content.messageSignature.signature',
    ],
    [
      'empty certificate',
      (j: Json) => {
        j.verificationMaterial.certificate.rawBytes = '';
      },
      'verificationMaterial.content.certificate.rawBytes',
    ],
    [
      'v0.3 with a certificate chain',
      (j: Json) => {
        j.verificationMaterial.x509CertificateChain = {
          certificates: [j.verificationMaterial.certificate],
        };
        delete j.verificationMaterial.certificate;
      },
      'verificationMaterial.content.$case',
    ],
    [
      'v0.3 with a SET only',
      (j: Json) => {
        delete j.verificationMaterial.tlogEntries[0].inclusionProof;
      },
      undefined,
    ],
  ] as const)('message bundle with %s → BUNDLE_MALFORMED', (_name, mutate, field) => {
    const j = clone(m);
    mutate(j);
    const error = rejects(() => normalizeBundle(j), 'BUNDLE_MALFORMED');
    if (field) expect(error.detail.field).toBe(field);
  });

  it('v0.1 entry without a SET → BUNDLE_MALFORMED', () => {
    const v01: Json = clone(
      mintSigstoreBundle({
        version: '0.1',
        content: { kind: 'message', artifact },
        signer: { certificate: leaf },
        rekor,
      }).json,
    );
    delete v01.verificationMaterial.tlogEntries[0].inclusionPromise;
    rejects(() => normalizeBundle(v01), 'BUNDLE_MALFORMED');
  });

  it.each([0, 2])('DSSE envelope with %i signatures → BUNDLE_MALFORMED', (count) => {
    const j = clone(d);
    j.dsseEnvelope.signatures = Array.from({ length: count }, () => d.dsseEnvelope.signatures[0]);
    rejects(() => normalizeBundle(j), 'BUNDLE_MALFORMED', {
      field: 'content.dsseEnvelope.signatures',
    });
  });

  it('unknown message digest algorithm → UNSUPPORTED_FORMAT', () => {
    const j = clone(m);
    j.messageSignature.messageDigest.algorithm = 'SHA3_256';
    const error = rejects(() => normalizeBundle(j), 'UNSUPPORTED_FORMAT', {
      field: 'messageSignature.messageDigest.algorithm',
    });
    expect(error.detail.expected).toEqual(['SHA2_256', 'SHA2_384', 'SHA2_512']);
  });

  it.each([
    ['a number', { base64Signature: 5 }, 'base64Signature'],
    ['not base64', { base64Signature: 'abc' }, 'base64Signature'],
    ['cert not PEM', { base64Signature: 'AAAA', cert: 'AAAA' }, 'cert'],
    ['cert not a string', { base64Signature: 'AAAA', cert: 42 }, 'cert'],
    [
      'cert mixing certificates and keys',
      { base64Signature: 'AAAA', cert: leaf.pem + key.publicKeyPem },
      'cert',
    ],
    [
      'cert with two keys',
      {
        base64Signature: 'AAAA',
        cert: key.publicKeyPem + testKey('ed25519', 'bv-input').publicKeyPem,
      },
      'cert',
    ],
    [
      'a DSSE envelope with two signatures',
      {
        base64Signature: Buffer.from(
          JSON.stringify({
            payloadType: 't',
            payload: 'AAAA',
            signatures: [{ sig: 'AAAA' }, { sig: 'AAAA' }],
          }),
        ).toString('base64'),
      },
      'base64Signature',
    ],
  ])('legacy bundle with %s → BUNDLE_MALFORMED', (_name, input, field) => {
    rejects(() => normalizeBundle(input), 'BUNDLE_MALFORMED', { field });
  });
});

describe('normalizeBundle: ProtoJSON null is unset (conformance regression)', () => {
  const root = parseTrustedRoot({
    ...buildTrustedRoot({
      certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
      timestampAuthorities: [{ chain: [...tsa.chain] }],
    }),
    tlogs: [rekor.transparencyLogInstance()],
  });
  const verifier = createVerifier(root);

  it('verifies a bundle whose optional message fields are null', () => {
    const m = mintSigstoreBundle({
      version: '0.2',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf, chain: [chain.intermediate] },
      rekor,
    });
    const json: Json = clone(m.json);
    json.verificationMaterial.timestampVerificationData = null;
    json.verificationMaterial.publicKey = null;
    json.dsseEnvelope = null;
    json.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope ??= null;
    const before = JSON.stringify(json);
    const normalized = normalizeBundle(json);
    expect(JSON.stringify(json)).toBe(before);
    expect(normalized.timestamps).toEqual([]);
    const result = verifier.verifyBundle(JSON.stringify(json), artifact, {});
    expect(result.signer.kind).toBe('certificate');
    expect(result.tlog.entries).toHaveLength(1);
  });

  it('reads a null inclusion promise beside an inclusion proof as absent', () => {
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'dsse', artifact },
      signer: { certificate: leaf },
      rekor,
      timestamp: tsa,
    });
    const json: Json = clone(m.json);
    json.verificationMaterial.tlogEntries[0].inclusionPromise = null;
    const result = verifier.verifyBundle(json, artifact, {});
    expect(result.tlog.entries[0]?.checks.set).toBeFalsy();
    expect(result.tlog.entries[0]?.checks.inclusionProof).toBe(true);
    expect(result.times.map((t) => t.source)).toEqual(['timestamp']);
  });

  it('reads null lists as empty, and still refuses a null inside a list', () => {
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf },
      rekor: null,
      timestamp: tsa,
    });
    const json: Json = clone(m.json);
    json.verificationMaterial.tlogEntries = null;
    expect(normalizeBundle(json).tlogEntries).toEqual([]);
    json.verificationMaterial.tlogEntries = [null];
    rejects(() => normalizeBundle(json), 'BUNDLE_MALFORMED');
  });
});

describe('normalizeBundle: limits', () => {
  const v01: Json = mintSigstoreBundle({
    version: '0.1',
    content: { kind: 'message', artifact },
    signer: { certificate: leaf, chain: [chain.intermediate] },
    rekor,
    timestamp: tsa,
  }).json;

  it('defaults: 16 MiB, 10 certificates, 16 log entries, 16 timestamps', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxBundleBytes: 16 * 1024 * 1024,
      maxCertificates: 10,
      maxTlogEntries: 16,
      maxTimestamps: 16,
    });
  });

  it('more than 10 certificates → LIMIT_EXCEEDED (10 pass the limit)', () => {
    const j = clone(v01);
    const certs = j.verificationMaterial.x509CertificateChain.certificates;
    j.verificationMaterial.x509CertificateChain.certificates = Array.from(
      { length: 10 },
      (_, i) => certs[i % 2],
    );
    expect(normalizeBundle(j).signer).toMatchObject({ kind: 'certificate', chain: { length: 10 } });
    j.verificationMaterial.x509CertificateChain.certificates.push(certs[1]);
    rejects(() => normalizeBundle(j), 'LIMIT_EXCEEDED', {
      field: 'certificates',
      expected: '<= 10',
      actual: 11,
    });
  });

  it('more than 16 log entries → LIMIT_EXCEEDED', () => {
    const j = clone(v01);
    const [entry] = j.verificationMaterial.tlogEntries;
    j.verificationMaterial.tlogEntries = Array.from({ length: 16 }, () => entry);
    expect(normalizeBundle(j).tlogEntries).toHaveLength(16);
    j.verificationMaterial.tlogEntries.push(entry);
    rejects(() => normalizeBundle(j), 'LIMIT_EXCEEDED', {
      field: 'transparency log entries',
      actual: 17,
    });
  });

  it('more than 16 timestamps → LIMIT_EXCEEDED', () => {
    const j = clone(v01);
    const [ts] = j.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
    j.verificationMaterial.timestampVerificationData.rfc3161Timestamps = Array.from(
      { length: 17 },
      () => ts,
    );
    rejects(() => normalizeBundle(j), 'LIMIT_EXCEEDED', { field: 'timestamps', actual: 17 });
  });

  it('oversized JSON text or bytes → LIMIT_EXCEEDED before parsing', () => {
    const text = JSON.stringify(v01);
    const small = { ...DEFAULT_LIMITS, maxBundleBytes: text.length - 1 };
    rejects(() => normalizeBundle(text, small), 'LIMIT_EXCEEDED', {
      field: 'bundle bytes',
      actual: text.length,
    });
    rejects(() => normalizeBundle(new TextEncoder().encode(text), small), 'LIMIT_EXCEEDED');
    expect(normalizeBundle(text, { ...small, maxBundleBytes: text.length }).format).toBe(
      'sigstore-bundle-v0.1',
    );
    const huge = `${' '.repeat(DEFAULT_LIMITS.maxBundleBytes)}{}`;
    rejects(() => normalizeBundle(huge), 'LIMIT_EXCEEDED', {
      expected: `<= ${DEFAULT_LIMITS.maxBundleBytes}`,
    });
  });

  it('a legacy cert with more than 10 PEM blocks → LIMIT_EXCEEDED', () => {
    const b = mintLegacyCosignBundle({
      artifact,
      signer: { certificate: leaf, chain: Array.from({ length: 10 }, () => chain.intermediate) },
      certEncoding: 'pem',
    });
    rejects(() => normalizeBundle(b), 'LIMIT_EXCEEDED', { field: 'certificates', actual: 11 });
  });

  it('custom limits come from the verifier options too', () => {
    const custom = { ...DEFAULT_LIMITS, maxTlogEntries: 0 };
    rejects(() => normalizeBundle(v01, custom), 'LIMIT_EXCEEDED', { actual: 1, expected: '<= 0' });
  });

  it('a partial limits object keeps the default for every limit it leaves out', () => {
    const b = mintLegacyCosignBundle({
      artifact,
      signer: { certificate: leaf, chain: Array.from({ length: 10 }, () => chain.intermediate) },
      certEncoding: 'pem',
    });
    // Only maxTlogEntries given: maxCertificates is still 10, never "no limit".
    rejects(() => normalizeBundle(b, { maxTlogEntries: 4 } as never), 'LIMIT_EXCEEDED', {
      field: 'certificates',
      expected: `<= ${DEFAULT_LIMITS.maxCertificates}`,
    });
  });
});

describe('normalizeKeyedSignature', () => {
  const sig = mintKeyedSignature(artifact, key);
  const raw = Uint8Array.from(Buffer.from(sig, 'base64'));

  it('reads base64 text, base64 bytes (with a newline) and raw DER bytes alike', () => {
    for (const input of [sig, `${sig}\n`, new TextEncoder().encode(`${sig}\n`), raw]) {
      expect(normalizeKeyedSignature(input)).toEqual({
        format: 'keyed-signature',
        content: { kind: 'message', signature: raw },
        signer: { kind: 'none' },
        tlogEntries: [],
        timestamps: [],
      });
    }
  });

  it.each([
    ['empty text', ''],
    ['text that is not base64', 'not base64!'],
    ['an implausibly long signature', new Uint8Array(2000)],
    ['empty bytes', new Uint8Array(0)],
  ])('%s → BUNDLE_MALFORMED', (_name, input) => {
    rejects(() => normalizeKeyedSignature(input), 'BUNDLE_MALFORMED', { field: 'signature' });
  });
});
