import {
  buildTrustedRoot,
  createFulcioChain,
  mintSigstoreBundle,
  TestRekorV1,
  TestTimestampAuthority,
  testKey,
} from '@flareo/testkit';
import { publicGoodTrustRoot } from '@flareo/trust-root';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../src/errors.js';
import { loadTrust, planTrust, withoutSignerAnchors } from '../src/trust.js';
import { flareo, Scratch } from './helpers.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const artifact = new TextEncoder().encode('keyed artifact with a timestamp\n');
const artifactPath = scratch.write('artifact.txt', artifact);
const key = testKey('ecdsa-p256', 'cli-keyed-tsa');
const keyPath = scratch.write('key.pub', key.publicKeyPem);
const chain = createFulcioChain({ seed: 'cli-keyed-ca' });
const rekor = new TestRekorV1({ seed: 'cli-keyed-rekor' });
const tsa = new TestTimestampAuthority({ seed: 'cli-keyed-tsa' });
const trustedRoot = scratch.write('trusted_root.json', {
  ...buildTrustedRoot({
    certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
    timestampAuthorities: [{ chain: [...tsa.chain] }],
  }),
  tlogs: [rekor.transparencyLogInstance()],
});

describe('--key adds the key to the trust root instead of replacing it (conformance regression)', () => {
  it('without a trust root: the key plus the public-good logs and timestamp authorities', async () => {
    const plan = await planTrust({ key: [keyPath] });
    const root = await loadTrust(plan);
    const publicGood = publicGoodTrustRoot();
    expect(publicGood.timestampAuthorities.length).toBeGreaterThan(0);
    expect(root.timestampAuthorities).toHaveLength(publicGood.timestampAuthorities.length);
    expect(root.tlogs).toHaveLength(publicGood.tlogs.length);
    expect(root.certificateAuthorities).toHaveLength(0);
    expect(plan.sources).toEqual([
      `key ${keyPath}`,
      'embedded Sigstore public-good transparency logs and timestamp authorities',
    ]);
  });

  it('with --trust-root: the key plus that root’s logs and TSAs, never its CAs', async () => {
    const root = await loadTrust(await planTrust({ key: [keyPath], trustRoot: [trustedRoot] }));
    expect(root.timestampAuthorities).toHaveLength(1);
    expect(root.tlogs).toHaveLength(1);
    expect(root.certificateAuthorities).toHaveLength(0);
    const keyless = await loadTrust(await planTrust({ trustRoot: [trustedRoot] }));
    expect(keyless.certificateAuthorities).toHaveLength(1);
  });

  it('leaves text that is not a JSON object for the trusted-root reader to refuse', () => {
    expect(withoutSignerAnchors('{"mediaType":')).toBe('{"mediaType":');
    expect(withoutSignerAnchors('[]')).toBe('[]');
    expect(JSON.parse(withoutSignerAnchors('{"a":1,"certificateAuthorities":[{}]}'))).toEqual({
      a: 1,
      certificateAuthorities: [],
      ctlogs: [],
    });
  });

  it('verify-bundle --key: a managed-key bundle timed by the root’s TSA verifies', async () => {
    const bundle = scratch.write(
      'keyed-tsa.sigstore.json',
      mintSigstoreBundle({
        version: '0.3',
        content: { kind: 'message', artifact },
        signer: { key },
        rekor,
        timestamp: tsa,
      }).json,
    );
    const r = await flareo([
      'verify-bundle',
      '--bundle',
      bundle,
      '--key',
      keyPath,
      '--trusted-root',
      trustedRoot,
      '--json',
      artifactPath,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { result: { times: { source: string }[] } };
    expect(out.result.times.map((t) => t.source)).toContain('timestamp');
  });

  it('verify-bundle --key refuses a certificate bundle the root’s CA vouches for', async () => {
    const bundle = scratch.write(
      'cert.sigstore.json',
      mintSigstoreBundle({
        version: '0.3',
        content: { kind: 'message', artifact },
        signer: { certificate: chain.leaf() },
        rekor,
      }).json,
    );
    const r = await flareo([
      'verify-bundle',
      '--bundle',
      bundle,
      '--key',
      keyPath,
      '--trusted-root',
      trustedRoot,
      artifactPath,
    ]);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain('UNTRUSTED_SIGNER');
  });
});

describe('loadTrust: trust files go through bundle-verify’s loadTrustInputs', () => {
  it('a trusted root and a key file load into one root', async () => {
    const root = await loadTrust(await planTrust({ trustRoot: [trustedRoot], key: [keyPath] }));
    expect(root.keys).toHaveLength(1);
    expect(root.tlogs).toHaveLength(1);
    expect(root.timestampAuthorities).toHaveLength(1);
  });

  it.each([
    ['a trusted_root.json that is not JSON', 'broken_root.json', '{"mediaType": 1'],
    ['a PEM file without a PEM block', 'broken.pem', 'no PEM here\n'],
  ])('%s is a usage error (exit 2) naming the file', async (_name, file, text) => {
    const path = scratch.write(file, text);
    const plan = await planTrust({ trustRoot: [path] }); // reads the file, parses nothing
    let caught: unknown;
    try {
      await loadTrust(plan);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    const error = caught as CliError;
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.report.message).toContain(path);
    expect(error.report.code).not.toBe('INTERNAL');
  });
});
