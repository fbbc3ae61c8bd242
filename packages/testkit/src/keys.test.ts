import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_KEY_TYPES, testKey } from './keys.js';

describe('testKey', () => {
  it.each(TEST_KEY_TYPES)('%s is deterministic and signs verifiably', (type) => {
    const a = testKey(type, 'seed-a');
    const again = testKey(type, 'seed-a');
    expect(again).toBe(a);
    const data = new TextEncoder().encode('hello');
    const sig = a.sign(data);
    const hash = type === 'ed25519' ? null : a.defaultHash;
    expect(verify(hash, data, a.publicKey, sig)).toBe(true);
    expect(verify(hash, new TextEncoder().encode('hellp'), a.publicKey, sig)).toBe(false);
    if (type.startsWith('ecdsa') || type === 'ed25519') {
      expect(Buffer.from(a.sign(data)).equals(Buffer.from(sig))).toBe(true);
    }
  });

  it('different seeds give different keys', () => {
    expect(testKey('ecdsa-p256', 'x').keyId).not.toBe(testKey('ecdsa-p256', 'y').keyId);
  });

  it('RSA PSS signatures verify with PSS padding', async () => {
    const { constants } = await import('node:crypto');
    const k = testKey('rsa-2048', 'pss');
    const data = new Uint8Array([1, 2, 3]);
    const sig = k.sign(data, { rsaPadding: 'pss' });
    expect(
      verify('sha256', data, { key: k.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING }, sig),
    ).toBe(true);
  });
});
