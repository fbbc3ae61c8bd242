import { createHash, verify } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Certificate, Extensions } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { testKey } from '../keys.js';
import { createFulcioChain } from '../x509.js';
import {
  certificateSpki,
  embedScts,
  encodeSctList,
  OID_SCT_LIST,
  precertificateTbs,
  precertSignedData,
  sctListExtensionValue,
} from './sct.js';

const chain = createFulcioChain({ seed: 'ct-kit' });
const logKey = testKey('ecdsa-p256', 'ct-kit-log');
const time = new Date('2024-01-01T00:00:01.234Z');

/** The TBS of `der` with the SCT list extension taken out, re-encoded by asn1-schema. */
function tbsWithoutScts(der: Uint8Array): Uint8Array {
  const tbs = AsnConvert.parse(der, Certificate).tbsCertificate;
  tbs.extensions = new Extensions((tbs.extensions ?? []).filter((e) => e.extnID !== OID_SCT_LIST));
  return new Uint8Array(AsnConvert.serialize(tbs));
}

describe('embedScts', () => {
  const leaf = chain.leaf();
  const { certificate, scts, precertTbs, extensionValue } = embedScts(leaf, chain.intermediate, [
    { key: logKey, timestamp: time },
  ]);

  it('keeps the serial, issues the leaf anew and carries the extension', () => {
    expect(certificate.x509.serialNumber).toBe(leaf.x509.serialNumber);
    expect(certificate.x509.verify(chain.intermediate.x509.publicKey)).toBe(true);
    const ext = AsnConvert.parse(certificate.der, Certificate).tbsCertificate.extensions?.find(
      (e) => e.extnID === OID_SCT_LIST,
    );
    expect(ext && new Uint8Array(ext.extnValue.buffer)).toEqual(extensionValue);
  });

  it('signs the TBS of the leaf without the extension', () => {
    expect(precertTbs).toEqual(precertificateTbs(leaf));
    expect(tbsWithoutScts(certificate.der)).toEqual(precertTbs);
  });

  it('writes a TLS SCT list whose SCT verifies with the log key', () => {
    const list = new Uint8Array(AsnConvert.parse(extensionValue, OctetString).buffer);
    const sct = scts[0] as Uint8Array;
    expect(list).toEqual(encodeSctList([sct]));
    expect((list[0] as number) * 256 + (list[1] as number)).toBe(list.length - 2);
    expect(Buffer.from(sct.subarray(1, 33)).toString('hex')).toBe(logKey.keyId);
    const sigLength = ((sct[45] as number) << 8) | (sct[46] as number);
    expect(sct.subarray(43, 45)).toEqual(Uint8Array.of(4, 3)); // sha256, ecdsa
    const signed = precertSignedData({
      timestamp: time,
      issuerSpki: certificateSpki(chain.intermediate),
      tbs: precertTbs,
    });
    expect(signed.subarray(12, 44)).toEqual(
      new Uint8Array(createHash('sha256').update(chain.intermediate.key.spki).digest()),
    );
    expect(verify('sha256', signed, logKey.publicKey, sct.subarray(47, 47 + sigLength))).toBe(true);
    expect(47 + sigLength).toBe(sct.length);
  });

  it('places the extension where asked', () => {
    const placed = embedScts(leaf, chain.intermediate, [{ key: logKey, timestamp: time }], {
      position: 1,
    }).certificate;
    const ids = AsnConvert.parse(placed.der, Certificate).tbsCertificate.extensions?.map(
      (e) => e.extnID,
    );
    expect(ids?.[1]).toBe(OID_SCT_LIST);
    expect(tbsWithoutScts(placed.der)).toEqual(precertTbs);
  });

  it('refuses a leaf that already has SCTs', () => {
    expect(() => precertificateTbs(certificate)).toThrow(/already carries/);
    expect(sctListExtensionValue(Uint8Array.of(0, 0))).toEqual(Uint8Array.of(4, 2, 0, 0));
  });
});
