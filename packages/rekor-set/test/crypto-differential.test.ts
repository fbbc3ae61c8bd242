import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, TEST_KEY_TYPES, testKey, vectorsDir } from '@flareo/testkit';
import {
  type CryptoBackend,
  type CryptoTask,
  nobleCryptoBackend,
  parseTrustedRoot,
  platformCrypto,
  runCryptoAsync,
  runCryptoSync,
  type TrustRoot,
  type VerifyRequest,
  webCryptoBackend,
} from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import type { EntryBinding, RekorVerifyOptions } from '../src/index.js';
import { evidenceTask } from '../src/verify.js';
import { importKeyRef } from './crypto-keys.js';
import { createWorld, edited, flipB64, NOW, P256, unb64 } from './support.js';

// biome-ignore lint/suspicious/noExplicitAny: raw bundle JSON
function bindingOf(bundle: any): EntryBinding {
  const vm = bundle.verificationMaterial;
  const cert = vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates?.[0]?.rawBytes;
  const env = bundle.dsseEnvelope;
  return {
    signature: unb64(env.signatures[0].sig),
    verifier: { certificate: unb64(cert) },
    dsse: { payloadType: env.payloadType, payload: unb64(env.payload) },
  };
}

// The crypto seam's promise: the Node backend (`node:crypto`, synchronous) and the WebCrypto
// backend (asynchronous, with @noble where WebCrypto lacks an operation) give the same
// results and the same error codes. Every scenario below runs the one verification code path
// twice, once per driver and backend, on good and tampered inputs; any difference fails.
// Every signature request seen is then asked again of each backend with its signature
// mutated, and a key-type matrix covers what the scenarios do not (RSA, PSS, P-384/521).

const node = platformCrypto.sync;
const seen: VerifyRequest[] = [];

/** A backend that records what it is asked, to re-ask later with mutations. */
const recording = (inner: CryptoBackend): CryptoBackend => ({
  name: inner.name,
  verify(request) {
    seen.push(request);
    return inner.verify(request);
  },
});

type Outcome =
  | { ok: unknown }
  | { error: { name: string; code: string | undefined; message: string; detail: unknown } };

function outcomeOf(error: unknown): Outcome {
  const e = error as { name: string; code?: string; message: string; detail?: unknown };
  return { error: { name: e.name, code: e.code, message: e.message, detail: e.detail } };
}

async function bothAgree<T>(task: () => CryptoTask<T>): Promise<Outcome> {
  let sync: Outcome;
  try {
    sync = { ok: runCryptoSync(task(), recording(node) as typeof node) };
  } catch (error) {
    sync = outcomeOf(error);
  }
  let async: Outcome;
  try {
    async = { ok: await runCryptoAsync(task(), webCryptoBackend) };
  } catch (error) {
    async = outcomeOf(error);
  }
  expect(async).toEqual(sync);
  return sync;
}

const evidence = (
  entries: readonly unknown[],
  binding: EntryBinding,
  trust: TrustRoot,
  options: RekorVerifyOptions,
) => bothAgree(() => evidenceTask(entries, binding, trust, options));

const codeOf = (o: Outcome) => ('error' in o ? o.error.code : 'ok');

it('runs on Node with the node:crypto backend as the synchronous one', () => {
  expect(platformCrypto.platform).toBe('node');
  expect(node.name).toBe('node');
});

const dir = vectorsDir();

describe.skipIf(!dir)('public-good bundles: Node backend = WebCrypto backend', () => {
  const names = dir
    ? readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) => f.endsWith('.sigstore'))
    : [];
  const trust = dir
    ? parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json'))
    : (undefined as never);

  it.each(names)('%s: good and tampered', async (name) => {
    // biome-ignore lint/suspicious/noExplicitAny: raw bundle JSON
    const bundle: any = JSON.parse(readVector(`sigstore/bundles/${name}`));
    const entries = bundle.verificationMaterial.tlogEntries;
    const binding = bindingOf(bundle);
    const entry = entries[0];
    expect(codeOf(await evidence(entries, binding, trust, { policy: 'require-set' }))).toBe('ok');
    const cases: [string, unknown, RekorVerifyOptions, string][] = [
      [
        'SET flipped',
        edited(entry, (e) => {
          e.inclusionPromise.signedEntryTimestamp = flipB64(
            e.inclusionPromise.signedEntryTimestamp,
            20,
          );
        }),
        { policy: 'require-set' },
        'SET_INVALID',
      ],
      [
        'integrated time moved',
        edited(entry, (e) => {
          e.integratedTime = String(Number(e.integratedTime) + 1);
        }),
        { policy: 'require-set' },
        'SET_INVALID',
      ],
      [
        'body flipped',
        edited(entry, (e) => {
          e.canonicalizedBody = flipB64(e.canonicalizedBody, 30);
        }),
        { policy: 'require-set' },
        '*',
      ],
    ];
    if (entry.inclusionProof) {
      const proofOnly = edited(entry, (e) => {
        e.inclusionPromise = undefined;
      });
      expect(
        codeOf(await evidence([proofOnly], binding, trust, { policy: 'require-inclusion-proof' })),
      ).toBe('ok');
      const note: string = entry.inclusionProof.checkpoint.envelope;
      const sigLine = note.split('\n').find((l) => l.startsWith('— ')) as string;
      const b64sig = sigLine.split(' ')[2] as string;
      cases.push(
        [
          'checkpoint signature flipped',
          edited(proofOnly, (e) => {
            e.inclusionProof.checkpoint.envelope = note.replace(b64sig, flipB64(b64sig, 12));
          }),
          { policy: 'require-inclusion-proof' },
          'CHECKPOINT_INVALID',
        ],
        [
          'root hash flipped',
          edited(proofOnly, (e) => {
            e.inclusionProof.rootHash = flipB64(e.inclusionProof.rootHash, 3);
          }),
          { policy: 'require-inclusion-proof' },
          'CHECKPOINT_MISMATCH',
        ],
      );
    }
    for (const [label, tampered, options, code] of cases) {
      const outcome = await evidence([tampered], binding, trust, options);
      expect(codeOf(outcome), label).not.toBe('ok');
      if (code !== '*') expect(codeOf(outcome), label).toBe(code);
    }
    const other = new Uint8Array(binding.signature);
    other[10] = (other[10] ?? 0) ^ 1;
    expect(codeOf(await evidence(entries, { ...binding, signature: other }, trust, {}))).toBe(
      'BODY_SIGNATURE_MISMATCH',
    );
  });
});

describe('minted Rekor v1 (ECDSA) and v2 (Ed25519) entries: Node backend = WebCrypto backend', () => {
  const w = createWorld();
  const v1 = w.v1.addHashedRekord({
    artifactDigest: w.digest,
    signature: w.signature,
    certificatePem: w.leaf.pem,
    inclusionProof: true,
  });
  const v2 = w.v2.addDsseV002({
    envelope: w.envelope,
    verifiers: [{ certificateDer: w.leaf.der, keyDetails: P256 }],
  });

  it.each([
    ['v1 hashedrekord', v1, w.messageBinding],
    ['v2 dsse', v2, w.dsseBinding],
  ] as const)('%s', async (_label, entry, binding) => {
    const options: RekorVerifyOptions = { now: NOW, allowDeprecatedDsseV002: true };
    expect(codeOf(await evidence([entry], binding, w.trust, options))).toBe('ok');
    // biome-ignore lint/suspicious/noExplicitAny: raw entry JSON
    const e = entry as any;
    if (e.inclusionPromise) {
      const bad = edited(entry, (x) => {
        x.inclusionPromise.signedEntryTimestamp = flipB64(
          x.inclusionPromise.signedEntryTimestamp,
          9,
        );
      });
      expect(codeOf(await evidence([bad], binding, w.trust, options))).toBe('SET_INVALID');
    }
    if (e.inclusionProof?.checkpoint) {
      const note: string = e.inclusionProof.checkpoint.envelope;
      const line = note.split('\n').find((l) => l.startsWith('— ')) as string;
      const sig = line.split(' ')[2] as string;
      const bad = edited(entry, (x) => {
        x.inclusionPromise = undefined;
        x.inclusionProof.checkpoint.envelope = note.replace(sig, flipB64(sig, 8));
      });
      expect(
        codeOf(
          await evidence([bad], binding, w.trust, {
            ...options,
            policy: 'require-inclusion-proof',
          }),
        ),
      ).toBe('CHECKPOINT_INVALID');
    }
  });
});

/** Mutations of a signature: each must get the same answer from every backend. */
function mutations(signature: Uint8Array): Uint8Array[] {
  const out = [signature];
  for (const i of [0, 1, 3, signature.length >> 1, signature.length - 1]) {
    const m = new Uint8Array(signature);
    m[i] = (m[i] ?? 0) ^ 0x01;
    out.push(m);
  }
  out.push(signature.subarray(0, signature.length - 1));
  out.push(Uint8Array.of(...signature, 0));
  out.push(new Uint8Array(0));
  return out;
}

describe('every recorded request, re-asked with mutated signatures', () => {
  it('Node, WebCrypto and (ECDSA/Ed25519) @noble answer alike', async () => {
    expect(seen.length).toBeGreaterThan(10);
    const unique = [...new Map(seen.map((r) => [r.signature, r])).values()];
    for (const request of unique) {
      for (const signature of mutations(request.signature)) {
        const r = { ...request, signature };
        const want = node.verify(r);
        expect(await webCryptoBackend.verify(r)).toBe(want);
        if (request.key.algorithm.kind !== 'rsa') expect(nobleCryptoBackend.verify(r)).toBe(want);
      }
    }
  });
});

describe('key-type matrix: every scheme, good and tampered', () => {
  const data = new TextEncoder().encode('flareo crypto seam');
  it.each(TEST_KEY_TYPES)('%s', async (type) => {
    const key = testKey(type);
    const ref = importKeyRef(key.spki);
    const requests: VerifyRequest[] = [];
    if (type === 'ed25519') {
      requests.push({ key: ref, scheme: { kind: 'ed25519' }, data, signature: key.sign(data) });
    } else {
      for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
        if (type.startsWith('rsa')) {
          requests.push({
            key: ref,
            scheme: { kind: 'rsa-pkcs1v15', hash },
            data,
            signature: key.sign(data, { hash, rsaPadding: 'pkcs1' }),
          });
          requests.push({
            key: ref,
            scheme: { kind: 'rsa-pss', hash },
            data,
            signature: key.sign(data, { hash, rsaPadding: 'pss' }),
          });
        } else {
          const signature = key.sign(data, { hash });
          requests.push({ key: ref, scheme: { kind: 'ecdsa', hash }, data, signature });
          requests.push({
            key: ref,
            scheme: { kind: 'ecdsa-prehashed' },
            data: platformCrypto.digest(hash, data),
            signature,
          });
        }
      }
    }
    for (const request of requests) {
      expect(node.verify(request), `${request.scheme.kind} good`).toBe(true);
      for (const signature of mutations(request.signature)) {
        const r = { ...request, signature };
        const want = node.verify(r);
        expect(await webCryptoBackend.verify(r), `${request.scheme.kind}`).toBe(want);
        if (!type.startsWith('rsa')) expect(nobleCryptoBackend.verify(r)).toBe(want);
      }
      // The same signature over other data, and under a scheme that does not fit the key.
      const other = { ...request, data: Uint8Array.of(...request.data, 1) };
      expect(await webCryptoBackend.verify(other)).toBe(node.verify(other));
      const misfit = {
        ...request,
        scheme:
          type === 'ed25519'
            ? ({ kind: 'ecdsa', hash: 'sha256' } as const)
            : ({ kind: 'ed25519' } as const),
      };
      expect(node.verify(misfit)).toBe(false);
      expect(await webCryptoBackend.verify(misfit)).toBe(false);
    }
  });
});
