import { rekorApiLogEntry } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { tlogEntriesFromRekorApi, tlogEntryFromRekorApi } from '../src/rest.js';
import { verifyLogEvidence } from '../src/verify.js';
import { createWorld, expectRekorError, type Json, NOW } from './support.js';

const w = createWorld();
const entry = w.v1.addHashedRekord({
  artifactDigest: w.digest,
  signature: w.signature,
  certificatePem: w.leaf.pem,
  inclusionProof: true,
});
const setOnly = w.v1.addHashedRekord({
  artifactDigest: w.digest,
  signature: w.keySignature,
  publicKeyPem: w.signerKey.publicKeyPem,
});
const api = rekorApiLogEntry(entry, w.v1.treeId);
const verify = (e: unknown) =>
  verifyLogEvidence([e], w.messageBinding, w.trust, { now: NOW, policy: 'require-any' });
const copy = (): Json => JSON.parse(JSON.stringify(api.value));

describe('tlogEntryFromRekorApi', () => {
  it('gives the bundle entry back: SET, proof and checkpoint verify as they do in a bundle', () => {
    const converted = tlogEntryFromRekorApi(api.uuid, api.value);
    expect(converted).toEqual({
      logIndex: entry.logIndex,
      logId: entry.logId,
      integratedTime: entry.integratedTime,
      inclusionPromise: entry.inclusionPromise,
      inclusionProof: entry.inclusionProof,
      canonicalizedBody: entry.canonicalizedBody,
    });
    const evidence = verify(converted);
    expect(evidence.entries[0]?.checks).toEqual({
      set: true,
      inclusionProof: true,
      checkpoint: true,
      body: true,
    });
  });

  it('takes a UUID without the tree id, in either case, and an entry with a SET only', () => {
    const short = api.uuid.slice(16).toUpperCase();
    expect(verify(tlogEntryFromRekorApi(short, api.value)).entries).toHaveLength(1);
    const only = rekorApiLogEntry(setOnly);
    const converted = tlogEntryFromRekorApi(only.uuid, only.value);
    expect(converted.inclusionProof).toBeUndefined();
    const evidence = verifyLogEvidence([converted], w.keyBinding, w.trust, { now: NOW });
    expect(evidence.entries[0]?.checks.set).toBe(true);
  });

  it('refuses an entry filed under a UUID that is not its leaf hash', () => {
    const other = rekorApiLogEntry(setOnly, w.v1.treeId).uuid;
    expectRekorError(() => tlogEntryFromRekorApi(other, api.value), 'ENTRY_MALFORMED', {
      field: 'uuid',
    });
  });

  it.each([
    ['uuid', 'not-hex', (v: Json) => v],
    ['entry', api.uuid, () => null],
    ['body', api.uuid, (v: Json) => ({ ...v, body: 42 })],
    ['logID', api.uuid, (v: Json) => ({ ...v, logID: 'xyz' })],
    ['logIndex', api.uuid, (v: Json) => ({ ...v, logIndex: { n: 1 } })],
    ['verification', api.uuid, (v: Json) => ({ ...v, verification: [] })],
    [
      'verification.signedEntryTimestamp',
      api.uuid,
      (v: Json) => ({ ...v, verification: { ...v.verification, signedEntryTimestamp: 7 } }),
    ],
    [
      'verification.inclusionProof.hashes',
      api.uuid,
      (v: Json) => ({
        ...v,
        verification: {
          ...v.verification,
          inclusionProof: { ...v.verification.inclusionProof, hashes: 'ab' },
        },
      }),
    ],
    [
      'verification.inclusionProof.rootHash',
      api.uuid,
      (v: Json) => ({
        ...v,
        verification: {
          ...v.verification,
          inclusionProof: { ...v.verification.inclusionProof, rootHash: 'abc' },
        },
      }),
    ],
    [
      'verification.inclusionProof.checkpoint',
      api.uuid,
      (v: Json) => ({
        ...v,
        verification: {
          ...v.verification,
          inclusionProof: { ...v.verification.inclusionProof, checkpoint: 1 },
        },
      }),
    ],
  ])('refuses a malformed %s (ENTRY_MALFORMED)', (field, uuid, edit) => {
    expectRekorError(() => tlogEntryFromRekorApi(uuid, edit(copy())), 'ENTRY_MALFORMED', {
      field,
    });
  });

  it('leaves the cryptography to verifyLogEvidence: a forged SET or proof converts, then fails there', () => {
    const badSet = copy();
    badSet.verification.signedEntryTimestamp = Buffer.from('forged').toString('base64');
    expectRekorError(() => verify(tlogEntryFromRekorApi(api.uuid, badSet)), 'SET_INVALID');
    const badProof = copy();
    badProof.verification.signedEntryTimestamp = undefined;
    badProof.verification.inclusionProof.hashes[0] = '00'.repeat(32);
    expectRekorError(() => verify(tlogEntryFromRekorApi(api.uuid, badProof)), 'PROOF_INVALID');
  });
});

describe('tlogEntriesFromRekorApi', () => {
  const only = rekorApiLogEntry(setOnly, w.v1.treeId);
  it('reads the GET answer (one map) and the retrieve answer (an array of maps)', () => {
    expect(tlogEntriesFromRekorApi({ [api.uuid]: api.value }).map((e) => e.uuid)).toEqual([
      api.uuid,
    ]);
    const both = tlogEntriesFromRekorApi([{ [api.uuid]: api.value }, { [only.uuid]: only.value }]);
    expect(both.map((e) => e.uuid)).toEqual([api.uuid, only.uuid]);
    expect(tlogEntriesFromRekorApi([])).toEqual([]);
  });

  it('refuses an answer that is not maps, or holds more entries than allowed', () => {
    expectRekorError(() => tlogEntriesFromRekorApi('text'), 'ENTRY_MALFORMED', {
      field: 'answer[0]',
    });
    expectRekorError(
      () =>
        tlogEntriesFromRekorApi([{ [api.uuid]: api.value }, { [only.uuid]: only.value }], {
          maxEntries: 1,
        }),
      'ENTRY_MALFORMED',
      { field: 'answer' },
    );
    expectRekorError(() => tlogEntriesFromRekorApi([], { maxEntries: 0 }), 'ARGUMENT_INVALID');
    expectRekorError(() => tlogEntriesFromRekorApi([], null as never), 'ARGUMENT_INVALID', {
      field: 'options',
    });
    expectRekorError(() => tlogEntryFromRekorApi(7 as never, api.value), 'ENTRY_MALFORMED', {
      field: 'uuid',
    });
  });
});
