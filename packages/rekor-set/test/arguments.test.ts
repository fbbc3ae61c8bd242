import {
  expectCoded,
  isBigint,
  isBytes,
  isEmptyObject,
  isString,
  isUndefined,
  never,
  optionalObject,
  type Row as TableRow,
  WRONG_VALUES_WITH_BIGINT,
  wrongRows,
} from '@flareo/internal/testing';
import { rekorApiLogEntry } from '@flareo/testkit';
import { platformCrypto, runCryptoSync } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import type { RekorErrorCode } from '../src/index.js';
import * as main from '../src/index.js';
import { hashChildren } from '../src/merkle.js';
import * as proofs from '../src/proofs.js';
import { createWorld, NOW } from './support.js';

// Every function exported by the package is called with arguments of the wrong type or
// shape; each must throw a RekorError with a stable code, never a raw TypeError. The
// coverage test fails when an export is added without a row in the table.

const api = { ...main, ...proofs, hashChildren };
const w = createWorld();
const entryJson = w.v1.addHashedRekord({
  artifactDigest: w.digest,
  signature: w.signature,
  certificatePem: w.leaf.pem,
  inclusionProof: true,
});
const entry = api.parseTlogEntry(entryJson);
const checkpoint = entryJson.inclusionProof?.checkpoint?.envelope as string;
const binding = w.messageBinding;
const hash = new Uint8Array(32);
const options = { now: NOW };
const rest = rekorApiLogEntry(entryJson, w.v1.treeId);

type Row = TableRow<RekorErrorCode>;

const wrong = (
  parameter: string,
  accepts: (value: unknown) => boolean,
  call: (value: unknown) => unknown,
  code?: RekorErrorCode,
): Row[] => wrongRows(WRONG_VALUES_WITH_BIGINT, parameter, accepts, call, code);

/** Bindings that are objects but miss or mistype a field. */
const BAD_BINDINGS: readonly [string, unknown][] = [
  ['binding without signature', { ...binding, signature: undefined }],
  ['binding.signature = base64 text', { ...binding, signature: 'c2ln' }],
  ['binding without verifier', { ...binding, verifier: undefined }],
  ['binding.verifier = {}', { ...binding, verifier: {} }],
  ['binding.verifier.certificate = PEM text', { ...binding, verifier: { certificate: 'PEM' } }],
  [
    'binding.artifactDigest.algorithm = md5',
    { ...binding, artifactDigest: { algorithm: 'md5', digest: hash } },
  ],
  [
    'binding.artifactDigest.digest = hex text',
    { ...binding, artifactDigest: { algorithm: 'sha256', digest: '00' } },
  ],
  ['binding.dsse = []', { ...binding, dsse: [] }],
  ['binding.dsse.payload = text', { ...binding, dsse: { payloadType: 't', payload: 'p' } }],
];

const badBindings = (call: (b: unknown) => unknown): Row[] => [
  ...wrong('binding', never, call),
  ...BAD_BINDINGS.map(([label, b]) => [label, () => call(b)] as const),
];

const BAD_OPTIONS: readonly [string, unknown][] = [
  ['options.policy = "strict"', { policy: 'strict' }],
  ['options.policy = 1', { policy: 1 }],
  ['options.now = a date string', { now: '2026-06-01T00:00:00Z' }],
  ['options.now = an invalid Date', { now: new Date(Number.NaN) }],
  ['options.observedTime = 0', { observedTime: 0 }],
  ['options.clockSkewSeconds = "60"', { clockSkewSeconds: '60' }],
  ['options.clockSkewSeconds = -1', { clockSkewSeconds: -1 }],
  ['options.maxEntries = 1.5', { maxEntries: 1.5 }],
  ['options.allowDeprecatedDsseV002 = "yes"', { allowDeprecatedDsseV002: 'yes' }],
];

const badOptions = (call: (o: unknown) => unknown): Row[] => [
  ...wrong('options', optionalObject, call),
  ...BAD_OPTIONS.map(([label, o]) => [label, () => call(o)] as const),
];

const badLogs = (call: (log: unknown) => unknown): Row[] => [
  ...wrong('log', never, call),
  ['log without key', () => call({ ...w.v1Log, key: undefined })],
  ['log.key.spki = PEM text', () => call({ ...w.v1Log, key: { ...w.v1Log.key, spki: 'PEM' } })],
  ['log.logId = bytes', () => call({ ...w.v1Log, logId: new Uint8Array(32) })],
  ['log.host = 1', () => call({ ...w.v1Log, host: 1 })],
];

const badTrustRoots = (call: (root: unknown) => unknown): Row[] => [
  ...wrong('trustRoot', never, call),
  ['trustRoot = a TransparencyLog', () => call(w.v1Log)],
];

interface Entry {
  readonly ok: () => unknown;
  readonly bad: readonly Row[];
  /** The function returns a promise: a bad argument rejects it. */
  readonly async?: true;
}

const table: Record<string, Entry> = {
  bindBody: {
    ok: () => api.bindBody(entry.body, entry.kindVersion, binding),
    bad: [
      ...wrong('body', isBytes, (v) => api.bindBody(v as never, undefined, binding)),
      ...wrong('kindVersion', isUndefined, (v) => api.bindBody(entry.body, v as never, binding)),
      [
        'kindVersion.version = 1',
        () => api.bindBody(entry.body, { kind: 'x', version: 1 } as never, binding),
      ],
      ...badBindings((b) => api.bindBody(entry.body, undefined, b as never)),
      ...wrong('options', optionalObject, (v) =>
        api.bindBody(entry.body, undefined, binding, v as never),
      ),
      [
        'options.allowDeprecatedDsseV002 = 1',
        () => api.bindBody(entry.body, undefined, binding, { allowDeprecatedDsseV002: 1 as never }),
      ],
      ...wrong('detail', optionalObject, (v) =>
        api.bindBody(entry.body, undefined, binding, {}, v as never),
      ),
      // Bytes of the right type but not a Rekor body keep their own code.
      [
        'body = bytes that are not JSON',
        () => api.bindBody(new Uint8Array([1]), undefined, binding),
        'BODY_MALFORMED',
      ],
    ],
  },
  originMatches: {
    ok: () => expect(api.originMatches('rekor.test - 1', 'rekor.test')).toBe(true),
    bad: [
      ...wrong('origin', isString, (v) => api.originMatches(v as never, 'rekor.test')),
      ...wrong('host', isString, (v) => api.originMatches('rekor.test', v as never)),
    ],
  },
  parseCheckpoint: {
    ok: () => api.parseCheckpoint(checkpoint),
    bad: wrong('note', isString, (v) => api.parseCheckpoint(v as never), 'CHECKPOINT_MALFORMED'),
  },
  verifyCheckpoint: {
    ok: () => api.verifyCheckpoint(checkpoint, w.v1Log),
    bad: [
      ...wrong(
        'note',
        isString,
        (v) => api.verifyCheckpoint(v as never, w.v1Log),
        'CHECKPOINT_MALFORMED',
      ),
      ...badLogs((log) => api.verifyCheckpoint(checkpoint, log as never)),
      ...wrong('detail', optionalObject, (v) =>
        api.verifyCheckpoint(checkpoint, w.v1Log, v as never),
      ),
    ],
  },
  parseLegacyRekorBundle: {
    ok: () => expect(() => api.parseLegacyRekorBundle({})).toThrow(api.RekorError),
    bad: [
      ...wrong('input', never, (v) => api.parseLegacyRekorBundle(v), 'ENTRY_MALFORMED'),
      [
        'input missing Payload',
        () => api.parseLegacyRekorBundle({ SignedEntryTimestamp: 'AA==' }),
        'ENTRY_MALFORMED',
      ],
    ],
  },
  parseTlogEntry: {
    ok: () => api.parseTlogEntry(entryJson),
    bad: [
      ...wrong('input', never, (v) => api.parseTlogEntry(v), 'ENTRY_MALFORMED'),
      [
        'input missing logId',
        () => api.parseTlogEntry({ ...entryJson, logId: undefined }),
        'ENTRY_MALFORMED',
      ],
    ],
  },
  checkConsistency: {
    ok: () => expect(api.checkConsistency(1n, 1n, [], hash, hash)).toBeUndefined(),
    bad: [
      ...wrong('size1', isBigint, (v) => api.checkConsistency(v as never, 2n, [hash], hash, hash)),
      ...wrong('size2', isBigint, (v) => api.checkConsistency(1n, v as never, [hash], hash, hash)),
      ...wrong('proof', Array.isArray, (v) => api.checkConsistency(1n, 2n, v as never, hash, hash)),
      ['proof = [hex text]', () => api.checkConsistency(1n, 2n, ['00'] as never, hash, hash)],
      ...wrong('root1', isBytes, (v) => api.checkConsistency(1n, 2n, [hash], v as never, hash)),
      ...wrong('root2', isBytes, (v) => api.checkConsistency(1n, 2n, [hash], hash, v as never)),
    ],
  },
  checkInclusion: {
    ok: () => expect(api.checkInclusion(0n, 1n, hash, [], hash)).toBeUndefined(),
    bad: [
      ...wrong('index', isBigint, (v) => api.checkInclusion(v as never, 1n, hash, [], hash)),
      ...wrong('treeSize', isBigint, (v) => api.checkInclusion(0n, v as never, hash, [], hash)),
      ...wrong('leafHash', isBytes, (v) => api.checkInclusion(0n, 1n, v as never, [], hash)),
      ...wrong('proof', Array.isArray, (v) => api.checkInclusion(0n, 1n, hash, v as never, hash)),
      ['proof = [null]', () => api.checkInclusion(0n, 2n, hash, [null] as never, hash)],
      ...wrong('root', isBytes, (v) => api.checkInclusion(0n, 1n, hash, [], v as never)),
    ],
  },
  hashChildren: {
    ok: () => api.hashChildren(hash, hash),
    bad: [
      ...wrong('left', isBytes, (v) => api.hashChildren(v as never, hash)),
      ...wrong('right', isBytes, (v) => api.hashChildren(hash, v as never)),
    ],
  },
  hashLeaf: {
    ok: () => api.hashLeaf(new Uint8Array(0)),
    bad: wrong('data', isBytes, (v) => api.hashLeaf(v as never)),
  },
  checkSet: {
    ok: () => expect(api.checkSet(entry, w.v1Log, entry.set as Uint8Array)).toBe(true),
    bad: [
      ...wrong('entry', never, (v) => api.checkSet(v as never, w.v1Log, hash)),
      [
        'entry.logIndex = a number',
        () => api.checkSet({ ...entry, logIndex: 1 } as never, w.v1Log, hash),
      ],
      ...badLogs((log) => api.checkSet(entry, log as never, hash)),
      ...wrong('signature', isBytes, (v) => api.checkSet(entry, w.v1Log, v as never)),
    ],
  },
  setPayload: {
    ok: () => api.setPayload(entry),
    bad: [
      ...wrong('entry', never, (v) => api.setPayload(v as never)),
      ['entry.body = base64 text', () => api.setPayload({ ...entry, body: 'e30=' } as never)],
      [
        'entry.integratedTime = a number',
        () => api.setPayload({ ...entry, integratedTime: 1 } as never),
      ],
      ['entry.logIdHex = "xyz"', () => api.setPayload({ ...entry, logIdHex: 'xyz' })],
    ],
  },
  tlogEntryFromRekorApi: {
    ok: () => api.tlogEntryFromRekorApi(rest.uuid, rest.value),
    bad: [
      ...wrong(
        'uuid',
        isString,
        (v) => api.tlogEntryFromRekorApi(v as never, rest.value),
        'ENTRY_MALFORMED',
      ),
      ['uuid = "text"', () => api.tlogEntryFromRekorApi('text', rest.value), 'ENTRY_MALFORMED'],
      ...wrong('entry', never, (v) => api.tlogEntryFromRekorApi(rest.uuid, v), 'ENTRY_MALFORMED'),
    ],
  },
  tlogEntriesFromRekorApi: {
    ok: () => api.tlogEntriesFromRekorApi([{ [rest.uuid]: rest.value }]),
    bad: [
      ...wrong(
        'answer',
        (v) => Array.isArray(v) || isEmptyObject(v),
        (v) => api.tlogEntriesFromRekorApi(v),
        'ENTRY_MALFORMED',
      ),
      ...wrong('options', optionalObject, (v) => api.tlogEntriesFromRekorApi([], v as never)),
      [
        'options.maxEntries = "1"',
        () => api.tlogEntriesFromRekorApi([], { maxEntries: '1' as never }),
      ],
    ],
  },
  verifyLogEntry: {
    ok: () => api.verifyLogEntry(entryJson, binding, w.trust, options),
    bad: [
      ...wrong(
        'input',
        never,
        (v) => api.verifyLogEntry(v, binding, w.trust, options),
        'ENTRY_MALFORMED',
      ),
      ...badBindings((b) => api.verifyLogEntry(entryJson, b as never, w.trust, options)),
      ...badTrustRoots((r) => api.verifyLogEntry(entryJson, binding, r as never, options)),
      ...badOptions((o) => api.verifyLogEntry(entryJson, binding, w.trust, o as never)),
    ],
  },
  verifyLogEntryAsync: {
    ok: async () =>
      expect(await api.verifyLogEntryAsync(entryJson, binding, w.trust, options)).toEqual(
        api.verifyLogEntry(entryJson, binding, w.trust, options),
      ),
    async: true,
    bad: [
      ...wrong(
        'input',
        never,
        (v) => api.verifyLogEntryAsync(v, binding, w.trust, options),
        'ENTRY_MALFORMED',
      ),
      ...badBindings((b) => api.verifyLogEntryAsync(entryJson, b as never, w.trust, options)),
      ...badTrustRoots((r) => api.verifyLogEntryAsync(entryJson, binding, r as never, options)),
      ...badOptions((o) => api.verifyLogEntryAsync(entryJson, binding, w.trust, o as never)),
    ],
  },
  verifyLogEvidenceAsync: {
    ok: async () =>
      expect(await api.verifyLogEvidenceAsync([entryJson], binding, w.trust, options)).toEqual(
        api.verifyLogEvidence([entryJson], binding, w.trust, options),
      ),
    async: true,
    bad: [
      ...wrong(
        'inputs',
        Array.isArray,
        (v) => api.verifyLogEvidenceAsync(v as never, binding, w.trust, options),
        'ENTRY_MALFORMED',
      ),
      ...badBindings((b) =>
        api.verifyLogEvidenceAsync([], b as never, w.trust, { policy: 'disabled' }),
      ),
      ...badTrustRoots((r) => api.verifyLogEvidenceAsync([], binding, r as never, options)),
      ...badOptions((o) => api.verifyLogEvidenceAsync([entryJson], binding, w.trust, o as never)),
    ],
  },
  verifyLogEvidence: {
    ok: () => api.verifyLogEvidence([entryJson], binding, w.trust, options),
    bad: [
      ...wrong(
        'inputs',
        Array.isArray,
        (v) => api.verifyLogEvidence(v as never, binding, w.trust, options),
        'ENTRY_MALFORMED',
      ),
      [
        'inputs = [null]',
        () => api.verifyLogEvidence([null], binding, w.trust, options),
        'ENTRY_MALFORMED',
      ],
      // Wrong arguments are refused even when there is no entry, and even when disabled.
      ...badBindings((b) => api.verifyLogEvidence([], b as never, w.trust, { policy: 'disabled' })),
      ...badTrustRoots((r) => api.verifyLogEvidence([], binding, r as never, options)),
      ...badOptions((o) => api.verifyLogEvidence([entryJson], binding, w.trust, o as never)),
      [
        'options.threshold = "1"',
        () => api.verifyLogEvidence([entryJson], binding, w.trust, { threshold: '1' as never }),
      ],
    ],
  },
  // The seam task form: the same checks when it runs (a task checks nothing until it runs).
  logEvidenceTask: {
    ok: () =>
      runCryptoSync(
        api.logEvidenceTask([entryJson], binding, w.trust, options),
        platformCrypto.sync,
      ),
    bad: [
      ...badBindings((b) =>
        runCryptoSync(
          api.logEvidenceTask([], b as never, w.trust, { policy: 'disabled' }),
          platformCrypto.sync,
        ),
      ),
      ...badTrustRoots((r) =>
        runCryptoSync(
          api.logEvidenceTask([entryJson], binding, r as never, options),
          platformCrypto.sync,
        ),
      ),
      ...badOptions((o) =>
        runCryptoSync(
          api.logEvidenceTask([entryJson], binding, w.trust, o as never),
          platformCrypto.sync,
        ),
      ),
    ],
  },
};

describe('argument validation of every public function', () => {
  it('covers every function the package exports', () => {
    const exported = Object.entries(api)
      .filter(([name, value]) => typeof value === 'function' && name !== 'RekorError')
      .map(([name]) => name)
      .sort();
    expect(Object.keys(table).sort()).toEqual(exported);
  });

  for (const [name, entry] of Object.entries(table)) {
    it(`${name} accepts a valid call`, () => {
      entry.ok();
    });
    it.each(entry.bad.map(([label, call, code]) => ({ label, call, code })))(
      `${name}: $label → coded error`,
      ({ call, code }) =>
        expectCoded(api.RekorError, call, code ?? 'ARGUMENT_INVALID', entry.async === true),
    );
  }
});
