import { describe, expect, it } from 'vitest';
import {
  type SlsaLevelOptions,
  slsaLevelFromProvenance,
  type VerifiedProvenance,
} from '../src/slsa.js';
import { rejection } from './support.js';

const DIGEST = 'ab'.repeat(32);
const GENERATOR =
  'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0';

function v02(builderId: string, extra: Record<string, unknown> = {}) {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject: [{ name: 'public.ecr.aws/flareo/vaultwarden', digest: { sha256: DIGEST } }],
    predicateType: 'https://slsa.dev/provenance/v0.2',
    predicate: {
      builder: { id: builderId },
      buildType: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
      invocation: {
        configSource: { uri: 'git+https://github.com/flareo/flareo-canary@refs/heads/main' },
      },
      ...extra,
    },
  };
}

function v1(builderId: string) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'vaultwarden', digest: { sha256: DIGEST } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: { workflow: { ref: 'refs/heads/main' } },
      },
      runDetails: { builder: { id: builderId }, metadata: { invocationId: 'run-1' } },
    },
  };
}

const options: SlsaLevelOptions = {
  trustedBuilders: [
    {
      id: 'https://github.com/flareo/flareo-canary/.github/workflows/canary-rebuild.yml@refs/heads/main',
      level: 2,
    },
    {
      idPattern:
        /https:\/\/github\.com\/slsa-framework\/slsa-github-generator\/\.github\/workflows\/generator_container_slsa3\.yml@refs\/tags\/v\d+\.\d+\.\d+/,
      level: 3,
    },
  ],
};
const CANARY =
  'https://github.com/flareo/flareo-canary/.github/workflows/canary-rebuild.yml@refs/heads/main';

/** Freeze a value and everything in it, as bundle-verify does with a verified statement. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * A statement as `VerificationResult.verifiedStatement` carries it. The end-to-end tests in
 * `verified-provenance.test.ts` take it from a real verification instead.
 */
const verified = (statement: unknown): VerifiedProvenance =>
  deepFreeze({ payloadType: 'application/vnd.in-toto+json', statement }) as VerifiedProvenance;

describe('slsaLevelFromProvenance', () => {
  it('gives level 0 without provenance', () => {
    expect(slsaLevelFromProvenance(undefined, options)).toEqual({
      level: 0,
      builderId: null,
      predicateType: null,
      buildType: null,
      matchedBuilder: null,
      reason: 'No verified SLSA provenance: level 0.',
    });
    expect(slsaLevelFromProvenance(null, options).level).toBe(0);
  });

  it('takes the level of an exactly matching builder from a v0.2 statement', () => {
    const r = slsaLevelFromProvenance(verified(v02(CANARY)), options);
    expect(r).toMatchObject({
      level: 2,
      builderId: CANARY,
      predicateType: 'https://slsa.dev/provenance/v0.2',
      buildType: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
      matchedBuilder: CANARY,
    });
    expect(r.reason).toBe(`Builder ${CANARY} is trusted for SLSA build level 2.`);
  });

  it('matches builder patterns against the whole id from a v1 statement', () => {
    expect(slsaLevelFromProvenance(verified(v1(GENERATOR)), options).level).toBe(3);
    expect(slsaLevelFromProvenance(verified(v1(`${GENERATOR}-evil`)), options).level).toBe(1);
    expect(
      slsaLevelFromProvenance(verified(v1(`https://evil.example/?${GENERATOR}`)), options).level,
    ).toBe(1);
    const branch = GENERATOR.replace('refs/tags/v2.0.0', 'refs/heads/main');
    expect(slsaLevelFromProvenance(verified(v1(branch)), options).matchedBuilder).toBeNull();
  });

  it('ignores any level the document claims for itself', () => {
    const claiming = v02('https://ci.example/untrusted', {
      slsaLevel: 3,
      metadata: { slsaBuildLevel: 3 },
    });
    const r = slsaLevelFromProvenance(verified(claiming), options);
    expect(r.level).toBe(1);
    expect(r.reason).toBe(
      'Builder https://ci.example/untrusted is not in the trusted-builder table: level 1.',
    );
    expect(
      slsaLevelFromProvenance(verified(claiming), { ...options, unknownBuilderLevel: 0 }).level,
    ).toBe(0);
  });

  it('uses the first matching row', () => {
    const r = slsaLevelFromProvenance(verified(v02(CANARY)), {
      trustedBuilders: [
        { idPattern: /https:\/\/github\.com\/flareo\/.+/, level: 1 },
        ...options.trustedBuilders,
      ],
    });
    expect(r.level).toBe(1);
  });

  it('refuses everything that did not come out of a verifier', () => {
    const json = JSON.stringify(v1(GENERATOR));
    const envelope = {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(json).toString('base64'),
      signatures: [{ sig: 'AAAA' }],
    };
    const cases: unknown[] = [
      json,
      new TextEncoder().encode(json),
      envelope,
      Object.freeze({ ...envelope }),
      v1(GENERATOR),
      deepFreeze(v1(GENERATOR)),
      { payloadType: 'application/vnd.in-toto+json', statement: v1(GENERATOR) },
      Object.freeze({ payloadType: 'application/vnd.in-toto+json', statement: v1(GENERATOR) }),
      deepFreeze({ statement: v1(GENERATOR) }),
      deepFreeze({ payloadType: 'application/vnd.in-toto+json', statement: [1] }),
      [1],
      42,
    ];
    for (const provenance of cases) {
      const e = rejection(() => slsaLevelFromProvenance(provenance as never, options));
      expect(e.code).toBe('PROVENANCE_UNVERIFIED');
      expect(e.detail.field).toBe('provenance');
      expect(e.message).toMatch(/^provenance: expected the verifiedStatement of .+, got .+$/);
    }
    // The same statement, as the verifier hands it out, is read.
    expect(slsaLevelFromProvenance(verified(v1(GENERATOR)), options).level).toBe(3);
  });

  it('refuses a verified DSSE payload that is not an in-toto statement', () => {
    const e = rejection(() =>
      slsaLevelFromProvenance(
        deepFreeze({ payloadType: 'text/plain', statement: v1(GENERATOR) }),
        options,
      ),
    );
    expect([e.code, e.detail.field]).toEqual(['PROVENANCE_UNSUPPORTED', 'payloadType']);
  });

  it('checks the subject digest when asked', () => {
    expect(
      slsaLevelFromProvenance(verified(v02(CANARY)), {
        ...options,
        subjectDigest: `sha256:${DIGEST.toUpperCase()}`,
      }).level,
    ).toBe(2);
    const e = rejection(() =>
      slsaLevelFromProvenance(verified(v02(CANARY)), {
        ...options,
        subjectDigest: `sha256:${'cd'.repeat(32)}`,
      }),
    );
    expect(e.code).toBe('PROVENANCE_SUBJECT_MISMATCH');
    expect(e.detail.actual).toEqual(['public.ecr.aws/flareo/vaultwarden']);
    expect(
      rejection(() =>
        slsaLevelFromProvenance(verified(v02(CANARY)), { ...options, subjectDigest: 'nope' }),
      ).code,
    ).toBe('ARGUMENT_INVALID');
  });

  it('rejects statements that are not SLSA provenance', () => {
    const cases: [unknown, string, string][] = [
      [{ ...v02(CANARY), _type: undefined }, 'PROVENANCE_INVALID', '_type'],
      [
        { ...v02(CANARY), _type: 'https://in-toto.io/Statement/v2' },
        'PROVENANCE_UNSUPPORTED',
        '_type',
      ],
      [{ ...v02(CANARY), subject: [] }, 'PROVENANCE_INVALID', 'subject'],
      [{ ...v02(CANARY), subject: [{ name: 'x' }] }, 'PROVENANCE_INVALID', 'subject[0].digest'],
      [
        { ...v02(CANARY), predicateType: 'https://slsa.dev/provenance/v0.1' },
        'PROVENANCE_UNSUPPORTED',
        'predicateType',
      ],
      [{ ...v02(CANARY), predicate: 'x' }, 'PROVENANCE_INVALID', 'predicate'],
      [v02(''), 'PROVENANCE_INVALID', 'predicate.builder.id'],
      [
        { ...v1(GENERATOR), predicate: { buildDefinition: { buildType: 'x' } } },
        'PROVENANCE_INVALID',
        'predicate.runDetails.builder.id',
      ],
      [
        { ...v1(GENERATOR), predicate: { runDetails: { builder: { id: GENERATOR } } } },
        'PROVENANCE_INVALID',
        'predicate.buildDefinition.buildType',
      ],
      [v02(CANARY, { buildType: 42 }), 'PROVENANCE_INVALID', 'predicate.buildType'],
    ];
    for (const [doc, code, field] of cases) {
      const e = rejection(() => slsaLevelFromProvenance(verified(doc), options));
      expect([e.code, e.detail.field]).toEqual([code, field]);
      expect(e.message).toMatch(/^provenance .+: expected .+, got .+$/);
    }
  });

  it('rejects a bad trusted-builder table', () => {
    const bad: unknown[] = [
      undefined,
      [{ id: CANARY, level: 4 }],
      [{ id: '', level: 2 }],
      [{ id: CANARY, idPattern: /x/, level: 2 }],
      [{ idPattern: 'x', level: 2 }],
      ['x'],
    ];
    for (const trustedBuilders of bad) {
      expect(
        rejection(() =>
          slsaLevelFromProvenance(verified(v02(CANARY)), { trustedBuilders } as SlsaLevelOptions),
        ).code,
      ).toBe('ARGUMENT_INVALID');
    }
    expect(
      rejection(() => slsaLevelFromProvenance(verified(v02(CANARY)), undefined as never)).code,
    ).toBe('ARGUMENT_INVALID');
    expect(
      rejection(() =>
        slsaLevelFromProvenance(verified(v02(CANARY)), {
          ...options,
          unknownBuilderLevel: 2 as never,
        }),
      ).code,
    ).toBe('ARGUMENT_INVALID');
  });
});
