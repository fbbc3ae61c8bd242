import { rejectionOf } from '@flareo/internal/testing';
import { readVector, testKey } from '@flareo/testkit';
import { publicGoodTrustRoot, TrustRoot, TrustRootError } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError } from '../src/index.js';
import { loadTrustInputs, type TrustInput } from '../src/node.js';

const rootJson = readVector('sigstore/public-good/trusted_root.json');
const key = testKey('ecdsa-p256', 'bv-trust-input');

describe('loadTrustInputs: the one loader of trust inputs (pool workers, CLI)', () => {
  it('public-good is the embedded public-good root', () => {
    const root = loadTrustInputs([{ kind: 'public-good' }]);
    const expected = publicGoodTrustRoot();
    expect(root).toBeInstanceOf(TrustRoot);
    expect(root.tlogs.map((l) => l.logId)).toEqual(expected.tlogs.map((l) => l.logId));
    expect(root.certificateAuthorities.length).toBe(expected.certificateAuthorities.length);
  });

  it('trusted_root.json text is parsed with its options', () => {
    const root = loadTrustInputs([
      { kind: 'trusted-root', json: rootJson, options: { name: 'trusted_root.json' } },
    ]);
    expect(root.tlogs.length).toBeGreaterThan(0);
    expect(root.keys).toEqual([]);
  });

  it('several inputs are merged into one root: PEM keys next to a trusted root', () => {
    const root = loadTrustInputs([
      { kind: 'trusted-root', json: rootJson },
      { kind: 'pem', text: key.publicKeyPem, options: { name: 'key.pem' } },
    ]);
    expect(root.keys.length).toBe(1);
    expect(root.tlogs.length).toBe(
      loadTrustInputs([{ kind: 'trusted-root', json: rootJson }]).tlogs.length,
    );
  });

  it('an empty list is an empty root', () => {
    expect(loadTrustInputs([]).isEmpty).toBe(true);
  });

  it.each([
    ['not an array', { kind: 'public-good' }, 'inputs'],
    ['an unknown kind', [{ kind: 'public-good' }, { kind: 'x509' }], 'inputs[1]'],
    ['PEM without text', [{ kind: 'pem', json: '' }], 'inputs[0]'],
    [
      'options of the wrong type',
      [{ kind: 'trusted-root', json: '{}', options: 3 }],
      'inputs[0].options',
    ],
  ])('%s → ARGUMENT_INVALID naming the item', (_name, inputs, field) => {
    const error = rejectionOf(BundleVerifyError, () =>
      loadTrustInputs(inputs as unknown as TrustInput[]),
    );
    expect(error.code).toBe('ARGUMENT_INVALID');
    expect(error.detail).toMatchObject({ field });
  });

  it('a trust file that does not parse keeps trust-root’s error, naming its source', () => {
    const error = rejectionOf(TrustRootError, () =>
      loadTrustInputs([
        { kind: 'public-good' },
        { kind: 'trusted-root', json: '{"mediaType": 1', options: { name: 'broken.json' } },
      ]),
    );
    expect(error.detail).toMatchObject({ source: 'broken.json' });
    const pem = rejectionOf(TrustRootError, () =>
      loadTrustInputs([{ kind: 'pem', text: 'no PEM here', options: { name: 'keys.pem' } }]),
    );
    expect(pem.message).toContain('keys.pem');
  });
});
