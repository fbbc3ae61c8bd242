import { createHash } from 'node:crypto';
import {
  buildTrustedRoot,
  createCertificateAuthority,
  type MintedTimestamp,
  type TestKeyType,
  TestTimestampAuthority,
  type TestTimestampAuthorityOptions,
  type TimestampRequestOptions,
  type TrustedRootAuthority,
  testKey,
} from '@flareo/testkit';
import { parseTrustedRoot, type TrustRoot } from '@flareo/trust-root';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError } from '../src/errors.js';
import {
  MAX_TIMESTAMP_BYTES,
  MAX_TST_SERIAL_OCTETS,
  verifyRfc3161Timestamp,
} from '../src/timestamp.js';
import { rejected } from './support/rejection.js';

/** RFC 3161 §2.4.2 PKIStatus values. */
const PKI_STATUS = { granted: 0, waiting: 3 } as const;

const TIME = new Date('2024-05-06T07:08:09.123Z');
/** The artifact signature a Sigstore client asks the TSA to stamp. */
const SIGNATURE = testKey('ecdsa-p256', 'bv-ts-signer').sign(new TextEncoder().encode('artifact'));

const tsa = new TestTimestampAuthority({ seed: 'bv-ts' });
const otherTsa = new TestTimestampAuthority({ seed: 'bv-ts-other' });

function rootFor(
  authorities: { tsa: TestTimestampAuthority; start?: Date; end?: Date }[],
): TrustRoot {
  return parseTrustedRoot(
    buildTrustedRoot({
      timestampAuthorities: authorities.map(
        ({ tsa: t, start, end }): TrustedRootAuthority => ({
          chain: [...t.chain],
          ...(start === undefined ? {} : { start }),
          ...(end === undefined ? {} : { end }),
        }),
      ),
    }),
  );
}

const root = rootFor([{ tsa }]);
const stamp = (request: Partial<TimestampRequestOptions> = {}, by = tsa): MintedTimestamp =>
  by.timestamp({ time: TIME, data: SIGNATURE, ...request });
const minted = stamp();

/** Offset of `part` inside `whole` (it must occur exactly once). */
function offsetOf(whole: Uint8Array, part: Uint8Array): number {
  const buf = Buffer.from(whole);
  const at = buf.indexOf(Buffer.from(part));
  if (at < 0 || buf.indexOf(Buffer.from(part), at + 1) >= 0) throw new Error('not found once');
  return at;
}

const sha256 = (data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(data).digest());

function xorAt(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[offset] = (copy[offset] as number) ^ mask;
  return copy;
}

describe('verifyRfc3161Timestamp: valid timestamps', () => {
  it('verifies a TimeStampResp and returns the trusted time', () => {
    const result = verifyRfc3161Timestamp(minted.response, SIGNATURE, root);
    expect(result.time.toISOString()).toBe(TIME.toISOString());
    expect(result.authority).toBe(root.timestampAuthorities[0]);
    expect(result.serialNumber).toBe(minted.serialNumber.toString(16));
    expect(result.hashAlgorithm).toBe('sha256');
  });

  it('accepts a bare TimeStampToken and the bundle JSON form', () => {
    expect(verifyRfc3161Timestamp(minted.token, SIGNATURE, root).time).toEqual(TIME);
    const fromJson = new Uint8Array(Buffer.from(minted.bundleJson.signedTimestamp, 'base64'));
    expect(verifyRfc3161Timestamp(fromJson, SIGNATURE, root).time).toEqual(TIME);
  });

  it.each(['sha256', 'sha384', 'sha512'] as const)('accepts a %s message imprint', (hash) => {
    const result = verifyRfc3161Timestamp(stamp({ hashAlgorithm: hash }).response, SIGNATURE, root);
    expect(result.hashAlgorithm).toBe(hash);
  });

  it.each<TestKeyType>(['ecdsa-p384', 'ecdsa-p521', 'rsa-2048', 'ed25519'])(
    'verifies a TSA with a %s key',
    (keyType) => {
      const t = new TestTimestampAuthority({ seed: `bv-ts-${keyType}`, keyType });
      const result = verifyRfc3161Timestamp(
        stamp({}, t).response,
        SIGNATURE,
        rootFor([{ tsa: t }]),
      );
      expect(result.time).toEqual(TIME);
    },
  );

  it('accepts a P-256 signer digest other than the curve default', () => {
    const result = verifyRfc3161Timestamp(
      stamp({ signerHash: 'sha384' }).response,
      SIGNATURE,
      root,
    );
    expect(result.time).toEqual(TIME);
  });

  it.each<[string, Partial<TimestampRequestOptions>]>([
    ['no embedded certificates', { certificates: 'none' }],
    ['the whole chain embedded', { certificates: 'chain' }],
    [
      'a nonce, accuracy and TSA name',
      { nonce: 123456789n, accuracy: { seconds: 1 }, includeTsaName: true },
    ],
    ['a signingTime attribute', { signingTime: true }],
    ['a short serial number', { serialNumber: 7n }],
  ])('accepts a token with %s', (_name, request) => {
    const m = stamp(request);
    const result = verifyRfc3161Timestamp(m.response, SIGNATURE, root);
    expect(result.serialNumber).toBe(m.serialNumber.toString(16));
  });

  it('verifies a TSA certificate issued by an intermediate', () => {
    const caRoot = createCertificateAuthority({ seed: 'bv-ts-ca', commonName: 'TSA Root' });
    const intermediate = createCertificateAuthority({
      seed: 'bv-ts-ca',
      commonName: 'TSA Intermediate',
      issuer: caRoot,
    });
    const t = new TestTimestampAuthority({
      seed: 'bv-ts-chained',
      issuer: intermediate,
      issuerChain: [caRoot],
    });
    expect(t.chain).toHaveLength(3);
    const trust = rootFor([{ tsa: t }]);
    expect(verifyRfc3161Timestamp(stamp({}, t).response, SIGNATURE, trust).time).toEqual(TIME);
  });

  it('picks the authority whose window holds genTime', () => {
    const trust = rootFor([
      { tsa, start: new Date('2020-01-01T00:00:00Z'), end: new Date('2022-12-31T00:00:00Z') },
      { tsa, start: new Date('2023-01-01T00:00:00Z') },
    ]);
    const result = verifyRfc3161Timestamp(minted.response, SIGNATURE, trust);
    expect(result.authority).toBe(trust.timestampAuthorities[1]);
  });

  it('keeps millisecond precision and accepts a granted-with-modifications status', () => {
    const m = stamp({ time: new Date('2030-12-31T23:59:59.9Z') });
    const result = verifyRfc3161Timestamp(m.response, SIGNATURE, root);
    expect(result.time.toISOString()).toBe('2030-12-31T23:59:59.900Z');
    // PKIStatusInfo is the first element: SEQUENCE { INTEGER status } at a fixed offset.
    const response = Uint8Array.from(m.response);
    const statusAt = offsetOf(
      response.subarray(0, 16),
      Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00),
    );
    response[statusAt + 4] = 1;
    expect(verifyRfc3161Timestamp(response, SIGNATURE, root).time).toEqual(result.time);
  });
});

describe('verifyRfc3161Timestamp: long serial numbers (conformance regression)', () => {
  /** A positive serial whose DER INTEGER content is exactly `octets` long (first octet 0x40). */
  const serialOf = (octets: number): bigint => (1n << BigInt(8 * octets - 2)) + 0x5eedn;

  it.each([
    ['160 bits with the sign octet (21 octets)', (1n << 159n) + 1n],
    ['33 octets', serialOf(33)],
    ['48 octets', serialOf(48)],
    [`the bound, ${MAX_TST_SERIAL_OCTETS} octets`, serialOf(MAX_TST_SERIAL_OCTETS)],
  ])('accepts a serial number of %s', (_name, serialNumber) => {
    const m = stamp({ serialNumber });
    const result = verifyRfc3161Timestamp(m.response, SIGNATURE, root);
    expect(result.serialNumber).toBe(serialNumber.toString(16));
    expect(result.time).toEqual(TIME);
  });

  it(`refuses a serial number longer than ${MAX_TST_SERIAL_OCTETS} octets with a coded error`, () => {
    const error = rejected(() =>
      verifyRfc3161Timestamp(
        stamp({ serialNumber: serialOf(MAX_TST_SERIAL_OCTETS + 1) }).response,
        SIGNATURE,
        root,
      ),
    );
    expect(error.code).toBe('TIMESTAMP_INVALID');
    expect(error.detail).toMatchObject({
      step: 'timestamp',
      field: 'serialNumber',
      expected: `<= ${MAX_TST_SERIAL_OCTETS} octets`,
      actual: MAX_TST_SERIAL_OCTETS + 1,
    });
  });
});

describe('verifyRfc3161Timestamp: rejections', () => {
  const noEku = new TestTimestampAuthority({ seed: 'bv-ts-noeku', extendedKeyUsage: null });
  const codeSigning = new TestTimestampAuthority({
    seed: 'bv-ts-codesigning',
    extendedKeyUsage: ['1.3.6.1.5.5.7.3.3'],
  });
  const late = new TestTimestampAuthority({
    seed: 'bv-ts-late',
    notBefore: new Date('2025-01-01T00:00:00Z'),
  });
  const shortLived = new TestTimestampAuthority({
    seed: 'bv-ts-short',
    notAfter: new Date('2024-01-01T00:00:00Z'),
  });
  // Same seed, name and issuer as `tsa` (so same key, issuer and serial) but another certificate.
  const lookalikeOptions: TestTimestampAuthorityOptions = {
    seed: 'bv-ts',
    notAfter: new Date('2039-01-01T00:00:00Z'),
  };
  const lookalike = new TestTimestampAuthority(lookalikeOptions);
  const EARLY = new Date('2010-01-01T00:00:00Z');

  it.each<{
    name: string;
    input: () => Uint8Array;
    trust?: () => TrustRoot;
    data?: Uint8Array;
    code: string;
    field: string;
  }>([
    {
      name: 'a changed TSTInfo byte (genTime)',
      input: () => {
        const at = offsetOf(minted.response, minted.tstInfo);
        const genTime = offsetOf(minted.tstInfo, new TextEncoder().encode('20240506070809'));
        return xorAt(minted.response, at + genTime + 13);
      },
      code: 'TIMESTAMP_INVALID',
      field: 'messageDigest',
    },
    {
      name: 'an impossible genTime (February 31), which Date would roll over to March 2',
      input: () => {
        const at = offsetOf(minted.response, minted.tstInfo);
        const genTime = offsetOf(minted.tstInfo, new TextEncoder().encode('20240506070809'));
        const out = Uint8Array.from(minted.response);
        out.set(new TextEncoder().encode('20240231'), at + genTime);
        return out;
      },
      code: 'TIMESTAMP_INVALID',
      field: 'signedTimestamp',
    },
    {
      name: 'a changed signature byte',
      input: () =>
        xorAt(
          minted.response,
          offsetOf(minted.response, minted.signature) + minted.signature.length - 1,
        ),
      code: 'TIMESTAMP_INVALID',
      field: 'signature',
    },
    {
      name: 'a changed signed attribute (ESSCertIDv2 certHash)',
      input: () => xorAt(minted.response, offsetOf(minted.response, sha256(tsa.certificate.der))),
      code: 'UNTRUSTED_SIGNER',
      field: 'signer',
    },
    {
      name: 'a changed signed attribute (last byte: ESSCertIDv2 issuerSerial)',
      input: () =>
        xorAt(
          minted.response,
          offsetOf(minted.response, minted.signedAttributes.subarray(1)) +
            minted.signedAttributes.length -
            2,
        ),
      code: 'TIMESTAMP_INVALID',
      field: 'signature',
    },
    {
      name: 'a timestamp over other bytes',
      input: () => stamp({ data: new TextEncoder().encode('another signature') }).response,
      code: 'TIMESTAMP_INVALID',
      field: 'messageImprint',
    },
    {
      name: 'a message imprint of the wrong length',
      input: () => tsa.timestamp({ time: TIME, messageImprint: new Uint8Array(20) }).response,
      code: 'TIMESTAMP_INVALID',
      field: 'messageImprint',
    },
    {
      name: 'a TSA that is not in the trust root',
      input: () => stamp({}, otherTsa).response,
      code: 'UNTRUSTED_SIGNER',
      field: 'signer',
    },
    {
      name: 'a trust root without timestamp authorities',
      input: () => minted.response,
      trust: () => parseTrustedRoot(buildTrustedRoot({})),
      code: 'UNTRUSTED_SIGNER',
      field: 'signer',
    },
    {
      name: 'a same-key, same-serial TSA certificate the token does not name',
      input: () => minted.response,
      trust: () => rootFor([{ tsa: lookalike }]),
      code: 'UNTRUSTED_SIGNER',
      field: 'signer',
    },
    {
      name: 'no ESS signingCertificate attribute',
      input: () => stamp({ omitSigningCertificate: true }).response,
      code: 'TIMESTAMP_INVALID',
      field: 'signingCertificate',
    },
    {
      name: 'a TSA certificate without EKU',
      input: () => stamp({}, noEku).response,
      trust: () => rootFor([{ tsa: noEku }]),
      code: 'TIMESTAMP_INVALID',
      field: 'extendedKeyUsage',
    },
    {
      name: 'a TSA certificate for code signing',
      input: () => stamp({}, codeSigning).response,
      trust: () => rootFor([{ tsa: codeSigning }]),
      code: 'TIMESTAMP_INVALID',
      field: 'extendedKeyUsage',
    },
    {
      name: 'genTime before the TSA certificate',
      input: () => stamp({}, late).response,
      trust: () => rootFor([{ tsa: late, start: EARLY }]),
      code: 'TIMESTAMP_INVALID',
      field: 'genTime',
    },
    {
      name: 'genTime after the TSA certificate',
      input: () => stamp({}, shortLived).response,
      trust: () => rootFor([{ tsa: shortLived, start: EARLY }]),
      code: 'TIMESTAMP_INVALID',
      field: 'genTime',
    },
    {
      name: "genTime after the authority's window",
      input: () => minted.response,
      trust: () => rootFor([{ tsa, end: new Date('2023-12-31T23:59:59Z') }]),
      code: 'TIMESTAMP_INVALID',
      field: 'genTime',
    },
    {
      name: "genTime before the authority's window",
      input: () => minted.response,
      trust: () => rootFor([{ tsa, start: new Date('2024-06-01T00:00:00Z') }]),
      code: 'TIMESTAMP_INVALID',
      field: 'genTime',
    },
    {
      name: 'a rejection status',
      input: () => tsa.rejection('policy not supported'),
      code: 'TIMESTAMP_INVALID',
      field: 'status',
    },
    {
      name: 'a waiting status',
      input: () => tsa.rejection('later', PKI_STATUS.waiting),
      code: 'TIMESTAMP_INVALID',
      field: 'status',
    },
    {
      name: 'a granted status without token',
      input: () => tsa.rejection('granted, but', PKI_STATUS.granted),
      code: 'TIMESTAMP_INVALID',
      field: 'timeStampToken',
    },
    {
      name: 'garbage',
      input: () => new TextEncoder().encode('definitely not DER'),
      code: 'TIMESTAMP_INVALID',
      field: 'signedTimestamp',
    },
    {
      name: 'empty input',
      input: () => new Uint8Array(0),
      code: 'TIMESTAMP_INVALID',
      field: 'signedTimestamp',
    },
    {
      name: 'a truncated response',
      input: () => minted.response.subarray(0, minted.response.length - 10),
      code: 'TIMESTAMP_INVALID',
      field: 'signedTimestamp',
    },
    {
      name: 'trailing bytes',
      input: () => Uint8Array.of(...minted.response, 0),
      code: 'TIMESTAMP_INVALID',
      field: 'signedTimestamp',
    },
    {
      name: 'a certificate instead of a timestamp',
      input: () => tsa.certificate.der,
      code: 'TIMESTAMP_INVALID',
      field: 'signedTimestamp',
    },
    {
      name: 'an oversized input',
      input: () => new Uint8Array(MAX_TIMESTAMP_BYTES + 1),
      code: 'LIMIT_EXCEEDED',
      field: 'signedTimestamp',
    },
  ])('rejects $name', ({ input, trust, data, code, field }) => {
    const error = rejected(() =>
      verifyRfc3161Timestamp(input(), data ?? SIGNATURE, (trust ?? (() => root))()),
    );
    expect(error.code).toBe(code);
    expect(error.detail.step).toBe('timestamp');
    expect(error.detail.field).toBe(field);
    if (code === 'UNTRUSTED_SIGNER') expect(error.detail.missing).toBe('timestampAuthorities');
  });

  it('names the untrusted signer from the embedded certificate', () => {
    const error = rejected(() =>
      verifyRfc3161Timestamp(stamp({}, otherTsa).response, SIGNATURE, root),
    );
    expect(error.message).toContain('Flareo Test Timestamp Authority');
    expect(error.detail.expected).toEqual([
      expect.stringContaining('Flareo Test Timestamp Authority'),
    ]);
  });

  it('rejects an authority whose chain does not link', () => {
    const own = root.timestampAuthorities[0];
    const foreign = rootFor([{ tsa: otherTsa }]).timestampAuthorities[0];
    if (!own || !foreign) throw new Error('no authorities');
    const broken = new (root.constructor as new (parts: object) => TrustRoot)({
      timestampAuthorities: [
        { ...own, certificates: [own.certificates[0], foreign.certificates[1]] },
      ],
    });
    const error = rejected(() => verifyRfc3161Timestamp(minted.response, SIGNATURE, broken));
    expect(error.code).toBe('TIMESTAMP_INVALID');
    expect(error.detail.field).toBe('certificateChain');
  });

  it('reports the failure of the authority whose window holds genTime', () => {
    const windows = rootFor([
      { tsa, end: new Date('2022-12-31T00:00:00Z') },
      { tsa, start: new Date('2023-01-01T00:00:00Z') },
    ]);
    const [expired, current] = windows.timestampAuthorities;
    const foreign = rootFor([{ tsa: otherTsa }]).timestampAuthorities[0];
    if (!expired || !current || !foreign) throw new Error('no authorities');
    const trust = new (root.constructor as new (parts: object) => TrustRoot)({
      timestampAuthorities: [
        expired,
        { ...current, certificates: [current.certificates[0], foreign.certificates[1]] },
      ],
    });
    const error = rejected(() => verifyRfc3161Timestamp(minted.response, SIGNATURE, trust));
    expect(error.detail.field).toBe('certificateChain');
  });

  it('rejects or ignores every single-byte change of a response', () => {
    const expected = verifyRfc3161Timestamp(minted.response, SIGNATURE, root);
    const signedFrom = offsetOf(minted.response, minted.tstInfo);
    let accepted = 0;
    for (let i = 0; i < minted.response.length; i++) {
      const mutated = xorAt(minted.response, i);
      try {
        const result = verifyRfc3161Timestamp(mutated, SIGNATURE, root);
        // Only bytes nobody relies on may change: versions, the unsigned digest list, the
        // embedded certificate (never trusted), the status (granted ↔ grantedWithMods).
        expect(result, `byte ${i}`).toEqual(expected);
        expect(i >= signedFrom && i < signedFrom + minted.tstInfo.length, `byte ${i}`).toBe(false);
        accepted++;
      } catch (error) {
        expect(error, `byte ${i}`).toBeInstanceOf(BundleVerifyError);
      }
    }
    expect(accepted).toBeLessThan(minted.response.length / 2);
  }, 60_000);

  it('never throws anything but BundleVerifyError on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc
            .tuple(
              fc.nat({ max: minted.response.length - 1 }),
              fc.integer({ min: 1, max: 255 }),
              fc.nat({ max: minted.response.length }),
            )
            .map(([at, mask, cut]) =>
              xorAt(minted.response, at, mask).subarray(0, Math.max(cut, at + 1)),
            ),
        ),
        (input) => {
          try {
            verifyRfc3161Timestamp(input, SIGNATURE, root);
          } catch (error) {
            expect(error).toBeInstanceOf(BundleVerifyError);
          }
        },
      ),
      { numRuns: 500 },
    );
  }, 60_000);
});
