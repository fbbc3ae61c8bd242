import { createFulcioChain, testKey } from '@flareo/testkit';
import { bench, describe } from 'vitest';
import { parsePemTrustBundle, parseTrustedRoot, publicGoodTrustedRootJson } from '../src/index.js';

// Trust material is parsed once per process; these numbers say what start-up costs and
// what a per-verification lookup costs.
const chain = createFulcioChain({ seed: 'bench' });
const pem =
  [testKey('ecdsa-p256', 'b1'), testKey('ed25519', 'b2')].map((k) => k.publicKeyPem).join('') +
  chain.intermediate.pem +
  chain.root.pem;
const root = parseTrustedRoot(publicGoodTrustedRootJson.json);
const rekorId = root.tlogs[0]?.logId ?? '';
const at = new Date('2024-01-01T00:00:00Z');

describe('load', () => {
  bench('parse public-good trusted_root.json', () => {
    parseTrustedRoot(publicGoodTrustedRootJson.json);
  });
  bench('parse PEM bundle (2 keys, intermediate + root)', () => {
    parsePemTrustBundle(pem);
  });
});

describe('lookup', () => {
  bench('tlogsById at a time', () => {
    root.tlogsById(rekorId, at);
  });
});
