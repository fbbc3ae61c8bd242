import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadConfig,
  MAX_CONFIG_BYTES,
  MAX_MODULE_BYTES,
  MAX_SIGNATURE_BYTES,
  parseConfig,
  readBounded,
} from '../src/config.js';
import { ControllerError } from '../src/errors.js';
import { cleanupDirs, setupDir } from './support/harness.js';

afterAll(cleanupDirs);

function rejection(fn: () => unknown): ControllerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ControllerError) return error;
    throw error;
  }
  throw new Error('expected a ControllerError');
}

describe('defaults and paths', () => {
  it('an empty file takes every default (production, COSIGN_BUNDLE, DISABLED)', () => {
    const c = parseConfig('', '/etc/flareo');
    expect(c.runtime.profile).toBe('production');
    expect(c.signing).toMatchObject({
      required: undefined,
      mode: 'COSIGN_BUNDLE',
      trustRoot: undefined,
      allowUnsignedDevelopment: undefined,
      allowCurrentTime: false,
      rekor: { policy: 'DISABLED', publicKey: undefined, url: 'https://rekor.sigstore.dev' },
    });
    expect(c.controller).toMatchObject({
      host: '127.0.0.1',
      port: 8181,
      modulesDir: '/etc/flareo/modules',
      auditLog: '/etc/flareo/audit.log',
      limits: { moduleBytes: 64 * 1024 * 1024, signatureBytes: 1024 * 1024 },
    });
  });

  it('relative paths resolve against the config file directory, absolute ones stay', () => {
    const dir = setupDir({
      'conf/controller.yml': `modules:
  signing:
    trustRoot: security/module-trust.pem
    rekor:
      publicKey: /opt/rekor.pub
controller:
  modulesDir: ../data/modules
`,
    });
    const c = loadConfig(join(dir, 'conf/controller.yml'));
    expect(c.signing.trustRoot).toBe(join(dir, 'conf/security/module-trust.pem'));
    expect(c.signing.rekor.publicKey).toBe('/opt/rekor.pub');
    expect(c.controller.modulesDir).toBe(join(dir, 'data/modules'));
    expect(c.source).toBe(join(dir, 'conf/controller.yml'));
  });

  it('an empty trustRoot string counts as not set', () => {
    expect(
      parseConfig('modules: {signing: {trustRoot: ""}}', '/x').signing.trustRoot,
    ).toBeUndefined();
  });

  it('reads the spec examples as they are written', () => {
    const c = parseConfig(
      `modules:
  signing:
    required: true
    mode: COSIGN_BUNDLE
    trustRoot: "/etc/prexorcloud/config/security/module-trust.pem"
    rekor:
      policy: REQUIRE_SET
      publicKey: "/etc/prexorcloud/config/security/rekor.pub"
`,
      '/',
    );
    expect(c.signing).toMatchObject({
      required: true,
      mode: 'COSIGN_BUNDLE',
      trustRoot: '/etc/prexorcloud/config/security/module-trust.pem',
      rekor: { policy: 'REQUIRE_SET', publicKey: '/etc/prexorcloud/config/security/rekor.pub' },
    });
  });
});

describe('errors', () => {
  it('CONFIG_UNREADABLE for a missing file', () => {
    const e = rejection(() => loadConfig('/nonexistent/controller.yml'));
    expect(e.code).toBe('CONFIG_UNREADABLE');
    expect(e.detail.path).toBe('/nonexistent/controller.yml');
  });

  it.each([
    ['bad indentation', 'modules:\n  signing:\n    mode: KEYED\n   required: true\n', 4],
    ['unclosed flow mapping', 'runtime: {profile: production\n', 2],
    ['duplicate key', 'runtime:\n  profile: production\n  profile: development\n', 3],
    ['tab indentation', 'runtime:\n\tprofile: production\n', 2],
  ])('CONFIG_YAML_INVALID with line and column: %s', (_label, text, line) => {
    const e = rejection(() => parseConfig(text, '/', '/etc/controller.yml'));
    expect(e.code).toBe('CONFIG_YAML_INVALID');
    expect(e.detail.line).toBe(line);
    expect(e.detail.column).toBeGreaterThan(0);
    expect(e.message).toContain(`/etc/controller.yml, line ${line}, column`);
  });

  it.each([
    ['unknown top-level key', 'modulez: {}', '/modulez', 'unknown setting "modulez"'],
    [
      'unknown signing key',
      'modules: {signing: {requierd: true}}',
      '/modules/signing/requierd',
      'unknown setting',
    ],
    [
      'unknown rekor key',
      'modules: {signing: {rekor: {key: x}}}',
      '/modules/signing/rekor/key',
      'unknown setting',
    ],
    [
      'bad profile',
      'runtime: {profile: staging}',
      '/runtime/profile',
      'must be one of "development", "production"',
    ],
    [
      'bad mode',
      'modules: {signing: {mode: keyed}}',
      '/modules/signing/mode',
      '"KEYED", "COSIGN_BUNDLE"',
    ],
    [
      'bad policy',
      'modules: {signing: {rekor: {policy: REQUIRE_PROOF}}}',
      '/modules/signing/rekor/policy',
      '"REQUIRE_INCLUSION_PROOF"',
    ],
    [
      'required as string',
      'modules: {signing: {required: "yes"}}',
      '/modules/signing/required',
      'must be of type boolean',
    ],
    [
      'port out of range',
      'controller: {listen: {port: 70000}}',
      '/controller/listen/port',
      'must be <= 65535',
    ],
    [
      'port not an integer',
      'controller: {listen: {port: 80.5}}',
      '/controller/listen/port',
      'must be of type integer',
    ],
    ['signing not a mapping', 'modules: {signing: [1]}', '/modules/signing', 'must be a mapping'],
    ['document not a mapping', '- a\n- b\n', '/', 'must be a mapping'],
    [
      'identity matcher',
      'modules: {signing: {identity: {issuer: {regex: x}}}}',
      '/modules/signing/identity/issuer',
      'must be a string or a mapping with "regexp"',
    ],
    [
      'rekor url',
      'modules: {signing: {rekor: {url: rekor.example}}}',
      '/modules/signing/rekor/url',
      'must match pattern',
    ],
  ])('CONFIG_SCHEMA_INVALID with the JSON path: %s', (_label, text, path, message) => {
    const e = rejection(() => parseConfig(text, '/'));
    expect(e.code).toBe('CONFIG_SCHEMA_INVALID');
    expect(e.detail.problems).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(e.message).toContain(path);
  });

  it('reports every schema problem at once', () => {
    const e = rejection(() =>
      parseConfig('runtime: {profile: x}\nmodules: {signing: {mode: y, extra: 1}}', '/'),
    );
    expect(e.detail.problems?.map((p) => p.path).sort()).toEqual([
      '/modules/signing/extra',
      '/modules/signing/mode',
      '/runtime/profile',
    ]);
  });
});

describe('hostile or oversized configuration', () => {
  const laughs = [
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
    'g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
  ].join('\n');

  it('a billion-laughs file is CONFIG_YAML_INVALID at its first alias, not a ReferenceError', () => {
    const e = rejection(() => parseConfig(laughs, '/', '/etc/controller.yml'));
    expect(e.code).toBe('CONFIG_YAML_INVALID');
    expect([e.detail.line, e.detail.column]).toEqual([2, 8]);
    expect(e.message).toMatch(/line 2, column 8: aliases expand too much/);
    expect(e.cause).toBeInstanceOf(ReferenceError);
  });

  it('a few aliases within the limit still work', () => {
    const aliased = parseConfig(
      'runtime: {profile: &p development}\nmodules: {signing: {mode: &m KEYED}}\n',
      '/',
    );
    expect([aliased.runtime.profile, aliased.signing.mode]).toEqual(['development', 'KEYED']);
  });

  it.each([
    ['moduleBytes', 1e20, MAX_MODULE_BYTES],
    ['moduleBytes', MAX_MODULE_BYTES + 1, MAX_MODULE_BYTES],
    ['signatureBytes', 1e20, MAX_SIGNATURE_BYTES],
    ['signatureBytes', MAX_SIGNATURE_BYTES + 1, MAX_SIGNATURE_BYTES],
  ])('limits.%s: %d is over the documented maximum', (key, value, max) => {
    const e = rejection(() => parseConfig(`controller: {limits: {${key}: ${value}}}`, '/'));
    expect(e.code).toBe('CONFIG_SCHEMA_INVALID');
    expect(e.detail.problems).toEqual([
      { path: `/controller/limits/${key}`, message: `must be <= ${max}` },
    ]);
  });

  it('the maxima themselves are accepted', () => {
    const c = parseConfig(
      `controller: {limits: {moduleBytes: ${MAX_MODULE_BYTES}, signatureBytes: ${MAX_SIGNATURE_BYTES}}}`,
      '/',
    );
    expect(c.controller.limits).toEqual({
      moduleBytes: MAX_MODULE_BYTES,
      signatureBytes: MAX_SIGNATURE_BYTES,
    });
  });

  it.runIf(existsSync('/dev/zero'))(
    '/dev/zero: CONFIG_TOO_LARGE, the read stops at the limit',
    () => {
      const before = process.memoryUsage().rss;
      const e = rejection(() => loadConfig('/dev/zero'));
      expect(e.code).toBe('CONFIG_TOO_LARGE');
      expect(e.detail).toMatchObject({
        path: '/dev/zero',
        expected: `at most ${MAX_CONFIG_BYTES} bytes`,
      });
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    },
  );

  it('a file one byte over the limit is CONFIG_TOO_LARGE; one at the limit is read', () => {
    const dir = setupDir({
      'over.yml': `# ${'x'.repeat(MAX_CONFIG_BYTES - 2)}\n`,
      'at.yml': `# ${'x'.repeat(MAX_CONFIG_BYTES - 3)}\n`,
    });
    expect(rejection(() => loadConfig(join(dir, 'over.yml'))).code).toBe('CONFIG_TOO_LARGE');
    expect(loadConfig(join(dir, 'at.yml')).runtime.profile).toBe('production');
  });

  it('a directory is CONFIG_UNREADABLE', () => {
    const dir = setupDir();
    const e = rejection(() => loadConfig(dir));
    expect(e.code).toBe('CONFIG_UNREADABLE');
    expect(e.message).toContain('EISDIR');
  });

  it('readBounded returns short inputs whole', () => {
    const dir = setupDir({ 'small.yml': 'runtime: {}\n' });
    expect(readBounded(join(dir, 'small.yml'), 100)?.toString()).toBe('runtime: {}\n');
    expect(readBounded(join(dir, 'small.yml'), 5)).toBeUndefined();
  });
});
