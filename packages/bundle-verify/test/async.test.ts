import { join } from 'node:path';
import {
  buildTrustedRoot,
  createFulcioChain,
  mintKeyedSignature,
  mintSigstoreBundle,
  readVector,
  TestRekorV1,
  TestRekorV2,
  TestTimestampAuthority,
  testKey,
  vectorsDir,
} from '@flareo/testkit';
import { mergeTrustRoots, parsePemTrustBundle, parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import {
  BundleVerifyError,
  createVerifier,
  type VerificationCheck,
  type VerificationProgress,
} from '../src/index.js';
import { twinCount } from './support/async-twin.js';

// The asynchronous methods and `onStep`. That every sync call of the whole suite, success or
// rejection, gives the same outcome and the same events through its async twin is checked by
// test/support/async-twin.ts after each test file; this file checks the twin is in place and
// what the events say for each kind of bundle.

const enc = new TextEncoder();
const artifact = enc.encode('flareo async module v1\n');
const chain = createFulcioChain({ seed: 'bv-async' });
const leaf = chain.leaf();
const leaf2026 = chain.leaf({ notBefore: new Date('2026-03-01T00:00:00Z') });
const rekor = new TestRekorV1({ seed: 'bv-async-rekor-v1' });
const rekorV2 = new TestRekorV2({ seed: 'bv-async-rekor-v2' });
const tsa = new TestTimestampAuthority({ seed: 'bv-async-tsa' });
const trust = parseTrustedRoot({
  ...buildTrustedRoot({
    certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
    timestampAuthorities: [{ chain: [...tsa.chain] }],
  }),
  tlogs: [rekor.transparencyLogInstance(), rekorV2.transparencyLogInstance()],
});
const verifier = createVerifier(trust);

async function stepsOf(
  call: (onStep: (e: VerificationProgress) => void) => Promise<unknown>,
): Promise<VerificationProgress[]> {
  const events: VerificationProgress[] = [];
  await call((e) => events.push(e));
  return events;
}
const checks = (events: readonly VerificationProgress[]): VerificationCheck[] =>
  events.map((e) => e.check);
/** The events of verifying a minted bundle of `artifact` with no identity policy. */
const bundleEvents = (m: { json: unknown }) =>
  stepsOf((onStep) => verifier.verifyBundleAsync(m.json as object, artifact, {}, { onStep }));
/** A keyless message bundle (Rekor v1: SET, proof, checkpoint; an SCT-less leaf). */
const messageBundle = mintSigstoreBundle({
  version: '0.3',
  content: { kind: 'message', artifact },
  signer: { certificate: leaf },
  rekor,
});

describe('the async twin of every sync call', () => {
  it('is in place: a sync call is also run through its …Async method', () => {
    const before = twinCount();
    const m = messageBundle;
    verifier.verifyBundle(m.json, artifact, {});
    expect(twinCount()).toBe(before + 1);
  });
});

describe('verifyBundleAsync and onStep', () => {
  it('a keyless message bundle (Rekor v1, SET, proof, checkpoint, SCT-less leaf)', async () => {
    const m = messageBundle;
    const events = await bundleEvents(m);
    expect(checks(events)).toEqual([
      'parse',
      'digest',
      'signature',
      'log-set',
      'log-inclusion-proof',
      'log-checkpoint',
      'log-body',
      'trusted-time',
      'certificate-chain',
      'identity',
    ]);
    expect(events[0]).toEqual({
      check: 'parse',
      detail: { format: 'sigstore-bundle-v0.3', content: 'message' },
    });
    expect(events[2]?.detail).toMatchObject({ signer: 'certificate', subject: leaf.subject });
    expect(events.find((e) => e.check === 'log-body')?.detail).toEqual({
      entries: 1,
      kinds: ['hashedrekord/0.0.1'],
    });
    expect(events.find((e) => e.check === 'certificate-chain')?.detail).toEqual({
      anchor: 'CN=Flareo Test Root CA, O=flareo.test',
    });
    expect(Object.isFrozen(events[0])).toBe(true);
  });

  it('a DSSE bundle reports the in-toto subject it matched', async () => {
    const m = mintSigstoreBundle({
      version: '0.2',
      content: { kind: 'dsse', artifact },
      signer: { certificate: leaf },
      rekor,
    });
    const events = await bundleEvents(m);
    expect(events[1]).toMatchObject({ check: 'digest', detail: { algorithm: 'sha256' } });
    expect(checks(events)).toContain('log-inclusion-proof');
  });

  it('a Rekor v2 bundle with an RFC 3161 timestamp: no SET, a timestamp step', async () => {
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf2026 },
      rekor: rekorV2,
      timestamp: tsa,
    });
    const events = await bundleEvents(m);
    expect(checks(events)).toEqual([
      'parse',
      'digest',
      'signature',
      'timestamp',
      'log-inclusion-proof',
      'log-checkpoint',
      'log-body',
      'trusted-time',
      'certificate-chain',
      'identity',
    ]);
    expect(events[3]?.detail).toEqual({ times: [m.signingTime] });
  });

  it('a keyed bundle and a keyed .sig: no chain, no identity', async () => {
    const key = testKey('ecdsa-p256', 'bv-async-keyed');
    const keyTrust = mergeTrustRoots(parsePemTrustBundle(key.publicKeyPem), trust);
    const logged = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { key },
      rekor,
    });
    const keyedVerifier = createVerifier(keyTrust);
    const events = await stepsOf((onStep) =>
      keyedVerifier.verifyBundleAsync(logged.json, artifact, undefined, { onStep }),
    );
    expect(checks(events)).toEqual([
      'parse',
      'digest',
      'signature',
      'log-set',
      'log-inclusion-proof',
      'log-checkpoint',
      'log-body',
      'trusted-time',
    ]);
    expect(events[2]?.detail).toEqual({ signer: 'key', keyId: key.keyId });

    const offline = createVerifier(keyTrust, { rekor: { policy: 'disabled' } });
    const sig = mintKeyedSignature(artifact, key);
    const sigEvents = await stepsOf((onStep) =>
      offline.verifySignatureAsync(sig, artifact, { onStep }),
    );
    expect(checks(sigEvents)).toEqual(['parse', 'signature']);
  });

  it('a failure: the events stop before the failed step, the promise rejects with its code', async () => {
    const m = messageBundle;
    const events: VerificationProgress[] = [];
    const error = await verifier
      .verifyBundleAsync(
        m.json,
        artifact,
        { subjectAlternativeName: 'someone@else' },
        {
          onStep: (e) => events.push(e),
        },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(BundleVerifyError);
    expect(error).toMatchObject({ code: 'IDENTITY_MISMATCH', detail: { step: 'identity' } });
    expect(checks(events).at(-1)).toBe('certificate-chain');
  });

  it('never throws synchronously: bad arguments reject the promise', async () => {
    const call = () => verifier.verifyBundleAsync(42 as never, artifact, {});
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = call();
    }).not.toThrow();
    await expect(promise).rejects.toMatchObject({ code: 'BUNDLE_MALFORMED' });
    await expect(
      verifier.verifyBundleAsync('{}', artifact, {}, { onStep: 'x' as never }),
    ).rejects.toMatchObject({ code: 'ARGUMENT_INVALID', detail: { step: 'parse' } });
  });

  it('an exception thrown by onStep ends the verification with that exception', async () => {
    const m = messageBundle;
    const boom = new Error('page went away');
    await expect(
      verifier.verifyBundleAsync(
        m.json,
        artifact,
        {},
        {
          onStep: () => {
            throw boom;
          },
        },
      ),
    ).rejects.toBe(boom);
  });
});

const dir = vectorsDir();
const PUBLIC_GOOD = [
  'bundleV01-dsse-no-proof.sigstore',
  'bundleV01-full-cert-chain.sigstore',
  'bundleV02-intoto.sigstore',
  'bundleV03-dsse.sigstore',
] as const;

describe.skipIf(!dir)('onStep on real public-good bundles', () => {
  const root = parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json'));
  const pg = createVerifier(root);
  const policy = {
    subjectAlternativeName: 'brian@dehamer.com',
    issuer: 'https://github.com/login/oauth',
  };
  it.each(PUBLIC_GOOD)('%s: each check once, in pipeline order, SCT included', async (name) => {
    const text = readVector(join('sigstore', 'bundles', name));
    const events = await stepsOf((onStep) =>
      pg.verifyBundleAsync(text, undefined, policy, { onStep }),
    );
    const order: VerificationCheck[] = [
      'parse',
      'digest',
      'signature',
      'timestamp',
      'log-set',
      'log-inclusion-proof',
      'log-checkpoint',
      'log-body',
      'trusted-time',
      'certificate-chain',
      'sct',
      'identity',
    ];
    const seen = checks(events);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(seen);
    expect(seen).toEqual(expect.arrayContaining(['signature', 'log-body', 'sct', 'identity']));
    expect(events.find((e) => e.check === 'sct')?.detail).toEqual({ verified: 1 });
  });
});
