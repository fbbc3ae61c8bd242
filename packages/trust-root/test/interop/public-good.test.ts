import { readVector, vectorsDir } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { parsePemTrustBundle, parseTrustedRoot, publicGoodTrustRoot } from '../../src/index.js';

const dir = vectorsDir();

describe.skipIf(!dir)('interop: real Sigstore public-good trust material', () => {
  const file = (name: string) => readVector(`sigstore/public-good/${name}`);

  it('the four PEM files concatenated parse to 2 certificates and 2 keys', () => {
    const text = ['fulcio_v1.crt.pem', 'fulcio_intermediate_v1.crt.pem', 'rekor.pub', 'ctfe.pub']
      .map(file)
      .join('');
    const root = parsePemTrustBundle(text, { name: 'public-good.pem' });
    expect(root.keys).toHaveLength(2);
    expect(root.certificateAuthorities.flatMap((ca) => ca.certificates)).toHaveLength(2);
    expect(root.keys[0]?.id).toBe(
      'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
    );
    // The intermediate links to fulcio_v1 (same key identifier), verified at load time.
    const [ca] = root.certificateAuthorities;
    expect(ca?.anchor.selfSigned).toBe(true);
    expect(ca?.certificates[0]?.subject).toContain('sigstore-intermediate');
  });

  it.each([
    'fulcio.crt.pem',
    'fulcio_v1.crt.pem',
    'fulcio_intermediate_v1.crt.pem',
    'rekor.pub',
    'ctfe.pub',
    'ctfe_2022.pub',
  ])('%s parses on its own', (name) => {
    expect(parsePemTrustBundle(file(name), { name }).isEmpty).toBe(false);
  });

  it('trusted_root.json parses, and its log ids are the keys we compute', () => {
    const root = parseTrustedRoot(file('trusted_root.json'), { name: 'trusted_root.json' });
    expect(root.tlogs.map((l) => l.logId)).toEqual([
      'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
      'cf1199155bddd051268d1f16ac5c0c75c009f6fb5a63f4177f8e18d7051e3fa0',
    ]);
    expect(root.certificateAuthorities).toHaveLength(2);
    const rekorPem = parsePemTrustBundle(file('rekor.pub'));
    expect(rekorPem.keys[0]?.id).toBe(root.tlogs[0]?.logId);
    const ctfe2022 = parsePemTrustBundle(file('ctfe_2022.pub'));
    expect(root.ctlogsById(ctfe2022.keys[0]?.id ?? '')).toHaveLength(1);
  });

  it('the embedded public-good root holds the same logs and CAs as the vector copy', () => {
    const vector = parseTrustedRoot(file('trusted_root.json'));
    const embedded = publicGoodTrustRoot();
    for (const log of vector.tlogs) expect(embedded.tlogsById(log.logId)).toHaveLength(1);
    const fingerprints = (r: typeof vector) =>
      r.certificateAuthorities.flatMap((ca) => ca.certificates.map((c) => c.fingerprint));
    expect(fingerprints(embedded)).toEqual(expect.arrayContaining(fingerprints(vector)));
  });
});
