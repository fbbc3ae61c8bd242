import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, parseLegacyRekorBundle, parseTlogEntry } from '../src/entry.js';
import { RekorError } from '../src/errors.js';
import {
  b64,
  createWorld,
  edited,
  expectRekorError,
  type Json,
  P256,
  PROPERTY_TIMEOUT,
  unb64,
} from './support.js';

const w = createWorld();
const entry = w.v1.addHashedRekord({
  artifactDigest: w.digest,
  signature: w.signature,
  certificatePem: w.leaf.pem,
  inclusionProof: true,
});
const v2Entry = w.v2.addHashedRekordV002({
  digest: w.digest,
  signature: w.signature,
  certificateDer: w.leaf.der,
  keyDetails: P256,
});
const legacy = w.v1.legacyRekorBundle(entry);
const proof = entry.inclusionProof;
if (!proof || !entry.inclusionPromise) throw new Error('fixture entry lacks SET or proof');

describe('parseTlogEntry: well-formed entries', () => {
  it('decodes every field of a Rekor v1 entry', () => {
    const parsed = parseTlogEntry(entry);
    expect(parsed.logIndex).toBe(BigInt(entry.logIndex));
    expect(parsed.logId).toEqual(w.v1.logIdBytes);
    expect(parsed.logIdHex).toBe(w.v1.logId);
    expect(parsed.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.1' });
    expect(parsed.integratedTime).toBe(BigInt(entry.integratedTime));
    expect(parsed.set).toEqual(unb64(entry.inclusionPromise?.signedEntryTimestamp ?? ''));
    expect(parsed.body).toEqual(unb64(entry.canonicalizedBody));
    expect(parsed.format).toBe('bundle');
    expect(parsed.inclusionProof).toEqual({
      logIndex: BigInt(proof.logIndex),
      rootHash: unb64(proof.rootHash),
      treeSize: BigInt(proof.treeSize),
      hashes: proof.hashes.map(unb64),
      checkpoint: proof.checkpoint.envelope,
    });
    expect(parsed.inclusionProof?.hashes.length).toBeGreaterThan(0);
  });

  it('freezes the entry, its proof and its hash list', () => {
    const parsed = parseTlogEntry(entry);
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.inclusionProof)).toBe(true);
    expect(Object.isFrozen(parsed.inclusionProof?.hashes)).toBe(true);
    expect(Object.isFrozen(parsed.kindVersion)).toBe(true);
  });

  it('decodes a Rekor v2 entry: no SET, integratedTime 0', () => {
    const parsed = parseTlogEntry(v2Entry);
    expect(parsed.set).toBeUndefined();
    expect('set' in parsed).toBe(false);
    expect(parsed.integratedTime).toBe(0n);
    expect(parsed.logId).toEqual(w.v2.logIdBytes);
  });

  it.each<[string, (e: Json) => void, (p: ReturnType<typeof parseTlogEntry>) => void]>([
    ['no kindVersion', (e) => delete e.kindVersion, (p) => expect('kindVersion' in p).toBe(false)],
    [
      'no integratedTime → 0',
      (e) => delete e.integratedTime,
      (p) => expect(p.integratedTime).toBe(0n),
    ],
    [
      'null integratedTime → 0',
      (e) => (e.integratedTime = null),
      (p) => expect(p.integratedTime).toBe(0n),
    ],
    [
      'null inclusionPromise',
      (e) => (e.inclusionPromise = null),
      (p) => expect(p.set).toBeUndefined(),
    ],
    [
      'null inclusionProof',
      (e) => (e.inclusionProof = null),
      (p) => expect(p.inclusionProof).toBeUndefined(),
    ],
    [
      'proof without checkpoint',
      (e) => delete e.inclusionProof.checkpoint,
      (p) => expect(p.inclusionProof && 'checkpoint' in p.inclusionProof).toBe(false),
    ],
    [
      'proof with a null checkpoint',
      (e) => (e.inclusionProof.checkpoint = null),
      (p) => expect(p.inclusionProof?.checkpoint).toBeUndefined(),
    ],
    [
      'proof with no hashes',
      (e) => (e.inclusionProof.hashes = []),
      (p) => expect(p.inclusionProof?.hashes).toEqual([]),
    ],
    [
      'int64 fields as JSON numbers',
      (e) => {
        e.logIndex = 7;
        e.integratedTime = 1_704_067_200;
        e.inclusionProof.logIndex = 3;
        e.inclusionProof.treeSize = 9;
      },
      (p) => {
        expect(p.logIndex).toBe(7n);
        expect(p.integratedTime).toBe(1_704_067_200n);
        expect(p.inclusionProof?.logIndex).toBe(3n);
        expect(p.inclusionProof?.treeSize).toBe(9n);
      },
    ],
    [
      'logIndex -0 (a JSON number) reads as 0',
      (e) => (e.logIndex = -0),
      (p) => expect(p.logIndex).toBe(0n),
    ],
    [
      'the largest int64 logIndex',
      (e) => (e.logIndex = '9223372036854775807'),
      (p) => expect(p.logIndex).toBe(9_223_372_036_854_775_807n),
    ],
    [
      'base64url body and unpadded SET',
      (e) => {
        e.canonicalizedBody = Buffer.from(unb64(e.canonicalizedBody)).toString('base64url');
        e.inclusionPromise.signedEntryTimestamp = e.inclusionPromise.signedEntryTimestamp.replace(
          /=+$/,
          '',
        );
      },
      (p) => {
        expect(p.body).toEqual(unb64(entry.canonicalizedBody));
        expect(p.set).toEqual(unb64(entry.inclusionPromise?.signedEntryTimestamp ?? ''));
      },
    ],
    [
      'unknown extra fields are ignored',
      (e) => (e.somethingNew = { x: 1 }),
      (p) => expect(p.logIndex).toBe(BigInt(entry.logIndex)),
    ],
  ])('%s', (_name, edit, check) => {
    check(parseTlogEntry(edited(entry, edit)));
  });
});

describe('parseTlogEntry: malformed entries → ENTRY_MALFORMED', () => {
  const big = (bytes: number) => b64(new Uint8Array(bytes));
  it.each<[string, unknown, string]>([
    ['null', null, 'entry'],
    ['an array', [entry], 'entry'],
    ['a string', JSON.stringify(entry), 'entry'],
    ['no logId', edited(entry, (e) => delete e.logId), 'logId'],
    ['logId a string', edited(entry, (e) => (e.logId = e.logId.keyId)), 'logId'],
    ['logId.keyId a number', edited(entry, (e) => (e.logId.keyId = 5)), 'logId.keyId'],
    ['logId.keyId empty', edited(entry, (e) => (e.logId.keyId = '')), 'logId.keyId'],
    ['logId.keyId not base64', edited(entry, (e) => (e.logId.keyId = 'log id!')), 'logId.keyId'],
    ['logId.keyId of 100 bytes', edited(entry, (e) => (e.logId.keyId = big(100))), 'logId.keyId'],
    ['kindVersion an array', edited(entry, (e) => (e.kindVersion = [])), 'kindVersion'],
    ['kindVersion null', edited(entry, (e) => (e.kindVersion = null)), 'kindVersion'],
    ['kindVersion.kind a number', edited(entry, (e) => (e.kindVersion.kind = 1)), 'kindVersion'],
    ['no logIndex', edited(entry, (e) => delete e.logIndex), 'logIndex'],
    ['negative logIndex (string)', edited(entry, (e) => (e.logIndex = '-1')), 'logIndex'],
    ['negative logIndex (number)', edited(entry, (e) => (e.logIndex = -1)), 'logIndex'],
    ['hexadecimal logIndex', edited(entry, (e) => (e.logIndex = '0x1f')), 'logIndex'],
    ['logIndex with a leading zero', edited(entry, (e) => (e.logIndex = '01')), 'logIndex'],
    ['logIndex in exponent form', edited(entry, (e) => (e.logIndex = '1e3')), 'logIndex'],
    ['logIndex with a decimal point', edited(entry, (e) => (e.logIndex = '1.0')), 'logIndex'],
    ['logIndex with spaces', edited(entry, (e) => (e.logIndex = ' 1')), 'logIndex'],
    ['fractional logIndex number', edited(entry, (e) => (e.logIndex = 1.5)), 'logIndex'],
    ['unsafe logIndex number', edited(entry, (e) => (e.logIndex = 2 ** 60)), 'logIndex'],
    ['logIndex true', edited(entry, (e) => (e.logIndex = true)), 'logIndex'],
    ['logIndex 2^63', edited(entry, (e) => (e.logIndex = '9223372036854775808')), 'logIndex'],
    [
      'logIndex of 20 digits',
      edited(entry, (e) => (e.logIndex = '10000000000000000000')),
      'logIndex',
    ],
    ['negative integratedTime', edited(entry, (e) => (e.integratedTime = '-5')), 'integratedTime'],
    [
      'inclusionPromise a string',
      edited(entry, (e) => (e.inclusionPromise = 'x')),
      'inclusionPromise',
    ],
    [
      'empty SET',
      edited(entry, (e) => (e.inclusionPromise.signedEntryTimestamp = '')),
      'inclusionPromise.signedEntryTimestamp',
    ],
    [
      'SET of 2000 bytes',
      edited(entry, (e) => (e.inclusionPromise.signedEntryTimestamp = big(2000))),
      'inclusionPromise.signedEntryTimestamp',
    ],
    [
      'SET not base64',
      edited(entry, (e) => (e.inclusionPromise.signedEntryTimestamp = 'a=b')),
      'inclusionPromise.signedEntryTimestamp',
    ],
    ['no canonicalizedBody', edited(entry, (e) => delete e.canonicalizedBody), 'canonicalizedBody'],
    ['body of one byte', edited(entry, (e) => (e.canonicalizedBody = 'ew==')), 'canonicalizedBody'],
    [
      'body not base64',
      edited(entry, (e) => (e.canonicalizedBody = '{"kind":"x"}')),
      'canonicalizedBody',
    ],
    ['inclusionProof an array', edited(entry, (e) => (e.inclusionProof = [])), 'inclusionProof'],
    [
      'hashes not an array',
      edited(entry, (e) => (e.inclusionProof.hashes = 'abc')),
      'inclusionProof.hashes',
    ],
    [
      '65 proof hashes',
      edited(entry, (e) => (e.inclusionProof.hashes = Array(65).fill(big(32)))),
      'inclusionProof.hashes',
    ],
    [
      'a proof hash of 31 bytes',
      edited(entry, (e) => (e.inclusionProof.hashes[0] = big(31))),
      'inclusionProof.hashes[0]',
    ],
    [
      'a proof hash not a string',
      edited(entry, (e) => (e.inclusionProof.hashes[1] = 7)),
      'inclusionProof.hashes[1]',
    ],
    [
      'rootHash of 33 bytes',
      edited(entry, (e) => (e.inclusionProof.rootHash = big(33))),
      'inclusionProof.rootHash',
    ],
    [
      'no rootHash',
      edited(entry, (e) => delete e.inclusionProof.rootHash),
      'inclusionProof.rootHash',
    ],
    [
      'no treeSize',
      edited(entry, (e) => delete e.inclusionProof.treeSize),
      'inclusionProof.treeSize',
    ],
    [
      'negative proof logIndex',
      edited(entry, (e) => (e.inclusionProof.logIndex = '-3')),
      'inclusionProof.logIndex',
    ],
    [
      'checkpoint a string',
      edited(entry, (e) => (e.inclusionProof.checkpoint = 'note')),
      'inclusionProof.checkpoint',
    ],
    [
      'checkpoint envelope not a string',
      edited(entry, (e) => (e.inclusionProof.checkpoint.envelope = ['note'])),
      'inclusionProof.checkpoint.envelope',
    ],
  ])('%s', (_name, input, field) => {
    expectRekorError(() => parseTlogEntry(input), 'ENTRY_MALFORMED', { field });
  });

  it('the body size limit is enforced before decoding', () => {
    const ok = edited(entry, (e) => (e.canonicalizedBody = big(MAX_BODY_BYTES)));
    expect(parseTlogEntry(ok).body.length).toBe(MAX_BODY_BYTES);
    expectRekorError(
      () => parseTlogEntry(edited(entry, (e) => (e.canonicalizedBody = big(MAX_BODY_BYTES + 3)))),
      'ENTRY_MALFORMED',
      { field: 'canonicalizedBody' },
    );
  });

  it('64 proof hashes are still accepted', () => {
    const parsed = parseTlogEntry(
      edited(entry, (e) => (e.inclusionProof.hashes = Array(64).fill(big(32)))),
    );
    expect(parsed.inclusionProof?.hashes).toHaveLength(64);
  });

  /**
   * BUG (entry.ts `bytes()`: `value.length > Math.ceil((opts.max * 4) / 3) + 4`): the size
   * check runs on the base64 text with 4 characters of slack, so a body of MAX_BODY_BYTES + 1
   * or + 2 bytes is accepted although MAX_BODY_BYTES documents "Bodies beyond this size are
   * refused" (same slack for the 1024-byte SET and 64-byte log id limits). Minor.
   */
  it('fixed: a body of MAX_BODY_BYTES + 1 bytes is refused', () => {
    // Expected ENTRY_MALFORMED; actual: parsed, body.length === MAX_BODY_BYTES + 1.
    expectRekorError(
      () => parseTlogEntry(edited(entry, (e) => (e.canonicalizedBody = big(MAX_BODY_BYTES + 1)))),
      'ENTRY_MALFORMED',
    );
  });
});

describe('parseLegacyRekorBundle', () => {
  it('decodes a cosign rekorBundle', () => {
    const parsed = parseLegacyRekorBundle(legacy);
    expect(parsed).toMatchObject({
      logIndex: BigInt(entry.logIndex),
      logIdHex: w.v1.logId,
      integratedTime: BigInt(entry.integratedTime),
      format: 'legacy-cosign',
    });
    expect(parsed.logId).toEqual(w.v1.logIdBytes);
    expect(parsed.body).toEqual(unb64(entry.canonicalizedBody));
    expect(parsed.set).toEqual(unb64(legacy.SignedEntryTimestamp));
    expect(parsed.inclusionProof).toBeUndefined();
    expect(parsed.kindVersion).toBeUndefined();
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it('an upper-case logID is read as the same log', () => {
    const parsed = parseLegacyRekorBundle(
      edited(legacy, (b) => (b.Payload.logID = b.Payload.logID.toUpperCase())),
    );
    expect(parsed.logIdHex).toBe(w.v1.logId);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'rekorBundle'],
    ['no Payload', edited(legacy, (b) => delete b.Payload), 'rekorBundle.Payload'],
    [
      'logID too short',
      edited(legacy, (b) => (b.Payload.logID = 'ab')),
      'rekorBundle.Payload.logID',
    ],
    [
      'logID not hex',
      edited(legacy, (b) => (b.Payload.logID = 'z'.repeat(64))),
      'rekorBundle.Payload.logID',
    ],
    [
      'logID base64 (bundle style)',
      edited(legacy, (b) => (b.Payload.logID = entry.logId.keyId)),
      'rekorBundle.Payload.logID',
    ],
    [
      'no integratedTime (required here)',
      edited(legacy, (b) => delete b.Payload.integratedTime),
      'rekorBundle.Payload.integratedTime',
    ],
    [
      'negative logIndex',
      edited(legacy, (b) => (b.Payload.logIndex = -1)),
      'rekorBundle.Payload.logIndex',
    ],
    [
      'no SignedEntryTimestamp',
      edited(legacy, (b) => delete b.SignedEntryTimestamp),
      'rekorBundle.SignedEntryTimestamp',
    ],
    ['body not base64', edited(legacy, (b) => (b.Payload.body = '%%')), 'rekorBundle.Payload.body'],
  ])('%s → ENTRY_MALFORMED', (_name, input, field) => {
    expectRekorError(() => parseLegacyRekorBundle(input), 'ENTRY_MALFORMED', { field });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: hostile input only ever yields a RekorError.
// ---------------------------------------------------------------------------------------------

/** Run `fn`; anything thrown must be a RekorError with code ENTRY_MALFORMED. */
function onlyMalformed(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    // Plain checks, not expect(): this runs hundreds of times per property.
    if (!(error instanceof RekorError)) throw error;
    if (error.code !== 'ENTRY_MALFORMED') throw new Error(`unexpected ${error.code}`);
  }
}

/** JSON-ish values of every shape, including the awkward ones for decoders. */
const hostile = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.constantFrom(
    '',
    '-1',
    '01',
    '1e3',
    '9223372036854775808',
    '=',
    'AA==AA',
    '\u0000',
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
  ),
  fc.base64String(),
  fc.stringMatching(/^[0-9]{1,21}$/),
);

describe('parsers never throw anything but a RekorError', { timeout: PROPERTY_TIMEOUT }, () => {
  it('parseTlogEntry on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true }), (input) =>
        onlyMalformed(() => parseTlogEntry(input)),
      ),
      { numRuns: 500 },
    );
  });

  it('parseTlogEntry on real entries with fields replaced or deleted', () => {
    const paths = [
      ['logIndex'],
      ['logId'],
      ['logId', 'keyId'],
      ['kindVersion'],
      ['kindVersion', 'kind'],
      ['integratedTime'],
      ['inclusionPromise'],
      ['inclusionPromise', 'signedEntryTimestamp'],
      ['inclusionProof'],
      ['inclusionProof', 'logIndex'],
      ['inclusionProof', 'rootHash'],
      ['inclusionProof', 'treeSize'],
      ['inclusionProof', 'hashes'],
      ['inclusionProof', 'hashes', '0'],
      ['inclusionProof', 'checkpoint'],
      ['inclusionProof', 'checkpoint', 'envelope'],
      ['canonicalizedBody'],
    ];
    const mutation = fc.record({
      path: fc.constantFrom(...paths),
      value: fc.option(hostile, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const input = edited(entry, (e) => {
          for (const { path, value } of mutations) {
            let at = e;
            for (const key of path.slice(0, -1)) {
              if (typeof at !== 'object' || at === null) return;
              at = at[key];
            }
            if (typeof at !== 'object' || at === null) continue;
            const last = path[path.length - 1] as string;
            if (value === undefined) delete at[last];
            else at[last] = value;
          }
        });
        onlyMalformed(() => parseTlogEntry(input));
      }),
      { numRuns: 500 },
    );
  });

  it('parseLegacyRekorBundle on arbitrary payload fields', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            SignedEntryTimestamp: hostile,
            Payload: fc.oneof(
              hostile,
              fc.record(
                { body: hostile, integratedTime: hostile, logIndex: hostile, logID: hostile },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
        (input) => onlyMalformed(() => parseLegacyRekorBundle(input)),
      ),
      { numRuns: 300 },
    );
  });

  it('every int64 written as a decimal string is read exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), (n) => {
        expect(parseTlogEntry(edited(entry, (e) => (e.logIndex = n.toString()))).logIndex).toBe(n);
      }),
      { numRuns: 200 },
    );
  });
});
