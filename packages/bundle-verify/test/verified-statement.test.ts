import {
  buildTrustedRoot,
  createFulcioChain,
  inTotoStatement,
  mintSigstoreBundle,
  TestRekorV1,
} from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError, createVerifier } from '../src/index.js';
import { normalizeBundle } from '../src/input-entry.js';
import { rejected } from './support/rejection.js';

// biome-ignore lint/suspicious/noExplicitAny: tests reach into protobuf-JSON bundles to tamper with them
type Json = any;

// `verifiedStatement` is the in-toto statement whose signature the verifier checked: it must
// be exactly the signed payload, frozen, and nothing unsigned may change it.
const IN_TOTO = 'application/vnd.in-toto+json';
const enc = new TextEncoder();
const artifact = enc.encode('flareo verified statement artifact\n');
const chain = createFulcioChain({ seed: 'bv-verified-statement' });
const leaf = chain.leaf();
const rekor = new TestRekorV1({ seed: 'bv-verified-statement-rekor' });
const trust = parseTrustedRoot({
  ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
  tlogs: [rekor.transparencyLogInstance()],
});
const verifier = createVerifier(trust);

const mintDsse = (payload: Uint8Array, payloadType = IN_TOTO) =>
  mintSigstoreBundle({
    signer: { certificate: leaf },
    rekor,
    version: '0.3',
    content: { kind: 'dsse', payloadType, payload },
  }).json as Json;
const signedPayloadOf = (bundle: Json) =>
  Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');

/** Every object and array reachable from `value`, the value included. */
function nodesOf(value: unknown): object[] {
  const nodes: object[] = [];
  const pending = [value];
  while (pending.length) {
    const v = pending.pop();
    if (typeof v !== 'object' || v === null) continue;
    nodes.push(v);
    pending.push(...Object.values(v));
  }
  return nodes;
}

const statement: Record<string, unknown> = {
  ...inTotoStatement(artifact),
  predicate: {
    builder: { id: 'https://flareo.test/builder' },
    materials: [{ uri: 'git+https://github.com/flareo/demo', digest: { sha1: 'ab'.repeat(20) } }],
    flags: [true, null, 3.5, 'x'],
  },
};
const bundle = mintDsse(enc.encode(JSON.stringify(statement)));

describe('verifiedStatement: the signed in-toto statement comes out of the verifier', () => {
  it('is the signed payload, parsed, with its payload type', () => {
    const result = verifier.verifyBundle(bundle, artifact, {});
    expect(result.verifiedStatement?.payloadType).toBe(IN_TOTO);
    expect(result.verifiedStatement?.statement).toEqual(JSON.parse(signedPayloadOf(bundle)));
    expect(result.verifiedStatement?.statement).toEqual(statement);
    expect(result.verifiedStatement?.statement.predicate).toEqual(statement.predicate);
  });

  it('is present without the artifact too (subjects unchecked, signature checked)', () => {
    const result = verifier.verifyBundle(bundle, undefined, {});
    expect(result.statement?.matchedSubject).toBeUndefined();
    expect(result.verifiedStatement?.statement).toEqual(statement);
  });

  it('is deep-frozen: no reader can change what the next reader sees', () => {
    const s = verifier.verifyBundle(bundle, artifact, {}).verifiedStatement;
    if (!s) throw new Error('expected a verified statement');
    const nodes = nodesOf(s);
    expect(nodes.length).toBeGreaterThan(10);
    for (const node of nodes) expect(Object.isFrozen(node)).toBe(true);
    expect(() => {
      (s.statement as Json).predicateType = 'https://example.com/other';
    }).toThrow(TypeError);
    expect(() => (s.statement.subject as Json[]).push({})).toThrow(TypeError);
    expect(s.statement.predicateType).toBe(statement.predicateType);
  });

  it('is parsed from the verified bytes, not from the bundle object the caller still holds', () => {
    const j = structuredClone(bundle);
    const result = verifier.verifyBundle(j, artifact, {});
    j.dsseEnvelope.payload = Buffer.from('{"_type":"changed"}').toString('base64');
    j.dsseEnvelope.payloadType = 'application/json';
    expect(result.verifiedStatement?.statement).toEqual(statement);
    expect(result.verifiedStatement?.payloadType).toBe(IN_TOTO);
  });

  it('does not follow the caller mutating the normalised payload bytes afterwards', () => {
    const input = normalizeBundle(bundle);
    const result = verifier.verifyNormalized(input, artifact, {});
    if (input.content.kind !== 'dsse') throw new Error('expected a DSSE input');
    input.content.payload.fill(0x20);
    expect(result.verifiedStatement?.statement).toEqual(statement);
  });

  it('agrees with the summary when the payload repeats a key (the last one wins in both)', () => {
    const s = JSON.stringify(inTotoStatement(artifact)).replace(
      '"predicateType":',
      '"predicateType":"https://example.com/first","predicateType":',
    );
    const b = mintDsse(enc.encode(s));
    const result = verifier.verifyBundle(b, artifact, {});
    expect(result.verifiedStatement?.statement.predicateType).toBe(
      'https://slsa.dev/provenance/v1',
    );
    expect(result.statement?.predicateType).toBe(result.verifiedStatement?.statement.predicateType);
    expect(result.verifiedStatement?.statement).toEqual(JSON.parse(s));
  });

  it('freezes a predicate nested deeper than the call stack without a RangeError', () => {
    const depth = 100_000;
    const text = JSON.stringify(inTotoStatement(artifact)).replace(
      /"predicate":\{.*\}\}$/,
      `"predicate":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
    const result = verifier.verifyBundle(mintDsse(enc.encode(text)), artifact, {});
    let node = result.verifiedStatement?.statement.predicate as unknown[];
    let levels = 0;
    while (Array.isArray(node) && node.length) {
      expect(Object.isFrozen(node)).toBe(true);
      node = node[0] as unknown[];
      levels++;
    }
    expect(levels).toBe(depth - 1);
  });

  it('is absent for message signatures and for DSSE payloads that are not in-toto', () => {
    const message = mintSigstoreBundle({
      signer: { certificate: leaf },
      rekor,
      version: '0.3',
      content: { kind: 'message', artifact },
    }).json;
    expect(verifier.verifyBundle(message, artifact, {}).verifiedStatement).toBeUndefined();
    const payload = enc.encode('{"release":"v1"}');
    const other = mintDsse(payload, 'application/json');
    expect(verifier.verifyBundle(other, payload, {}).verifiedStatement).toBeUndefined();
  });
});

describe('verifiedStatement: a tampered envelope yields no statement at all', () => {
  const other = { ...statement, predicate: { builder: { id: 'https://evil.example/builder' } } };

  it('another statement (same subject) in the payload → SIGNATURE_MISMATCH', () => {
    const j = structuredClone(bundle);
    j.dsseEnvelope.payload = Buffer.from(JSON.stringify(other)).toString('base64');
    const error = rejected(() => verifier.verifyBundle(j, artifact, {}));
    expect([error.code, error.detail.step]).toEqual(['SIGNATURE_MISMATCH', 'signature']);
  });

  it('the same statement re-encoded (whitespace) → SIGNATURE_MISMATCH', () => {
    const j = structuredClone(bundle);
    j.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement, null, 2)).toString('base64');
    const error = rejected(() => verifier.verifyBundle(j, artifact, {}));
    expect([error.code, error.detail.step]).toEqual(['SIGNATURE_MISMATCH', 'signature']);
  });

  it('the signature of another statement by the same signer → rejected', () => {
    const j = structuredClone(bundle);
    const donor = mintDsse(enc.encode(JSON.stringify(other)));
    j.dsseEnvelope.payload = donor.dsseEnvelope.payload;
    expect(() => verifier.verifyBundle(j, artifact, {})).toThrow(BundleVerifyError);
    j.dsseEnvelope.signatures = donor.dsseEnvelope.signatures;
    // Payload and signature agree now, but the log entry still binds the original envelope.
    const error = rejected(() => verifier.verifyBundle(j, artifact, {}));
    expect(error.detail.step).toBe('tlog');
  });

  it('a payload type changed to another in-toto spelling → SIGNATURE_MISMATCH', () => {
    const j = structuredClone(bundle);
    j.dsseEnvelope.payloadType = 'application/vnd.in-toto+json; charset=utf-8';
    const error = rejected(() => verifier.verifyBundle(j, undefined, {}));
    expect(error.code).toBe('SIGNATURE_MISMATCH');
  });
});
