import {
  either,
  expectCoded,
  isBytes,
  isEmptyObject,
  isString,
  isUndefined,
  never,
  type Row as TableRow,
  WRONG_VALUES,
  wrongRows,
} from '@flareo/internal/testing';
import { describe, expect, it } from 'vitest';
import type { TrustRootErrorCode } from './index.js';
import * as api from './index.js';

// Every function exported by the package, and every method of TrustRoot, is called here with
// arguments of the wrong type or shape; each must throw a TrustRootError with a stable code,
// never a raw TypeError. The coverage tests below fail when an export or a method is added
// without a row in these tables.

const root = api.publicGoodTrustRoot();
const authority = root.certificateAuthorities[0] as api.CertificateAuthority;
const cert = authority.certificates[0] as api.TrustedCertificate;
const log = root.tlogs[0] as api.TransparencyLog;
const key = log.key;
const at = new Date('2025-01-01T00:00:00Z');
const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(key.spki).toString('base64')}\n-----END PUBLIC KEY-----\n`;

const keyRef: api.PublicKeyRef = { spki: cert.spki, algorithm: cert.keyAlgorithm };
const request = api.certificateSignatureRequest(cert, keyRef) as api.VerifyRequest;
const task = () => api.verifySignature(request);

type Row = TableRow<TrustRootErrorCode>;

/** One row per wrong value of `parameter`, except the values `accepts` admits. */
const wrong = (
  parameter: string,
  accepts: (value: unknown) => boolean,
  call: (value: unknown) => unknown,
): Row[] => wrongRows<TrustRootErrorCode>(WRONG_VALUES, parameter, accepts, call);

interface Entry {
  /** A valid call, proving the checks do not refuse correct use. */
  readonly ok: () => unknown;
  /** The function returns a promise: a bad argument rejects it. */
  readonly async?: true;
  readonly bad: readonly Row[];
}

const functions: Record<string, Entry> = {
  canIssue: {
    ok: () => api.canIssue(cert),
    bad: [
      ...wrong('cert', never, (v) => api.canIssue(v as never)),
      ['cert without spki', () => api.canIssue({ ...cert, spki: undefined } as never)],
      ['cert without tbs', () => api.canIssue({ ...cert, tbs: 'x' } as never)],
    ],
  },
  issuedBy: {
    ok: () => api.issuedBy(cert, cert),
    bad: [
      ...wrong('child', never, (v) => api.issuedBy(v as never, cert)),
      ...wrong('issuer', never, (v) => api.issuedBy(cert, v as never)),
    ],
  },
  verifyCertificateSignature: {
    ok: () => api.verifyCertificateSignature(cert, cert.publicKey),
    bad: [
      ...wrong('cert', never, (v) => api.verifyCertificateSignature(v as never, cert.publicKey)),
      ...wrong('issuerKey', never, (v) => api.verifyCertificateSignature(cert, v as never)),
      [
        'cert without tbs',
        () => api.verifyCertificateSignature({ ...cert, tbs: 1 } as never, cert.publicKey),
      ],
    ],
  },
  verifyCertificateSignatureAsync: {
    ok: async () => expect(await api.verifyCertificateSignatureAsync(cert, keyRef)).toBe(true),
    async: true,
    bad: [
      ...wrong('cert', never, (v) => api.verifyCertificateSignatureAsync(v as never, keyRef)),
      ...wrong('issuerKey', never, (v) => api.verifyCertificateSignatureAsync(cert, v as never)),
    ],
  },
  certificateSignatureRequest: {
    ok: () => expect(api.certificateSignatureRequest(cert, keyRef)?.data).toBe(cert.tbs),
    bad: [
      ...wrong('cert', never, (v) => api.certificateSignatureRequest(v as never, keyRef)),
      ...wrong('issuerKey', never, (v) => api.certificateSignatureRequest(cert, v as never)),
      [
        'a KeyObject as issuerKey',
        () => api.certificateSignatureRequest(cert, cert.publicKey as never),
      ],
    ],
  },
  memoizeBackend: {
    ok: () => expect(api.memoizeBackend(api.platformCrypto.sync).verify(request)).toBe(true),
    bad: [
      ...wrong('backend', never, (v) => api.memoizeBackend(v as never)),
      ...wrong('options', either(isUndefined, isEmptyObject), (v) =>
        api.memoizeBackend(api.platformCrypto.sync, v as never),
      ),
      ...wrong(
        'options.maxEntries',
        either(isUndefined, (v) => Number.isSafeInteger(v) && (v as number) >= 1),
        (v) => api.memoizeBackend(api.platformCrypto.sync, { maxEntries: v as never }),
      ),
      ['maxEntries 0', () => api.memoizeBackend(api.platformCrypto.sync, { maxEntries: 0 })],
      ['maxEntries 1.5', () => api.memoizeBackend(api.platformCrypto.sync, { maxEntries: 1.5 })],
    ],
  },
  runCryptoSync: {
    ok: () => expect(api.runCryptoSync(task(), api.platformCrypto.sync)).toBe(true),
    bad: [
      ...wrong('task', never, (v) => api.runCryptoSync(v as never, api.platformCrypto.sync)),
      ...wrong('backend', never, (v) => api.runCryptoSync(task(), v as never)),
    ],
  },
  runCryptoAsync: {
    ok: async () => expect(await api.runCryptoAsync(task(), api.webCryptoBackend)).toBe(true),
    async: true,
    bad: [
      ...wrong('task', never, (v) => api.runCryptoAsync(v as never, api.webCryptoBackend)),
      ...wrong('backend', never, (v) => api.runCryptoAsync(task(), v as never)),
    ],
  },
  verifySignature: {
    ok: () =>
      expect(api.runCryptoSync(api.verifySignature(request), api.nobleCryptoBackend)).toBe(true),
    bad: [
      ...wrong('request', never, (v) => api.verifySignature(v as never).next()),
      [
        'request without data',
        () => api.verifySignature({ ...request, data: 'x' } as never).next(),
      ],
      [
        'request with an unknown scheme',
        () => api.verifySignature({ ...request, scheme: { kind: 'dsa' } } as never).next(),
      ],
      [
        'request without a hash',
        () => api.verifySignature({ ...request, scheme: { kind: 'ecdsa' } } as never).next(),
      ],
    ],
  },
  parseTrustedRootAsync: {
    ok: async () =>
      expect(
        (await api.parseTrustedRootAsync(api.publicGoodTrustedRootJson.json)).tlogs.length,
      ).toBe(root.tlogs.length),
    async: true,
    bad: [
      ...wrong(
        'input',
        (v) => typeof v === 'string' || typeof v === 'object',
        (v) => api.parseTrustedRootAsync(v as never),
      ),
      ...wrong(
        'options',
        (v) =>
          v === undefined ||
          (typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v)),
        (v) => api.parseTrustedRootAsync(api.publicGoodTrustedRootJson.json, v as never),
      ),
    ],
  },
  parsePemTrustBundleAsync: {
    ok: async () => expect((await api.parsePemTrustBundleAsync(pem)).keys.length).toBe(1),
    async: true,
    bad: [
      ...wrong('input', either(isString, isBytes), (v) => api.parsePemTrustBundleAsync(v as never)),
      ...wrong(
        'options',
        (v) =>
          v === undefined ||
          (typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v)),
        (v) => api.parsePemTrustBundleAsync(pem, v as never),
      ),
    ],
  },
  noteKeyHash: {
    ok: () => api.noteKeyHash(key, 'rekor.sigstore.dev'),
    bad: [
      ...wrong('key', never, (v) => api.noteKeyHash(v as never, 'host')),
      ...wrong('name', isString, (v) => api.noteKeyHash(key, v as never)),
      ['key without spki', () => api.noteKeyHash({ algorithm: key.algorithm } as never, 'host')],
      [
        'key of an unknown algorithm',
        () => api.noteKeyHash({ algorithm: { kind: 'dsa' }, spki: key.spki } as never, 'h'),
      ],
    ],
  },
  noteKeyId: {
    ok: () => api.noteKeyId(key, 'rekor.sigstore.dev'),
    bad: [
      ...wrong('key', never, (v) => api.noteKeyId(v as never, 'host')),
      ...wrong('name', isString, (v) => api.noteKeyId(key, v as never)),
    ],
  },
  mergeTrustRoots: {
    ok: () => api.mergeTrustRoots(root, root),
    bad: wrong('roots[1]', never, (v) => api.mergeTrustRoots(root, v as never)),
  },
  TrustRoot: {
    ok: () => new api.TrustRoot({ keys: [key], tlogs: [log], certificateAuthorities: [authority] }),
    bad: [
      ...wrong('parts', isEmptyObject, (v) => new api.TrustRoot(v as never)),
      ...wrong(
        'parts.keys',
        either(isUndefined, Array.isArray),
        (v) => new api.TrustRoot({ keys: v as never }),
      ),
      ['parts.keys[0] = {}', () => new api.TrustRoot({ keys: [{}] as never })],
      [
        'parts.tlogs[0] without key',
        () => new api.TrustRoot({ tlogs: [{ ...log, key: undefined }] as never }),
      ],
      [
        'parts.tlogs[0].logId = 1',
        () => new api.TrustRoot({ tlogs: [{ ...log, logId: 1 }] as never }),
      ],
      [
        'parts.certificateAuthorities[0] without certificates',
        () => new api.TrustRoot({ certificateAuthorities: [{ ...authority, certificates: [] }] }),
      ],
      [
        'parts.timestampAuthorities[0].validFor = null',
        () =>
          new api.TrustRoot({
            timestampAuthorities: [{ ...authority, validFor: null }] as never,
          }),
      ],
      ['parts.skipped = [1]', () => new api.TrustRoot({ skipped: [1] as never })],
    ],
  },
  parsePemBlocks: {
    ok: () => api.parsePemBlocks(pem, 'rekor.pub'),
    bad: [
      ...wrong('text', isString, (v) => api.parsePemBlocks(v as never)),
      ...wrong('source', either(isString, isUndefined), (v) => api.parsePemBlocks(pem, v as never)),
    ],
  },
  parsePemTrustBundle: {
    ok: () => api.parsePemTrustBundle(pem, { keysAs: 'tlog', logBaseUrl: 'https://rekor.test' }),
    bad: [
      ...wrong('input', either(isString, isBytes), (v) => api.parsePemTrustBundle(v as never)),
      ...wrong(
        'options',
        (v) =>
          v === undefined ||
          (typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v)),
        (v) => api.parsePemTrustBundle(pem, v as never),
      ),
      ['options.keysAs = "logs"', () => api.parsePemTrustBundle(pem, { keysAs: 'logs' as never })],
      ['options.name = 1', () => api.parsePemTrustBundle(pem, { name: 1 as never })],
      ['options.logBaseUrl = {}', () => api.parsePemTrustBundle(pem, { logBaseUrl: {} as never })],
    ],
  },
  publicGoodTrustRoot: {
    // Takes no argument: nothing to refuse, but extra arguments must not change the result.
    ok: () => expect((api.publicGoodTrustRoot as (...a: unknown[]) => unknown)(null, 1)).toBe(root),
    bad: [],
  },
  keyIdOf: {
    ok: () => expect(api.keyIdOf(key.spki)).toBe(key.id),
    bad: wrong('spki', isBytes, (v) => api.keyIdOf(v as never)),
  },
  parseTrustedRoot: {
    ok: () => api.parseTrustedRoot(api.publicGoodTrustedRootJson.json, { onUnsupported: 'skip' }),
    bad: [
      ...wrong(
        'input',
        (v) => isString(v) || (typeof v === 'object' && v !== null),
        (v) => api.parseTrustedRoot(v as never),
      ),
      ...wrong(
        'options',
        (v) =>
          v === undefined ||
          (typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v)),
        (v) => api.parseTrustedRoot(api.publicGoodTrustedRootJson.json, v as never),
      ),
      [
        'options.onUnsupported = "ignore"',
        () =>
          api.parseTrustedRoot(api.publicGoodTrustedRootJson.json, {
            onUnsupported: 'ignore' as never,
          }),
      ],
      // Content problems keep their own codes.
      ['a document missing every field', () => api.parseTrustedRoot({}), 'TRUSTED_ROOT_INVALID'],
      ['an array', () => api.parseTrustedRoot([]), 'TRUSTED_ROOT_INVALID'],
      ['text that is not JSON', () => api.parseTrustedRoot('{'), 'JSON_INVALID'],
      [
        'a Uint8Array of garbage',
        () => api.parseTrustedRoot(new Uint8Array([1, 2, 3])),
        'JSON_INVALID',
      ],
    ],
  },
  hostOf: {
    ok: () => expect(api.hostOf('https://rekor.sigstore.dev/')).toBe('rekor.sigstore.dev'),
    bad: wrong('baseUrl', isString, (v) => api.hostOf(v as never)),
  },
  isWithin: {
    ok: () => expect(api.isWithin({ start: at }, at)).toBe(true),
    bad: [
      ...wrong('window', isEmptyObject, (v) => api.isWithin(v as never, at)),
      ...wrong('at', never, (v) => api.isWithin({}, v as never)),
      ['window.start = "2020"', () => api.isWithin({ start: '2020' } as never, at)],
      ['window.end = 0', () => api.isWithin({ end: 0 } as never, at)],
      ['at = a date string', () => api.isWithin({}, '2025-01-01T00:00:00Z' as never)],
    ],
  },
};

const notDate = (v: unknown) => v instanceof Date;
const methods: Record<string, Entry> = {
  keysById: {
    ok: () => root.keysById(key.id, at),
    bad: [
      ...wrong('id', either(isString, isBytes), (v) => root.keysById(v as never)),
      ['id = "not hex"', () => root.keysById('not hex')],
      ...wrong('at', either(isUndefined, notDate), (v) => root.keysById(key.id, v as never)),
    ],
  },
  keysAt: { ok: () => root.keysAt(at), bad: wrong('at', notDate, (v) => root.keysAt(v as never)) },
  tlogsById: {
    ok: () => expect(root.tlogsById(log.logId)).toContain(log),
    bad: [
      ...wrong('logId', either(isString, isBytes), (v) => root.tlogsById(v as never)),
      ...wrong('at', either(isUndefined, notDate), (v) => root.tlogsById(log.logId, v as never)),
    ],
  },
  ctlogsById: {
    ok: () => root.ctlogsById(new Uint8Array(32), at),
    bad: [
      ...wrong('logId', either(isString, isBytes), (v) => root.ctlogsById(v as never)),
      ...wrong('at', either(isUndefined, notDate), (v) => root.ctlogsById(log.logId, v as never)),
    ],
  },
  certificateAuthoritiesAt: {
    ok: () => root.certificateAuthoritiesAt(at),
    bad: wrong('at', notDate, (v) => root.certificateAuthoritiesAt(v as never)),
  },
  timestampAuthoritiesAt: {
    ok: () => root.timestampAuthoritiesAt(at),
    bad: wrong('at', notDate, (v) => root.timestampAuthoritiesAt(v as never)),
  },
  issuerCandidates: {
    ok: () => root.issuerCandidates(cert),
    bad: [
      ...wrong('certificate', isEmptyObject, (v) => root.issuerCandidates(v as never)),
      ['certificate.issuer = 1', () => root.issuerCandidates({ issuer: 1 } as never)],
      [
        'certificate.issuerNameDer = []',
        () => root.issuerCandidates({ issuerNameDer: [] } as never),
      ],
    ],
  },
  summary: {
    // Takes no argument.
    ok: () => expect(root.summary().tlogs.length).toBe(root.tlogs.length),
    bad: [],
  },
};

describe('argument validation of every public function', () => {
  it('covers every function the package exports', () => {
    const exported = Object.entries(api)
      .filter(([name, value]) => typeof value === 'function' && name !== 'TrustRootError')
      .map(([name]) => name)
      .sort();
    expect(Object.keys(functions).sort()).toEqual(exported);
  });

  it('covers every method of TrustRoot', () => {
    const own = Object.entries(Object.getOwnPropertyDescriptors(api.TrustRoot.prototype))
      .filter(([name, d]) => name !== 'constructor' && typeof d.value === 'function')
      .map(([name]) => name)
      .sort();
    expect(Object.keys(methods).sort()).toEqual(own);
  });

  for (const [table, entries] of [
    ['function', functions],
    ['TrustRoot method', methods],
  ] as const) {
    for (const [name, entry] of Object.entries(entries)) {
      it(`${table} ${name} accepts a valid call`, () => {
        entry.ok();
      });
      if (entry.bad.length === 0) continue;
      it.each(entry.bad.map(([label, call, code]) => ({ label, call, code })))(
        `${table} ${name}: $label → coded error`,
        ({ call, code }) =>
          expectCoded(api.TrustRootError, call, code ?? 'ARGUMENT_INVALID', entry.async === true),
      );
    }
  }
});
