import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import { createCertificateAuthority, createLeafCertificate } from '../x509.js';
import { leafOf, parseCheckpointBody, verifyInclusion, verifyNote } from './_test-verifiers.js';
import { canonicalJson } from './canonical-json.js';
import { dssePae, signDsseEnvelope } from './dsse.js';
import { TestRekorV2 } from './rekor-v2.js';
import {
  cosignatureV1KeyHash,
  ed25519NoteKeyHash,
  parseSignedNote,
  rawEd25519PublicKey,
} from './signed-note.js';
import type { TlogEntryJson } from './tlog-base.js';

const sha256 = (d: Uint8Array | string) => new Uint8Array(createHash('sha256').update(d).digest());
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string) => new TextEncoder().encode(s);

const signer = testKey('ecdsa-p256', 'v2-artifact-signer');
const artifact = utf8('hello rekor v2');
const digest = sha256(artifact);
const signature = signer.sign(artifact);

function add(
  log: TestRekorV2,
  extra: Partial<Parameters<TestRekorV2['addHashedRekordV002']>[0]> = {},
) {
  return log.addHashedRekordV002({
    digest,
    signature,
    publicKeyDer: signer.spki,
    keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    ...extra,
  });
}

function logNoteKey(log: TestRekorV2) {
  return {
    name: log.hostname,
    keyId: log.logIdBytes.subarray(0, 4),
    publicKey: log.key.publicKey,
    hash: log.key.type === 'ed25519' ? null : ('sha256' as const),
  };
}

function checkEntry(log: TestRekorV2, entry: TlogEntryJson) {
  const proof = entry.inclusionProof;
  if (!proof) throw new Error('no inclusion proof');
  const note = verifyNote(proof.checkpoint.envelope, [logNoteKey(log)]);
  const cp = parseCheckpointBody(note.body);
  expect(cp.origin).toBe(log.hostname);
  expect(cp.size.toString()).toBe(proof.treeSize);
  expect(b64(cp.root)).toBe(proof.rootHash);
  expect(proof.logIndex).toBe(entry.logIndex);
  const leaf = leafOf(unb64(entry.canonicalizedBody));
  const hashes = proof.hashes.map(unb64);
  expect(verifyInclusion(BigInt(entry.logIndex), cp.size, leaf, hashes, cp.root)).toBe(true);
  return note;
}

describe('TestRekorV2 identity', () => {
  const log = new TestRekorV2();
  it('origin = key name = hostname, logId = C2SP Ed25519 key hash', () => {
    expect(log.hostname).toBe('log2026-1.rekor.flareo.test');
    expect(log.origin).toBe(log.hostname);
    expect(log.key.type).toBe('ed25519');
    expect(log.logIdBytes.length).toBe(32);
    expect(b64(log.logIdBytes)).toBe(
      b64(ed25519NoteKeyHash(log.hostname, rawEd25519PublicKey(log.key))),
    );
    const want = createHash('sha256')
      .update(
        Buffer.concat([
          Buffer.from(`${log.hostname}\n`),
          Buffer.of(1),
          rawEd25519PublicKey(log.key),
        ]),
      )
      .digest('base64');
    expect(log.logId).toBe(want);
    expect(log.transparencyLogInstance({ checkpointKeyId: true })).toEqual({
      baseUrl: 'https://log2026-1.rekor.flareo.test',
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(log.key.spki),
        keyDetails: 'PKIX_ED25519',
        validFor: { start: '2026-01-01T00:00:00Z' },
      },
      logId: { keyId: log.logId },
      checkpointKeyId: { keyId: log.logId },
    });
  });
});

describe('hashedrekord 0.0.2', () => {
  it('body is canonical with the exact shape (publicKey verifier)', () => {
    const log = new TestRekorV2();
    const e = add(log);
    const text = Buffer.from(e.canonicalizedBody, 'base64').toString();
    expect(text).toBe(
      `{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"${b64(digest)}"},"signature":{"content":"${b64(signature)}","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":"${b64(signer.spki)}"}}}}}}`,
    );
  });

  it('x509Certificate verifier carries the DER certificate', () => {
    const ca = createCertificateAuthority({ seed: 'v2-ca' });
    const leaf = createLeafCertificate({ issuer: ca, seed: 'v2-leaf' });
    const sig = leaf.key.sign(artifact);
    const log = new TestRekorV2();
    const e = log.addHashedRekordV002({
      digest,
      signature: sig,
      certificateDer: leaf.der,
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    });
    const body = JSON.parse(Buffer.from(e.canonicalizedBody, 'base64').toString());
    expect(body.spec.hashedRekordV002.signature.verifier).toEqual({
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      x509Certificate: { rawBytes: b64(leaf.der) },
    });
    expect(verify('sha256', artifact, leaf.x509.publicKey, sig)).toBe(true);
    checkEntry(log, e);
  });

  it('entry shape: no SET, integratedTime "0", proof with Ed25519 checkpoint', () => {
    const log = new TestRekorV2();
    add(log);
    const e = add(log, { digest: sha256('second') });
    expect(Object.keys(e)).toEqual([
      'logIndex',
      'logId',
      'kindVersion',
      'integratedTime',
      'inclusionProof',
      'canonicalizedBody',
    ]);
    expect(e.logIndex).toBe('1');
    expect(e.integratedTime).toBe('0');
    expect(e.inclusionPromise).toBeUndefined();
    expect(e.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.2' });
    expect(e.logId.keyId).toBe(log.logId);
    expect(e.inclusionProof?.treeSize).toBe('2');
    checkEntry(log, e);
  });

  it('checkpoint text is exact and the Ed25519 signature verifies', () => {
    const log = new TestRekorV2({ seed: 'cp2' });
    const e = add(log);
    const note = e.inclusionProof?.checkpoint.envelope ?? '';
    const root = e.inclusionProof?.rootHash ?? '';
    const body = `log2026-1.rekor.flareo.test\n1\n${root}\n`;
    expect(note.startsWith(`${body}\n\u2014 log2026-1.rekor.flareo.test `)).toBe(true);
    const { signatures } = parseSignedNote(note);
    expect(signatures.length).toBe(1);
    const sig = signatures[0];
    if (!sig) throw new Error('no sig');
    expect(b64(sig.keyId)).toBe(b64(log.logIdBytes.subarray(0, 4)));
    expect(sig.signature.length).toBe(64);
    expect(verify(null, utf8(body), log.key.publicKey, sig.signature)).toBe(true);
    expect(note).toBe(
      `${body}\n\u2014 log2026-1.rekor.flareo.test ${b64(Buffer.concat([sig.keyId, sig.signature]))}\n`,
    );
  });

  it('inclusion proof can be omitted or refreshed against the current tree', () => {
    const log = new TestRekorV2({ seed: 'refresh' });
    const first = add(log, { inclusionProof: false });
    expect(first.inclusionProof).toBeUndefined();
    for (let i = 0; i < 10; i++) add(log, { digest: sha256(`n${i}`) });
    const refreshed = log.withInclusionProof(first);
    expect(refreshed.inclusionProof?.treeSize).toBe('11');
    expect(refreshed.inclusionProof?.hashes.length).toBe(4);
    checkEntry(log, refreshed);
    // tampering with the body breaks the proof
    const leaf = leafOf(utf8('tampered'));
    const cp = parseCheckpointBody(
      parseSignedNote(refreshed.inclusionProof?.checkpoint.envelope ?? '').body,
    );
    expect(
      verifyInclusion(
        0n,
        cp.size,
        leaf,
        (refreshed.inclusionProof?.hashes ?? []).map(unb64),
        cp.root,
      ),
    ).toBe(false);
  });

  it('rejects ambiguous verifiers', () => {
    const log = new TestRekorV2();
    expect(() =>
      log.addHashedRekordV002({ digest, signature, keyDetails: 'PKIX_ED25519' }),
    ).toThrow();
    expect(() => add(log, { certificateDer: Uint8Array.of(1) })).toThrow();
  });
});

describe('witness cosignatures', () => {
  it('adds cosignature/v1 lines that verifiers must ignore unless configured', () => {
    const w1 = testKey('ed25519', 'w1');
    const w2 = testKey('ed25519', 'w2');
    const log = new TestRekorV2({
      seed: 'witnessed',
      witnesses: [
        { name: 'witness.flareo.test/w1', key: w1, timestamp: 1767225700 },
        { name: 'witness.flareo.test/w2', key: w2 },
      ],
    });
    const e = add(log);
    const note = checkEntry(log, e);
    expect(note.ignored).toBe(2);
    const { body, signatures } = parseSignedNote(e.inclusionProof?.checkpoint.envelope ?? '');
    expect(signatures.map((s) => s.name)).toEqual([
      'log2026-1.rekor.flareo.test',
      'witness.flareo.test/w1',
      'witness.flareo.test/w2',
    ]);
    const ws = signatures[1];
    if (!ws) throw new Error('no witness line');
    expect(b64(ws.keyId)).toBe(
      b64(cosignatureV1KeyHash('witness.flareo.test/w1', rawEd25519PublicKey(w1)).subarray(0, 4)),
    );
    expect(Buffer.from(ws.signature.subarray(0, 8)).readBigUInt64BE()).toBe(1767225700n);
    const msg = utf8(`cosignature/v1\ntime 1767225700\n${body}`);
    expect(verify(null, msg, w1.publicKey, ws.signature.subarray(8))).toBe(true);
    // default witness timestamp: startTime + tree size
    expect(Buffer.from(signatures[2]?.signature.subarray(0, 8) ?? []).readBigUInt64BE()).toBe(
      BigInt(Date.UTC(2026, 0, 1) / 1000) + 1n,
    );
  });
});

describe('DSSE on Rekor v2', () => {
  const payload = utf8('{"_type":"https://in-toto.io/Statement/v1"}');
  const envelope = signDsseEnvelope('application/vnd.in-toto+json', payload, [signer]);

  it('DSSE as hashedrekord: digest = sha256(PAE), signature = envelope signature', () => {
    const log = new TestRekorV2({ seed: 'dsse-hr' });
    const e = log.addDsseAsHashedRekord({
      envelope,
      publicKeyDer: signer.spki,
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    });
    const body = JSON.parse(Buffer.from(e.canonicalizedBody, 'base64').toString());
    const pae = dssePae(envelope.payloadType, payload);
    expect(body.spec.hashedRekordV002.data).toEqual({
      algorithm: 'SHA2_256',
      digest: b64(sha256(pae)),
    });
    expect(body.spec.hashedRekordV002.signature.content).toBe(envelope.signatures[0]?.sig);
    expect(
      verify('sha256', pae, signer.publicKey, unb64(body.spec.hashedRekordV002.signature.content)),
    ).toBe(true);
    checkEntry(log, e);
  });

  it('deprecated dsse 0.0.2 body', () => {
    const log = new TestRekorV2({ seed: 'dsse-v2' });
    const e = log.addDsseV002({
      envelope,
      verifiers: [{ publicKeyDer: signer.spki, keyDetails: 'PKIX_ECDSA_P256_SHA_256' }],
    });
    expect(e.kindVersion).toEqual({ kind: 'dsse', version: '0.0.2' });
    const text = Buffer.from(e.canonicalizedBody, 'base64').toString();
    const body = JSON.parse(text);
    expect(text).toBe(canonicalJson(body));
    expect(body.spec.dsseV002.payloadHash).toEqual({
      algorithm: 'SHA2_256',
      digest: b64(sha256(payload)),
    });
    expect(body.spec.dsseV002.signatures).toEqual([
      {
        content: envelope.signatures[0]?.sig,
        verifier: {
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          publicKey: { rawBytes: b64(signer.spki) },
        },
      },
    ]);
    checkEntry(log, e);
  });
});

describe('ECDSA-keyed v2 log and big trees', () => {
  it('ecdsa-p256 log: logId = sha256(SPKI), ECDSA checkpoint', () => {
    const log = new TestRekorV2({ seed: 'ec-v2', keyType: 'ecdsa-p256' });
    expect(Buffer.from(log.logIdBytes).toString('hex')).toBe(log.key.keyId);
    checkEntry(log, add(log));
  });

  it('indexes beyond 2^53', () => {
    const log = new TestRekorV2({ seed: 'big-v2', initialTreeSize: 2n ** 56n });
    add(log);
    const e = add(log, { digest: sha256('x') });
    expect(e.logIndex).toBe((2n ** 56n + 1n).toString());
    expect(e.inclusionProof?.treeSize).toBe((2n ** 56n + 2n).toString());
    checkEntry(log, e);
  });
});

describe('determinism', () => {
  const run = (seed: string) => {
    const log = new TestRekorV2({ seed, witnesses: [{ name: 'w', key: testKey('ed25519', 'w') }] });
    const out = [add(log), add(log, { digest: sha256('y') })];
    return JSON.stringify([out, log.checkpoint(), log.withInclusionProof(out[0] as TlogEntryJson)]);
  };
  it('same seed, same bytes', () => {
    expect(run('d')).toBe(run('d'));
    expect(run('d')).not.toBe(run('e'));
  });
});
