import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseImageReference } from '../src/index.js';
import { rejects } from './support/world.js';

const D = `sha256:${'a1'.repeat(32)}`;

describe('parseImageReference', () => {
  const valid = [
    [
      'alpine',
      {
        registry: 'docker.io',
        apiHost: 'registry-1.docker.io',
        repository: 'library/alpine',
        tag: 'latest',
      },
    ],
    ['flareo/demo:v1', { registry: 'docker.io', repository: 'flareo/demo', tag: 'v1' }],
    ['index.docker.io/flareo/demo', { registry: 'docker.io', repository: 'flareo/demo' }],
    [
      'ghcr.io/flareo/modules/demo:1.2.3',
      { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'flareo/modules/demo', tag: '1.2.3' },
    ],
    [
      `ghcr.io/flareo/demo@${D}`,
      { repository: 'flareo/demo', digest: D, canonical: `ghcr.io/flareo/demo@${D}` },
    ],
    [
      `127.0.0.1:5000/a/b:v1@${D}`,
      { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'v1', digest: D },
    ],
    ['localhost/demo', { registry: 'localhost', repository: 'demo', tag: 'latest' }],
    ['[::1]:5000/demo:x', { registry: '[::1]:5000', repository: 'demo', tag: 'x' }],
    ['my-registry.example:443/a__b/c-d.e:V_1', { repository: 'a__b/c-d.e', tag: 'V_1' }],
    [
      `ghcr.io/${'a'.repeat(127)}/${'b'.repeat(127)}`,
      { repository: `${'a'.repeat(127)}/${'b'.repeat(127)}` },
    ],
  ] as const;
  it.each(valid)('%s', (text, expected) => {
    const parsed = parseImageReference(text);
    expect(parsed).toMatchObject(expected);
    if (!('digest' in expected)) expect(parsed.digest).toBeUndefined();
  });

  const invalid = [
    '',
    'UPPER/case',
    'ghcr.io/a/b:',
    'ghcr.io/a/b@sha256:abc',
    `ghcr.io/a/b@md5:${'0'.repeat(32)}`,
    'ghcr.io/a//b',
    'ghcr.io/a/b:-tag',
    'a/b:tag/with/slash',
    `ghcr.io/${'a'.repeat(300)}`,
    // 256 characters in several components (found by the round-trip property).
    `ghcr.io/${'a'.repeat(128)}/${'b'.repeat(127)}`,
    'bad_host.io:99999999/a',
  ];
  it.each(invalid)('rejects %j', async (text) => {
    await rejects(() => parseImageReference(text), 'REFERENCE_INVALID');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['ghcr.io', false],
  ] as const)('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
