import {
  buildTrustedRoot,
  checkpointBody,
  cosignatureV1Signer,
  greaseSignatureLine,
  type NoteSigner,
  rekorSetPayload,
  signNote,
  spkiHashNoteSigner,
  TestRekorV1,
  TestRekorV2,
  type TlogEntryJson,
  testKey,
} from '@flareo/testkit';
import { parsePemTrustBundle, parseTrustedRoot, type TrustRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import type { EntryBinding } from '../src/body.js';
import { parseCheckpoint } from '../src/checkpoint.js';
import type { RekorErrorCode } from '../src/errors.js';
import {
  type RekorPolicy,
  type RekorVerifyOptions,
  type VerifiedLogEntry,
  verifyLogEntry,
  verifyLogEvidence,
} from '../src/verify.js';
import {
  b64,
  clone,
  createWorld,
  edited,
  expectRekorError,
  flipB64,
  type Json,
  NOW,
  P256,
  rejection,
  sha256,
  unb64,
  utf8,
} from './support.js';

const w = createWorld();

const verify = (
  entry: unknown,
  binding: EntryBinding = w.messageBinding,
  options: RekorVerifyOptions = {},
  trust: TrustRoot = w.trust,
) => verifyLogEntry(entry, binding, trust, { now: NOW, ...options });

const evidence = (
  entries: readonly unknown[],
  binding: EntryBinding = w.messageBinding,
  options: RekorVerifyOptions = {},
) => verifyLogEvidence(entries, binding, w.trust, { now: NOW, ...options });

// ---------------------------------------------------------------------------------------------
// Entries. v1 entries are minted with SET + inclusion proof; variants drop one or the other.
// ---------------------------------------------------------------------------------------------

const hashedCert = w.v1.addHashedRekord({
  artifactDigest: w.digest,
  signature: w.signature,
  certificatePem: w.leaf.pem,
  inclusionProof: true,
});
const hashedKey = w.v1.addHashedRekord({
  artifactDigest: w.digest,
  signature: w.keySignature,
  publicKeyPem: w.signerKey.publicKeyPem,
  inclusionProof: true,
});
const hashedLeafKey = w.v1.addHashedRekord({
  artifactDigest: w.digest,
  signature: w.signature,
  publicKeyPem: w.leaf.key.publicKeyPem,
  inclusionProof: true,
});
const dsseV1 = w.v1.addDsse({
  envelope: w.envelope,
  verifierPem: w.leaf.pem,
  inclusionProof: true,
});
const intoto = w.v1.addIntoto({
  envelope: w.envelope,
  verifierPem: w.leaf.pem,
  inclusionProof: true,
});
const hashedV2 = w.v2.addHashedRekordV002({
  digest: w.digest,
  signature: w.signature,
  certificateDer: w.leaf.der,
  keyDetails: P256,
});
const hashedV2Key = w.v2.addHashedRekordV002({
  digest: w.digest,
  signature: w.keySignature,
  publicKeyDer: w.signerKey.spki,
  keyDetails: P256,
});
const dsseAsHashed = w.v2.addDsseAsHashedRekord({
  envelope: w.envelope,
  certificateDer: w.leaf.der,
  keyDetails: P256,
});
const dsseV2 = w.v2.addDsseV002({
  envelope: w.envelope,
  verifiers: [{ certificateDer: w.leaf.der, keyDetails: P256 }],
});

const setOnly = (e: TlogEntryJson) => edited(e, (x) => delete x.inclusionProof);
const proofOnly = (e: TlogEntryJson) => edited(e, (x) => delete x.inclusionPromise);
const neither = (e: TlogEntryJson) =>
  edited(e, (x) => {
    delete x.inclusionProof;
    delete x.inclusionPromise;
  });

/** Tree size the entry's own proof was minted against. */
const sizeAt = (log: TestRekorV1 | TestRekorV2, e: TlogEntryJson) => log.record(e).treeIndex + 1n;

/** `entry` with its checkpoint envelope replaced. */
const withNote = (e: TlogEntryJson, note: string) =>
  edited(e, (x) => {
    x.inclusionProof.checkpoint.envelope = note;
  });

/** The text lines and the signature block of a note. */
function noteParts(note: string): { lines: string[]; sigs: string } {
  const at = note.indexOf('\n\n');
  return { lines: note.slice(0, at).split('\n'), sigs: note.slice(at + 2) };
}

/** Reassemble a note from its text lines and signature block. */
const joinNote = (lines: readonly string[], sigs: string) => `${lines.join('\n')}\n\n${sigs}`;

const v1Note = hashedCert.inclusionProof?.checkpoint.envelope ?? '';
const otherEcKey = testKey('ecdsa-p256', 'rekor-set-not-the-log');
const otherEdKey = testKey('ed25519', 'rekor-set-not-the-log');
const witnessKey = testKey('ed25519', 'rekor-set-witness');
const witness = cosignatureV1Signer('witness.flareo.test/w1', witnessKey, 1_780_000_000);
/** A signer nobody trusts, written before the log's line. */
const grease = (name: string, id = [0xde, 0xad, 0xbe, 0xef]): NoteSigner => ({
  name,
  keyIdBytes: Uint8Array.from(id),
  sign: (m) => sha256(m),
});

// ---------------------------------------------------------------------------------------------

describe('verifyLogEntry: accepted evidence', () => {
  const logTime = (e: TlogEntryJson) => new Date(Number(e.integratedTime) * 1000);

  it.each<[string, unknown, EntryBinding, RekorVerifyOptions, Partial<VerifiedLogEntry>]>([
    [
      'hashedrekord 0.0.1, certificate verifier, SET + proof',
      hashedCert,
      w.messageBinding,
      {},
      { kind: 'hashedrekord', version: '0.0.1', rekorVersion: 1, noLogTime: false },
    ],
    [
      'hashedrekord 0.0.1, public-key verifier',
      hashedKey,
      w.keyBinding,
      {},
      { kind: 'hashedrekord', version: '0.0.1', rekorVersion: 1 },
    ],
    [
      'hashedrekord 0.0.1 naming the key while the binding has the certificate (SPKI match)',
      hashedLeafKey,
      w.messageBinding,
      {},
      { kind: 'hashedrekord', version: '0.0.1' },
    ],
    ['dsse 0.0.1', dsseV1, w.dsseBinding, {}, { kind: 'dsse', version: '0.0.1', rekorVersion: 1 }],
    [
      'intoto 0.0.2',
      intoto,
      w.dsseBinding,
      {},
      { kind: 'intoto', version: '0.0.2', rekorVersion: 1 },
    ],
  ])('%s', (_name, entry, binding, options, expected) => {
    const result = verify(entry, binding, options);
    expect(result).toMatchObject(expected);
    const json = entry as TlogEntryJson;
    expect(result.logId).toBe(w.v1.logId);
    expect(result.log).toBe(w.v1Log);
    expect(result.logIndex).toBe(BigInt(json.logIndex));
    expect(result.integratedTime).toEqual(logTime(json));
    expect(result.checks).toEqual({
      set: true,
      inclusionProof: true,
      checkpoint: true,
      body: true,
    });
    expect(result.checkpoint).toEqual({
      origin: w.v1.origin,
      treeSize: sizeAt(w.v1, json),
      rootHash: Buffer.from(w.v1.rootHash(sizeAt(w.v1, json))).toString('hex'),
    });
    expect(result.format).toBe('bundle');
    expect(Object.isFrozen(result)).toBe(true);
  });

  it.each<[string, TlogEntryJson, EntryBinding, RekorVerifyOptions, string]>([
    ['hashedrekord 0.0.2, certificate verifier', hashedV2, w.messageBinding, {}, 'hashedrekord'],
    ['hashedrekord 0.0.2, public-key verifier', hashedV2Key, w.keyBinding, {}, 'hashedrekord'],
    ['hashedrekord 0.0.2 over the DSSE PAE', dsseAsHashed, w.dsseBinding, {}, 'hashedrekord'],
    [
      'dsse 0.0.2 with allowDeprecatedDsseV002',
      dsseV2,
      w.dsseBinding,
      { allowDeprecatedDsseV002: true },
      'dsse',
    ],
  ])('Rekor v2: %s (proof only, no log time)', (_name, entry, binding, options, kind) => {
    const result = verify(entry, binding, options);
    expect(result).toMatchObject({ kind, version: '0.0.2', rekorVersion: 2, noLogTime: true });
    expect(result.integratedTime).toBeUndefined();
    expect('integratedTime' in result).toBe(false);
    expect(result.log).toBe(w.v2Log);
    expect(result.logId).toBe(Buffer.from(w.v2.logIdBytes).toString('hex'));
    expect(result.checks).toEqual({
      set: false,
      inclusionProof: true,
      checkpoint: true,
      body: true,
    });
    expect(result.checkpoint?.origin).toBe(w.v2.hostname);
    expect(result.checkpoint?.treeSize).toBe(sizeAt(w.v2, entry));
  });

  it('dsse 0.0.2 is refused without allowDeprecatedDsseV002', () => {
    expectRekorError(() => verify(dsseV2, w.dsseBinding), 'BODY_UNSUPPORTED_KIND', {
      actual: 'dsse/0.0.2',
    });
  });

  it('legacy cosign rekorBundle (SET only)', () => {
    const legacy = w.v1.legacyRekorBundle(hashedCert);
    const result = verify(legacy);
    expect(result).toMatchObject({
      format: 'legacy-cosign',
      kind: 'hashedrekord',
      version: '0.0.1',
      noLogTime: false,
      checks: { set: true, inclusionProof: false, checkpoint: false, body: true },
    });
    expect(result.integratedTime).toEqual(logTime(hashedCert));
    expect(result.checkpoint).toBeUndefined();
  });

  it('SET only: log time, no checkpoint', () => {
    const result = verify(setOnly(hashedCert));
    expect(result.checks).toEqual({
      set: true,
      inclusionProof: false,
      checkpoint: false,
      body: true,
    });
    expect(result.integratedTime).toEqual(logTime(hashedCert));
    expect(result.noLogTime).toBe(false);
  });

  it('proof only on Rekor v1: the unsigned integratedTime is never reported', () => {
    const result = verify(proofOnly(hashedCert));
    expect(result.checks).toEqual({
      set: false,
      inclusionProof: true,
      checkpoint: true,
      body: true,
    });
    expect(result.integratedTime).toBeUndefined();
    expect(result.noLogTime).toBe(true);
  });

  it('Rekor v2: a non-zero integratedTime without SET is ignored', () => {
    const result = verify(edited(hashedV2, (x) => (x.integratedTime = '1767225600')));
    expect(result.integratedTime).toBeUndefined();
    expect(result.noLogTime).toBe(true);
  });

  it('entries given as numbers (not decimal strings) are read the same', () => {
    const numeric = edited(hashedCert, (x) => {
      x.logIndex = Number(x.logIndex);
      x.integratedTime = Number(x.integratedTime);
      x.inclusionProof.logIndex = Number(x.inclusionProof.logIndex);
      x.inclusionProof.treeSize = Number(x.inclusionProof.treeSize);
    });
    expect(verify(numeric).checks.set).toBe(true);
  });

  it('sharded Rekor v1: global logIndex (SET) differs from the shard-local proof index', () => {
    const shard = new TestRekorV1({ shardOffset: 1_000_000, treeId: '1193050959916656506' });
    shard.addHashedRekord({
      artifactDigest: sha256(utf8('x')),
      signature: w.signerKey.sign(utf8('x')),
      publicKeyPem: w.signerKey.publicKeyPem,
    });
    const e = shard.addHashedRekord({
      artifactDigest: w.digest,
      signature: w.signature,
      certificatePem: w.leaf.pem,
      inclusionProof: true,
    });
    expect(e.logIndex).toBe('1000001');
    expect(e.inclusionProof?.logIndex).toBe('1');
    const result = verify(e);
    expect(result.logIndex).toBe(1_000_001n);
    expect(result.checkpoint?.origin).toBe(`${w.v1.hostname} - 1193050959916656506`);
  });

  it('Rekor v2 indexes beyond 2^53 verify exactly (bigint)', () => {
    const big = new TestRekorV2({ initialTreeSize: 1n << 60n });
    big.addHashedRekordV002({
      digest: sha256(utf8('y')),
      signature: w.signerKey.sign(utf8('y')),
      publicKeyDer: w.signerKey.spki,
      keyDetails: P256,
    });
    const e = big.addHashedRekordV002({
      digest: w.digest,
      signature: w.signature,
      certificateDer: w.leaf.der,
      keyDetails: P256,
    });
    const result = verify(e);
    expect(result.logIndex).toBe((1n << 60n) + 1n);
    expect(result.checkpoint?.treeSize).toBe((1n << 60n) + 2n);
  });

  it('a Rekor v1 key loaded from a PEM file (keysAs tlog, logBaseUrl) verifies SET and checkpoint', () => {
    const trust = parsePemTrustBundle(w.v1.publicKeyPem, {
      keysAs: 'tlog',
      logBaseUrl: `https://${w.v1.hostname}`,
    });
    const result = verify(hashedCert, w.messageBinding, {}, trust);
    expect(result.checks).toEqual({
      set: true,
      inclusionProof: true,
      checkpoint: true,
      body: true,
    });
  });

  it('a PEM log key without logBaseUrl cannot match a checkpoint by name', () => {
    const trust = parsePemTrustBundle(w.v1.publicKeyPem, { keysAs: 'tlog' });
    expect(verify(setOnly(hashedCert), w.messageBinding, {}, trust).checks.set).toBe(true);
    expectRekorError(
      () => verify(proofOnly(hashedCert), w.messageBinding, {}, trust),
      'CHECKPOINT_UNSIGNED',
      { expected: 'a log with baseUrl' },
    );
  });
});

describe('checkpoints: witnesses and grease are ignored, the log line is found by name and key ID', () => {
  const v1Size = sizeAt(w.v1, hashedCert);
  const v1Entry = (signers: NoteSigner[], extraLines: string[] = []) =>
    proofOnly(w.v1.withInclusionProof(hashedCert, { treeSize: v1Size, signers, extraLines }));

  const v2Entry = (signers: NoteSigner[], extraLines: string[] = []) =>
    w.v2.withInclusionProof(hashedV2, { treeSize: sizeAt(w.v2, hashedV2), signers, extraLines });
  const greaseLine = greaseSignatureLine('grease.example', Uint8Array.of(1, 2, 3, 4));

  it.each<[string, () => unknown]>([
    ['v1: log line, then a witness cosignature', () => v1Entry([w.v1.noteSigner(), witness])],
    [
      'v1: grease and witness lines before the log line',
      () => v1Entry([grease('grease.example'), witness, w.v1.noteSigner()]),
    ],
    [
      "v1: a line with the log's name but a foreign key ID before the log line",
      () => v1Entry([grease(w.v1.hostname), w.v1.noteSigner()]),
    ],
    ['v1: grease lines after all signatures', () => v1Entry([w.v1.noteSigner()], [greaseLine])],
    ['v2: log line, then a witness cosignature', () => v2Entry([w.v2.noteSigner(), witness])],
    [
      'v2: witness and grease lines before the log line',
      () => v2Entry([witness, grease('grease.example'), w.v2.noteSigner()], [greaseLine]),
    ],
    [
      'v2: configured witnesses of the log',
      () => {
        const log = new TestRekorV2({
          witnesses: [{ name: 'witness.flareo.test/w1', key: witnessKey }],
        });
        return log.addHashedRekordV002({
          digest: w.digest,
          signature: w.signature,
          certificateDer: w.leaf.der,
          keyDetails: P256,
        });
      },
    ],
  ])('%s', (name, make) => {
    const entry = make() as TlogEntryJson;
    const note = entry.inclusionProof?.checkpoint.envelope ?? '';
    const names = parseCheckpoint(note).signatures.map((s) => s.name);
    expect(names.length).toBeGreaterThan(1);
    const host = name.startsWith('v1') ? w.v1.hostname : w.v2.hostname;
    if (name.includes('before the log line')) expect(names.lastIndexOf(host)).toBeGreaterThan(0);
    expect(verify(entry).checks.checkpoint).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('verifyLogEntry: rejections', () => {
  const proofSize = sizeAt(w.v1, hashedCert);
  const notedAs = (signers: NoteSigner[]) =>
    w.v1.withInclusionProof(hashedCert, { treeSize: proofSize, signers });
  const { lines, sigs } = noteParts(v1Note);

  /** An entry whose SET is a valid signature over the right payload by another key. */
  const setByOtherKey = edited(hashedCert, (x) => {
    const payload = rekorSetPayload({
      body: unb64(x.canonicalizedBody),
      integratedTime: x.integratedTime,
      logIdHex: w.v1.logId,
      logIndex: x.logIndex,
    });
    x.inclusionPromise.signedEntryTimestamp = b64(otherEcKey.sign(utf8(payload)));
  });

  const shiftedWindow = parseTrustedRoot({
    ...buildTrustedRoot({}),
    tlogs: [w.v1.transparencyLogInstance({ start: new Date('2024-06-01T00:00:00Z') })],
  });
  const closedWindow = parseTrustedRoot({
    ...buildTrustedRoot({}),
    tlogs: [
      w.v1.transparencyLogInstance({
        start: new Date('2023-01-01T00:00:00Z'),
        end: new Date('2023-12-31T23:59:59Z'),
      }),
    ],
  });

  const future = w.v1.addHashedRekord({
    artifactDigest: w.digest,
    signature: w.signature,
    certificatePem: w.leaf.pem,
    integratedTime: new Date(NOW.getTime() + 61_000),
  });
  const otherDigest = sha256(utf8('another artifact'));
  const loggedForOtherDigest = w.v1.addHashedRekord({
    artifactDigest: otherDigest,
    signature: w.signature,
    certificatePem: w.leaf.pem,
  });
  const unknownKind = w.v1.addEntry({
    kind: 'rekord',
    version: '0.0.1',
    body: { apiVersion: '0.0.1', kind: 'rekord', spec: {} },
  });
  const notJson = w.v1.addEntry({ kind: 'hashedrekord', version: '0.0.1', body: utf8('not json') });
  const wrongOriginNote = signNote(
    checkpointBody({
      origin: 'rekor.evil.test - 2605736670972794746',
      size: proofSize,
      rootHash: w.v1.rootHash(proofSize),
    }),
    [w.v1.noteSigner()],
  );
  const anotherV2 = new TestRekorV2({ seed: 'rekor-set-unknown-v2' });

  const ROWS: [string, () => unknown, RekorErrorCode, Record<string, unknown>?][] = [
    // SET
    [
      'tampered SET byte',
      () =>
        verify(
          edited(hashedCert, (x) => {
            x.inclusionPromise.signedEntryTimestamp = flipB64(
              x.inclusionPromise.signedEntryTimestamp,
              12,
            );
          }),
        ),
      'SET_INVALID',
      { field: 'inclusionPromise.signedEntryTimestamp', logIndex: hashedCert.logIndex },
    ],
    ['SET by another key', () => verify(setByOtherKey), 'SET_INVALID'],
    [
      'SET-signed integratedTime changed',
      () => verify(edited(hashedCert, (x) => (x.integratedTime = String(+x.integratedTime - 1)))),
      'SET_INVALID',
    ],
    [
      'SET-signed logIndex changed',
      () => verify(edited(hashedCert, (x) => (x.logIndex = String(+x.logIndex + 1)))),
      'SET_INVALID',
    ],
    [
      'SET of another entry',
      () =>
        verify(
          edited(hashedCert, (x) => {
            x.inclusionPromise = clone(hashedKey.inclusionPromise);
          }),
        ),
      'SET_INVALID',
    ],
    [
      'legacy rekorBundle with a tampered SET',
      () =>
        verify(
          edited(w.v1.legacyRekorBundle(hashedCert), (x) => {
            x.SignedEntryTimestamp = flipB64(x.SignedEntryTimestamp, 20);
          }),
        ),
      'SET_INVALID',
    ],
    [
      'log key window starts after integratedTime',
      () => verify(hashedCert, w.messageBinding, {}, shiftedWindow),
      'LOG_KEY_OUTSIDE_VALIDITY',
      { actual: new Date(Number(hashedCert.integratedTime) * 1000).toISOString() },
    ],
    [
      'log key window ended before integratedTime',
      () => verify(setOnly(hashedCert), w.messageBinding, {}, closedWindow),
      'LOG_KEY_OUTSIDE_VALIDITY',
    ],
    [
      'integratedTime 61 s in the future (default skew 60 s)',
      () => verify(future),
      'INTEGRATED_TIME_IN_FUTURE',
      {
        actual: new Date(NOW.getTime() + 61_000).toISOString(),
        expected: `<= ${new Date(NOW.getTime() + 60_000).toISOString()}`,
      },
    ],
    [
      'integratedTime in the future with clockSkewSeconds 0',
      () =>
        verify(future, w.messageBinding, {
          now: new Date(NOW.getTime() + 60_000),
          clockSkewSeconds: 0,
        }),
      'INTEGRATED_TIME_IN_FUTURE',
    ],
    // Log
    [
      'unknown log id',
      () => verify(edited(hashedCert, (x) => (x.logId.keyId = b64(sha256('nobody'))))),
      'LOG_UNKNOWN',
      { actual: Buffer.from(sha256('nobody')).toString('hex') },
    ],
    [
      'a Rekor v2 log missing from the trust root',
      () =>
        verify(
          anotherV2.addHashedRekordV002({
            digest: w.digest,
            signature: w.signature,
            certificateDer: w.leaf.der,
            keyDetails: P256,
          }),
        ),
      'LOG_UNKNOWN',
    ],
    // Body binding
    [
      'body logged for another artifact digest',
      () => verify(loggedForOtherDigest),
      'BODY_DIGEST_MISMATCH',
      {
        field: 'spec.data.hash',
        expected: `sha256:${Buffer.from(w.digest).toString('hex')}`,
        actual: `sha256:${Buffer.from(otherDigest).toString('hex')}`,
      },
    ],
    [
      'binding for another artifact digest',
      () =>
        verify(hashedCert, {
          ...w.messageBinding,
          artifactDigest: { algorithm: 'sha256', digest: otherDigest },
        }),
      'BODY_DIGEST_MISMATCH',
    ],
    [
      'binding with another digest algorithm',
      () =>
        verify(hashedCert, {
          ...w.messageBinding,
          artifactDigest: { algorithm: 'sha384', digest: w.digest },
        }),
      'BODY_DIGEST_MISMATCH',
      { actual: `sha256:${Buffer.from(w.digest).toString('hex')}` },
    ],
    [
      'another signature',
      () => verify(hashedCert, { ...w.messageBinding, signature: w.keySignature }),
      'BODY_SIGNATURE_MISMATCH',
      {
        field: 'spec.signature.content',
        expected: b64(w.keySignature),
        actual: b64(w.signature),
      },
    ],
    [
      'another certificate',
      () => verify(hashedCert, { ...w.messageBinding, verifier: { certificate: w.otherLeaf.der } }),
      'BODY_VERIFIER_MISMATCH',
      {
        field: 'spec.signature.publicKey.content',
        expected: `certificate sha256:${Buffer.from(sha256(w.otherLeaf.der)).toString('hex')}`,
        actual: `certificate sha256:${Buffer.from(sha256(w.leaf.der)).toString('hex')}`,
      },
    ],
    [
      'body names a certificate, binding has only a key',
      () => verify(hashedCert, { ...w.messageBinding, verifier: { publicKey: w.leaf.key.spki } }),
      'BODY_VERIFIER_MISMATCH',
    ],
    [
      'body names a key, binding has a certificate of another key',
      () => verify(hashedKey, { ...w.keyBinding, verifier: { certificate: w.leaf.der } }),
      'BODY_VERIFIER_MISMATCH',
    ],
    [
      'Rekor v2 body with another certificate',
      () => verify(hashedV2, { ...w.messageBinding, verifier: { certificate: w.otherLeaf.der } }),
      'BODY_VERIFIER_MISMATCH',
      { field: 'spec.hashedRekordV002.signature.verifier.x509Certificate' },
    ],
    [
      'Rekor v2 DSSE-as-hashedrekord for another payload',
      () =>
        verify(dsseAsHashed, {
          ...w.dsseBinding,
          dsse: { payloadType: 'text/plain', payload: utf8('other') },
        }),
      'BODY_DIGEST_MISMATCH',
      { field: 'spec.hashedRekordV002.data.digest' },
    ],
    [
      'kindVersion disagrees with the body',
      () => verify(edited(hashedCert, (x) => (x.kindVersion.version = '0.0.2'))),
      'BODY_KIND_MISMATCH',
      { field: 'kindVersion', expected: 'hashedrekord/0.0.1', actual: 'hashedrekord/0.0.2' },
    ],
    [
      'DSSE binding against a hashedrekord 0.0.1 body',
      () => verify(hashedCert, w.dsseBinding),
      'BODY_KIND_MISMATCH',
      { expected: 'dsse', actual: 'hashedrekord' },
    ],
    [
      'message binding against a dsse 0.0.1 body',
      () => verify(dsseV1, w.messageBinding),
      'BODY_KIND_MISMATCH',
      { expected: 'hashedrekord', actual: 'dsse' },
    ],
    [
      'unknown kind',
      () => verify(unknownKind),
      'BODY_UNSUPPORTED_KIND',
      { actual: 'rekord/0.0.1' },
    ],
    ['non-JSON body', () => verify(notJson), 'BODY_MALFORMED'],
    // Inclusion proof
    [
      'corrupted proof hash',
      () =>
        verify(
          edited(hashedCert, (x) => {
            x.inclusionProof.hashes[0] = flipB64(x.inclusionProof.hashes[0], 31);
          }),
        ),
      'PROOF_INVALID',
      { field: 'inclusionProof', actual: 'root-mismatch' },
    ],
    [
      'proof with one hash too few',
      () => verify(edited(hashedCert, (x) => x.inclusionProof.hashes.pop())),
      'PROOF_INVALID',
      { actual: 'wrong-proof-length' },
    ],
    [
      'proof with one hash too many',
      () => verify(edited(hashedCert, (x) => x.inclusionProof.hashes.push(b64(sha256('x'))))),
      'PROOF_INVALID',
      { actual: 'wrong-proof-length' },
    ],
    [
      'proof for another leaf index',
      () =>
        verify(
          edited(proofOnly(hashedCert), (x) => {
            x.inclusionProof.logIndex = String(+x.inclusionProof.logIndex - 1);
          }),
        ),
      'PROOF_INVALID',
    ],
    [
      'proof index outside the tree',
      () =>
        verify(
          edited(proofOnly(hashedCert), (x) => {
            x.inclusionProof.logIndex = x.inclusionProof.treeSize;
          }),
        ),
      'PROOF_INVALID',
      { actual: 'index-out-of-range' },
    ],
    [
      'proof of another entry',
      () =>
        verify(
          edited(hashedCert, (x) => {
            x.inclusionProof = clone(hashedKey.inclusionProof);
          }),
        ),
      'PROOF_INVALID',
    ],
    [
      'Rekor v2: inclusionProof.logIndex differs from logIndex',
      () => verify(edited(hashedV2, (x) => (x.logIndex = String(+x.logIndex - 1)))),
      'PROOF_INVALID',
      {
        field: 'inclusionProof.logIndex',
        expected: String(+hashedV2.logIndex - 1),
        actual: hashedV2.logIndex,
      },
    ],
    [
      'proof treeSize differs from the checkpoint',
      () => verify(edited(hashedCert, (x) => (x.inclusionProof.treeSize = String(proofSize + 1n)))),
      'CHECKPOINT_MISMATCH',
      {
        expected: { treeSize: String(proofSize) },
        actual: { treeSize: String(proofSize + 1n) },
      },
    ],
    [
      'proof rootHash differs from the checkpoint',
      () => verify(edited(hashedCert, (x) => (x.inclusionProof.rootHash = b64(sha256('root'))))),
      'CHECKPOINT_MISMATCH',
      {
        expected: { rootHash: b64(w.v1.rootHash(proofSize)) },
        actual: { rootHash: b64(sha256('root')) },
      },
    ],
    // Checkpoint
    [
      'checkpoint signed by another key',
      () => verify(notedAs([spkiHashNoteSigner(w.v1.hostname, otherEcKey)])),
      'CHECKPOINT_UNSIGNED',
      { expected: { name: w.v1.hostname } },
    ],
    [
      "checkpoint with the log's key ID but a bad signature",
      () =>
        verify(
          notedAs([
            {
              name: w.v1.hostname,
              keyIdBytes: w.v1.noteSigner().keyIdBytes,
              sign: (m) => otherEcKey.sign(m),
            },
          ]),
        ),
      'CHECKPOINT_INVALID',
    ],
    [
      "a bad line with the log's key ID next to a good one",
      () =>
        verify(
          notedAs([
            w.v1.noteSigner(),
            {
              name: w.v1.hostname,
              keyIdBytes: w.v1.noteSigner().keyIdBytes,
              sign: (m) => otherEcKey.sign(m),
            },
          ]),
        ),
      'CHECKPOINT_INVALID',
    ],
    [
      'checkpoint signed by the log key under another key name',
      () => verify(notedAs([spkiHashNoteSigner('rekor.other.test', w.v1.key)])),
      'CHECKPOINT_UNSIGNED',
      { actual: [{ name: 'rekor.other.test' }] },
    ],
    [
      'checkpoint signed with the log key but another origin',
      () => verify(withNote(hashedCert, wrongOriginNote)),
      'CHECKPOINT_ORIGIN_MISMATCH',
      { actual: 'rekor.evil.test - 2605736670972794746' },
    ],
    [
      'Rekor v2 entry carrying the Rekor v1 checkpoint',
      () =>
        verify(
          edited(hashedV2, (x) => {
            x.inclusionProof.checkpoint.envelope = v1Note;
          }),
        ),
      'CHECKPOINT_UNSIGNED',
    ],
    [
      'Rekor v2 checkpoint signed by another Ed25519 key',
      () =>
        verify(
          w.v2.withInclusionProof(hashedV2, {
            treeSize: sizeAt(w.v2, hashedV2),
            signers: [
              {
                name: w.v2.hostname,
                keyIdBytes: w.v2.noteSigner().keyIdBytes,
                sign: (m) => otherEdKey.sign(m),
              },
            ],
          }),
        ),
      'CHECKPOINT_INVALID',
    ],
    [
      'checkpoint missing its root hash line',
      () => verify(withNote(hashedCert, joinNote(lines.slice(0, 2), sigs))),
      'CHECKPOINT_MALFORMED',
    ],
    [
      'checkpoint without a blank line',
      () => verify(withNote(hashedCert, v1Note.replace('\n\n', '\n'))),
      'CHECKPOINT_MALFORMED',
    ],
    [
      'checkpoint with a control character',
      () => verify(withNote(hashedCert, v1Note.replace('\n', '\r\n'))),
      'CHECKPOINT_MALFORMED',
    ],
    [
      'checkpoint size with a leading zero',
      () =>
        verify(
          withNote(hashedCert, joinNote([lines[0] ?? '', `0${lines[1]}`, ...lines.slice(2)], sigs)),
        ),
      'CHECKPOINT_MALFORMED',
    ],
    [
      'checkpoint with 101 signature lines',
      () =>
        verify(
          withNote(
            hashedCert,
            v1Note +
              Array.from({ length: 100 }, (_, i) =>
                greaseSignatureLine(`g${i}.example`, Uint8Array.of(0, 0, 0, i)),
              ).join(''),
          ),
        ),
      'CHECKPOINT_MALFORMED',
    ],
    [
      'inclusion proof without checkpoint (v0.2-style entry)',
      () => verify(edited(hashedCert, (x) => delete x.inclusionProof.checkpoint)),
      'CHECKPOINT_MISSING',
      { logIndex: hashedCert.logIndex },
    ],
    [
      'inclusion proof with a null checkpoint',
      () => verify(edited(proofOnly(hashedV2), (x) => (x.inclusionProof.checkpoint = null))),
      'CHECKPOINT_MISSING',
    ],
    // Options
    [
      'unknown policy',
      () => verify(hashedCert, w.messageBinding, { policy: 'require-all' as RekorPolicy }),
      'ARGUMENT_INVALID',
      { actual: 'require-all' },
    ],
  ];

  it.each(ROWS.map(([name, run, code, detail]) => [name, code, run, detail] as const))(
    '%s → %s',
    (_name, code, run, detail) => {
      expectRekorError(run, code, detail);
    },
  );

  it('integratedTime exactly at the skew limit, or inside a wider skew, is accepted', () => {
    expect(
      verify(future, w.messageBinding, { now: new Date(NOW.getTime() + 1000) }).noLogTime,
    ).toBe(false);
    expect(verify(future, w.messageBinding, { clockSkewSeconds: 120 }).integratedTime).toEqual(
      new Date(NOW.getTime() + 61_000),
    );
  });

  it('the log window bounds are inclusive', () => {
    const at = new Date(Number(hashedCert.integratedTime) * 1000);
    const exact = parseTrustedRoot({
      ...buildTrustedRoot({}),
      tlogs: [w.v1.transparencyLogInstance({ start: at, end: at })],
    });
    expect(verify(setOnly(hashedCert), w.messageBinding, {}, exact).checks.set).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('policy × evidence matrix (verifyLogEvidence)', () => {
  const EVIDENCE = {
    'SET only': setOnly(hashedCert),
    'proof only': proofOnly(hashedCert),
    both: hashedCert,
    neither: neither(hashedCert),
  } as const;
  type Kind = keyof typeof EVIDENCE;
  const ok = (set: boolean, proof: boolean) => ({ set, proof });

  const MATRIX: [RekorPolicy, Kind, { set: boolean; proof: boolean } | RekorErrorCode][] = [
    ['require-set', 'SET only', ok(true, false)],
    ['require-set', 'proof only', 'SET_MISSING'],
    ['require-set', 'both', ok(true, true)],
    ['require-set', 'neither', 'SET_MISSING'],
    ['require-inclusion-proof', 'SET only', 'PROOF_MISSING'],
    ['require-inclusion-proof', 'proof only', ok(false, true)],
    ['require-inclusion-proof', 'both', ok(true, true)],
    ['require-inclusion-proof', 'neither', 'PROOF_MISSING'],
    ['require-any', 'SET only', ok(true, false)],
    ['require-any', 'proof only', ok(false, true)],
    ['require-any', 'both', ok(true, true)],
    ['require-any', 'neither', 'EVIDENCE_INSUFFICIENT'],
  ];

  it.each(MATRIX)('%s with %s → %j', (policy, kind, outcome) => {
    const run = () => evidence([EVIDENCE[kind]], w.messageBinding, { policy });
    if (typeof outcome === 'string') {
      expectRekorError(run, outcome, { entry: 0, logIndex: hashedCert.logIndex });
      return;
    }
    const result = run();
    expect(result.policy).toBe(policy);
    expect(result.distinctEntries).toBe(1);
    expect(result.entries[0]?.checks).toEqual({
      set: outcome.set,
      inclusionProof: outcome.proof,
      checkpoint: outcome.proof,
      body: true,
    });
    expect(result.noLogTime).toBe(!outcome.set);
    expect(result.integratedTime).toEqual(
      outcome.set ? new Date(Number(hashedCert.integratedTime) * 1000) : undefined,
    );
  });

  it.each(Object.keys(EVIDENCE) as Kind[])('disabled with %s → nothing examined', (kind) => {
    expect(evidence([EVIDENCE[kind]], w.messageBinding, { policy: 'disabled' })).toEqual({
      policy: 'disabled',
      entries: [],
      distinctEntries: 0,
      noLogTime: true,
    });
  });

  it('disabled examines nothing, not even garbage entries or a bad threshold', () => {
    const result = evidence(['garbage', null], w.dsseBinding, {
      policy: 'disabled',
      threshold: -1,
    });
    expect(result.entries).toEqual([]);
  });

  it.each<[RekorPolicy, RekorErrorCode | null]>([
    ['require-set', 'SET_MISSING'],
    ['require-inclusion-proof', null],
    ['require-any', null],
  ])('Rekor v2 entry (proof only) under %s', (policy, code) => {
    const run = () => evidence([hashedV2], w.messageBinding, { policy });
    if (code) expectRekorError(run, code);
    else expect(run().noLogTime).toBe(true);
  });

  it('Rekor v2 entry without its proof under require-any → EVIDENCE_INSUFFICIENT', () => {
    const bare = w.v2.addHashedRekordV002({
      digest: w.digest,
      signature: w.signature,
      certificateDer: w.leaf.der,
      keyDetails: P256,
      inclusionProof: false,
    });
    expectRekorError(() => evidence([bare]), 'EVIDENCE_INSUFFICIENT', {
      expected: 'SET or inclusion proof',
      actual: 'neither',
    });
  });

  it.each<[RekorPolicy, unknown, RekorErrorCode]>([
    [
      'require-set',
      edited(hashedCert, (x) => (x.inclusionProof.rootHash = b64(sha256('r')))),
      'CHECKPOINT_MISMATCH',
    ],
    [
      'require-inclusion-proof',
      edited(hashedCert, (x) => {
        x.inclusionPromise.signedEntryTimestamp = flipB64(
          x.inclusionPromise.signedEntryTimestamp,
          9,
        );
      }),
      'SET_INVALID',
    ],
    ['require-any', edited(hashedCert, (x) => x.inclusionProof.hashes.reverse()), 'PROOF_INVALID'],
  ])('%s still verifies the evidence it does not require', (policy, entry, code) => {
    expectRekorError(() => evidence([entry], w.messageBinding, { policy }), code);
  });
});

// ---------------------------------------------------------------------------------------------

describe('verifyLogEvidence: threshold and entry list', () => {
  it('two distinct entries (Rekor v1 + v2) meet threshold 2; earliest SET time wins', () => {
    const result = evidence([hashedV2, hashedCert], w.messageBinding, { threshold: 2 });
    expect(result.distinctEntries).toBe(2);
    expect(result.entries.map((e) => e.rekorVersion)).toEqual([2, 1]);
    expect(result.integratedTime).toEqual(new Date(Number(hashedCert.integratedTime) * 1000));
    expect(result.noLogTime).toBe(false);
    expect(Object.isFrozen(result.entries)).toBe(true);
  });

  it('two SET entries: the earliest integrated time is reported', () => {
    const later = w.v1.addHashedRekord({
      artifactDigest: w.digest,
      signature: w.signature,
      certificatePem: w.leaf.pem,
      integratedTime: new Date('2025-03-01T00:00:00Z'),
    });
    // Same body in the same log: one entry (counted once), but both times are verified.
    const result = evidence([later, hashedCert], w.messageBinding, { threshold: 1 });
    expect(result.distinctEntries).toBe(1);
    expect(result.integratedTime).toEqual(new Date(Number(hashedCert.integratedTime) * 1000));
  });

  it.each<[string, unknown[]]>([
    ['the same entry twice', [hashedCert, hashedCert]],
    [
      'the same entry as SET-only and proof-only copies',
      [setOnly(hashedCert), proofOnly(hashedCert)],
    ],
    ['a bundle entry and its legacy rekorBundle', [hashedCert, w.v1.legacyRekorBundle(hashedCert)]],
    ['the same Rekor v2 entry three times', [hashedV2, hashedV2, clone(hashedV2)]],
  ])('duplicates count once: %s', (_name, entries) => {
    const result = evidence(entries);
    expect(result.entries).toHaveLength(entries.length);
    expect(result.distinctEntries).toBe(1);
    expectRekorError(
      () => evidence(entries, w.messageBinding, { threshold: 2 }),
      'EVIDENCE_INSUFFICIENT',
      {
        expected: 2,
        actual: 1,
      },
    );
  });

  it('threshold 0 accepts an empty list; the default threshold does not', () => {
    expect(evidence([], w.messageBinding, { threshold: 0 })).toMatchObject({
      entries: [],
      distinctEntries: 0,
      noLogTime: true,
    });
    expectRekorError(() => evidence([]), 'EVIDENCE_INSUFFICIENT', { expected: 1, actual: 0 });
  });

  it('one bad entry fails the whole list and is named by position', () => {
    const bad = edited(hashedV2, (x) => (x.inclusionProof.rootHash = b64(sha256('r'))));
    const error = expectRekorError(() => evidence([hashedCert, bad]), 'CHECKPOINT_MISMATCH', {
      entry: 1,
    });
    expect(error.message).toMatch(/^entry 1: /);
  });

  it.each<[string, RekorVerifyOptions, Record<string, unknown>]>([
    ['policy', { policy: 'strict' as RekorPolicy }, { actual: 'strict' }],
    ['negative threshold', { threshold: -1 }, { actual: -1 }],
    ['fractional threshold', { threshold: 1.5 }, { actual: 1.5 }],
    ['NaN threshold', { threshold: Number.NaN }, {}],
    ['infinite threshold', { threshold: Number.POSITIVE_INFINITY }, {}],
    ['string threshold', { threshold: '1' as unknown as number }, { actual: '1' }],
  ])('invalid %s → ARGUMENT_INVALID', (_name, options, detail) => {
    expectRekorError(
      () => evidence([hashedCert], w.messageBinding, options),
      'ARGUMENT_INVALID',
      detail,
    );
  });

  it.each<[string, () => unknown, Record<string, unknown>]>([
    [
      'more entries than the default limit of 16',
      () => evidence(Array.from({ length: 17 }, () => hashedCert)),
      { expected: '<= 16', actual: 17 },
    ],
    [
      'more entries than maxEntries',
      () => evidence([hashedCert, hashedKey, hashedV2], w.messageBinding, { maxEntries: 2 }),
      { actual: 3 },
    ],
    ['entries not an array', () => evidence('nope' as unknown as unknown[]), { actual: 'string' }],
    [
      'negative logIndex',
      () => evidence([edited(hashedCert, (x) => (x.logIndex = '-1'))]),
      { entry: 0, field: 'logIndex' },
    ],
    [
      'hexadecimal logIndex',
      () => evidence([edited(hashedCert, (x) => (x.logIndex = '0x10'))]),
      { field: 'logIndex' },
    ],
    [
      'non-base64 canonicalizedBody',
      () => evidence([edited(hashedCert, (x) => (x.canonicalizedBody = 'not base64!'))]),
      { field: 'canonicalizedBody' },
    ],
    [
      'non-base64 SET',
      () =>
        evidence([edited(hashedCert, (x) => (x.inclusionPromise.signedEntryTimestamp = '$$$'))]),
      { field: 'inclusionPromise.signedEntryTimestamp' },
    ],
    [
      'rootHash of 31 bytes',
      () =>
        evidence([
          edited(hashedCert, (x) => (x.inclusionProof.rootHash = b64(new Uint8Array(31)))),
        ]),
      { field: 'inclusionProof.rootHash', actual: 31 },
    ],
    [
      'proof hash of 33 bytes',
      () =>
        evidence([
          edited(hashedCert, (x) => (x.inclusionProof.hashes[0] = b64(new Uint8Array(33)))),
        ]),
      { field: 'inclusionProof.hashes[0]', actual: 33 },
    ],
    [
      '65 proof hashes',
      () =>
        evidence([
          edited(hashedCert, (x) => {
            x.inclusionProof.hashes = Array.from({ length: 65 }, () => b64(new Uint8Array(32)));
          }),
        ]),
      { field: 'inclusionProof.hashes', actual: 65 },
    ],
    ['an entry that is not an object', () => evidence([42]), { entry: 0, field: 'entry' }],
  ])('%s → ENTRY_MALFORMED', (_name, run, detail) => {
    expectRekorError(run, 'ENTRY_MALFORMED', detail);
  });

  it('maxEntries is honoured exactly', () => {
    expect(
      evidence([hashedCert, hashedCert], w.messageBinding, { maxEntries: 2 }).entries,
    ).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------

describe('observedTime: the key window of entries without a SET', () => {
  const beforeV2 = new Date('2025-12-31T23:59:59Z');
  const afterV2 = new Date('2026-02-01T00:00:00Z');

  it('a Rekor v2 entry observed inside the log window is accepted', () => {
    expect(verify(hashedV2, w.messageBinding, { observedTime: afterV2 }).checks.checkpoint).toBe(
      true,
    );
    expect(verify(hashedV2, w.messageBinding, { observedTime: w.v2.startTime }).noLogTime).toBe(
      true,
    );
  });

  it('a Rekor v2 entry observed before the log window → LOG_KEY_OUTSIDE_VALIDITY', () => {
    expectRekorError(
      () => verify(hashedV2, w.messageBinding, { observedTime: beforeV2 }),
      'LOG_KEY_OUTSIDE_VALIDITY',
      { actual: beforeV2.toISOString() },
    );
  });

  it('a Rekor v1 proof-only entry is held to the observed time too', () => {
    expectRekorError(
      () =>
        verify(proofOnly(hashedCert), w.messageBinding, {
          observedTime: new Date('2023-01-01T00:00:00Z'),
        }),
      'LOG_KEY_OUTSIDE_VALIDITY',
    );
  });

  it('with a SET the signed integrated time decides, not observedTime', () => {
    const result = verify(hashedCert, w.messageBinding, {
      observedTime: new Date('2020-01-01T00:00:00Z'),
    });
    expect(result.checks).toMatchObject({ set: true, checkpoint: true });
  });

  it('through verifyLogEvidence the failing entry is named', () => {
    expectRekorError(
      () => evidence([hashedCert, hashedV2], w.messageBinding, { observedTime: beforeV2 }),
      'LOG_KEY_OUTSIDE_VALIDITY',
      { entry: 1 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Library bugs found while writing these tests. Each `it.fails` states the correct behaviour
// and fails today; remove `.fails` once the library is fixed.
// ---------------------------------------------------------------------------------------------

describe('known library bugs', () => {
  /**
   * BUG (verify.ts, SET branch: `const at = new Date(Number(entry.integratedTime) * 1000)`):
   * entry.ts accepts any int64 integratedTime, but seconds above 8.64e12 make an Invalid Date.
   * `isWithin` (trust-root) then returns true (every comparison with NaN is false), and so does
   * the future check `at.getTime() > now + skew`. A SET signed by a log key whose window
   * ended long ago is accepted, and the entry's integratedTime is an Invalid Date.
   */
  const beyondDateRange = w.v1.addHashedRekord({
    artifactDigest: w.digest,
    signature: w.signature,
    certificatePem: w.leaf.pem,
    integratedTime: 9_000_000_000_000n,
  });
  const retired = parseTrustedRoot({
    ...buildTrustedRoot({}),
    tlogs: [
      w.v1.transparencyLogInstance({
        start: new Date('2023-01-01T00:00:00Z'),
        end: new Date('2025-01-01T00:00:00Z'),
      }),
    ],
  });

  it('fixed: a SET with integratedTime beyond the Date range escapes the key validity window', () => {
    // Expected LOG_KEY_OUTSIDE_VALIDITY; actual: accepted, integratedTime = Invalid Date.
    // Refused when parsed: no Date can hold it, so no window or future check could apply.
    expectRekorError(
      () => verify(beyondDateRange, w.messageBinding, {}, retired),
      'ENTRY_MALFORMED',
    );
  });

  it('fixed: a SET with integratedTime beyond the Date range escapes the future check', () => {
    // Expected INTEGRATED_TIME_IN_FUTURE (year ~287,000 vs now 2026); actual: accepted.
    expectRekorError(() => verify(beyondDateRange), 'ENTRY_MALFORMED');
  });

  it('(control) the largest representable integratedTime is still caught as future', () => {
    const edge = w.v1.addHashedRekord({
      artifactDigest: w.digest,
      signature: w.signature,
      certificatePem: w.leaf.pem,
      integratedTime: 8_640_000_000_000n,
    });
    expectRekorError(() => verify(edge), 'INTEGRATED_TIME_IN_FUTURE');
  });

  /**
   * BUG (verify.ts verifyLogEvidence: `new Set(entries.map((e) => `${e.logId}:${e.logIndex}`))`):
   * on Rekor v1 the global `logIndex` is signed only by the SET; a proof-only entry's logIndex
   * is bound to nothing (the proof uses the shard-local inclusionProof.logIndex). Copies of
   * ONE log entry with made-up logIndex values each verify and count as distinct entries, so
   * threshold N is met with a single entry. Duplicates should count once (e.g. key on the
   * trusted log plus the proven leaf: proof index / leaf hash, or the SET-signed index).
   */
  it('fixed: a Rekor v1 proof-only entry re-labelled with another logIndex counts twice', () => {
    const real = proofOnly(hashedCert);
    const relabelled = edited(real, (x) => (x.logIndex = '999999'));
    // Each copy verifies on its own (that part is expected: the proof holds).
    expect(verify(relabelled).checks.inclusionProof).toBe(true);
    // Expected EVIDENCE_INSUFFICIENT (1 distinct entry); actual: distinctEntries 2, accepted.
    expectRekorError(
      () => evidence([real, relabelled], w.messageBinding, { threshold: 2 }),
      'EVIDENCE_INSUFFICIENT',
    );
  });

  /**
   * BUG (verify.ts toEntry: `'format' in input && 'logIdHex' in input` → used as a parsed
   * LogEntry unchecked): hostile bundle JSON carrying those two keys skips parseTlogEntry and
   * crashes with a TypeError (here ERR_INVALID_ARG_TYPE, as `logId` is still the JSON object;
   * with `logIndex` absent it is `entry.logIndex.toString()`) instead of a RekorError.
   */
  it('fixed: bundle JSON with "format" and "logIdHex" keys is parsed, never trusted as parsed', () => {
    // JSON cannot pose as a parsed entry: it is parsed like any other (extra keys ignored),
    // so it verifies exactly as the clean entry does, and a broken copy fails with a RekorError.
    const hostile = { ...clone(hashedCert), format: 'bundle', logIdHex: w.v1.logId };
    expect(verify(hostile).logIndex).toBe(verify(hashedCert).logIndex);
    expect(rejection(() => verify({ ...hostile, logId: 'not an object' }))).toBeDefined();
  });

  /**
   * BUG (verify.ts verifyLogEntry, policy 'disabled'): with neither SET nor proof the entry is
   * returned with `log: undefined` (`(setLog ?? proofLog) as TransparencyLog`), although
   * VerifiedLogEntry.log is not optional.
   */
  it('fixed: verifyLogEntry never returns an entry without its trusted log', () => {
    // verifyLogEntry refuses policy 'disabled' outright: it only ever returns proven entries.
    expectRekorError(
      () => verify(neither(hashedCert), w.messageBinding, { policy: 'disabled' }),
      'ARGUMENT_INVALID',
    );
  });

  /**
   * BUG (verify.ts: `now`, `clockSkewSeconds`, `observedTime` are not validated while policy
   * and threshold are): a NaN skew or an Invalid Date `now` turns the future check off, and an
   * Invalid Date observedTime passes every key window (fail-open instead of ARGUMENT_INVALID).
   */
  it('fixed: clockSkewSeconds NaN does not switch off the future check', () => {
    const code = rejection(() =>
      verify(future(), w.messageBinding, { clockSkewSeconds: Number.NaN }),
    ).code;
    expect(['ARGUMENT_INVALID', 'INTEGRATED_TIME_IN_FUTURE']).toContain(code);
  });

  it('fixed: an Invalid Date `now` does not switch off the future check', () => {
    const code = rejection(() =>
      verify(future(), w.messageBinding, { now: new Date(Number.NaN) }),
    ).code;
    expect(['ARGUMENT_INVALID', 'INTEGRATED_TIME_IN_FUTURE']).toContain(code);
  });

  it('fixed: an Invalid Date observedTime does not pass every key window', () => {
    // An Invalid Date lies in no window; today isWithin() says it lies in every one.
    const code = rejection(() =>
      verify(hashedV2, w.messageBinding, { observedTime: new Date(Number.NaN) }),
    ).code;
    expect(['ARGUMENT_INVALID', 'LOG_KEY_OUTSIDE_VALIDITY']).toContain(code);
  });

  function future(): Json {
    return w.v1.addHashedRekord({
      artifactDigest: w.digest,
      signature: w.signature,
      certificatePem: w.leaf.pem,
      integratedTime: new Date('2030-01-01T00:00:00Z'),
    });
  }
});
