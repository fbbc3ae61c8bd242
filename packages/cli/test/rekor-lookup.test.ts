import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import {
  buildTrustedRoot,
  createFulcioChain,
  mintKeyedSignature,
  mintLegacyCosignBundle,
  mintSigstoreBundle,
  type RekorApiLogEntryJson,
  startTestRekorApi,
  TestRekorV1,
  testKey,
} from '@flareo/testkit';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { flareo, json, Scratch } from './helpers.js';

// A detached signature and certificate (cosign sign-blob --output-signature/--output-certificate)
// whose only log evidence sits in a Rekor server: the test kit's log, served on loopback. Every
// lie or breakage of that server must end in a failure with a stable code, never in a pass.
const scratch = new Scratch();
afterAll(() => scratch.remove());

const now = Date.now();
const SAN = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0';
const ISSUER = 'https://token.actions.githubusercontent.com';
const chain = createFulcioChain({ seed: 'cli-lookup-ca' });
const rekor = new TestRekorV1({ seed: 'cli-lookup-rekor', startTime: new Date(now - 7_200_000) });
const leaf = chain.leaf({
  seed: 'cli-lookup-leaf',
  san: { uri: [SAN] },
  notBefore: new Date(now - 3_600_000),
  notAfter: new Date(now + 3_600_000),
});
const artifact = new TextEncoder().encode('release artefact\n');
const other = new TextEncoder().encode('another artefact\n');
const integratedTime = new Date(now - 600_000);
const signed = mintLegacyCosignBundle({
  artifact,
  signer: { certificate: leaf },
  rekor,
  integratedTime,
});
// Logged for the lies below: an entry of the same signer over another artifact.
mintLegacyCosignBundle({
  artifact: other,
  signer: { certificate: leaf },
  rekor,
  integratedTime,
});
const key = testKey('ecdsa-p256', 'cli-lookup-key');
const keySigned = mintLegacyCosignBundle({ artifact, signer: { key }, rekor, integratedTime });
// A signature the log holds with the certificate PEM written otherwise (CRLF line ends), so
// cosign's proposed-entry search misses it and the index search by artifact hash finds it.
const crlfArtifact = new TextEncoder().encode('logged with another PEM layout\n');
const crlfSigned = mintLegacyCosignBundle({
  artifact: crlfArtifact,
  signer: { certificate: leaf },
});
rekor.addHashedRekord({
  artifactDigest: new Uint8Array(createHash('sha256').update(crlfArtifact).digest()),
  signature: new Uint8Array(Buffer.from(crlfSigned.base64Signature, 'base64')),
  certificatePem: leaf.pem.replace(/\n/g, '\r\n'),
  integratedTime,
});
const [entry, otherEntry, keyEntry, crlfEntry] = rekor.entries.map((r) =>
  rekor.withInclusionProof(r.entry),
);
if (!entry || !otherEntry || !keyEntry || !crlfEntry) throw new Error('entries were not logged');

const dir = scratch.dir;

/** `verify` of a detached signature and its certificate, under the test identity. */
const detachedArgs = (signature: string, certificate: string): string[] => [
  'verify',
  '--signature',
  signature,
  '--certificate',
  certificate,
  '--certificate-identity',
  SAN,
  '--certificate-oidc-issuer',
  ISSUER,
];
scratch.write('app.txt', artifact);
scratch.write('app.txt.sig', `${signed.base64Signature}\n`);
scratch.write('app.txt.pem', leaf.pem);
scratch.write('app.txt.bundle', signed);
scratch.write('crlf.txt', crlfArtifact);
scratch.write('crlf.txt.sig', crlfSigned.base64Signature);
scratch.write('key.pub', key.publicKeyPem);
scratch.write('key.sig', `${keySigned.base64Signature}\n`);
scratch.write('trusted_root.json', {
  ...buildTrustedRoot({
    certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
  }),
  tlogs: [rekor.transparencyLogInstance()],
});

const api = await startTestRekorApi(rekor);
api.add(entry, otherEntry, keyEntry, crlfEntry);
afterAll(() => api.stop());
beforeEach(() => {
  api.behave({});
  api.clearRequests();
});

const detached = (...extra: string[]) =>
  flareo(
    [
      ...detachedArgs('app.txt.sig', 'app.txt.pem'),
      '--trusted-root',
      'trusted_root.json',
      '--rekor-url',
      api.url,
      ...extra,
      'app.txt',
    ],
    { cwd: dir },
  );

/** The run's JSON error (with `-o json`). */
const errorOf = async (extra: string[]) => {
  const r = await detached('-o', 'json', ...extra);
  const out = json(r) as { error: { code: string; message: string; rekorCode?: string } };
  return { r, error: out.error };
};

const edit =
  (change: (v: RekorApiLogEntryJson) => void) => (uuid: string, value: RekorApiLogEntryJson) => {
    const copy = JSON.parse(JSON.stringify(value)) as RekorApiLogEntryJson;
    change(copy);
    return { uuid, value: copy };
  };

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('online log lookup: an honest server', () => {
  it('finds the entry as cosign does (entries/retrieve) and verifies SET, proof, checkpoint and body', async () => {
    const r = await detached('-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    const out = json(r) as {
      verified: boolean;
      tlogLookup: { url: string; uuid: string };
      result: { tlog: { entries: { checks: Record<string, boolean>; logIndex: string }[] } };
    };
    expect(out.verified).toBe(true);
    expect(out.tlogLookup.url).toBe(api.url);
    expect(out.tlogLookup.uuid).toMatch(/^[0-9a-f]{80}$/);
    expect(out.result.tlog.entries[0]?.checks).toEqual({
      set: true,
      inclusionProof: true,
      checkpoint: true,
      body: true,
    });
    expect(api.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /api/v1/log/entries/retrieve',
    ]);
  });

  it('falls back to the index search by artifact hash and GET by UUID', async () => {
    const r = await flareo(
      [
        ...detachedArgs('crlf.txt.sig', 'app.txt.pem'),
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        api.url,
        'crlf.txt',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ Verified OK');
    expect(api.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /api/v1/log/entries/retrieve',
      'POST /api/v1/index/retrieve',
      expect.stringMatching(/^GET \/api\/v1\/log\/entries\/[0-9a-f]{80}$/),
    ]);
  });

  it('a Sigstore bundle without tlog entries is looked up too', async () => {
    const minted = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { certificate: leaf },
    }).json as { messageSignature: { signature: string } };
    const logged = rekor.addHashedRekord({
      artifactDigest: new Uint8Array(createHash('sha256').update(artifact).digest()),
      signature: new Uint8Array(Buffer.from(minted.messageSignature.signature, 'base64')),
      certificatePem: leaf.pem,
      integratedTime,
    });
    api.add(rekor.withInclusionProof(logged));
    scratch.write('app.sigstore.json', minted);
    const r = await flareo(
      [
        'verify',
        '--bundle',
        'app.sigstore.json',
        '--certificate-identity',
        SAN,
        '--certificate-oidc-issuer',
        ISSUER,
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        api.url,
        '--json',
        'app.txt',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = json(r) as { tlogLookup: { uuid: string }; result: { format: string } };
    expect(out.result.format).toBe('sigstore-bundle-v0.3');
    expect(out.tlogLookup.uuid).toMatch(/^[0-9a-f]{80}$/);
  });
});

// cosign verify-blob --key K --signature S requires the signature's log entry unless told
// --insecure-ignore-tlog, and so does flareo verify: the entry is looked up as for a
// detached certificate, and the flags that verify with the key alone are named on failure.
describe('online log lookup: a keyed --signature needs its log entry by default, as in cosign', () => {
  const keyed = (...extra: string[]) =>
    flareo(
      [
        'verify',
        '--key',
        'key.pub',
        '--signature',
        'key.sig',
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        api.url,
        ...extra,
      ],
      { cwd: dir },
    );
  const restores = /--insecure-ignore-tlog or --rekor-policy disabled/;
  const unlogged = new TextEncoder().encode('signed with the key, never logged\n');
  scratch.write('unlogged.txt', unlogged);
  scratch.write(
    'unlogged.txt.sig',
    `${mintLegacyCosignBundle({ artifact: unlogged, signer: { key } }).base64Signature}\n`,
  );

  it('with no --rekor-policy, the entry is looked up and verified (SET, proof, checkpoint, body)', async () => {
    const [text, asJson] = [await keyed('app.txt'), await keyed('-o', 'json', 'app.txt')];
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/tlog +hashedrekord/);
    expect(text.stdout).toContain('policy require-any');
    expect(text.stderr).toContain('the keyed signature carries no transparency-log entry');
    expect(asJson.code, asJson.stderr).toBe(0);
    const out = json(asJson) as {
      tlogLookup: { url: string; uuid: string };
      result: { format: string; tlog: { entries: { checks: Record<string, boolean> }[] } };
    };
    expect(out.result.format).toBe('keyed-signature');
    expect(out.tlogLookup.url).toBe(api.url);
    expect(out.tlogLookup.uuid).toMatch(/^[0-9a-f]{80}$/);
    expect(out.result.tlog.entries[0]?.checks).toEqual({
      set: true,
      inclusionProof: true,
      checkpoint: true,
      body: true,
    });
    expect(api.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /api/v1/log/entries/retrieve',
      'POST /api/v1/log/entries/retrieve',
    ]);
  });

  it('a signature the log does not hold fails with TLOG_ENTRY_NOT_FOUND, naming the flags', async () => {
    const [text, asJson] = await Promise.all([
      flareo(
        [
          'verify',
          '--key',
          'key.pub',
          '--signature',
          'unlogged.txt.sig',
          '--trusted-root',
          'trusted_root.json',
          '--rekor-url',
          api.url,
          'unlogged.txt',
        ],
        { cwd: dir },
      ),
      flareo(
        [
          'verify',
          '--key',
          'key.pub',
          '--signature',
          'unlogged.txt.sig',
          '--trusted-root',
          'trusted_root.json',
          '--rekor-url',
          api.url,
          '-o',
          'json',
          'unlogged.txt',
        ],
        { cwd: dir },
      ),
    ]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('TLOG_ENTRY_NOT_FOUND');
    expect(text.stderr).toMatch(/missing: +a transparency-log entry for this signature/);
    expect(text.stderr).toMatch(restores);
    expect(asJson.code).toBe(1);
    const out = json(asJson) as {
      verified: boolean;
      error: { code: string; message: string; hint: string };
      tlogLookup: { url: string; entries: number };
    };
    expect(out.verified).toBe(false);
    expect(out.error.code).toBe('TLOG_ENTRY_NOT_FOUND');
    expect(out.error.message).toContain(`the transparency log at ${api.url} has no entry`);
    expect(out.error.hint).toMatch(restores);
    expect(out.tlogLookup).toEqual({ url: api.url, entries: 0 });
    // cosign's search, then the index search by the artifact's hash, in each run.
    expect(api.requests.filter((q) => q.path === '/api/v1/index/retrieve')).toHaveLength(2);
  });

  it('--offline fails with TLOG_MISSING naming the missing entry and the flags, without a request', async () => {
    const r = await keyed('--offline', 'app.txt');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TLOG_MISSING');
    expect(r.stderr).toContain('the keyed signature carries no transparency-log entry');
    expect(r.stderr).toMatch(/missing: +a transparency-log entry for this signature/);
    expect(r.stderr).toMatch(restores);
    const asJson = json(await keyed('--offline', '-o', 'json', 'app.txt')) as {
      error: { code: string; missing: string; hint: string };
    };
    expect(asJson.error).toMatchObject({
      code: 'TLOG_MISSING',
      missing: 'a transparency-log entry for this signature',
    });
    expect(asJson.error.hint).toMatch(restores);
    expect(api.requests).toHaveLength(0);
  });

  it('--insecure-ignore-tlog or --rekor-policy disabled verify with the key alone, offline', async () => {
    api.behave({ status: 500 });
    const runs = await Promise.all([
      keyed('--insecure-ignore-tlog', 'app.txt'),
      keyed('--insecure-ignore-tlog', '--offline', 'app.txt'),
      keyed('--rekor-policy', 'disabled', '--offline', 'app.txt'),
      keyed('--private-infrastructure', 'app.txt'),
      // Without --trusted-root: the key alone, as flareo verified it by default before.
      flareo(
        [
          'verify',
          '--key',
          'key.pub',
          '--signature',
          'unlogged.txt.sig',
          '--insecure-ignore-tlog',
          'unlogged.txt',
        ],
        { cwd: dir },
      ),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('✓ Verified OK');
      expect(r.stdout).toContain('policy disabled');
      expect(r.stderr).not.toContain('looking it up');
    }
    expect(api.requests).toHaveLength(0);
  });

  it('an artifact given only as a SHA-384 digest cannot be searched for: TLOG_MISSING naming the flags', async () => {
    // Signed over SHA-384, so the signature verifies against that digest; Rekor
    // is searched by SHA-256, which a digest alone cannot give.
    const p384 = testKey('ecdsa-p384', 'cli-lookup-key-384');
    scratch.write('key384.pub', p384.publicKeyPem);
    scratch.write('key384.sig', mintKeyedSignature(artifact, p384, { digestAlgorithm: 'sha384' }));
    const digest = `sha384:${createHash('sha384').update(artifact).digest('hex')}`;
    const r = await flareo(
      [
        'verify',
        '--key',
        'key384.pub',
        '--signature',
        'key384.sig',
        '--rekor-url',
        api.url,
        '-o',
        'json',
        digest,
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    const out = json(r) as { error: { code: string; message: string; hint: string } };
    expect(out.error.code).toBe('TLOG_MISSING');
    expect(out.error.message).toContain('searched by the artifact’s SHA-256');
    expect(out.error.hint).toContain('sha256:<hex>');
    expect(out.error.hint).toMatch(restores);
    expect(api.requests).toHaveLength(0);
  });

  it('a server that cannot be reached is exit 2 whose hint names the flags', async () => {
    const port = await closedPort();
    const r = await flareo(
      [
        'verify',
        '--key',
        'key.pub',
        '--signature',
        'key.sig',
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        `http://127.0.0.1:${port}`,
        '-o',
        'json',
        'app.txt',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    const out = json(r) as { error: { code: string; hint: string } };
    expect(out.error.code).toBe('REKOR_UNREACHABLE');
    expect(out.error.hint).toMatch(restores);
    // The unreachable server of a detached certificate keeps the generic hint.
    const cert = await detached('--rekor-url', `http://127.0.0.1:${port}`, '-o', 'json');
    expect(cert.code).toBe(2);
    const certOut = json(cert) as { error: { code: string; hint: string } };
    expect(certOut.error.code).toBe('REKOR_UNREACHABLE');
    expect(certOut.error.hint).toContain('pass --offline');
    expect(certOut.error.hint).not.toMatch(restores);
  });

  it('the help text states the default', async () => {
    const r = await flareo(['verify', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'transparency-log evidence required (default: require-any, for a keyed --signature too, as cosign; --insecure-ignore-tlog means disabled)',
    );
    expect(r.stdout).not.toContain('disabled for --signature');
  });
});

describe('online log lookup: nothing goes online unless the input lacks evidence', () => {
  it('a bundle with its entry never contacts a server that fails every request', async () => {
    api.behave({ status: 500 });
    const r = await flareo(
      [
        'verify',
        '--bundle',
        'app.txt.bundle',
        '--certificate-identity',
        SAN,
        '--certificate-oidc-issuer',
        ISSUER,
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        api.url,
        'app.txt',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(api.requests).toHaveLength(0);
  });

  it('--offline, --insecure-ignore-tlog and a bad signature never go online', async () => {
    const [offline, ignored] = await Promise.all([
      detached('--offline'),
      detached('--insecure-ignore-tlog'),
    ]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain('TLOG_MISSING');
    expect(offline.stderr).toMatch(/missing: +a transparency-log entry for this signature/);
    expect(ignored.code, ignored.stderr).toBe(0);
    scratch.write('changed.txt', other);
    const changed = await flareo(
      [
        ...detachedArgs('app.txt.sig', 'app.txt.pem'),
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        api.url,
        'changed.txt',
      ],
      { cwd: dir },
    );
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('SIGNATURE_MISMATCH');
    expect(api.requests).toHaveLength(0);
  });
});

describe('online log lookup: input the lookup cannot search for fails naming why', () => {
  it('a DSSE envelope without a log entry, and an artifact given only as a SHA-384 digest', async () => {
    const dsse = mintLegacyCosignBundle({ artifact, dsse: true, signer: { certificate: leaf } });
    scratch.write('att.bundle', dsse);
    // A Sigstore bundle whose message digest is SHA-384, without tlog entries: it verifies
    // against a SHA-384 digest, but Rekor is searched by SHA-256.
    const key384 = testKey('ecdsa-p384', 'cli-lookup-p384');
    const bundle384 = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { key: key384 },
      digestAlgorithm: 'sha384',
    }).json;
    scratch.write('k384.pub', key384.publicKeyPem);
    scratch.write('k384.sigstore.json', bundle384);
    const sha384 = `sha384:${createHash('sha384').update(artifact).digest('hex')}`;
    const [envelope, digest] = await Promise.all([
      flareo(
        [
          'verify',
          '--bundle',
          'att.bundle',
          ...['--certificate-identity', SAN, '--certificate-oidc-issuer', ISSUER],
          ...['--trusted-root', 'trusted_root.json', '--rekor-url', api.url, '--json'],
          'app.txt',
        ],
        { cwd: dir },
      ),
      flareo(
        [
          'verify',
          ...['--key', 'k384.pub', '--bundle', 'k384.sigstore.json'],
          ...['--rekor-url', api.url, '--json'],
          sha384,
        ],
        { cwd: dir },
      ),
    ]);
    expect(envelope.code, envelope.stderr).toBe(1);
    const e = (json(envelope) as { error: { code: string; message: string } }).error;
    expect(e.code).toBe('TLOG_MISSING');
    expect(e.message).toContain('message signatures (hashedrekord entries) only');
    expect(digest.code, digest.stderr).toBe(1);
    const d = (json(digest) as { error: { code: string; message: string } }).error;
    expect(d.code).toBe('TLOG_MISSING');
    expect(d.message).toContain('SHA-256');
    expect(api.requests).toHaveLength(0);
  });
});

describe('online log lookup: a lying server can only make verification fail (exit 1)', () => {
  it.each([
    ['no entry at all', { answerWith: [] }, 'TLOG_ENTRY_NOT_FOUND', undefined],
    [
      'an entry for another artifact',
      { answerWith: [otherEntry] },
      'TLOG_ENTRY_NOT_FOUND',
      'BODY_DIGEST_MISMATCH',
    ],
    ['an entry by another signer', { answerWith: [keyEntry] }, 'TLOG_ENTRY_NOT_FOUND', undefined],
    [
      'a forged SET',
      {
        transform: edit((v) => {
          v.verification.signedEntryTimestamp = Buffer.from('forged').toString('base64');
        }),
      },
      'SET_INVALID',
      'SET_INVALID',
    ],
    [
      'a SET over another integrated time',
      {
        transform: edit((v) => {
          v.integratedTime -= 1;
        }),
      },
      'SET_INVALID',
      'SET_INVALID',
    ],
    [
      'a wrong inclusion proof',
      {
        transform: edit((v) => {
          const p = v.verification.inclusionProof;
          if (p) p.hashes = ['00'.repeat(32), ...p.hashes.slice(1)];
        }),
      },
      'INCLUSION_PROOF_INVALID',
      'PROOF_INVALID',
    ],
    [
      'a checkpoint signed by nobody the root trusts',
      {
        transform: edit((v) => {
          const p = v.verification.inclusionProof;
          if (p)
            p.checkpoint = p.checkpoint.replace(
              /— (\S+) (\S+)/,
              (_m, n: string, s: string) =>
                `— ${n} ${Buffer.from(Buffer.from(s, 'base64').map((b, i) => (i === 10 ? b ^ 1 : b))).toString('base64')}`,
            );
        }),
      },
      'CHECKPOINT_INVALID',
      undefined,
    ],
    [
      'an entry filed under another UUID',
      { transform: (_u: string, v: RekorApiLogEntryJson) => ({ uuid: 'ab'.repeat(32), value: v }) },
      'TLOG_ENTRY_INVALID',
      'ENTRY_MALFORMED',
    ],
  ] as const)('%s', async (_what, behaviour, code, rekorCode) => {
    api.behave(behaviour as never);
    const { r, error } = await errorOf([]);
    expect(r.code, r.stderr).toBe(1);
    expect(error.code).toBe(code);
    if (rekorCode) expect(error.rekorCode).toBe(rekorCode);
    expect(r.stderr).toContain(code);
  });
});

describe('online log lookup: a broken server is a typed error (exit 2)', () => {
  it.each([
    ['HTTP 503', { status: 503 }, [], 'REKOR_HTTP_ERROR'],
    [
      'a redirect to another host',
      { redirectTo: 'https://rekor.example/api/v1/log/entries/retrieve' },
      [],
      'REKOR_REDIRECT_REFUSED',
    ],
    ['a truncated answer', { truncate: true }, [], 'REKOR_ANSWER_INVALID'],
    ['an answer that is not the API’s shape', { rawBody: '"hello"' }, [], 'REKOR_ANSWER_INVALID'],
    ['an oversized answer', { oversizeBytes: 5 * 1024 * 1024 }, [], 'REKOR_ANSWER_TOO_LARGE'],
    [
      'a small gzip answer that expands past the limit',
      { gzipBombBytes: 64 * 1024 * 1024 },
      [],
      'REKOR_ANSWER_TOO_LARGE',
    ],
    ['a slow answer', { delayMs: 2500 }, ['--timeout', '1'], 'REKOR_TIMEOUT'],
  ] as const)('%s', async (_what, behaviour, extra, code) => {
    api.behave(behaviour);
    const started = Date.now();
    const { r, error } = await errorOf([...extra]);
    expect(r.code, r.stderr).toBe(2);
    expect(error.code).toBe(code);
    expect(r.stderr).toContain(code);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('--timeout bounds the whole lookup: answers each quicker than it still add up', async () => {
    api.behave({ delayMs: 600 });
    const started = Date.now();
    const r = await flareo(
      [
        ...detachedArgs('crlf.txt.sig', 'app.txt.pem'),
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        api.url,
        '--timeout',
        '1',
        '-o',
        'json',
        'crlf.txt',
      ],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(2);
    expect((json(r) as { error: { code: string } }).error.code).toBe('REKOR_TIMEOUT');
    // Each request alone (600 ms) is well inside 1 s; together they are not.
    expect(api.requests.length).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an unreachable server, and plain HTTP to a host that is not loopback', async () => {
    const port = await closedPort();
    const down = await flareo(
      [
        ...detachedArgs('app.txt.sig', 'app.txt.pem'),
        '--trusted-root',
        'trusted_root.json',
        '--rekor-url',
        `http://127.0.0.1:${port}`,
        '-o',
        'json',
        'app.txt',
      ],
      { cwd: dir },
    );
    expect(down.code).toBe(2);
    expect((json(down) as { error: { code: string } }).error.code).toBe('REKOR_UNREACHABLE');
    const insecure = await detached('--rekor-url', 'http://rekor.example.com', '-o', 'json');
    expect(insecure.code).toBe(2);
    expect((json(insecure) as { error: { code: string } }).error.code).toBe('REKOR_URL_INSECURE');
    expect(api.requests).toHaveLength(0);
  });
});
