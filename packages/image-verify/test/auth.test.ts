import { cosignSignatureTag } from '@flareo/testkit';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../src/conventions.js';
import { registrySource } from '../src/index.js';
import { nextPage } from '../src/registry.js';
import {
  type MockRegistry,
  type MockRegistryOptions,
  startMockRegistry,
} from './support/mock-registry.js';
import {
  attachBundle,
  codes,
  policy,
  rejects,
  signedImage,
  stranger,
  verifier,
} from './support/world.js';

describe('WWW-Authenticate parsing', () => {
  const rows = [
    {
      header:
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      expected: [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull',
          },
        },
      ],
    },
    {
      header: 'Basic realm="Registry Realm"',
      expected: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }],
    },
    {
      header: 'Basic realm="a", Bearer realm="https://t/x", service=reg, error="invalid_token"',
      expected: [
        { scheme: 'basic', params: { realm: 'a' } },
        {
          scheme: 'bearer',
          params: { realm: 'https://t/x', service: 'reg', error: 'invalid_token' },
        },
      ],
    },
    {
      header: 'Bearer realm="quo\\"ted",scope="repository:a/b:pull,push"',
      expected: [
        { scheme: 'bearer', params: { realm: 'quo"ted', scope: 'repository:a/b:pull,push' } },
      ],
    },
    { header: '', expected: [] },
    { header: 'realm="orphan"', expected: [] },
  ];
  it.each(rows)('$header', ({ header, expected }) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });
});

describe('registrySource against a mock token-auth registry with the referrers API', () => {
  let mock: MockRegistry | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  async function world(options: MockRegistryOptions) {
    const { store, image } = signedImage({ seed: 'mock-image' });
    attachBundle(store, image, { fallbackTag: false });
    mock = await startMockRegistry(store, options);
    return { store, image, mock };
  }

  it('anonymous bearer flow: challenge, token, then the referrers API', async () => {
    const { image, mock } = await world({ auth: 'bearer' });
    const collected = await registrySource(`${mock.host}/flareo/demo:v1`, {
      plainHttp: true,
    }).collect();
    const result = verifier.verifyImage(collected, policy);
    expect(result.signatures.map((s) => [s.kind, s.origin.via, s.verified])).toEqual([
      ['cosign', 'signature-tag', true],
      ['bundle', 'referrers-api', true],
    ]);
    expect(result.digest).toBe(image.digest);
    expect(mock.tokenRequests).toHaveLength(1);
    const query = new URLSearchParams(mock.tokenRequests[0]?.query);
    expect(query.get('service')).toBe('mock.registry');
    expect(query.get('scope')).toBe('repository:flareo/demo:pull');
    expect(mock.tokenRequests[0]?.authorization).toBeUndefined();
    expect(mock.requests).toContain(`GET /v2/flareo/demo/referrers/${image.digest}`);
    expect(mock.requests).toContain(
      `GET /v2/flareo/demo/manifests/${cosignSignatureTag(image.digest)}`,
    );
  });

  it('bearer flow with credentials sends them to the token service only', async () => {
    const credentials = { username: 'ci', password: 's3cret' };
    const { mock } = await world({ auth: 'bearer', credentials });
    const collected = await registrySource(`${mock.host}/flareo/demo:v1`, {
      plainHttp: true,
      auth: credentials,
    }).collect();
    expect(verifier.verifyImage(collected, policy).verified).toBe(true);
    expect(mock.tokenRequests[0]?.authorization).toBe(
      `Basic ${Buffer.from('ci:s3cret').toString('base64')}`,
    );
  });

  it('wrong credentials at the token service are AUTH_FAILED', async () => {
    const { mock } = await world({
      auth: 'bearer',
      credentials: { username: 'ci', password: 's3cret' },
    });
    await rejects(
      () =>
        registrySource(`${mock.host}/flareo/demo:v1`, {
          plainHttp: true,
          auth: { username: 'ci', password: 'wrong' },
        }).collect(),
      'AUTH_FAILED',
    );
  });

  it('Basic auth registries', async () => {
    const credentials = { username: 'u', password: 'p' };
    const { mock } = await world({ auth: 'basic', credentials });
    const ok = await registrySource(`${mock.host}/flareo/demo:v1`, {
      plainHttp: true,
      auth: credentials,
    }).collect();
    expect(ok.signatures).toHaveLength(2);
    await rejects(
      () => registrySource(`${mock.host}/flareo/demo:v1`, { plainHttp: true }).collect(),
      'AUTH_FAILED',
    );
  });

  it('a given bearer token the registry refuses is AUTH_FAILED', async () => {
    const { mock } = await world({ auth: 'bearer' });
    await rejects(
      () =>
        registrySource(`${mock.host}/flareo/demo:v1`, {
          plainHttp: true,
          auth: { token: 'stale' },
        }).collect(),
      'AUTH_FAILED',
    );
  });

  it('refuses a non-HTTPS token realm on a non-loopback host', async () => {
    const { mock } = await world({ auth: 'bearer', realm: 'http://auth.example.com/token' });
    const error = await rejects(
      () => registrySource(`${mock.host}/flareo/demo:v1`, { plainHttp: true }).collect(),
      'AUTH_FAILED',
    );
    expect(error.message).toContain('not HTTPS');
  });

  it('content that is not what was asked for is BLOB_DIGEST_MISMATCH', async () => {
    const { store, image } = signedImage({ seed: 'mock-swap' });
    mock = await startMockRegistry(store, {
      auth: 'none',
      swap: { [image.digest]: new TextEncoder().encode('{"schemaVersion":2}') },
    });
    await rejects(
      () =>
        registrySource(`${mock?.host}/flareo/demo@${image.digest}`, { plainHttp: true }).collect(),
      'BLOB_DIGEST_MISMATCH',
    );
  });

  it('a Docker-Content-Digest header that contradicts the content is BLOB_DIGEST_MISMATCH', async () => {
    const { mock } = await world({ auth: 'none', wrongDigestHeader: true });
    await rejects(
      () => registrySource(`${mock.host}/flareo/demo:v1`, { plainHttp: true }).collect(),
      'BLOB_DIGEST_MISMATCH',
    );
  });

  it('a swapped signature payload fails that signature only', async () => {
    const { store, image } = signedImage({ seed: 'mock-swap-payload' });
    const layer = store.json<{ layers: { digest: string }[] }>(
      store.tags.get(cosignSignatureTag(image.digest)) as string,
    ).layers[0]?.digest as string;
    mock = await startMockRegistry(store, {
      auth: 'none',
      swap: { [layer]: new Uint8Array(store.bytes(layer).length) },
    });
    const collected = await registrySource(`${mock.host}/flareo/demo:v1`, {
      plainHttp: true,
    }).collect();
    expect(collected.signatures).toMatchObject([
      { kind: 'unreadable', code: 'BLOB_DIGEST_MISMATCH' },
    ]);
  });

  it('server errors are REGISTRY_ERROR; oversized responses LIMIT_EXCEEDED', async () => {
    const { mock } = await world({
      auth: 'none',
      failPaths: { '/v2/flareo/broken/manifests/v1': 500 },
    });
    await rejects(
      () => registrySource(`${mock.host}/flareo/broken:v1`, { plainHttp: true }).collect(),
      'REGISTRY_ERROR',
    );
    await rejects(
      () =>
        registrySource(`${mock.host}/flareo/demo:v1`, {
          plainHttp: true,
          limits: { maxManifestBytes: 100 },
        }).collect(),
      'LIMIT_EXCEEDED',
    );
  });

  it('follows paginated referrers (Link rel="next")', async () => {
    const { store, image } = signedImage({ seed: 'mock-pages' });
    attachBundle(store, image, { fallbackTag: false });
    attachBundle(store, image, { fallbackTag: false, who: stranger });
    attachBundle(store, image, {
      fallbackTag: false,
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    mock = await startMockRegistry(store, { auth: 'bearer', referrersPageSize: 1 });
    const collected = await registrySource(`${mock.host}/flareo/demo:v1`, {
      plainHttp: true,
    }).collect();
    expect(codes(verifier.inspectImage(collected, policy))).toEqual([
      'VERIFIED',
      'VERIFIED',
      'UNTRUSTED_SIGNER',
      'PREDICATE_TYPE_MISMATCH',
    ]);
    expect(mock.requests.filter((r) => r.includes('/referrers/'))).toHaveLength(3);
  });

  it('a referrers list that never ends is LIMIT_EXCEEDED', async () => {
    const { mock } = await world({ auth: 'none', referrersLoop: true });
    await rejects(
      () => registrySource(`${mock.host}/flareo/demo:v1`, { plainHttp: true }).collect(),
      'LIMIT_EXCEEDED',
    );
  });

  it.each([
    [null, undefined],
    ['</v2/a/b/referrers/sha256:x?last=1>; rel="next"', '/v2/a/b/referrers/sha256:x?last=1'],
    ['<https://evil.example/v2/a?x=1>; rel=next', '/v2/a?x=1'],
    ['</v2/a>; rel="prev"', undefined],
    ['</elsewhere>; rel="next"', undefined],
  ])('nextPage(%j) → %j', (link, expected) => {
    expect(nextPage(link)).toBe(expected);
  });

  it('plain HTTP is refused for non-loopback registries', async () => {
    await rejects(
      () => registrySource('registry.example.com/a/b:v1', { plainHttp: true }),
      'ARGUMENT_INVALID',
    );
  });
});

describe('registrySource with an undici dispatcher (HTTPS by default)', () => {
  it('reads through the given dispatcher, over https, with no network', async () => {
    const { store, image } = signedImage({ seed: 'mock-agent' });
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('https://registry.example.com');
    const seen: string[] = [];
    pool
      .intercept({ path: (p) => p.startsWith('/v2/'), method: 'GET' })
      .reply((request) => {
        seen.push(request.path);
        const m = /^\/v2\/flareo\/demo\/(manifests|blobs)\/(.+)$/.exec(request.path);
        const ref = m?.[2] ?? '';
        const digest = ref.startsWith('sha256:') ? ref : store.tags.get(ref);
        const blob = digest ? store.blobs.get(digest) : undefined;
        if (!m || !blob) return { statusCode: 404, data: '' };
        return {
          statusCode: 200,
          data: Buffer.from(blob.bytes),
          responseOptions: { headers: { 'content-type': blob.mediaType } },
        };
      })
      .persist();
    try {
      const collected = await registrySource('registry.example.com/flareo/demo:v1', {
        dispatcher: agent,
      }).collect();
      expect(verifier.verifyImage(collected, policy).digest).toBe(image.digest);
      expect(seen).toContain(`/v2/flareo/demo/referrers/${image.digest}`);
      expect(seen).toContain(`/v2/flareo/demo/manifests/${image.digest.replace(':', '-')}`);
    } finally {
      await agent.close();
    }
  });
});
