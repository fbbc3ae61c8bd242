import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { syncBackend } from './crypto/platform.js';
import { runCryptoSync, type SyncCryptoBackend, type VerifyRequest } from './crypto/seam.js';
import { TrustRootError } from './errors.js';
import { PUBLIC_GOOD_PASSED_CHECKS } from './generated/public-good.js';
import { validate } from './generated/trusted-root-validator.js';
import type { TrustRoot } from './model.js';
import { precheckedBackend, signatureCheckKey } from './prechecked.js';
import { loadPublicGood, publicGoodTrustedRootJson, publicGoodTrustRoot } from './public-good.js';
import { parseTrustedRoot, trustedRootTask } from './trusted-root.js';

const NAME = { name: 'sigstore public-good' };
const json = publicGoodTrustedRootJson.json;

/** Every signature request a full parse of `text` makes, with the real backend's answer. */
function recordedRequests(text: string): { request: VerifyRequest; passed: boolean }[] {
  const seen: { request: VerifyRequest; passed: boolean }[] = [];
  const recorder: SyncCryptoBackend = {
    name: 'recorder',
    verify(request) {
      const passed = syncBackend.verify(request);
      seen.push({ request, passed });
      return passed;
    },
  };
  runCryptoSync(trustedRootTask('parseTrustedRoot', text, NAME), recorder);
  return seen;
}

/** Every runtime key of a root, read through its compatibility fields. */
function runtimeKeys(root: TrustRoot): KeyObject[] {
  return [
    ...[...root.tlogs, ...root.ctlogs].map((l) => l.key.keyObject as KeyObject),
    ...[...root.certificateAuthorities, ...root.timestampAuthorities].flatMap((a) =>
      a.certificates.map((c) => c.publicKey as KeyObject),
    ),
  ];
}

/** The embedded JSON with one byte of a certificate's signature flipped. */
function withTamperedSignature(field: 'certificateAuthorities' | 'timestampAuthorities'): string {
  const doc = JSON.parse(json);
  const authority = doc[field].find(
    (a: { certChain: { certificates: unknown[] } }) => a.certChain.certificates.length > 1,
  );
  const cert = authority.certChain.certificates[0];
  const der = Buffer.from(cert.rawBytes, 'base64');
  const at = der.length - 3; // inside the signature BIT STRING, the last field
  der[at] = (der[at] as number) ^ 0x01;
  cert.rawBytes = der.toString('base64');
  return JSON.stringify(doc);
}

describe('public-good root: build-time checks, deferred key imports', () => {
  it('equals a full parseTrustedRoot of the same text, field by field', () => {
    const fast = loadPublicGood().root;
    const full = parseTrustedRoot(json, NAME);
    expect(fast).toEqual(full);
    expect(fast.summary()).toEqual(full.summary());
    const [a, b] = [runtimeKeys(fast), runtimeKeys(full)];
    expect(a).toHaveLength(b.length);
    for (const [i, key] of a.entries()) expect(key.equals(b[i] as KeyObject)).toBe(true);
  });

  it('skips only a schema check the embedded text passes', () => {
    expect(validate(JSON.parse(json))).toBe(true);
  });

  it('answers every certificate check of the embedded root from the build-time record', () => {
    const { backend } = loadPublicGood();
    expect(backend.fallbacks).toBe(0);
  });

  it('records exactly the checks a full parse passes, under the same keys', () => {
    const seen = recordedRequests(json);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.passed)).toBe(true);
    expect(new Set(seen.map((s) => signatureCheckKey(s.request)))).toEqual(
      new Set(PUBLIC_GOOD_PASSED_CHECKS),
    );
  });

  it('verifies what the record does not hold: a tampered chain is refused as by parseTrustedRoot', () => {
    for (const field of ['certificateAuthorities', 'timestampAuthorities'] as const) {
      const text = withTamperedSignature(field);
      const backend = precheckedBackend(new Set(PUBLIC_GOOD_PASSED_CHECKS), syncBackend);
      let fast: unknown;
      let full: unknown;
      try {
        runCryptoSync(
          trustedRootTask('parseTrustedRoot', text, NAME, { deferRuntimeKey: true }),
          backend,
        );
      } catch (error) {
        fast = error;
      }
      try {
        parseTrustedRoot(text, NAME);
      } catch (error) {
        full = error;
      }
      expect(fast).toBeInstanceOf(TrustRootError);
      expect((fast as TrustRootError).code).toBe('CERTIFICATE_CHAIN_INVALID');
      expect((fast as TrustRootError).message).toBe((full as TrustRootError).message);
      expect((fast as TrustRootError).detail).toEqual((full as TrustRootError).detail);
      expect(backend.fallbacks).toBeGreaterThan(0);
    }
  });

  it('answers a recorded check false when the key does not fit the scheme, like every backend', () => {
    const { request } = recordedRequests(json)[0] as { request: VerifyRequest };
    const backend = precheckedBackend(new Set([signatureCheckKey(request)]), syncBackend);
    expect(backend.verify(request)).toBe(true);
    const misfit = { ...request, scheme: { kind: 'ed25519' } } as VerifyRequest;
    expect(backend.verify(misfit)).toBe(false);
    const otherBytes = { ...request, data: Uint8Array.of(...request.data, 0) };
    expect(backend.verify(otherBytes)).toBe(false);
    expect(backend.fallbacks).toBe(2);
  });

  it('imports each key once, on first use, and keeps returning the same object', () => {
    const root = publicGoodTrustRoot();
    const log = root.tlogs[0];
    const cert = root.certificateAuthorities[0]?.certificates[0];
    expect(log?.key.keyObject).toBe(log?.key.keyObject);
    expect(log?.key.keyObject.type).toBe('public');
    expect(cert?.publicKey).toBe(cert?.publicKey);
    expect(Object.isFrozen(log?.key)).toBe(true);
    expect(Object.keys(log?.key ?? {})).toEqual(
      Object.keys(parseTrustedRoot(json, NAME).tlogs[0]?.key ?? {}),
    );
  });
});
