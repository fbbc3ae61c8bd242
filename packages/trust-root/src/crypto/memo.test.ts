import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TrustRootError } from '../errors.js';
import { importPublicKey } from '../keys.js';
import { memoizeBackend } from './memo.js';
import { nodeCryptoBackend } from './node.js';
import type { CryptoBackend, PublicKeyRef, SyncCryptoBackend, VerifyRequest } from './seam.js';
import { webCryptoBackend } from './web.js';

// The verified-signature cache never changes an answer: positives are remembered, negatives
// never; any changed byte of any input is a new question for the wrapped backend; the bound
// holds; errors pass through and are not remembered.

function keyPair(curve: 'P-256' | 'P-384') {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const der = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const { spki, algorithm } = importPublicKey(der, 'spki', {});
  const key: PublicKeyRef = { spki, algorithm };
  return { key, privateKey };
}

const p256 = keyPair('P-256');
const other = keyPair('P-256');

function signed(text: string, pair = p256): VerifyRequest {
  const data = new TextEncoder().encode(text);
  return {
    key: pair.key,
    scheme: { kind: 'ecdsa', hash: 'sha256' },
    data,
    signature: new Uint8Array(sign('sha256', data, pair.privateKey)),
  };
}

/** The node backend, counting the questions that reach it. */
function counting(inner: SyncCryptoBackend = nodeCryptoBackend) {
  const asked: VerifyRequest[] = [];
  const backend: SyncCryptoBackend = {
    name: 'counting',
    verify(r) {
      asked.push(r);
      return inner.verify(r);
    },
  };
  return { backend, asked };
}

/** Backends with a fixed answer, for what the wrapper passes on. */
const ALWAYS_YES: SyncCryptoBackend = { name: 'yes', verify: () => true };
const ALWAYS_NO: SyncCryptoBackend = { name: 'no', verify: () => false };

const flip = (b: Uint8Array, i = b.length - 1) => {
  const c = new Uint8Array(b);
  c[i] = (c[i] as number) ^ 1;
  return c;
};

describe('memoizeBackend', () => {
  it('answers a repeated positive from memory, synchronously', () => {
    const { backend, asked } = counting();
    const memo = memoizeBackend(backend);
    const r = signed('hello');
    expect(memo.verify(r)).toBe(true);
    // A new request object with equal bytes (as a second parse of the same bundle makes).
    const again = {
      ...r,
      key: { ...r.key, spki: new Uint8Array(r.key.spki) },
      data: new Uint8Array(r.data),
      signature: new Uint8Array(r.signature),
    };
    expect(memo.verify(again)).toBe(true);
    expect(asked).toHaveLength(1);
    expect(memo.stats).toEqual({ hits: 1, misses: 1 });
    expect(memo.size).toBe(1);
    expect(memo.name).toBe('memo(counting)');
  });

  it('never remembers a negative: a failing check is asked again, and stays failing', () => {
    const { backend, asked } = counting();
    const memo = memoizeBackend(backend);
    const bad = { ...signed('hello'), signature: flip(signed('hello').signature, 20) };
    expect(memo.verify(bad)).toBe(false);
    expect(memo.verify(bad)).toBe(false);
    expect(asked).toHaveLength(2);
    expect(memo.size).toBe(0);
  });

  it('a remembered positive does not make a tampered input pass (each input, one byte)', () => {
    const { backend, asked } = counting();
    const memo = memoizeBackend(backend);
    const r = signed('the artifact');
    expect(memo.verify(r)).toBe(true);
    const tampered: [string, VerifyRequest][] = [
      ['data', { ...r, data: flip(r.data) }],
      ['signature', { ...r, signature: flip(r.signature, 12) }],
      ['key (another key)', { ...r, key: other.key }],
      ['key (SPKI byte)', { ...r, key: { ...r.key, spki: flip(r.key.spki) } }],
      ['scheme hash', { ...r, scheme: { kind: 'ecdsa', hash: 'sha384' } }],
      ['scheme kind', { ...r, scheme: { kind: 'ecdsa-prehashed' } }],
      ['data extended', { ...r, data: new Uint8Array([...r.data, 0]) }],
    ];
    for (const [what, t] of tampered) {
      expect(memo.verify(t), what).toBe(false);
    }
    expect(asked).toHaveLength(1 + tampered.length);
    expect(memo.verify(r)).toBe(true); // the genuine request still verifies, from memory
    expect(asked).toHaveLength(1 + tampered.length);
  });

  it('keeps fields apart: moving bytes between data and signature is a different question', () => {
    const { backend: yes, asked: seen } = counting(ALWAYS_YES);
    const memo = memoizeBackend(yes);
    const key = p256.key;
    const scheme = { kind: 'ecdsa', hash: 'sha256' } as const;
    memo.verify({ key, scheme, data: new Uint8Array([1, 2]), signature: new Uint8Array([3]) });
    memo.verify({ key, scheme, data: new Uint8Array([1]), signature: new Uint8Array([2, 3]) });
    expect(seen).toHaveLength(2);
  });

  it('an RSA key trusted for another padding is another key', () => {
    const { backend: yes, asked: seen } = counting(ALWAYS_YES);
    const memo = memoizeBackend(yes);
    const spki = new Uint8Array([1, 2, 3]);
    const scheme = { kind: 'rsa-pss', hash: 'sha256' } as const;
    const data = new Uint8Array([9]);
    const signature = new Uint8Array([8]);
    const both = { kind: 'rsa', bits: 2048, schemes: ['pkcs1v15', 'pss'] } as const;
    const pssOnly = { kind: 'rsa', bits: 2048, schemes: ['pss'] } as const;
    memo.verify({ key: { spki, algorithm: both }, scheme, data, signature });
    memo.verify({ key: { spki, algorithm: pssOnly }, scheme, data, signature });
    // The order of the schemes list is not a difference.
    memo.verify({
      key: { spki, algorithm: { ...both, schemes: ['pss', 'pkcs1v15'] } },
      scheme,
      data,
      signature,
    });
    expect(seen).toHaveLength(2);
  });

  it('holds at most maxEntries, forgetting the least recently used first', () => {
    const { backend, asked } = counting();
    const memo = memoizeBackend(backend, { maxEntries: 2 });
    const [a, b, c] = [signed('a'), signed('b'), signed('c')];
    memo.verify(a);
    memo.verify(b);
    memo.verify(a); // a is now the most recently used
    memo.verify(c); // b is forgotten
    expect(memo.size).toBe(2);
    expect(asked).toHaveLength(3);
    memo.verify(a);
    memo.verify(c);
    expect(asked).toHaveLength(3); // both remembered
    memo.verify(b);
    expect(asked).toHaveLength(4); // b was asked again
    expect(memo.size).toBe(2);
    for (let i = 0; i < 50; i++) memo.verify(signed(`n${i}`));
    expect(memo.size).toBe(2);
    memo.clear();
    expect(memo.size).toBe(0);
  });

  it('passes errors through and remembers nothing for them', () => {
    let calls = 0;
    const throwing: SyncCryptoBackend = {
      name: 'throwing',
      verify() {
        calls++;
        throw new TrustRootError('CRYPTO_UNAVAILABLE', 'no RSA here');
      },
    };
    const memo = memoizeBackend(throwing);
    const r = signed('x');
    expect(() => memo.verify(r)).toThrow(TrustRootError);
    expect(() => memo.verify(r)).toThrow(TrustRootError);
    expect(calls).toBe(2);
    expect(memo.size).toBe(0);
  });

  it('wraps an asynchronous backend (WebCrypto) the same way', async () => {
    let calls = 0;
    const web: CryptoBackend = {
      name: 'web',
      verify(r) {
        calls++;
        return webCryptoBackend.verify(r);
      },
    };
    const memo = memoizeBackend(web);
    const r = signed('async');
    const first = memo.verify(r);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(true);
    const second = memo.verify(r);
    expect(second).toBeInstanceOf(Promise);
    expect(await second).toBe(true);
    expect(calls).toBe(1);
    const bad = { ...r, signature: flip(r.signature, 10) };
    expect(await memo.verify(bad)).toBe(false);
    expect(await memo.verify(bad)).toBe(false);
    expect(calls).toBe(3);
  });

  it('agrees with the wrapped backend over a P-384 certificate-style check', () => {
    const p384 = keyPair('P-384');
    const data = new Uint8Array(500).fill(7);
    const request: VerifyRequest = {
      key: p384.key,
      scheme: { kind: 'ecdsa', hash: 'sha384' },
      data,
      signature: new Uint8Array(sign('sha384', data, p384.privateKey)),
    };
    const memo = memoizeBackend(nodeCryptoBackend);
    for (let i = 0; i < 3; i++) {
      expect(memo.verify(request)).toBe(nodeCryptoBackend.verify(request));
      const bad = { ...request, data: flip(data, i) };
      expect(memo.verify(bad)).toBe(nodeCryptoBackend.verify(bad));
    }
    expect(memo.stats).toEqual({ hits: 2, misses: 4 });
  });

  it('hands requests it cannot key to the backend unchanged', () => {
    const { backend: no, asked } = counting(ALWAYS_NO);
    const memo = memoizeBackend(no);
    const odd = { key: null, scheme: null } as unknown as VerifyRequest;
    expect(memo.verify(odd)).toBe(false);
    expect(asked).toEqual([odd]);
    expect(memo.size).toBe(0);
  });

  it('never remembers a request whose names are not plain ASCII or not known', () => {
    const { backend: yes, asked: seen } = counting(ALWAYS_YES);
    const memo = memoizeBackend(yes);
    const r = signed('names');
    const odd = [
      { ...r, scheme: { kind: 'ecdsa', hash: 'sha25\u00b6' } },
      { ...r, scheme: { kind: 'ecdsa\u0000', hash: 'sha256' } },
      { ...r, key: { ...r.key, algorithm: { kind: 'dsa' } } },
      { ...r, key: { ...r.key, algorithm: { kind: 'rsa', bits: 2048, schemes: 'pss' } } },
    ] as unknown as VerifyRequest[];
    for (const o of odd) {
      memo.verify(o);
      memo.verify(o);
    }
    expect(seen).toHaveLength(odd.length * 2);
    expect(memo.size).toBe(0);
  });

  it('a large input is hashed piece by piece into the same kind of key', () => {
    const { backend, asked } = counting();
    const memo = memoizeBackend(backend);
    const r = signed('x'.repeat(200_000));
    expect(memo.verify(r)).toBe(true);
    expect(memo.verify({ ...r, data: new Uint8Array(r.data) })).toBe(true);
    expect(memo.verify({ ...r, data: flip(r.data, 150_000) })).toBe(false);
    expect(asked).toHaveLength(2);
  });

  it('refuses a bad backend or bound with ARGUMENT_INVALID', () => {
    for (const [backend, options] of [
      [undefined, {}],
      [{ name: 'x' }, {}],
      [nodeCryptoBackend, { maxEntries: 0 }],
      [nodeCryptoBackend, { maxEntries: 1.5 }],
      [nodeCryptoBackend, { maxEntries: '10' }],
      [nodeCryptoBackend, null],
    ] as const) {
      let caught: unknown;
      try {
        memoizeBackend(backend as unknown as SyncCryptoBackend, options as never);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(TrustRootError);
      expect((caught as TrustRootError).code).toBe('ARGUMENT_INVALID');
    }
  });
});
