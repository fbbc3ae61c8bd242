import { createHash } from 'node:crypto';
import { createVerifier } from '@flareo/bundle-verify';
import {
  buildTrustedRoot,
  createFulcioChain,
  inTotoStatement,
  mintSigstoreBundle,
  TestRekorV1,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { slsaLevelFromProvenance } from '../src/index.js';
import { rejection } from './support.js';

// End to end: the SLSA level is read from what @flareo/bundle-verify returns for a verified
// provenance bundle, and only from that. The same statement reaching the function any other
// way (the bundle's envelope, the decoded payload, its JSON) is refused.
const enc = new TextEncoder();
const artifact = enc.encode('flareo trust-score provenance artifact\n');
const digest = createHash('sha256').update(artifact).digest('hex');
const chain = createFulcioChain({ seed: 'trust-score-verified-provenance' });
const rekor = new TestRekorV1({ seed: 'trust-score-verified-provenance-rekor' });
const verifier = createVerifier(
  parseTrustedRoot({
    ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
    tlogs: [rekor.transparencyLogInstance()],
  }),
);
const BUILDER = 'https://flareo.test/builder@v1';
const statement = {
  ...inTotoStatement(artifact),
  predicate: {
    buildDefinition: { buildType: 'https://flareo.test/build/v1' },
    runDetails: { builder: { id: BUILDER } },
  },
};
const bundle = mintSigstoreBundle({
  signer: { certificate: chain.leaf() },
  rekor,
  version: '0.3',
  content: {
    kind: 'dsse',
    payloadType: 'application/vnd.in-toto+json',
    payload: enc.encode(JSON.stringify(statement)),
  },
}).json as { dsseEnvelope: { payload: string } };
const options = { trustedBuilders: [{ id: BUILDER, level: 3 as const }] };

describe('slsaLevelFromProvenance with a real verification result', () => {
  it('reads the level from result.verifiedStatement', () => {
    const result = verifier.verifyBundle(bundle, artifact, {});
    const slsa = slsaLevelFromProvenance(result.verifiedStatement, {
      ...options,
      subjectDigest: `sha256:${digest}`,
    });
    expect(slsa).toMatchObject({ level: 3, builderId: BUILDER, matchedBuilder: BUILDER });
  });

  it('refuses the raw envelope, the decoded payload and its JSON', () => {
    const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
    for (const provenance of [bundle.dsseEnvelope, JSON.parse(payload), payload, bundle]) {
      expect(rejection(() => slsaLevelFromProvenance(provenance as never, options)).code).toBe(
        'PROVENANCE_UNVERIFIED',
      );
    }
  });

  it('refuses a copy of the verified statement the caller rebuilt', () => {
    const result = verifier.verifyBundle(bundle, artifact, {});
    const copy = { ...result.verifiedStatement! };
    expect(rejection(() => slsaLevelFromProvenance(copy, options)).code).toBe(
      'PROVENANCE_UNVERIFIED',
    );
  });
});
