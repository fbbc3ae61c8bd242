import { createHash } from 'node:crypto';
import {
  buildTrustedRoot,
  createFulcioChain,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  mintKeyedSignature,
  mintLegacyCosignBundle,
  mintSigstoreBundle,
  TestRekorV1,
  TestTimestampAuthority,
  testKey,
} from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { flareo, json, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const artifact = new TextEncoder().encode('flareo cli artifact v1.0.0\n');
const artifactPath = scratch.write('artifact.txt', artifact);
const sha256 = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
const tampered = scratch.write(
  'tampered.txt',
  new TextEncoder().encode('flareo cli artifact v1.0.1\n'),
);

// KEYED: a raw .sig sidecar and the key that made it, plus a key that did not.
const key = testKey('ecdsa-p256', 'cli-keyed');
const keyPath = scratch.write('cosign.pub', key.publicKeyPem);
const otherKeyPath = scratch.write('other.pub', testKey('ecdsa-p256', 'cli-other').publicKeyPem);
const sigPath = scratch.write('artifact.txt.sig', mintKeyedSignature(artifact, key));
const keyedArgs = ['verify', '--key', keyPath, '--signature', sigPath];

// A private Fulcio-like CA and a Rekor v1 log: PEM trust bundle + rekor.pub, and trusted_root.json.
const chain = createFulcioChain({ seed: 'cli-private-ca' });
const rekor = new TestRekorV1({ seed: 'cli-rekor' });
const caPem = scratch.write('ca.pem', `${chain.intermediate.pem}\n${chain.root.pem}`);
const rekorPub = scratch.write('rekor.pub', rekor.publicKeyPem);
const trustedRoot = scratch.write('trusted_root.json', {
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
});
const leaf = chain.leaf();
const legacyBundle = scratch.write(
  'artifact.cosign.bundle',
  mintLegacyCosignBundle({ artifact, signer: { certificate: leaf }, rekor }),
);
const v3Bundle = scratch.write(
  'artifact.sigstore.json',
  mintSigstoreBundle({
    version: '0.3',
    content: { kind: 'message', artifact },
    signer: { certificate: leaf },
    rekor,
  }).json,
);
// A long-lived private certificate, no Rekor at all: only the current time can vouch for it.
const now = Date.now();
const longLived = chain.leaf({
  seed: 'cli-long-lived',
  notBefore: new Date(now - 86_400_000),
  notAfter: new Date(now + 365 * 86_400_000),
});
const noLogBundle = scratch.write(
  'nolog.cosign.bundle',
  mintLegacyCosignBundle({ artifact, signer: { certificate: longLived }, rekor: null }),
);

const identity = [
  '--certificate-identity',
  DEFAULT_WORKFLOW_URI,
  '--certificate-oidc-issuer',
  DEFAULT_OIDC_ISSUER,
];

describe('flareo verify: KEYED signatures', () => {
  it('verifies a .sig with --key (path and digest), and fails with the wrong key', async () => {
    const [ok, byDigest, asJson, wrong, noKey] = await Promise.all([
      // Verified with the key alone: the log lookup of a keyed signature is tested in
      // rekor-lookup.test.ts; both spellings of "no log evidence needed" are used here.
      flareo([
        'verify',
        '--key',
        keyPath,
        '--signature',
        sigPath,
        '--insecure-ignore-tlog',
        artifactPath,
      ]),
      flareo([
        'verify',
        '--key',
        keyPath,
        '--signature',
        sigPath,
        '--rekor-policy',
        'disabled',
        sha256,
      ]),
      flareo([...keyedArgs, '--insecure-ignore-tlog', '--json', artifactPath]),
      flareo(['verify', '--key', otherKeyPath, '--signature', sigPath, artifactPath]),
      flareo(['verify', '--signature', sigPath, artifactPath]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('✓ Verified OK');
    expect(ok.stdout).toContain(`public key ${key.keyId}`);
    expect(ok.stdout).toContain('policy disabled');
    expect(byDigest.code, byDigest.stderr).toBe(0);
    const j = json(asJson);
    expect(j).toMatchObject({
      verified: true,
      artifact: artifactPath,
      signature: sigPath,
      result: { format: 'keyed-signature', signer: { kind: 'key', keyId: key.keyId } },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('UNTRUSTED_SIGNER');
    expect(wrong.stderr).toMatch(/missing: +the PUBLIC KEY that made this signature/);
    expect(wrong.stderr).toMatch(/hint: .*--key FILE/);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--signature needs the signer’s public key');
  });

  it('a changed artifact fails with the code, expectation and finding', async () => {
    const r = await flareo([...keyedArgs, '--json', tampered]);
    expect(r.code).toBe(1);
    const j = json(r);
    expect(j.verified).toBe(false);
    expect(j.error).toMatchObject({ code: 'UNTRUSTED_SIGNER', step: 'trust' });
    expect((j.error as { hint?: string }).hint).toMatch(/--key/);
  });
});

describe('flareo verify: private CA, cosign and Sigstore bundles', () => {
  it('PEM trust root + --rekor-key: a legacy cosign bundle under require-set', async () => {
    const [ok, inclusion, noRekorKey] = await Promise.all([
      flareo([
        'verify',
        '--trust-root',
        caPem,
        '--rekor-key',
        rekorPub,
        '--rekor-policy',
        'require-set',
        '--bundle',
        legacyBundle,
        ...identity,
        artifactPath,
      ]),
      flareo([
        'verify',
        '--trust-root',
        caPem,
        '--rekor-key',
        rekorPub,
        '--rekor-policy',
        'require-inclusion-proof',
        '--bundle',
        legacyBundle,
        ...identity,
        artifactPath,
      ]),
      flareo([
        'verify',
        '--trust-root',
        caPem,
        '--bundle',
        legacyBundle,
        ...identity,
        '--json',
        artifactPath,
      ]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('legacy cosign bundle');
    expect(ok.stdout).toMatch(
      new RegExp(`identity +${DEFAULT_WORKFLOW_URI.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(ok.stdout).toContain('policy require-set');
    expect(inclusion.code).toBe(1);
    expect(inclusion.stderr).toContain('INCLUSION_PROOF_INVALID');
    expect(noRekorKey.code).toBe(1);
    const j = json(noRekorKey);
    expect(j.error).toMatchObject({ code: 'TLOG_UNTRUSTED', step: 'tlog' });
    expect((j.error as { hint: string }).hint).toContain('--rekor-key');
    expect((j.error as { missing: string }).missing).toContain('transparency log');
  });

  it('trusted_root.json: a v0.3 bundle, exact and regexp identities, a mismatch and a tampered artifact', async () => {
    const [exact, regexp, mismatch, tamper, anyIdentity] = await Promise.all([
      flareo([
        'verify',
        '--trust-root',
        trustedRoot,
        '--bundle',
        v3Bundle,
        ...identity,
        '--json',
        artifactPath,
      ]),
      flareo([
        'verify',
        '--trust-root',
        trustedRoot,
        '--bundle',
        v3Bundle,
        '--certificate-identity-regexp',
        'https://github\\.com/.*',
        '--certificate-oidc-issuer-regexp',
        'https://token\\.actions\\..*',
        sha256,
      ]),
      flareo([
        'verify',
        '--trust-root',
        trustedRoot,
        '--bundle',
        v3Bundle,
        '--certificate-identity',
        'https://github.com/mallory/x',
        '--certificate-oidc-issuer',
        DEFAULT_OIDC_ISSUER,
        artifactPath,
      ]),
      flareo(['verify', '--trust-root', trustedRoot, '--bundle', v3Bundle, ...identity, tampered]),
      flareo(['verify', '--trust-root', trustedRoot, '--bundle', v3Bundle, artifactPath]),
    ]);
    expect(exact.code, exact.stderr).toBe(0);
    expect(json(exact)).toMatchObject({
      verified: true,
      bundle: v3Bundle,
      trust: [`trusted_root.json ${trustedRoot}`],
      result: {
        format: 'sigstore-bundle-v0.3',
        content: 'message-signature',
        signer: {
          kind: 'certificate',
          subjectAlternativeNames: [DEFAULT_WORKFLOW_URI],
          issuer: DEFAULT_OIDC_ISSUER,
        },
        tlog: {
          policy: 'require-any',
          entries: [{ kind: 'hashedrekord', checks: { set: true, inclusionProof: true } }],
        },
      },
    });
    expect(regexp.code, regexp.stderr).toBe(0);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('IDENTITY_MISMATCH');
    expect(mismatch.stderr).toContain('expected: "https://github.com/mallory/x"');
    expect(mismatch.stderr).toContain(`found:    ["${DEFAULT_WORKFLOW_URI}"]`);
    expect(tamper.code).toBe(1);
    expect(tamper.stderr).toContain('DIGEST_MISMATCH');
    // No identity with a private trust root: accepted, with a warning.
    expect(anyIdentity.code, anyIdentity.stderr).toBe(0);
    expect(anyIdentity.stderr).toContain('any signer the trust root vouches for is accepted');
  });

  it('no Rekor: TIME_SOURCE_MISSING with a hint, verified with --use-current-time', async () => {
    const base = ['verify', '--trust-root', caPem, '--bundle', noLogBundle, ...identity];
    const [required, noTime, current] = await Promise.all([
      flareo([...base, '--offline', artifactPath]),
      flareo([...base, '--rekor-policy', 'disabled', artifactPath]),
      flareo([...base, '--rekor-policy', 'disabled', '--use-current-time', artifactPath]),
    ]);
    expect(required.code).toBe(1);
    expect(required.stderr).toContain('TLOG_MISSING');
    expect(required.stderr).toMatch(/hint: .*--rekor-policy disabled/);
    expect(noTime.code).toBe(1);
    expect(noTime.stderr).toContain('TIME_SOURCE_MISSING');
    expect(noTime.stderr).toContain('--use-current-time');
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toMatch(/times +.*\(current\)/);
  });

  it('the public-good root does not vouch for a private CA, and says what to pass', async () => {
    const r = await flareo(['verify', '--bundle', v3Bundle, ...identity, artifactPath]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TLOG_UNTRUSTED|UNTRUSTED_SIGNER/);
    expect(r.stderr).toContain('hint:');
  });
});

describe('flareo verify --rfc3161-timestamp (cosign sign-blob --timestamp-server-url)', () => {
  // A private CA and a TSA, no Rekor: cosign writes the bundle and the timestamp side by side.
  const tsa = new TestTimestampAuthority({ seed: 'cli-tsa' });
  const tsaRoot = scratch.write(
    'tsa_trusted_root.json',
    buildTrustedRoot({
      certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
      timestampAuthorities: [{ chain: [...tsa.chain] }],
    }),
  );
  const { rfc3161Timestamp, ...stampedBundle } = mintLegacyCosignBundle({
    artifact,
    signer: { certificate: leaf },
    rekor: null,
    timestamp: tsa,
  });
  const bundlePath = scratch.write('stamped.cosign.bundle', stampedBundle);
  const timestampPath = scratch.write('stamped.tsr.json', rfc3161Timestamp ?? {});
  const token = Buffer.from(rfc3161Timestamp?.SignedRFC3161Timestamp ?? '', 'base64');
  token[token.length - 3] = (token[token.length - 3] ?? 0) ^ 0x01;
  const tamperedPath = scratch.write('tampered.tsr.json', {
    SignedRFC3161Timestamp: token.toString('base64'),
  });
  const base = ['verify', '--trust-root', tsaRoot, '--rekor-policy', 'disabled', ...identity];
  const stampedRun = (bundle: string, timestamp: string, ...extra: string[]) =>
    flareo([...base, '--bundle', bundle, '--rfc3161-timestamp', timestamp, ...extra, artifactPath]);

  it('the timestamp file is the trusted time; without it there is none', async () => {
    const [ok, without] = await Promise.all([
      stampedRun(bundlePath, timestampPath, '--json'),
      flareo([...base, '--bundle', bundlePath, artifactPath]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const report = json(ok) as {
      rfc3161Timestamp: string;
      result: { times: { source: string }[] };
    };
    expect(report.rfc3161Timestamp).toBe(timestampPath);
    expect(report.result.times.map((t) => t.source)).toEqual(['timestamp']);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('TIME_SOURCE_MISSING');
  });

  it('a tampered or malformed timestamp fails; misuse and files that are not JSON exit 2', async () => {
    const notJson = scratch.write('notjson.tsr.json', '{nope');
    const wrongShape = scratch.write('shape.tsr.json', { signedRFC3161Timestamp: 'AA==' });
    // A bundle that already carries a timestamp: which one to use would be a guess.
    const both = scratch.write('both.cosign.bundle', { ...stampedBundle, rfc3161Timestamp });
    const [tamper, sigstore, keyed, broken, shape, twice] = await Promise.all([
      stampedRun(bundlePath, tamperedPath),
      stampedRun(v3Bundle, timestampPath),
      flareo([...keyedArgs, '--rfc3161-timestamp', timestampPath, artifactPath]),
      stampedRun(bundlePath, notJson),
      stampedRun(bundlePath, wrongShape),
      stampedRun(both, timestampPath),
    ]);
    expect(tamper.code).toBe(1);
    expect(tamper.stderr).toContain('TIMESTAMP_INVALID');
    expect(sigstore.code).toBe(2);
    expect(sigstore.stderr).toContain('--rfc3161-timestamp goes with a legacy cosign bundle');
    expect(keyed.code).toBe(2);
    expect(keyed.stderr).toContain('--rfc3161-timestamp goes with a legacy cosign bundle');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('JSON_INVALID');
    // Like any malformed bundle field, a timestamp of the wrong shape fails verification.
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain('BUNDLE_MALFORMED');
    expect(shape.stderr).toContain('SignedRFC3161Timestamp');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already holds an rfc3161Timestamp');
  });
});

describe('flareo verify: usage and unreadable input exit 2', () => {
  it('rejects bad combinations, digests, files and flags', async () => {
    const runs = await Promise.all([
      flareo(['verify', '--key', keyPath, artifactPath]),
      flareo([...keyedArgs, '--bundle', v3Bundle, artifactPath]),
      flareo(['verify', '--key', keyPath, '--signature', sigPath, 'sha256:abc']),
      flareo(['verify', '--key', keyPath, '--signature', sigPath, scratch.path('missing.txt')]),
      flareo(['verify', '--bundle', v3Bundle, artifactPath]),
      flareo(['verify', '--trust-root', trustedRoot, '--bundle', sigPath, artifactPath]),
      flareo(['verify', '--trust-root', sigPath, '--bundle', v3Bundle, artifactPath]),
      flareo([
        'verify',
        '--rekor-policy',
        'sometimes',
        '--key',
        keyPath,
        '--signature',
        sigPath,
        artifactPath,
      ]),
      flareo(['verify', '--no-such-flag', artifactPath]),
      flareo([
        'verify',
        '--trust-root',
        trustedRoot,
        '--bundle',
        v3Bundle,
        '--certificate-identity-regexp',
        '(',
        artifactPath,
      ]),
      flareo([
        'verify',
        '--trust-root',
        trustedRoot,
        '--bundle',
        v3Bundle,
        '--certificate-identity',
        'a',
        '--certificate-identity-regexp',
        'b',
        artifactPath,
      ]),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(2);
    const [
      noInput,
      both,
      shortDigest,
      missing,
      noIdentity,
      notJson,
      badTrust,
      badChoice,
      unknown,
      badRegexp,
    ] = runs;
    expect(noInput?.stderr).toContain('exactly one of --bundle FILE or --signature FILE');
    expect(both?.stderr).toContain('exactly one of');
    expect(shortDigest?.stderr).toContain('expected: sha256:<64 hex digits>');
    expect(missing?.stderr).toContain('INPUT_UNREADABLE');
    expect(missing?.stderr).toContain('no such file');
    expect(noIdentity?.stderr).toContain('--certificate-identity');
    expect(notJson?.stderr).toContain('JSON_INVALID');
    expect(badTrust?.stderr).toMatch(/PEM_|trust root/);
    expect(badChoice?.stderr).toContain('sometimes');
    expect(unknown?.stderr).toContain("unknown option '--no-such-flag'");
    expect(badRegexp?.stderr).toContain('not a valid regular expression');
  });

  it('--json reports usage errors as { error } on stdout', async () => {
    const r = await flareo(['verify', '--json', '--key', keyPath, artifactPath]);
    expect(r.code).toBe(2);
    expect(json(r)).toMatchObject({ error: { code: 'USAGE' } });
  });

  it('reads the artifact from standard input with -', async () => {
    const r = await flareo([...keyedArgs, '--insecure-ignore-tlog', '-'], {
      input: artifact,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(stdin)');
  });
});

describe('flareo verify-bundle (conformance protocol)', () => {
  it('keyed and certificate modes with --trusted-root; usage errors', async () => {
    const keyedBundle = scratch.write(
      'keyed.sigstore.json',
      mintSigstoreBundle({
        version: '0.3',
        content: { kind: 'message', artifact },
        signer: { key },
        rekor,
      }).json,
    );
    const [cert, keyed, wrong, neither, both] = await Promise.all([
      flareo([
        'verify-bundle',
        '--bundle',
        v3Bundle,
        ...identity,
        '--trusted-root',
        trustedRoot,
        artifactPath,
      ]),
      flareo([
        'verify-bundle',
        '--bundle',
        keyedBundle,
        '--key',
        keyPath,
        '--trusted-root',
        trustedRoot,
        sha256,
      ]),
      flareo([
        'verify-bundle',
        '--bundle',
        v3Bundle,
        '--certificate-identity',
        'x@example.com',
        '--certificate-oidc-issuer',
        DEFAULT_OIDC_ISSUER,
        '--trusted-root',
        trustedRoot,
        artifactPath,
      ]),
      flareo(['verify-bundle', '--bundle', v3Bundle, artifactPath]),
      flareo(['verify-bundle', '--bundle', v3Bundle, '--key', keyPath, ...identity, artifactPath]),
    ]);
    expect(cert.code, cert.stderr).toBe(0);
    expect(cert.stdout).toContain('✓ verified');
    expect(keyed.code, keyed.stderr).toBe(0);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('IDENTITY_MISMATCH');
    expect(neither.code).toBe(2);
    expect(both.code).toBe(2);
  });
});
