import { createHash } from 'node:crypto';
import { createVerifier, summarizeResult } from '@flareo/bundle-verify';
import { rejectionOf } from '@flareo/internal/testing';
import {
  buildTrustedRoot,
  createFulcioChain,
  mintSigstoreBundle,
  TestRekorV1,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { computeTrustScore } from '@flareo/trust-score';
import { applyToGrype } from '@flareo/vex';
import { describe, expect, it } from 'vitest';
import { validateInput } from '../src/documents.js';
import { compilePolicy, PolicyError, policyInputFrom } from '../src/index.js';

// policyInputFrom reads the facts from what the verifier, the scorer and VEX returned.
const artifact = new TextEncoder().encode('flareo policy input artifact\n');
const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
const chain = createFulcioChain({ seed: 'policy-input-from' });
const rekor = new TestRekorV1({ seed: 'policy-input-from-rekor' });
const verifier = createVerifier(
  parseTrustedRoot({
    ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
    tlogs: [rekor.transparencyLogInstance()],
  }),
);
const result = verifier.verifyBundle(
  mintSigstoreBundle({
    signer: { certificate: chain.leaf() },
    rekor,
    version: '0.3',
    content: { kind: 'message', artifact },
  }).json,
  artifact,
  {},
);
const identity = result.signer.kind === 'certificate' ? result.signer.identity : undefined;

// A Grype report with one Negligible finding: vex's negligibleAs decides where it counts.
const grype = {
  matches: [
    {
      vulnerability: { id: 'CVE-2025-0001', severity: 'Negligible' },
      artifact: { name: 'zlib', version: '1.3', purl: 'pkg:deb/debian/zlib@1.3' },
    },
    {
      vulnerability: { id: 'CVE-2025-0002', severity: 'High' },
      artifact: { name: 'openssl', version: '3.0', purl: 'pkg:deb/debian/openssl@3.0' },
    },
  ],
};
const module = { name: 'vaultwarden', digest };
const slsa = { level: 2, builderId: 'https://flareo.test/builder@v1' };
const sbom = { completeness: 0.5 };

describe('policyInputFrom', () => {
  it('builds a valid input from a verification result, VEX residual and a score', () => {
    const residual = applyToGrype(grype, [], { negligibleAs: 'low' }).residual;
    const score = computeTrustScore({
      vulnerabilities: { critical: 0, high: 1, medium: 0, low: 1 },
      slsaLevel: slsa.level,
      hoursSinceSigned: 1,
      sbomCompleteness: sbom.completeness,
    });
    const input = policyInputFrom({
      module,
      signature: result,
      slsa,
      sbom,
      residual,
      trustScore: score,
    });
    expect(validateInput(input).valid).toBe(true);
    const logIndex = result.tlog.entries[0]!.logIndex;
    expect(input).toEqual({
      module,
      signature: {
        present: true,
        verified: true,
        identity: identity?.subjectAlternativeNames[0],
        ...(identity?.issuer === undefined ? {} : { issuer: identity.issuer }),
      },
      rekor: { entry_present: true, log_index: Number(logIndex) },
      sbom: { present: true, completeness: 0.5 },
      slsa: { level: 2, builder_id: slsa.builderId },
      vulnerabilities: {
        critical: { unaddressed: 0, under_investigation: 0, affected: 0 },
        high: { unaddressed: 1, under_investigation: 0, affected: 0 },
        medium: { unaddressed: 0, under_investigation: 0, affected: 0 },
        low: { unaddressed: 1, under_investigation: 0, affected: 0 },
      },
      trust_score: score.score,
    });
    expect(
      compilePolicy()
        .evaluate(input)
        .rules.map((r) => r.rule),
    ).toContain('cve-high');
  });

  it('reads a summary of the result the same way', () => {
    const residual = applyToGrype(grype, []).residual;
    const fromResult = policyInputFrom({ module, signature: result, residual, trustScore: 70 });
    const fromSummary = policyInputFrom({
      module,
      signature: summarizeResult(result),
      residual,
      trustScore: 70,
    });
    expect(fromSummary).toEqual(fromResult);
    // Negligible left where vex put it: no CVE rule counts it.
    expect(fromResult.vulnerabilities.low.unaddressed).toBe(0);
    expect(fromResult.slsa).toEqual({ level: 0 });
    expect(fromResult.sbom).toEqual({ present: false });
  });

  it('says when the signature is absent or did not verify', () => {
    const residual = applyToGrype(grype, []).residual;
    const absent = policyInputFrom({ module, signature: 'absent', residual, trustScore: 0 });
    expect([absent.signature, absent.rekor]).toEqual([
      { present: false, verified: false },
      { entry_present: false },
    ]);
    const failed = policyInputFrom({ module, signature: 'unverified', residual, trustScore: 0 });
    expect(failed.signature).toEqual({ present: true, verified: false });
    expect(compilePolicy().evaluate(failed).verdict).toBe('fail');
  });

  it('names a key signer by no identity', () => {
    // A summary of a key-signed bundle verified without a log entry.
    const input = policyInputFrom({
      module,
      signature: { signer: { kind: 'key' }, tlog: { entries: [] } },
      residual: applyToGrype(grype, []).residual,
      trustScore: 50,
    });
    expect(input.signature).toEqual({ present: true, verified: true });
    expect(input.rekor).toEqual({ entry_present: false });
  });

  it('refuses sources of the wrong kind with ARGUMENT_INVALID', () => {
    const residual = applyToGrype(grype, []).residual;
    const good = { module, signature: result, residual, trustScore: 70 };
    const bad: unknown[] = [
      undefined,
      'input',
      { ...good, module: 'vaultwarden' },
      { ...good, signature: undefined },
      { ...good, signature: 'verified' },
      { ...good, signature: { signer: { kind: 'certificate' }, tlog: { entries: [] } } },
      { ...good, signature: { signer: { kind: 'pgp' }, tlog: { entries: [] } } },
      { ...good, signature: { signer: { kind: 'key' }, tlog: {} } },
      { ...good, residual: undefined },
      { ...good, residual: { bySeverity: { critical: 0 } } },
      { ...good, trustScore: '70' },
      { ...good, trustScore: {} },
      { ...good, slsa: 2 },
      { ...good, sbom: 0.5 },
    ];
    for (const sources of bad) {
      const error = rejectionOf(PolicyError, () => policyInputFrom(sources as never));
      expect(error.code).toBe('ARGUMENT_INVALID');
      expect(error.message).toMatch(/^policyInputFrom .+: expected .+, got .+$/);
    }
  });
});
