import {
  buildTrustedRoot,
  createFulcioChain,
  createLeafCertificate,
  embedSctExtension,
  embedScts,
  encodeSctList,
  precertificateTbs,
  type SctOptions,
  sctListExtensionValue,
  signSct,
  type TestCertificate,
  type TestKeyType,
  type TrustedRootLog,
  testKey,
} from '@flareo/testkit';
import { parseTrustedRoot, type TrustRoot } from '@flareo/trust-root';
import { children, OID, parseCertificate, readTlv } from '@flareo/trust-root/x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError } from '../src/errors.js';
import { MAX_SCTS, verifyEmbeddedScts } from '../src/sct.js';
import { rejected } from './support/rejection.js';

const chain = createFulcioChain({ seed: 'bv-sct' });
const issuer = chain.intermediate;
const TIME = new Date('2024-01-01T00:00:03.456Z');

const logA = testKey('ecdsa-p256', 'bv-sct-log-a');
const logB = testKey('ecdsa-p256', 'bv-sct-log-b');
const stranger = testKey('ecdsa-p256', 'bv-sct-unknown-log');

function rootWith(logs: TrustedRootLog[]): TrustRoot {
  return parseTrustedRoot(
    buildTrustedRoot({
      certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
      ctlogs: logs,
    }),
  );
}

const root = rootWith([
  { baseUrl: 'https://ctfe-a.flareo.test', key: logA },
  { baseUrl: 'https://ctfe-b.flareo.test', key: logB },
]);

const leaf = chain.leaf();
const withScts = (logs: SctOptions[], position?: number): TestCertificate =>
  embedScts(leaf, issuer, logs, position === undefined ? {} : { position }).certificate;
/** A leaf whose SCT list extension holds exactly these serialized SCTs. */
const withRawScts = (scts: Uint8Array[]): TestCertificate =>
  embedSctExtension(leaf, issuer, sctListExtensionValue(encodeSctList(scts)));
const sctOver = (options: SctOptions): Uint8Array =>
  signSct(options, { tbs: precertificateTbs(leaf), issuer });

/** Offset of the SCT's hash algorithm byte (version, log id, timestamp, extensions before it). */
const algorithmOffset = (sct: Uint8Array): number =>
  1 + 32 + 8 + 2 + (((sct[41] as number) << 8) | (sct[42] as number));

describe('verifyEmbeddedScts', () => {
  it('reports a certificate without an SCT list as not present, whatever the threshold', () => {
    for (const threshold of [0, 1, 3]) {
      expect(verifyEmbeddedScts(leaf.der, issuer.der, root, { threshold })).toEqual({
        present: false,
        verified: [],
        unknownLogs: [],
      });
    }
  });

  it('takes certificate views (as the pipeline passes them) with the same result as DER', () => {
    const cert = withScts([
      { key: logA, timestamp: TIME },
      { key: logB, timestamp: TIME },
    ]);
    const fromViews = verifyEmbeddedScts(
      parseCertificate(cert.der),
      parseCertificate(issuer.der),
      root,
    );
    expect(fromViews).toEqual(verifyEmbeddedScts(cert.der, issuer.der, root));
    expect(fromViews.verified).toHaveLength(2);
    // One bit of the SAN (inside the TBS the SCTs sign) changed: both inputs fail alike.
    const san = parseCertificate(cert.der).extensions.get(OID.subjectAltName);
    const tampered = Uint8Array.from(cert.der);
    const at = (san?.tlv.end ?? 0) - 1;
    tampered[at] = (tampered[at] as number) ^ 1;
    const view = parseCertificate(tampered);
    const viaView = rejected(() => verifyEmbeddedScts(view, issuer.der, root));
    expect(viaView.code).toBe('SCT_INVALID');
    expect(viaView.message).toBe(
      rejected(() => verifyEmbeddedScts(tampered, issuer.der, root)).message,
    );
  });

  it('verifies an SCT of a trusted log', () => {
    const cert = withScts([{ key: logA, timestamp: TIME }]);
    const result = verifyEmbeddedScts(cert.der, issuer.der, root);
    expect(result.present).toBe(true);
    expect(result.unknownLogs).toEqual([]);
    expect(result.verified).toHaveLength(1);
    const [sct] = result.verified;
    expect(sct?.logId).toBe(logA.keyId);
    expect(sct?.log.baseUrl).toBe('https://ctfe-a.flareo.test');
    expect(sct?.timestamp.toISOString()).toBe(TIME.toISOString());
  });

  it.each<[TestKeyType, SctOptions['hash']]>([
    ['ecdsa-p256', undefined],
    ['ecdsa-p384', undefined],
    ['rsa-2048', undefined],
    ['ed25519', undefined],
  ])('verifies SCTs of a %s log', (type) => {
    const key = testKey(type, `bv-sct-${type}`);
    const cert = withScts([{ key, timestamp: TIME }]);
    const trust = rootWith([{ baseUrl: `https://ctfe-${type}.flareo.test`, key }]);
    const result = verifyEmbeddedScts(cert.der, issuer.der, trust);
    expect(result.verified.map((v) => v.logId)).toEqual([key.keyId]);
  });

  it('finds the SCT list wherever it sits among the extensions', () => {
    for (const position of [0, 3, 7]) {
      const cert = withScts([{ key: logA, timestamp: TIME }], position);
      expect(verifyEmbeddedScts(cert.der, issuer.der, root).verified).toHaveLength(1);
    }
  });

  it('keeps the SCT extensions field in the signed data', () => {
    const cert = withScts([{ key: logA, timestamp: TIME, extensions: Uint8Array.of(1, 2, 3) }]);
    expect(verifyEmbeddedScts(cert.der, issuer.der, root).verified).toHaveLength(1);
    const sct = sctOver({ key: logA, timestamp: TIME, extensions: Uint8Array.of(1, 2, 3) });
    sct[45] = 9; // first extensions byte (after the 2-byte length at 43)
    const error = rejected(() => verifyEmbeddedScts(withRawScts([sct]).der, issuer.der, root));
    expect(error.code).toBe('SCT_INVALID');
  });

  it('rejects an SCT signed by another key under a trusted log id, naming the log', () => {
    const cert = withScts([{ key: stranger, logId: hexBytes(logA.keyId), timestamp: TIME }]);
    const error = rejected(() => verifyEmbeddedScts(cert.der, issuer.der, root));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.detail).toMatchObject({ step: 'sct', field: 'signature' });
    expect(error.message).toContain('https://ctfe-a.flareo.test');
    expect(error.message).toContain(logA.keyId);
  });

  it('rejects an SCT whose timestamp was altered after signing', () => {
    const sct = sctOver({ key: logA, timestamp: TIME });
    sct[40] = (sct[40] as number) ^ 0x01; // lowest timestamp byte
    const error = rejected(() => verifyEmbeddedScts(withRawScts([sct]).der, issuer.der, root));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.detail.field).toBe('signature');
  });

  it('rejects SCTs that sign another certificate', () => {
    const other = createLeafCertificate({ issuer, seed: 'bv-sct-other' });
    const { extensionValue } = embedScts(other, issuer, [{ key: logA, timestamp: TIME }]);
    const transplanted = embedSctExtension(leaf, issuer, extensionValue);
    const error = rejected(() => verifyEmbeddedScts(transplanted.der, issuer.der, root));
    expect(error.code).toBe('SCT_INVALID');
  });

  it('rejects SCTs checked against the wrong issuer key', () => {
    const cert = withScts([{ key: logA, timestamp: TIME }]);
    const error = rejected(() => verifyEmbeddedScts(cert.der, chain.root.der, root));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.message).toContain('issuer');
  });

  it('rejects an algorithm that does not fit the log key', () => {
    const ecdsaAsRsa = sctOver({ key: logA, timestamp: TIME });
    ecdsaAsRsa[algorithmOffset(ecdsaAsRsa) + 1] = 1;
    const sha384 = sctOver({ key: logA, timestamp: TIME, hash: 'sha384' });
    const unknownHash = sctOver({ key: logA, timestamp: TIME });
    unknownHash[algorithmOffset(unknownHash)] = 2; // sha1
    for (const [sct, text] of [
      [ecdsaAsRsa, 'RSA signature'],
      [sha384, 'declared for sha256'],
      [unknownHash, 'unsupported hash'],
    ] as const) {
      const error = rejected(() => verifyEmbeddedScts(withRawScts([sct]).der, issuer.der, root));
      expect(error.code).toBe('SCT_INVALID');
      expect(error.message).toContain(text);
    }
  });

  it('ignores SCTs of unknown logs but fails the threshold with a hint', () => {
    const cert = withScts([{ key: stranger, timestamp: TIME }]);
    const result = verifyEmbeddedScts(cert.der, issuer.der, root, { threshold: 0 });
    expect(result).toEqual({ present: true, verified: [], unknownLogs: [stranger.keyId] });
    const error = rejected(() => verifyEmbeddedScts(cert.der, issuer.der, root));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.detail).toMatchObject({
      step: 'sct',
      field: 'threshold',
      expected: 1,
      actual: 0,
      missing: 'ctlogs',
    });
    expect(error.message).toContain(`no CT log with id ${stranger.keyId}`);
  });

  it('counts a trusted SCT next to an unknown one', () => {
    const cert = withScts([
      { key: stranger, timestamp: TIME },
      { key: logB, timestamp: TIME },
    ]);
    const result = verifyEmbeddedScts(cert.der, issuer.der, root);
    expect(result.verified.map((v) => v.logId)).toEqual([logB.keyId]);
    expect(result.unknownLogs).toEqual([stranger.keyId]);
  });

  it('treats a trusted log whose window does not hold the SCT time as unknown', () => {
    const later = rootWith([
      { baseUrl: 'https://ctfe-a.flareo.test', key: logA, start: new Date('2025-01-01T00:00:00Z') },
    ]);
    const cert = withScts([{ key: logA, timestamp: TIME }]);
    const error = rejected(() => verifyEmbeddedScts(cert.der, issuer.der, later));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.detail.missing).toBe('ctlogs');
    expect(error.message).toContain('not valid at the SCT');
  });

  it('applies the threshold to distinct logs', () => {
    const two = withScts([
      { key: logA, timestamp: TIME },
      { key: logB, timestamp: TIME },
    ]);
    expect(verifyEmbeddedScts(two.der, issuer.der, root, { threshold: 2 }).verified).toHaveLength(
      2,
    );
    const three = rejected(() => verifyEmbeddedScts(two.der, issuer.der, root, { threshold: 3 }));
    expect(three.code).toBe('SCT_INVALID');
    expect(three.detail).toMatchObject({ expected: 3, actual: 2 });
    expect(three.detail.missing).toBeUndefined();

    const sameLogTwice = withScts([
      { key: logA, timestamp: TIME },
      { key: logA, timestamp: new Date(TIME.getTime() + 1000) },
    ]);
    const twice = rejected(() =>
      verifyEmbeddedScts(sameLogTwice.der, issuer.der, root, { threshold: 2 }),
    );
    expect(twice.detail).toMatchObject({ expected: 2, actual: 1 });
  });

  it.each([-1, 1.5, Number.NaN])('rejects threshold %s as a policy error', (threshold) => {
    const error = rejected(() => verifyEmbeddedScts(leaf.der, issuer.der, root, { threshold }));
    expect(error.code).toBe('ARGUMENT_INVALID');
  });

  it('ignores SCTs of an unknown version', () => {
    const v2 = sctOver({ key: logA, timestamp: TIME, version: 1 });
    const cert = withRawScts([v2]);
    expect(verifyEmbeddedScts(cert.der, issuer.der, root, { threshold: 0 })).toEqual({
      present: true,
      verified: [],
      unknownLogs: [],
    });
    expect(rejected(() => verifyEmbeddedScts(cert.der, issuer.der, root)).code).toBe('SCT_INVALID');
  });

  const valid = sctOver({ key: logA, timestamp: TIME });
  const list = encodeSctList([valid]);
  const octets = (bytes: Uint8Array) => sctListExtensionValue(bytes);
  it.each<[string, Uint8Array]>([
    ['an empty extension value', new Uint8Array(0)],
    ['a value that is not an OCTET STRING', Uint8Array.of(0x30, 0x02, 0x00, 0x00)],
    ['an OCTET STRING with trailing bytes', Uint8Array.of(...octets(list), 0)],
    ['an empty SCT list', octets(Uint8Array.of(0, 0))],
    ['a list length beyond the data', octets(Uint8Array.of(0, 9, 0, 1, 0))],
    ['bytes after the list', octets(Uint8Array.of(...list, 0))],
    ['a zero-length SCT', octets(Uint8Array.of(0, 2, 0, 0))],
    ['a truncated SCT', octets(encodeSctList([valid.subarray(0, 40)]))],
    ['bytes after an SCT', octets(encodeSctList([Uint8Array.of(...valid, 0)]))],
    ['an empty signature', octets(encodeSctList([Uint8Array.of(...valid.subarray(0, 45), 0, 0)]))],
    [
      'a timestamp beyond any date',
      octets(
        encodeSctList([
          Uint8Array.of(0, ...new Uint8Array(32), ...Array(8).fill(0xff), 0, 0, 4, 3, 0, 1, 0),
        ]),
      ),
    ],
  ])('rejects %s as SCT_INVALID', (_name, value) => {
    const cert = createLeafCertificate({ issuer, seed: 'bv-sct-malformed', sctExtension: value });
    const error = rejected(() => verifyEmbeddedScts(cert.der, issuer.der, root));
    expect(error.code).toBe('SCT_INVALID');
    expect(error.detail).toMatchObject({ step: 'sct', field: 'sctList' });
  });

  it(`stops after ${MAX_SCTS} SCTs`, () => {
    const many = Array.from({ length: MAX_SCTS + 1 }, () => valid);
    const error = rejected(() => verifyEmbeddedScts(withRawScts(many).der, issuer.der, root));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    const enough = verifyEmbeddedScts(withRawScts(many.slice(1)).der, issuer.der, root);
    expect(enough.verified).toHaveLength(MAX_SCTS);
  });

  it('rejects a certificate carrying the SCT list twice (no extension may appear twice)', () => {
    const ext = octets(list);
    const twice = createLeafCertificate({
      issuer,
      sctExtension: ext,
      extraExtensions: [{ oid: OID.sctList, value: ext }],
    });
    const error = rejected(() => verifyEmbeddedScts(twice.der, issuer.der, root));
    expect(error.code).toBe('BUNDLE_MALFORMED');
    expect(error.message).toMatch(/duplicate extension 1\.3\.6\.1\.4\.1\.11129\.2\.4\.2/);
  });

  it('rejects malformed certificates as BUNDLE_MALFORMED', () => {
    const cert = withScts([{ key: logA, timestamp: TIME }]);
    for (const [leafDer, issuerDer, field] of [
      [Uint8Array.of(0x30, 0x00), issuer.der, 'certificate'],
      [cert.der.subarray(0, cert.der.length - 1), issuer.der, 'certificate'],
      [Uint8Array.of(...cert.der, 0), issuer.der, 'certificate'],
      [cert.der, Uint8Array.of(1, 2, 3), 'issuer'],
    ] as const) {
      const error = rejected(() => verifyEmbeddedScts(leafDer, issuerDer, root));
      expect(error.code).toBe('BUNDLE_MALFORMED');
      expect(error.detail).toMatchObject({ step: 'sct', field });
    }
  });

  it('rejects or ignores every single-byte change of a certificate with SCTs', () => {
    const cert = withScts([{ key: logA, timestamp: TIME }], 4);
    const tbsEnd = children(cert.der, readTlv(cert.der, 0))[0]?.end ?? 0;
    expect(tbsEnd).toBeGreaterThan(precertificateTbs(leaf).length);
    for (let i = 0; i < cert.der.length; i++) {
      const mutated = Uint8Array.from(cert.der);
      mutated[i] = (mutated[i] as number) ^ 0x01;
      let outcome: string;
      try {
        const result = verifyEmbeddedScts(mutated, issuer.der, root);
        outcome = result.present ? `verified ${result.verified.length}` : 'absent';
      } catch (error) {
        expect(error).toBeInstanceOf(BundleVerifyError);
        outcome = 'rejected';
      }
      // Inside the TBS a change either breaks an SCT or hides the extension; after it (the
      // issuer's signature) it cannot matter to the SCTs.
      if (i < tbsEnd) expect(outcome, `byte ${i}`).not.toBe('verified 1');
      else expect(['verified 1', 'rejected'], `byte ${i}`).toContain(outcome);
    }
  }, 60_000);

  it('never throws anything but BundleVerifyError on arbitrary SCT lists', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => octets(b)),
          fc
            .tuple(fc.nat({ max: list.length - 1 }), fc.integer({ min: 1, max: 255 }))
            .map(([at, x]) => {
              const copy = Uint8Array.from(list);
              copy[at] = (copy[at] as number) ^ x;
              return octets(copy);
            }),
        ),
        (value) => {
          const cert = embedSctExtension(leaf, issuer, value);
          try {
            const result = verifyEmbeddedScts(cert.der, issuer.der, root, { threshold: 0 });
            expect(result.present).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(BundleVerifyError);
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
