import {
  expectCoded,
  isBytes,
  isEmptyObject,
  isUndefined,
  never,
  optionalObject,
  type Row as TableRow,
  WRONG_VALUES,
  wrongRows,
} from '@flareo/internal/testing';
import {
  buildTrustedRoot,
  createFulcioChain,
  mintKeyedSignature,
  mintSigstoreBundle,
  TestRekorV1,
  testKey,
} from '@flareo/testkit';
import { mergeTrustRoots, parsePemTrustBundle, parseTrustedRoot } from '@flareo/trust-root';
import { afterAll, describe, expect, it } from 'vitest';
import type { BundleVerifier, BundleVerifyErrorCode } from '../src/index.js';
import * as main from '../src/index.js';
import * as input from '../src/input-entry.js';
import * as node from '../src/node.js';

/** Every entry point: every function any of them exports is covered by the tables below. */
const api = { ...main, ...input, ...node };

// Every function exported by the package, every method of a verifier and of a verifier
// pool, is called with arguments of the wrong type or shape: each must throw (or, for the
// async ones, reject with) a BundleVerifyError with a stable code, never a raw TypeError.
// The coverage tests fail when an export or a method is added without a row here.

const artifact = new TextEncoder().encode('argument validation artifact');
const chain = createFulcioChain({ seed: 'bv-arguments' });
const rekor = new TestRekorV1({ seed: 'bv-arguments-rekor' });
const key = testKey('ecdsa-p256', 'bv-arguments-key');
const trust = mergeTrustRoots(
  parseTrustedRoot({
    ...buildTrustedRoot({ certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }] }),
    tlogs: [rekor.transparencyLogInstance()],
  }),
  parsePemTrustBundle(key.publicKeyPem),
);
const bundle = mintSigstoreBundle({
  version: '0.3',
  content: { kind: 'message', artifact },
  signer: { certificate: chain.leaf() },
  rekor,
}).json;
const signature = mintKeyedSignature(artifact, key);
const verifier = api.createVerifier(trust);
const keyed = api.createVerifier(trust, { rekor: { policy: 'disabled' } });
const normalized = api.normalizeBundle(bundle);
const result = verifier.verifyBundle(bundle, artifact, {});
// From the sources the pool's worker script is not built, so its workers fail to start: the
// argument checks under test run before anything is sent to them.
const pool = api.createVerifierPool({ trust: [{ kind: 'public-good' }], size: 1 });
afterAll(() => pool.close());

type Row = TableRow<BundleVerifyErrorCode>;

const wrong = (
  parameter: string,
  accepts: (value: unknown) => boolean,
  call: (value: unknown) => unknown,
  code?: BundleVerifyErrorCode | ((value: unknown) => BundleVerifyErrorCode),
): Row[] => wrongRows(WRONG_VALUES, parameter, accepts, call, code);

/** Base64 text or bytes: the type of a keyed signature (its content is checked later). */
const isSignature = (v: unknown) => typeof v === 'string' || isBytes(v);
/** The types a bundle may have (its content is checked by the worker). */
const isBundleType = (v: unknown) =>
  typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v));
/** A bundle of the right type but with no content is refused by the parser, with its own code. */
const bundleCode = (v: unknown): BundleVerifyErrorCode =>
  isEmptyObject(v) ? 'UNSUPPORTED_FORMAT' : 'BUNDLE_MALFORMED';

const BAD_VERIFIER_OPTIONS: readonly [string, unknown][] = [
  ['rekor = "disabled"', { rekor: 'disabled' }],
  ['rekor.policy = "sometimes"', { rekor: { policy: 'sometimes' } }],
  ['rekor.threshold = -1', { rekor: { threshold: -1 } }],
  ['rekor.threshold = "1"', { rekor: { threshold: '1' } }],
  ['rekor.clockSkewSeconds = NaN', { rekor: { clockSkewSeconds: Number.NaN } }],
  ['rekor.allowDeprecatedDsseV002 = "no"', { rekor: { allowDeprecatedDsseV002: 'no' } }],
  ['timeSources = "log"', { timeSources: 'log' }],
  ['timeSources = ["sundial"]', { timeSources: ['sundial'] }],
  ['timeThreshold = 0 (no time would be checked)', { timeThreshold: 0 }],
  ['timeThreshold = 1.5', { timeThreshold: 1.5 }],
  ['sctThreshold = -1', { sctThreshold: -1 }],
  ['limits = 5', { limits: 5 }],
  ['limits.maxBundleBytes = "16M"', { limits: { maxBundleBytes: '16M' } }],
  ['limits.maxEntries (unknown name)', { limits: { maxEntries: 1 } }],
];

const POLICIES: readonly [string, unknown][] = [
  ['policy = null', null],
  ['policy = []', []],
  ['policy = "any"', 'any'],
  ['policy.extensions = "x"', { extensions: 'x' }],
  ['policy.issuer = 1', { issuer: 1 }],
];

interface Entry {
  readonly ok: () => unknown;
  readonly bad: readonly Row[];
  /** Async: the call must return a promise that rejects, never throw synchronously. */
  readonly async?: true;
}

async function* chunks(...items: unknown[]): AsyncGenerator<unknown> {
  for (const item of items) yield item;
}

const functions: Record<string, Entry> = {
  artifactFromStream: {
    async: true,
    ok: async () =>
      expect(await api.artifactFromStream(chunks(artifact) as never)).toEqual({
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      }),
    bad: [
      ...wrong(
        'stream',
        (v) => Array.isArray(v),
        (v) => api.artifactFromStream(v as never),
        'ARGUMENT_INVALID',
      ),
      ['stream chunk = a number', () => api.artifactFromStream(chunks(1) as never)],
      ['stream chunk = null', () => api.artifactFromStream([null] as never)],
      ...wrong('algorithm', isUndefined, (v) =>
        api.artifactFromStream(chunks(artifact) as never, v as never),
      ),
      [
        'algorithm = "md5"',
        () => api.artifactFromStream(chunks(artifact) as never, 'md5' as never),
      ],
    ],
  },
  compileIdentityPolicy: {
    ok: () => api.compileIdentityPolicy({ issuer: { regexp: '.*' } }),
    bad: [
      ...wrong('policy', isEmptyObject, (v) => api.compileIdentityPolicy(v as never)),
      ...POLICIES.map(
        ([label, p]) => [label, () => api.compileIdentityPolicy(p as never)] as const,
      ),
      ['policy.issuer.regexp = "("', () => api.compileIdentityPolicy({ issuer: { regexp: '(' } })],
    ],
  },
  createVerifier: {
    ok: () => api.createVerifier(trust, { timeThreshold: 1, limits: { maxTimestamps: 0 } }),
    bad: [
      ...wrong('trustRoot', never, (v) => api.createVerifier(v as never)),
      ['trustRoot = a TrustRoot summary', () => api.createVerifier(trust.summary() as never)],
      ...wrong('options', optionalObject, (v) => api.createVerifier(trust, v as never)),
      ...BAD_VERIFIER_OPTIONS.map(
        ([label, o]) => [`options.${label}`, () => api.createVerifier(trust, o as never)] as const,
      ),
      ['options.now = a Date', () => api.createVerifier(trust, { now: new Date() as never })],
    ],
  },
  createVerifierPool: {
    ok: () => expect(pool.size).toBe(1),
    bad: [
      ...wrong('options', never, (v) => api.createVerifierPool(v as never)),
      ...wrong('options.trust', Array.isArray, (v) =>
        api.createVerifierPool({ trust: v as never }),
      ),
      ['options.trust[0] = {}', () => api.createVerifierPool({ trust: [{}] as never })],
      [
        'options.trust[0] = PEM without text',
        () => api.createVerifierPool({ trust: [{ kind: 'pem' }] as never }),
      ],
      [
        'options.trust[0].options = "x"',
        () =>
          api.createVerifierPool({
            trust: [{ kind: 'trusted-root', json: '{}', options: 'x' }] as never,
          }),
      ],
      ...BAD_VERIFIER_OPTIONS.map(
        ([label, o]) =>
          [
            `options.verifier.${label}`,
            () => api.createVerifierPool({ trust: [], verifier: o as never }),
          ] as const,
      ),
      [
        'options.verifier.now (cannot cross threads)',
        () => api.createVerifierPool({ trust: [], verifier: { now: () => new Date() } as never }),
      ],
      ['options.size = 0', () => api.createVerifierPool({ trust: [], size: 0 })],
    ],
  },
  normalizeBundle: {
    ok: () => api.normalizeBundle(bundle, { ...api.DEFAULT_LIMITS, maxTlogEntries: 4 }),
    bad: [
      ...wrong('input', never, (v) => api.normalizeBundle(v as never), bundleCode),
      ...wrong(
        'limits',
        optionalObject,
        (v) => api.normalizeBundle(bundle, v as never),
        'ARGUMENT_INVALID',
      ),
      [
        'limits.maxCertificates = -1',
        () => api.normalizeBundle(bundle, { maxCertificates: -1 } as never),
      ],
    ],
  },
  loadTrustInputs: {
    ok: () => expect(api.loadTrustInputs([{ kind: 'public-good' }]).isEmpty).toBe(false),
    bad: [
      ...wrong('inputs', Array.isArray, (v) => api.loadTrustInputs(v as never)),
      ...wrong(
        'inputs[0]',
        () => false,
        (v) => api.loadTrustInputs([v] as never),
      ),
      ['inputs[0] = { kind: "x509" }', () => api.loadTrustInputs([{ kind: 'x509' }] as never)],
      [
        'inputs[0].options = "x"',
        () => api.loadTrustInputs([{ kind: 'pem', text: '', options: 'x' }] as never),
      ],
    ],
  },
  normalizeKeyedSignature: {
    ok: () => api.normalizeKeyedSignature(signature),
    bad: [
      ...wrong(
        'signature',
        isSignature,
        (v) => api.normalizeKeyedSignature(v as never),
        'BUNDLE_MALFORMED',
      ),
      [
        'signature = text that is not base64',
        () => api.normalizeKeyedSignature('no!'),
        'BUNDLE_MALFORMED',
      ],
    ],
  },
  summarizeResult: {
    ok: () => api.summarizeResult(result),
    bad: [
      ...wrong('result', never, (v) => api.summarizeResult(v as never)),
      [
        'result without signer',
        () => api.summarizeResult({ ...result, signer: undefined } as never),
      ],
      ['result.times = {}', () => api.summarizeResult({ ...result, times: {} } as never)],
    ],
  },
};

const methodsOf = (
  verifier: Pick<BundleVerifier, 'verifyBundle' | 'verifySignature' | 'verifyNormalized'>,
  keyed: Pick<BundleVerifier, 'verifySignature'>,
): Record<string, Entry> => ({
  verifyBundle: {
    ok: () => verifier.verifyBundle(bundle, { bytes: artifact }, {}),
    bad: [
      ...wrong('bundle', never, (v) => verifier.verifyBundle(v as never, artifact, {}), bundleCode),
      ['artifact = a number', () => verifier.verifyBundle(bundle, 42 as never, {})],
      [
        'artifact = { bytes: "text" }',
        () => verifier.verifyBundle(bundle, { bytes: 'x' } as never, {}),
      ],
      ['artifact = { digest: 1 }', () => verifier.verifyBundle(bundle, { digest: 1 } as never, {})],
      ...POLICIES.map(
        ([label, p]) =>
          [label, () => verifier.verifyBundle(bundle, undefined, p as never)] as const,
      ),
    ],
  },
  verifySignature: {
    ok: () => keyed.verifySignature(signature, artifact),
    bad: [
      ...wrong(
        'signature',
        isSignature,
        (v) => keyed.verifySignature(v as never, artifact),
        'BUNDLE_MALFORMED',
      ),
      ...wrong('artifact', isBytes, (v) => keyed.verifySignature(signature, v as never)),
    ],
  },
  verifyNormalized: {
    ok: () => verifier.verifyNormalized(normalized, artifact, {}),
    bad: [
      ...wrong(
        'input',
        never,
        (v) => verifier.verifyNormalized(v as never, artifact, {}),
        'BUNDLE_MALFORMED',
      ),
      ...(
        [
          ['input.format = "v9"', { ...normalized, format: 'v9' }],
          ['input.content = null', { ...normalized, content: null }],
          [
            'input.content.signature = text',
            { ...normalized, content: { kind: 'message', signature: 'x' } },
          ],
          [
            'input.content.kind = "raw"',
            { ...normalized, content: { kind: 'raw', signature: artifact } },
          ],
          [
            'input.content.payload = text (DSSE)',
            {
              ...normalized,
              content: { kind: 'dsse', payloadType: 't', payload: 'p', signature: artifact },
            },
          ],
          ['input.signer = undefined', { ...normalized, signer: undefined }],
          [
            'input.signer.chain = [text]',
            { ...normalized, signer: { kind: 'certificate', chain: ['x'] } },
          ],
          ['input.signer.kind = "x509"', { ...normalized, signer: { kind: 'x509' } }],
          ['input.tlogEntries = {}', { ...normalized, tlogEntries: {} }],
          ['input.timestamps = [text]', { ...normalized, timestamps: ['x'] }],
        ] as const
      ).map(
        ([label, input]) =>
          [
            label,
            () => verifier.verifyNormalized(input as never, artifact, {}),
            'BUNDLE_MALFORMED',
          ] as const,
      ),
      ...POLICIES.map(
        ([label, p]) =>
          [label, () => verifier.verifyNormalized(normalized, artifact, p as never)] as const,
      ),
    ],
  },
});

/** The asynchronous methods, called through the sync table's rows: they must reject alike. */
const asAsync = (v: BundleVerifier) =>
  ({
    verifyBundle: v.verifyBundleAsync,
    verifySignature: v.verifySignatureAsync,
    verifyNormalized: v.verifyNormalizedAsync,
  }) as unknown as Pick<BundleVerifier, 'verifyBundle' | 'verifySignature' | 'verifyNormalized'>;

const verifierMethods: Record<string, Entry> = {
  ...methodsOf(verifier, keyed),
  ...Object.fromEntries(
    Object.entries(methodsOf(asAsync(verifier), asAsync(keyed))).map(([name, entry]) => [
      `${name}Async`,
      { ...entry, async: true as const },
    ]),
  ),
};

const poolMethods: Record<string, Entry> = {
  verifyBundle: {
    async: true,
    ok: () => undefined, // needs running workers: covered by the pool's own tests and bench
    bad: [
      ...wrong(
        'bundle',
        isBundleType,
        (v) => pool.verifyBundle(v as never, artifact),
        'BUNDLE_MALFORMED',
      ),
      ['artifact = a number', () => pool.verifyBundle(bundle, 42 as never)],
      ...POLICIES.map(
        ([label, p]) => [label, () => pool.verifyBundle(bundle, artifact, p as never)] as const,
      ),
      [
        'policy = { issuer: () => 1 } (cannot cross threads)',
        () => pool.verifyBundle(bundle, artifact, { issuer: (() => 1) as never }),
      ],
    ],
  },
  verifySignature: {
    async: true,
    ok: () => undefined,
    bad: [
      ...wrong(
        'signature',
        isSignature,
        (v) => pool.verifySignature(v as never, artifact),
        'BUNDLE_MALFORMED',
      ),
      ...wrong('artifact', isBytes, (v) => pool.verifySignature(signature, v as never)),
    ],
  },
  close: {
    // Takes no argument; closing is exercised by afterAll.
    ok: () => undefined,
    bad: [],
  },
};

const functionNames = (o: object) =>
  Object.entries(o)
    .filter(([, v]) => typeof v === 'function')
    .map(([name]) => name)
    .sort();

describe('argument validation of every public function', () => {
  it('covers every function the package exports', () => {
    const exported = functionNames(api).filter((name) => name !== 'BundleVerifyError');
    expect(Object.keys(functions).sort()).toEqual(exported);
  });
  it('covers every method of a verifier and of a verifier pool', () => {
    expect(Object.keys(verifierMethods).sort()).toEqual(functionNames(verifier));
    expect(Object.keys(poolMethods).sort()).toEqual(functionNames(pool));
  });

  for (const [table, entries] of [
    ['function', functions],
    ['verifier', verifierMethods],
    ['pool', poolMethods],
  ] as const) {
    for (const [name, entry] of Object.entries(entries)) {
      it(`${table} ${name} accepts a valid call`, async () => {
        await entry.ok();
      });
      if (entry.bad.length === 0) continue;
      it.each(entry.bad.map(([label, call, code]) => ({ label, call, code })))(
        `${table} ${name}: $label → coded error`,
        ({ call, code }) =>
          expectCoded(
            api.BundleVerifyError,
            call,
            code ?? 'ARGUMENT_INVALID',
            entry.async === true,
          ),
      );
    }
  }
});
