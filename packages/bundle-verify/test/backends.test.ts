import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  buildTrustedRoot,
  createFulcioChain,
  mintKeyedSignature,
  mintLegacyCosignBundle,
  mintSigstoreBundle,
  readVector,
  type TestKeyType,
  TestRekorV1,
  TestRekorV2,
  TestTimestampAuthority,
  testKey,
  vectorsDir,
} from '@flareo/testkit';
import {
  mergeTrustRoots,
  nobleCryptoBackend,
  parsePemTrustBundle,
  parseTrustedRoot,
  type TrustRoot,
  webCryptoBackend,
} from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError } from '../src/index.js';
import { syncBackend as nodeBackend } from '../src/platform.js';
import { type BundleVerifier, createVerifierWith, type VerifierOptions } from '../src/verifier.js';

// Differential suite: the one pipeline run on Node's backend (`node:crypto`, the synchronous
// methods) and on the WebCrypto backend (`runCryptoAsync`, what browsers and workers use)
// must agree on every bundle of the corpus and on its mutations: the same result, or the same
// error code and step. For ECDSA and Ed25519 the synchronous @noble backend (the synchronous
// methods outside Node) must agree too. Any difference fails.

// biome-ignore lint/suspicious/noExplicitAny: tests reach into protobuf-JSON bundles to tamper with them
type Json = any;

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; step: string };

const outcomeOf = (error: unknown): Outcome => {
  if (!(error instanceof BundleVerifyError)) throw error;
  return { ok: false, code: error.code, step: error.detail.step };
};

interface Case {
  readonly name: string;
  readonly trust: TrustRoot;
  readonly options?: VerifierOptions;
  readonly call: (v: BundleVerifier, kind: 'sync' | 'async') => unknown;
  /** Leave out the synchronous @noble run (RSA: it cannot answer synchronously). */
  readonly rsa?: boolean;
}

const verifiers = new Map<string, [BundleVerifier, BundleVerifier]>();
function trio(c: Case) {
  const key = c.name.split(' #')[0] as string;
  let found = verifiers.get(key);
  if (!found) {
    const options = { now: () => new Date('2026-12-01T00:00:00Z'), ...c.options };
    found = [
      createVerifierWith(c.trust, options, { sync: nodeBackend, async: webCryptoBackend }),
      createVerifierWith(c.trust, options, { sync: nobleCryptoBackend, async: webCryptoBackend }),
    ];
    verifiers.set(key, found);
  }
  return found;
}

async function compare(c: Case): Promise<Outcome> {
  const [nodeAndWeb, noble] = trio(c);
  let node: Outcome;
  try {
    node = { ok: true, value: c.call(nodeAndWeb, 'sync') };
  } catch (error) {
    node = outcomeOf(error);
  }
  let web: Outcome;
  try {
    web = { ok: true, value: await c.call(nodeAndWeb, 'async') };
  } catch (error) {
    web = outcomeOf(error);
  }
  expect(web, `${c.name}: WebCrypto vs node:crypto`).toEqual(node);
  if (!c.rsa) {
    let pure: Outcome;
    try {
      pure = { ok: true, value: c.call(noble, 'sync') };
    } catch (error) {
      pure = outcomeOf(error);
    }
    expect(pure, `${c.name}: @noble vs node:crypto`).toEqual(node);
  }
  return node;
}

const bundleCall =
  (json: unknown, artifact: Uint8Array | { digest: string } | undefined, policy?: object) =>
  (v: BundleVerifier, kind: 'sync' | 'async') =>
    kind === 'sync'
      ? v.verifyBundle(structuredClone(json) as object, artifact, policy)
      : v.verifyBundleAsync(structuredClone(json) as object, artifact, policy);

/** Flip one bit of a base64 field's bytes at `at` (a fraction of its length). */
function flip(text: string, at: number): string {
  const bytes = Buffer.from(text, 'base64');
  const i = Math.min(bytes.length - 1, Math.floor(bytes.length * at));
  bytes[i] = (bytes[i] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

/** The signed parts of a Sigstore bundle, as paths to a base64 field (when present). */
const FIELDS: Record<string, (b: Json) => [Json, string] | undefined> = {
  signature: (b) =>
    b.dsseEnvelope ? [b.dsseEnvelope.signatures[0], 'sig'] : [b.messageSignature, 'signature'],
  certificate: (b) =>
    b.verificationMaterial.certificate
      ? [b.verificationMaterial.certificate, 'rawBytes']
      : b.verificationMaterial.x509CertificateChain
        ? [b.verificationMaterial.x509CertificateChain.certificates[0], 'rawBytes']
        : undefined,
  SET: (b) => {
    const p = b.verificationMaterial.tlogEntries?.[0]?.inclusionPromise;
    return p ? [p, 'signedEntryTimestamp'] : undefined;
  },
  proof: (b) => {
    const p = b.verificationMaterial.tlogEntries?.[0]?.inclusionProof;
    return p ? [p, 'rootHash'] : undefined;
  },
  body: (b) => {
    const e = b.verificationMaterial.tlogEntries?.[0];
    return e ? [e, 'canonicalizedBody'] : undefined;
  },
  timestamp: (b) => {
    const t = b.verificationMaterial.timestampVerificationData?.rfc3161Timestamps?.[0];
    return t ? [t, 'signedTimestamp'] : undefined;
  },
};
const POSITIONS = [0.05, 0.5, 0.97];

/** The bundle and its mutations: each signed part, a bit flipped at a few places. */
function withMutations(
  name: string,
  json: Json,
  make: (json: Json) => Case['call'],
  base: Omit<Case, 'name' | 'call'>,
): Case[] {
  const cases: Case[] = [{ ...base, name, call: make(json) }];
  for (const [field, path] of Object.entries(FIELDS)) {
    if (!path(json)) continue;
    for (const at of POSITIONS) {
      const mutated = structuredClone(json);
      const [holder, key] = path(mutated) as [Json, string];
      holder[key] = flip(holder[key], at);
      cases.push({ ...base, name: `${name} #${field}@${at}`, call: make(mutated) });
    }
  }
  const checkpoint = json.verificationMaterial.tlogEntries?.[0]?.inclusionProof?.checkpoint;
  if (checkpoint) {
    for (const at of POSITIONS) {
      const mutated = structuredClone(json);
      const cp = mutated.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint;
      const i = Math.floor(cp.envelope.length * at);
      cp.envelope =
        cp.envelope.slice(0, i) + (cp.envelope[i] === 'A' ? 'B' : 'A') + cp.envelope.slice(i + 1);
      cases.push({ ...base, name: `${name} #checkpoint@${at}`, call: make(mutated) });
    }
  }
  return cases;
}

// The minted world: a Fulcio-like CA, Rekor v1 and v2, a TSA; keys of every supported type.
const enc = new TextEncoder();
const artifact = enc.encode('flareo differential module v1\n');
const chain = createFulcioChain({ seed: 'bv-backends' });
const leaf = chain.leaf();
const leaf2026 = chain.leaf({ notBefore: new Date('2026-03-01T00:00:00Z') });
const rekor = new TestRekorV1({ seed: 'bv-backends-rekor-v1' });
const rekorV2 = new TestRekorV2({ seed: 'bv-backends-rekor-v2' });
const tsa = new TestTimestampAuthority({ seed: 'bv-backends-tsa' });
const trust = parseTrustedRoot({
  ...buildTrustedRoot({
    certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
    timestampAuthorities: [{ chain: [...tsa.chain] }],
  }),
  tlogs: [rekor.transparencyLogInstance(), rekorV2.transparencyLogInstance()],
});
const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

const minted: Case[] = [];
for (const version of ['0.1', '0.2', '0.3'] as const) {
  for (const kind of ['message', 'dsse'] as const) {
    const m = mintSigstoreBundle({
      version,
      content: { kind, artifact },
      signer: { certificate: leaf },
      rekor,
    });
    minted.push(
      ...withMutations(`keyless v${version} ${kind}`, m.json, (j) => bundleCall(j, artifact, {}), {
        trust,
      }),
    );
  }
}
for (const kind of ['message', 'dsse'] as const) {
  const m = mintSigstoreBundle({
    version: '0.3',
    content: { kind, artifact },
    signer: { certificate: leaf2026 },
    rekor: rekorV2,
    timestamp: tsa,
  });
  minted.push(
    ...withMutations(`Rekor v2 + TSA ${kind}`, m.json, (j) => bundleCall(j, artifact, {}), {
      trust,
    }),
  );
}
const KEY_TYPES: TestKeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'rsa-2048'];
for (const type of KEY_TYPES) {
  const key = testKey(type, `bv-backends-${type}`);
  const keyTrust = mergeTrustRoots(parsePemTrustBundle(key.publicKeyPem), trust);
  const rsa = type.startsWith('rsa');
  for (const kind of ['message', 'dsse'] as const) {
    const m = mintSigstoreBundle({
      version: '0.3',
      content: { kind, artifact },
      signer: { key },
      rekor,
    });
    minted.push(
      ...withMutations(`keyed ${type} ${kind}`, m.json, (j) => bundleCall(j, artifact), {
        trust: keyTrust,
        rsa,
      }),
    );
  }
  const sig = mintKeyedSignature(artifact, key);
  const offline = { rekor: { policy: 'disabled' as const } };
  minted.push({
    name: `.sig ${type}`,
    trust: keyTrust,
    options: offline,
    rsa,
    call: (v, k) =>
      k === 'sync' ? v.verifySignature(sig, artifact) : v.verifySignatureAsync(sig, artifact),
  });
  // Only a digest: ECDSA over the given digest, RSA by its encoded digest; Ed25519 cannot.
  const digest = { digest: sha256(artifact) };
  minted.push({
    name: `.sig ${type} over a digest`,
    trust: keyTrust,
    options: offline,
    rsa,
    call: (v, k) =>
      k === 'sync' ? v.verifySignature(sig, digest) : v.verifySignatureAsync(sig, digest),
  });
  const bad = Buffer.from(sig, 'base64');
  bad[bad.length >> 1] = (bad[bad.length >> 1] ?? 0) ^ 1;
  const badSig = bad.toString('base64');
  minted.push({
    name: `.sig ${type} tampered`,
    trust: keyTrust,
    options: offline,
    rsa,
    call: (v, k) =>
      k === 'sync' ? v.verifySignature(badSig, digest) : v.verifySignatureAsync(badSig, digest),
  });
}
const legacy = mintLegacyCosignBundle({
  artifact,
  signer: { certificate: leaf },
  rekor,
  timestamp: tsa,
});
minted.push({ name: 'legacy cosign bundle', trust, call: bundleCall(legacy, artifact, {}) });

describe('differential: node:crypto vs WebCrypto (and @noble) on minted bundles', () => {
  it('covers every kind, with mutations of each signed part', () => {
    expect(minted.length).toBeGreaterThan(150);
  });
  it.each(minted.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const outcome = await compare(c);
    // Unmutated cases verify, except what cannot: Ed25519 needs the bytes, not a digest. (A
    // mutation may land in a part nobody signs, such as a certificate a timestamp token
    // carries but is never trusted for: only agreement is required of mutations.)
    if (!c.name.includes('#')) {
      expect(outcome.ok).toBe(!/tampered|ed25519 over a digest/.test(c.name));
    }
  });
});

const dir = vectorsDir();
const PUBLIC_GOOD = [
  'bundleV01-dsse-no-proof.sigstore',
  'bundleV01-dsse-with-proof.sigstore',
  'bundleV01-full-cert-chain.sigstore',
  'bundleV01-intoto-no-proof.sigstore',
  'bundleV01-intoto-with-proof.sigstore',
  'bundleV02-dsse.sigstore',
  'bundleV02-intoto.sigstore',
  'bundleV03-dsse.sigstore',
  'bundleV03-intoto.sigstore',
];

describe.skipIf(!dir)('differential: node:crypto vs WebCrypto on the public-good bundles', () => {
  const root = dir ? parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json')) : trust;
  const policy = {
    subjectAlternativeName: 'brian@dehamer.com',
    issuer: 'https://github.com/login/oauth',
  };
  const cases = dir
    ? PUBLIC_GOOD.flatMap((name) =>
        withMutations(
          name,
          JSON.parse(readVector(join('sigstore', 'bundles', name))),
          (j) => bundleCall(j, undefined, policy),
          { trust: root },
        ),
      )
    : [];
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const outcome = await compare(c);
    expect(outcome.ok).toBe(!c.name.includes('#'));
  });
});
