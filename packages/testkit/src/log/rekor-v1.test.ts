import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import {
  eq,
  leafOf,
  parseCheckpointBody,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from './_test-verifiers.js';
import { canonicalJson } from './canonical-json.js';
import { dssePae, signDsseEnvelope } from './dsse.js';
import { legacyRekorBundle, rekorSetPayload, rekorV1Bodies, TestRekorV1 } from './rekor-v1.js';
import { cosignatureV1Signer, greaseSignatureLine, rawEd25519PublicKey } from './signed-note.js';
import type { TlogEntryJson } from './tlog-base.js';

const sha256 = (d: Uint8Array | string) => new Uint8Array(createHash('sha256').update(d).digest());
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string) => new TextEncoder().encode(s);

const signer = testKey('ecdsa-p256', 'artifact-signer');
const artifact = utf8('hello flareo');
const digest = sha256(artifact);
const signature = signer.sign(artifact);

function hashedRekord(
  log: TestRekorV1,
  extra: Partial<Parameters<TestRekorV1['addHashedRekord']>[0]> = {},
) {
  return log.addHashedRekord({
    artifactDigest: digest,
    signature,
    publicKeyPem: signer.publicKeyPem,
    ...extra,
  });
}

function logKeyForNotes(log: TestRekorV1) {
  return {
    name: log.hostname,
    keyId: log.logIdBytes.subarray(0, 4),
    publicKey: log.key.publicKey,
    hash: 'sha256' as const,
  };
}

/** Full offline check of a v1 entry the way a verifier should do it. */
function checkEntry(log: TestRekorV1, entry: TlogEntryJson) {
  const body = unb64(entry.canonicalizedBody);
  // SET
  const payload = `{"body":"${b64(body)}","integratedTime":${entry.integratedTime},"logID":"${Buffer.from(entry.logId.keyId, 'base64').toString('hex')}","logIndex":${entry.logIndex}}`;
  const set = unb64(entry.inclusionPromise?.signedEntryTimestamp ?? '');
  expect(verify('sha256', utf8(payload), log.key.publicKey, set)).toBe(true);
  // proof + checkpoint
  const proof = entry.inclusionProof;
  if (!proof) return;
  const note = verifyNote(proof.checkpoint.envelope, [logKeyForNotes(log)]);
  const cp = parseCheckpointBody(note.body);
  expect(cp.origin).toBe(log.origin);
  expect(cp.size.toString()).toBe(proof.treeSize);
  expect(b64(cp.root)).toBe(proof.rootHash);
  expect(
    verifyInclusion(
      BigInt(proof.logIndex),
      cp.size,
      leafOf(body),
      proof.hashes.map(unb64),
      cp.root,
    ),
  ).toBe(true);
}

describe('TestRekorV1 defaults', () => {
  const log = new TestRekorV1();

  it('has the documented identity', () => {
    expect(log.hostname).toBe('rekor.flareo.test');
    expect(log.treeId).toBe('2605736670972794746');
    expect(log.origin).toBe('rekor.flareo.test - 2605736670972794746');
    expect(log.key.type).toBe('ecdsa-p256');
    expect(log.logId).toBe(log.key.keyId);
    expect(log.logId).toBe(Buffer.from(sha256(log.key.spki)).toString('hex'));
    expect(log.size).toBe(0n);
    expect(log.transparencyLogInstance()).toEqual({
      baseUrl: 'https://rekor.flareo.test',
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(log.key.spki),
        keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start: '2024-01-01T00:00:00Z' },
      },
      logId: { keyId: b64(log.logIdBytes) },
    });
  });
});

describe('hashedrekord 0.0.1 entries', () => {
  it('body is canonical and exact', () => {
    const log = new TestRekorV1();
    const entry = hashedRekord(log);
    const body = Buffer.from(entry.canonicalizedBody, 'base64').toString('utf8');
    expect(body).toBe(
      `{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"${Buffer.from(digest).toString('hex')}"}},"signature":{"content":"${b64(signature)}","publicKey":{"content":"${Buffer.from(signer.publicKeyPem).toString('base64')}"}}}}`,
    );
  });

  it('entry matches the bundle tlogEntries[] JSON shape', () => {
    const log = new TestRekorV1();
    const entry = hashedRekord(log);
    expect(Object.keys(entry)).toEqual([
      'logIndex',
      'logId',
      'kindVersion',
      'integratedTime',
      'inclusionPromise',
      'canonicalizedBody',
    ]);
    expect(entry.logIndex).toBe('0');
    expect(entry.logId).toEqual({ keyId: b64(log.logIdBytes) });
    expect(entry.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.1' });
    expect(entry.integratedTime).toBe('1704067200');
    expect(typeof entry.inclusionPromise?.signedEntryTimestamp).toBe('string');
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  it('SET verifies with node:crypto over the canonical payload; tampering fails', () => {
    const log = new TestRekorV1();
    hashedRekord(log);
    const entry = hashedRekord(log, { integratedTime: new Date('2024-05-06T07:08:09Z') });
    expect(entry.integratedTime).toBe(String(Date.UTC(2024, 4, 6, 7, 8, 9) / 1000));
    const payload = log.setPayload(entry);
    expect(payload).toBe(
      `{"body":"${entry.canonicalizedBody}","integratedTime":${entry.integratedTime},"logID":"${log.logId}","logIndex":1}`,
    );
    const set = unb64(entry.inclusionPromise?.signedEntryTimestamp ?? '');
    expect(verify('sha256', utf8(payload), log.key.publicKey, set)).toBe(true);
    const tampered = payload.replace(`"logIndex":1`, `"logIndex":2`);
    expect(verify('sha256', utf8(tampered), log.key.publicKey, set)).toBe(false);
    checkEntry(log, entry);
  });

  it('requires exactly one verifier', () => {
    const log = new TestRekorV1();
    expect(() => log.addHashedRekord({ artifactDigest: digest, signature })).toThrow();
    expect(() =>
      log.addHashedRekord({
        artifactDigest: digest,
        signature,
        publicKeyPem: signer.publicKeyPem,
        certificatePem: 'x',
      }),
    ).toThrow();
  });

  it('certificate flow puts base64(PEM of the cert) in the body', () => {
    const log = new TestRekorV1();
    const certPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const entry = log.addHashedRekord({
      artifactDigest: digest,
      signature,
      certificatePem: certPem,
    });
    const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString());
    expect(Buffer.from(body.spec.signature.publicKey.content, 'base64').toString()).toBe(certPem);
  });
});

describe('inclusion proofs and checkpoints', () => {
  it.each([
    { name: 'proof at add time', count: 1, attachAtAdd: true },
    { name: 'proof against a grown tree', count: 13, attachAtAdd: false },
  ])('$name verifies end to end', ({ count, attachAtAdd }) => {
    const log = new TestRekorV1({ seed: 'proofs' });
    const entries: TlogEntryJson[] = [];
    for (let i = 0; i < count; i++) {
      entries.push(
        hashedRekord(log, {
          artifactDigest: sha256(`artifact ${i}`),
          ...(attachAtAdd ? { inclusionProof: true } : {}),
        }),
      );
    }
    for (const e of entries) {
      const withProof = attachAtAdd ? e : log.withInclusionProof(e);
      expect(withProof.inclusionProof?.treeSize).toBe(
        attachAtAdd ? String(BigInt(e.logIndex) + 1n) : String(count),
      );
      expect(Object.keys(withProof)).toEqual([
        'logIndex',
        'logId',
        'kindVersion',
        'integratedTime',
        'inclusionPromise',
        'inclusionProof',
        'canonicalizedBody',
      ]);
      checkEntry(log, withProof);
    }
  });

  it('checkpoint text format is exact', () => {
    const log = new TestRekorV1({ seed: 'cp' });
    const e = hashedRekord(log, { inclusionProof: true });
    const proof = e.inclusionProof;
    if (!proof) throw new Error('no proof');
    const note = proof.checkpoint.envelope;
    const lines = note.split('\n');
    expect(lines[0]).toBe('rekor.flareo.test - 2605736670972794746');
    expect(lines[1]).toBe('1');
    expect(lines[2]).toBe(proof.rootHash);
    expect(lines[3]).toBe(`Timestamp: ${BigInt(e.integratedTime) * 1_000_000_000n}`);
    expect(lines[4]).toBe('');
    expect(lines[5]?.startsWith('\u2014 rekor.flareo.test ')).toBe(true);
    expect(lines[6]).toBe('');
    expect(lines.length).toBe(7);
    const sig = unb64(lines[5]?.split(' ')[2] ?? '');
    expect(Buffer.from(sig.subarray(0, 4)).toString('hex')).toBe(log.logId.slice(0, 8));
    const body = `${lines.slice(0, 4).join('\n')}\n`;
    expect(verify('sha256', utf8(body), log.key.publicKey, sig.subarray(4))).toBe(true);
    // single-leaf tree: root = leaf hash, no proof hashes
    expect(proof.hashes).toEqual([]);
    expect(proof.rootHash).toBe(b64(leafOf(unb64(e.canonicalizedBody))));
  });

  it('checkpoint options: no timestamp, explicit timestamp, extensions, witnesses, grease', () => {
    const log = new TestRekorV1({ seed: 'cp-opts' });
    hashedRekord(log);
    expect(log.checkpoint({ timestamp: false }).split('\n')[3]).toBe('');
    expect(log.checkpoint({ timestamp: new Date('2024-01-02T00:00:00.123Z') }).split('\n')[3]).toBe(
      'Timestamp: 1704153600123000000',
    );
    const witness = testKey('ed25519', 'witness');
    const note = log.checkpoint({
      timestamp: false,
      extensions: ['x-ext'],
      extraSigners: [cosignatureV1Signer('witness.flareo.test', witness, 1704067300)],
      extraLines: [greaseSignatureLine('grease.flareo.test', Uint8Array.of(9, 9, 9, 9))],
    });
    const check = verifyNote(note, [logKeyForNotes(log)]);
    expect(check.verified).toEqual(['rekor.flareo.test']);
    expect(check.ignored).toBe(2);
    expect(parseCheckpointBody(check.body).extensions).toEqual(['x-ext']);
    expect(rawEd25519PublicKey(witness).length).toBe(32);
  });

  it('forged checkpoint signer is rejected by a verifier that knows the log key', () => {
    const log = new TestRekorV1({ seed: 'forge' });
    const e = hashedRekord(log);
    const other = new TestRekorV1({ seed: 'other' });
    const forged = log.inclusionProof(e, {
      signers: [{ ...other.noteSigner(), keyIdBytes: log.logIdBytes.slice(0, 4) }],
    });
    expect(() => verifyNote(forged.checkpoint.envelope, [logKeyForNotes(log)])).toThrow(
      /does not verify/,
    );
  });

  it('tampered leaf or proof fails the independent verifier', () => {
    const log = new TestRekorV1({ seed: 'tamper' });
    for (let i = 0; i < 6; i++) hashedRekord(log, { artifactDigest: sha256(`t${i}`) });
    const e = log.withInclusionProof(log.entries[2]?.entry as TlogEntryJson);
    const proof = e.inclusionProof;
    if (!proof) throw new Error('no proof');
    const root = unb64(proof.rootHash);
    const leaf = leafOf(unb64(e.canonicalizedBody));
    const hashes = proof.hashes.map(unb64);
    expect(verifyInclusion(2n, 6n, leaf, hashes, root)).toBe(true);
    const badLeaf = leafOf(utf8('not the body'));
    expect(verifyInclusion(2n, 6n, badLeaf, hashes, root)).toBe(false);
    const badHashes = hashes.map((x) => Uint8Array.from(x));
    (badHashes[1] as Uint8Array).set([0xff], 0);
    expect(verifyInclusion(2n, 6n, leaf, badHashes, root)).toBe(false);
    expect(verifyInclusion(3n, 6n, leaf, hashes, root)).toBe(false);
  });

  it('older checkpoints and consistency between them', () => {
    const log = new TestRekorV1({ seed: 'consistency' });
    for (let i = 0; i < 9; i++) hashedRekord(log, { artifactDigest: sha256(`c${i}`) });
    const old = log.inclusionProof(3, { treeSize: 5 });
    expect(old.treeSize).toBe('5');
    const proof = log.tree.consistencyProof(5, 9);
    expect(verifyConsistency(5n, 9n, log.rootHash(5), log.rootHash(), proof)).toBe(true);
  });
});

describe('sharding and large indexes', () => {
  it('logIndex is global (shardOffset + tree index), inclusionProof.logIndex is shard-local', () => {
    const log = new TestRekorV1({ seed: 'shard', shardOffset: 27246114n - 2n });
    hashedRekord(log);
    hashedRekord(log);
    const e = hashedRekord(log, { inclusionProof: true });
    expect(e.logIndex).toBe('27246114');
    expect(e.inclusionProof?.logIndex).toBe('2');
    expect(log.setPayload(e)).toContain('"logIndex":27246114}');
    checkEntry(log, e);
    expect(legacyRekorBundle(e).Payload.logIndex).toBe(27246114);
  });

  it('indexes beyond 2^53 stay exact (opaque 2^60 prefix)', () => {
    const log = new TestRekorV1({
      seed: 'big',
      initialTreeSize: 2n ** 60n,
      shardOffset: 2n ** 62n,
    });
    const a = hashedRekord(log, { inclusionProof: true });
    const b = hashedRekord(log, { artifactDigest: sha256('b') });
    expect(a.logIndex).toBe((2n ** 62n + 2n ** 60n).toString());
    expect(a.inclusionProof?.logIndex).toBe((2n ** 60n).toString());
    expect(a.inclusionProof?.treeSize).toBe((2n ** 60n + 1n).toString());
    checkEntry(log, a);
    checkEntry(log, log.withInclusionProof(b));
    expect(log.setPayload(b)).toContain(`"logIndex":${2n ** 62n + 2n ** 60n + 1n}}`);
    expect(() => legacyRekorBundle(a)).toThrow(RangeError);
  });
});

describe('legacy cosign rekor bundle', () => {
  it('has the cosign shape and the same SET', () => {
    const log = new TestRekorV1({ seed: 'legacy' });
    hashedRekord(log);
    const e = hashedRekord(log);
    const legacy = log.legacyRekorBundle(e);
    expect(legacy).toEqual({
      SignedEntryTimestamp: e.inclusionPromise?.signedEntryTimestamp,
      Payload: {
        body: e.canonicalizedBody,
        integratedTime: 1704067201,
        logIndex: 1,
        logID: log.logId,
      },
    });
    const payload = canonicalJson(legacy.Payload);
    expect(
      verify('sha256', utf8(payload), log.key.publicKey, unb64(legacy.SignedEntryTimestamp)),
    ).toBe(true);
  });
});

describe('dsse 0.0.1 and intoto 0.0.2 entries', () => {
  const payload = utf8('{"_type":"https://in-toto.io/Statement/v1","subject":[]}');
  const envelope = signDsseEnvelope('application/vnd.in-toto+json', payload, [signer]);

  it('DSSE helper signs the PAE', () => {
    const sig = unb64(envelope.signatures[0]?.sig ?? '');
    const pae = dssePae('application/vnd.in-toto+json', payload);
    expect(Buffer.from(pae).toString().startsWith('DSSEv1 28 application/vnd.in-toto+json ')).toBe(
      true,
    );
    expect(verify('sha256', pae, signer.publicKey, sig)).toBe(true);
  });

  it('dsse body', () => {
    const log = new TestRekorV1({ seed: 'dsse' });
    const json = JSON.stringify(envelope);
    const e = log.addDsse({ envelope: json, verifierPem: signer.publicKeyPem });
    expect(e.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    const body = JSON.parse(Buffer.from(e.canonicalizedBody, 'base64').toString());
    expect(body).toEqual({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: Buffer.from(sha256(json)).toString('hex') },
        payloadHash: { algorithm: 'sha256', value: Buffer.from(sha256(payload)).toString('hex') },
        signatures: [
          {
            signature: envelope.signatures[0]?.sig,
            verifier: Buffer.from(signer.publicKeyPem).toString('base64'),
          },
        ],
      },
    });
    checkEntry(log, log.withInclusionProof(e));
    expect(() => log.addDsse({ envelope, verifierPem: [] })).toThrow();
  });

  it('intoto body: double-base64 sig, no payload', () => {
    const log = new TestRekorV1({ seed: 'intoto' });
    const e = log.addIntoto({ envelope, verifierPem: signer.publicKeyPem });
    expect(e.kindVersion).toEqual({ kind: 'intoto', version: '0.0.2' });
    const text = Buffer.from(e.canonicalizedBody, 'base64').toString();
    const body = JSON.parse(text);
    const sig0 = body.spec.content.envelope.signatures[0];
    expect(Buffer.from(sig0.sig, 'base64').toString()).toBe(envelope.signatures[0]?.sig);
    expect(Buffer.from(sig0.publicKey, 'base64').toString()).toBe(signer.publicKeyPem);
    expect(body.spec.content.envelope.payload).toBeUndefined();
    expect(body.spec.content.payloadHash.value).toBe(Buffer.from(sha256(payload)).toString('hex'));
    expect(text).toBe(canonicalJson(body));
    checkEntry(log, e);
  });

  it('bodies are available without a log', () => {
    expect(
      canonicalJson(rekorV1Bodies.dsse({ envelope, verifierPem: signer.publicKeyPem })),
    ).toContain('"kind":"dsse"');
  });
});

describe('raw entries', () => {
  it('keeps non-canonical body bytes verbatim and still signs a valid SET', () => {
    const log = new TestRekorV1({ seed: 'raw' });
    const bytes = utf8('{ "kind": "hashedrekord",  "apiVersion": "0.0.1" }');
    const e = log.addEntry({
      kind: 'hashedrekord',
      version: '0.0.1',
      body: bytes,
      inclusionProof: true,
    });
    expect(eq(unb64(e.canonicalizedBody), bytes)).toBe(true);
    checkEntry(log, e);
  });
});

describe('key types', () => {
  it.each(['ecdsa-p384', 'ed25519'] as const)('%s log signs SETs and checkpoints', (keyType) => {
    const log = new TestRekorV1({ seed: `kt-${keyType}`, keyType });
    const e = hashedRekord(log, { inclusionProof: true });
    const hash = keyType === 'ed25519' ? null : 'sha256';
    const set = unb64(e.inclusionPromise?.signedEntryTimestamp ?? '');
    expect(verify(hash, utf8(log.setPayload(e)), log.key.publicKey, set)).toBe(true);
    const check = verifyNote(e.inclusionProof?.checkpoint.envelope ?? '', [
      { ...logKeyForNotes(log), hash },
    ]);
    expect(check.verified).toEqual([log.hostname]);
  });
});

describe('determinism', () => {
  function build(seed: string) {
    const log = new TestRekorV1({ seed });
    const out: TlogEntryJson[] = [];
    for (let i = 0; i < 4; i++) out.push(hashedRekord(log, { artifactDigest: sha256(`d${i}`) }));
    out.push(log.withInclusionProof(out[1] as TlogEntryJson));
    return {
      out,
      checkpoint: log.checkpoint(),
      legacy: log.legacyRekorBundle(out[0] as TlogEntryJson),
    };
  }

  it('same seed gives identical bytes; another seed does not', () => {
    expect(JSON.stringify(build('det'))).toBe(JSON.stringify(build('det')));
    expect(JSON.stringify(build('det'))).not.toBe(JSON.stringify(build('det2')));
  });

  it('rekorSetPayload is exact for bigint values', () => {
    expect(
      rekorSetPayload({ body: utf8('x'), integratedTime: 1n, logIdHex: 'ab', logIndex: 2n ** 64n }),
    ).toBe('{"body":"eA==","integratedTime":1,"logID":"ab","logIndex":18446744073709551616}');
  });
});
