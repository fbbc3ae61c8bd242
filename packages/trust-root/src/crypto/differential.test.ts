import {
  createCertificateAuthority,
  readVector,
  TEST_KEY_TYPES,
  type TestKeyType,
  vectorsDir,
} from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { PUBLIC_GOOD_TRUSTED_ROOT_JSON } from '../generated/public-good.js';
import type { TrustRoot } from '../model.js';
import { pemBundleTask } from '../pem-bundle.js';
import { trustedRootTask } from '../trusted-root.js';
import { nobleCryptoBackend } from './noble.js';
import { nodeCryptoBackend } from './node.js';
import { type CryptoTask, runCryptoAsync, runCryptoSync } from './seam.js';
import { webCryptoBackend } from './web.js';

// The crypto seam's promise for trust material: parsing a trusted root or a PEM bundle with
// the Node backend (synchronous driver) and with the WebCrypto backend (asynchronous driver)
// gives the same trust model, or the same error with the same code, on good and tampered
// inputs. Any difference fails.

type Outcome = { ok: unknown } | { error: { code: unknown; message: string; detail: unknown } };

const view = (root: TrustRoot) => ({
  summary: root.summary(),
  selfSigned: root.certificateAuthorities.flatMap((ca) => ca.certificates.map((c) => c.selfSigned)),
  keys: [...root.keys, ...root.tlogs.map((l) => l.key), ...root.ctlogs.map((l) => l.key)].map(
    (k) => [k.id, k.algorithm],
  ),
});

async function bothAgree(task: () => CryptoTask<TrustRoot>): Promise<Outcome> {
  const settle = (error: unknown): Outcome => {
    const e = error as { code?: unknown; message: string; detail?: unknown };
    return { error: { code: e.code, message: e.message, detail: e.detail } };
  };
  let sync: Outcome;
  try {
    sync = { ok: view(runCryptoSync(task(), nodeCryptoBackend)) };
  } catch (error) {
    sync = settle(error);
  }
  let async: Outcome;
  try {
    async = { ok: view(await runCryptoAsync(task(), webCryptoBackend)) };
  } catch (error) {
    async = settle(error);
  }
  expect(async).toEqual(sync);
  return sync;
}

const codeOf = (o: Outcome) => ('error' in o ? o.error.code : 'ok');

/** The DER with one bit of its signature (the last octet) flipped. */
function tamperSignature(der: Uint8Array): Uint8Array {
  const out = new Uint8Array(der);
  out[out.length - 3] = (out[out.length - 3] as number) ^ 0x01;
  return out;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

describe('trusted_root.json: Node backend = WebCrypto backend', () => {
  const roots: [string, string][] = [['embedded public-good', PUBLIC_GOOD_TRUSTED_ROOT_JSON]];
  if (vectorsDir()) {
    roots.push(['vectors public-good', readVector('sigstore/public-good/trusted_root.json')]);
  }

  it.each(roots)('%s: good, then each CA certificate tampered', async (_name, json) => {
    expect(codeOf(await bothAgree(() => trustedRootTask('t', json, {})))).toBe('ok');
    const doc = JSON.parse(json);
    for (const field of ['certificateAuthorities', 'timestampAuthorities'] as const) {
      for (const [i, ca] of (doc[field] ?? []).entries()) {
        for (const [j, cert] of ca.certChain.certificates.entries()) {
          const copy = JSON.parse(json);
          copy[field][i].certChain.certificates[j].rawBytes = b64(
            tamperSignature(unb64(cert.rawBytes)),
          );
          const outcome = await bothAgree(() => trustedRootTask('t', copy, {}));
          // A TSA leaf's own signature is checked against the next certificate only.
          expect(['CERTIFICATE_CHAIN_INVALID', 'ok']).toContain(codeOf(outcome));
          if (ca.certChain.certificates.length > 1 || j > 0) {
            expect(codeOf(outcome)).toBe('CERTIFICATE_CHAIN_INVALID');
          }
        }
      }
    }
  });
});

describe('PEM bundles: Node backend = WebCrypto backend, every CA key type', () => {
  const pem = (der: Uint8Array, label = 'CERTIFICATE') =>
    `-----BEGIN ${label}-----\n${b64(der).replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

  it.each(TEST_KEY_TYPES.map((t) => [t] as [TestKeyType]))(
    '%s root and intermediate',
    async (type) => {
      const root = createCertificateAuthority({ seed: `seam-${type}`, keyType: type });
      const inter = createCertificateAuthority({
        seed: `seam-${type}-i`,
        keyType: type === 'ed25519' ? 'ecdsa-p256' : type,
        issuer: root,
      });
      const good = pem(root.der) + pem(inter.der) + root.key.publicKeyPem;
      const ok = await bothAgree(() => pemBundleTask('t', good, {}));
      expect(codeOf(ok)).toBe('ok');
      for (const [label, text] of [
        ['root signature', pem(tamperSignature(root.der)) + pem(inter.der)],
        ['intermediate signature', pem(root.der) + pem(tamperSignature(inter.der))],
      ] as const) {
        const outcome = await bothAgree(() => pemBundleTask('t', text, {}));
        expect(codeOf(outcome), label).toBe('CERTIFICATE_CHAIN_INVALID');
      }
    },
  );
});

describe('the synchronous API outside Node (@noble backend)', () => {
  it('agrees with Node on ECDSA and Ed25519 chains', () => {
    for (const type of ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519'] as const) {
      const root = createCertificateAuthority({ seed: `seam-${type}`, keyType: type });
      const text = `-----BEGIN CERTIFICATE-----\n${b64(root.der)}\n-----END CERTIFICATE-----\n`;
      const a = runCryptoSync(pemBundleTask('t', text, {}), nodeCryptoBackend);
      const b = runCryptoSync(pemBundleTask('t', text, {}), nobleCryptoBackend);
      expect(view(b)).toEqual(view(a));
    }
  });

  it('refuses RSA with CRYPTO_UNAVAILABLE instead of guessing', () => {
    const root = createCertificateAuthority({ seed: 'seam-rsa-2048', keyType: 'rsa-2048' });
    const text = `-----BEGIN CERTIFICATE-----\n${b64(root.der)}\n-----END CERTIFICATE-----\n`;
    expect(() => runCryptoSync(pemBundleTask('t', text, {}), nobleCryptoBackend)).toThrow(
      expect.objectContaining({ code: 'CRYPTO_UNAVAILABLE' }),
    );
  });
});

describe('synchronous hashing: node:crypto (Node build) = @noble/hashes (web build)', () => {
  it('sha256/384/512 agree on inputs of every length up to 300 bytes', async () => {
    const { nodeDigest } = await import('./node.js');
    const { nobleDigest } = await import('./noble.js');
    for (let n = 0; n <= 300; n += 7) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
        expect(nobleDigest(hash, data)).toEqual(new Uint8Array(nodeDigest(hash, data)));
      }
    }
  });

  it('the Node digests are plain Uint8Arrays with every octet value read back exactly', async () => {
    const { createHash } = await import('node:crypto');
    const { nodeDigest, nodeSha256 } = await import('./node.js');
    // Known answers (FIPS 180-2, "abc"): the first octet of each is above 0x7f.
    const abc = new TextEncoder().encode('abc');
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    expect(hex(nodeSha256(abc))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(hex(nodeDigest('sha512', abc))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    // Against the Buffer-returning API, on inputs whose digests hold all 256 octet values.
    const seen = new Set<number>();
    for (let n = 0; n < 200; n++) {
      const data = Uint8Array.from({ length: 65 }, (_, i) => (i * 13 + n * 7) & 0xff);
      const got = nodeSha256(data);
      expect(Object.getPrototypeOf(got)).toBe(Uint8Array.prototype);
      expect(got).toEqual(new Uint8Array(createHash('sha256').update(data).digest()));
      for (const octet of got) seen.add(octet);
    }
    expect(seen.size).toBe(256);
  });
});
