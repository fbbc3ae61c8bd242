import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { createCertificateAuthority, createLeafCertificate } from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken, isLoopback, TOKEN_PREFIX, TokenStore } from '../src/auth.js';
import { loadConfig, parseConfig } from '../src/config.js';
import { createController } from '../src/controller.js';
import { ControllerError } from '../src/errors.js';
import { type TrustInventory, validateConfig } from '../src/validator.js';
import {
  auditLines,
  CONTROLLER_BIN,
  cleanupDirs,
  type InProcess,
  install,
  PREXORCTL_BIN,
  request,
  runBin,
  setupDir,
  startInProcess,
  writeFiles,
} from './support/harness.js';
import { cosignBundle, keys, moduleBytes } from './support/world.js';

const running: InProcess[] = [];
afterAll(async () => {
  for (const c of running.splice(0)) await c.close();
  cleanupDirs();
});

const tokens = {
  installer: generateToken(),
  reader: generateToken(),
  remover: generateToken(),
};
const tokensYaml = `tokens:
  - name: ci-release
    sha256: ${hashToken(tokens.installer)}
    scopes: [install, read]
  - name: dashboard
    sha256: ${hashToken(tokens.reader).toUpperCase()}
    scopes: [read]
  - name: janitor
    sha256: ${hashToken(tokens.remover)}
    scopes: [remove]
`;

/** Key-signed modules under a KEYED controller: the signature is not what these tests are about. */
const signing = `modules:
  signing:
    mode: COSIGN_BUNDLE
    trustRoot: trust.pem
`;
const jar = (name: string) => ({ name: `${name}.jar`, bytes: moduleBytes(name) });
const bundleFor = (m: { name: string; bytes: Uint8Array }) => ({
  part: 'bundle' as const,
  name: `${m.name}.cosign.bundle`,
  bytes: cosignBundle(m.bytes, { key: keys.authorA }),
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('tokens file', () => {
  it('generated tokens carry 256 random bits and the prefix; the file stores their SHA-256', () => {
    const t = generateToken();
    expect(t.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(Buffer.from(t.slice(TOKEN_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(t);
    expect(hashToken(t)).toBe(createHash('sha256').update(t).digest('hex'));
  });

  it('authenticates the right secret only (hash case-insensitive in the file)', () => {
    const store = TokenStore.parse(tokensYaml, '/t.yml');
    expect(store.size).toBe(3);
    expect(store.authenticate(tokens.installer)).toEqual({
      name: 'ci-release',
      scopes: ['install', 'read'],
    });
    expect(store.authenticate(tokens.reader)?.name).toBe('dashboard');
    expect(store.authenticate(`${tokens.installer}x`)).toBeUndefined();
    expect(store.authenticate('')).toBeUndefined();
    expect(store.authenticate(hashToken(tokens.installer))).toBeUndefined();
  });

  it.each([
    ['not YAML', 'tokens: [', /tokens/],
    ['no tokens key', 'other: 1', /must have required property 'tokens'/],
    [
      'an unknown scope',
      `tokens: [{name: a, sha256: "${'a'.repeat(64)}", scopes: [admin]}]`,
      /must be one of read, install, remove/,
    ],
    ['a short hash', 'tokens: [{name: a, sha256: abc, scopes: [read]}]', /\/tokens\/0\/sha256/],
    [
      'no scopes',
      `tokens: [{name: a, sha256: "${'a'.repeat(64)}", scopes: []}]`,
      /\/tokens\/0\/scopes/,
    ],
    [
      'a plaintext secret field',
      `tokens: [{name: a, token: x, sha256: "${'a'.repeat(64)}", scopes: [read]}]`,
      /unknown setting "token"/,
    ],
    [
      'a name used twice',
      `tokens: [{name: a, sha256: "${'a'.repeat(64)}", scopes: [read]}, {name: a, sha256: "${'b'.repeat(64)}", scopes: [read]}]`,
      /used twice/,
    ],
    [
      'a hash used twice',
      `tokens: [{name: a, sha256: "${'a'.repeat(64)}", scopes: [read]}, {name: b, sha256: "${'A'.repeat(64)}", scopes: [read]}]`,
      /appears twice/,
    ],
  ])('AUTH_TOKENS_INVALID: %s', (_name, text, message) => {
    let error: unknown;
    try {
      TokenStore.parse(text, '/etc/flareo/tokens.yml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ControllerError);
    expect((error as ControllerError).code).toBe('AUTH_TOKENS_INVALID');
    expect((error as ControllerError).message).toMatch(message);
    expect((error as ControllerError).detail.path).toBe('/etc/flareo/tokens.yml');
  });

  it('an unreadable tokens file stops the start, audited', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': `controller: {auth: {tokens: missing.yml}}\n${signing}`,
    });
    const error = await createController(loadConfig(join(dir, 'controller.yml'))).catch(
      (e: unknown) => e,
    );
    expect((error as ControllerError).code).toBe('AUTH_TOKENS_INVALID');
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({ event: 'config.rejected', code: 'AUTH_TOKENS_INVALID' }),
    );
  });
});

describe('listening beyond loopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['controller.internal', false],
  ])('isLoopback(%s) = %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });

  const inventory: TrustInventory = {
    trustRoot: { path: '/t.pem', publicKeys: 1, certificates: 0 },
  };
  const codes = (yaml: string) => {
    const r = validateConfig(parseConfig(`${yaml}\n${signing}`, '/etc/flareo'), inventory);
    return { errors: r.errors.map((f) => f.code), warnings: r.warnings.map((f) => f.code) };
  };

  it('LISTEN_WITHOUT_AUTH: refused in production, warned in development, fine on loopback or with auth', () => {
    expect(codes('controller: {listen: {host: 0.0.0.0}}').errors).toEqual(['LISTEN_WITHOUT_AUTH']);
    expect(codes('runtime: {profile: development}\ncontroller: {listen: {host: 0.0.0.0}}')).toEqual(
      {
        errors: [],
        warnings: ['LISTEN_WITHOUT_AUTH'],
      },
    );
    expect(codes('controller: {listen: {host: 127.0.0.1}}')).toEqual({ errors: [], warnings: [] });
    expect(
      codes(
        'controller: {listen: {host: 0.0.0.0, tls: {certificate: c.pem, key: k.pem}}, auth: {tokens: t.yml}}',
      ),
    ).toEqual({ errors: [], warnings: [] });
    expect(
      codes(
        'controller: {listen: {host: 0.0.0.0, tls: {certificate: c.pem, key: k.pem, clientCa: ca.pem}}}',
      ),
    ).toEqual({ errors: [], warnings: [] });
    // TLS alone authenticates nobody.
    expect(
      codes('controller: {listen: {host: 0.0.0.0, tls: {certificate: c.pem, key: k.pem}}}').errors,
    ).toEqual(['LISTEN_WITHOUT_AUTH']);
  });

  it('TOKENS_WITHOUT_TLS: bearer tokens over plain HTTP beyond loopback', () => {
    expect(codes('controller: {listen: {host: 0.0.0.0}, auth: {tokens: t.yml}}')).toEqual({
      errors: [],
      warnings: ['TOKENS_WITHOUT_TLS'],
    });
    expect(codes('controller: {auth: {tokens: t.yml}}').warnings).toEqual([]);
  });

  it('a production controller refuses 0.0.0.0 without auth: from the file, from listen(), from --host', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': `controller: {listen: {host: 0.0.0.0, port: 0}}\n${signing}`,
      'loopback.yml': `controller: {listen: {host: 127.0.0.1, port: 0}}\n${signing}`,
    });
    const error = await createController(loadConfig(join(dir, 'controller.yml'))).catch(
      (e: unknown) => e,
    );
    expect((error as ControllerError).code).toBe('CONFIG_REJECTED');
    expect((error as ControllerError).message).toMatch(
      /LISTEN_WITHOUT_AUTH .*0\.0\.0\.0.*without authentication/,
    );
    const loopback = await createController(loadConfig(join(dir, 'loopback.yml')));
    const refused = await loopback.listen({ host: '0.0.0.0', port: 0 }).catch((e: unknown) => e);
    await loopback.close();
    expect((refused as ControllerError).code).toBe('CONFIG_REJECTED');
    for (const args of [['--check'], []]) {
      const run = await runBin(CONTROLLER_BIN, [
        '--config',
        join(dir, 'loopback.yml'),
        '--host',
        '0.0.0.0',
        ...args,
      ]);
      expect(run.code).toBe(1);
      const fatal = JSON.parse(run.stderr.split('\n')[0] ?? '');
      expect(fatal).toMatchObject({ level: 'fatal', code: 'CONFIG_REJECTED' });
      expect(fatal.detail.findings[0]).toMatchObject({ code: 'LISTEN_WITHOUT_AUTH' });
    }
  });
});

describe('bearer tokens over HTTP: the matrix', () => {
  let url: string;
  let dir: string;
  beforeAll(async () => {
    dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'tokens.yml': tokensYaml,
      'controller.yml': `controller: {listen: {port: 0}, auth: {tokens: tokens.yml}}\n${signing}`,
    });
    const c = await startInProcess(dir);
    running.push(c);
    url = c.url;
  });

  it('no token: 401 AUTH_REQUIRED with WWW-Authenticate: Bearer, in the error shape, on every /api/ path', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/modules'],
      ['GET', '/api/v1/modules/x'],
      ['DELETE', '/api/v1/modules/x'],
      ['POST', '/api/v1/modules'],
      ['GET', '/api/v1/unknown'],
    ] as const) {
      const response = await fetch(new URL(path, url), { method });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="flareo-controller"');
      const body = await response.json();
      expect(body).toEqual({
        error: { code: 'AUTH_REQUIRED', message: expect.any(String), detail: expect.any(Object) },
      });
    }
    // The unauthenticated install reached nothing.
    const m = jar('sneaky');
    expect((await install(url, m, bundleFor(m))).status).toBe(401);
    expect(auditLines(dir).some((l) => l.event === 'module.installed')).toBe(false);
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({ event: 'auth.refused', code: 'AUTH_REQUIRED', method: 'POST' }),
    );
  });

  it('a wrong token, or not a bearer token: 401 TOKEN_INVALID, error="invalid_token"', async () => {
    for (const authorization of [
      `Bearer ${generateToken()}`,
      `Bearer ${hashToken(tokens.installer)}`,
      `Basic ${Buffer.from(`x:${tokens.installer}`).toString('base64')}`,
      'Bearer',
      `Bearer ${tokens.installer} extra`,
    ]) {
      const response = await fetch(new URL('/api/v1/modules', url), {
        headers: { authorization },
      });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer realm="flareo-controller", error="invalid_token"',
      );
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'TOKEN_INVALID',
      );
    }
  });

  it('a token without the install scope: 403 SCOPE_MISSING, error="insufficient_scope"', async () => {
    const m = jar('read-only');
    const form = new FormData();
    form.append('module', new Blob([m.bytes]), m.name);
    const response = await fetch(new URL('/api/v1/modules', url), {
      method: 'POST',
      headers: bearer(tokens.reader),
      body: form,
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="flareo-controller", error="insufficient_scope", scope="install"',
    );
    const body = (await response.json()) as { error: unknown };
    expect(body.error).toMatchObject({
      code: 'SCOPE_MISSING',
      detail: { expected: 'install', actual: 'dashboard' },
    });
    const del = await request(url, '/api/v1/modules/anything', {
      method: 'DELETE',
      headers: bearer(tokens.installer),
    });
    expect(del.status).toBe(403);
    expect(del.body.error.detail.expected).toBe('remove');
    // The remove-only token cannot list.
    expect(
      (await request(url, '/api/v1/modules', { headers: bearer(tokens.remover) })).status,
    ).toBe(403);
  });

  it('the right token installs, reads and removes; the audit log names the token, never its secret', async () => {
    const m = jar('by-token');
    const form = new FormData();
    form.append('module', new Blob([m.bytes]), m.name);
    const b = bundleFor(m);
    form.append('bundle', new Blob([b.bytes]), b.name);
    const response = await fetch(new URL('/api/v1/modules', url), {
      method: 'POST',
      headers: bearer(tokens.installer),
      body: form,
    });
    expect(response.status).toBe(200);
    const list = await request(url, '/api/v1/modules', { headers: bearer(tokens.reader) });
    expect(list.status).toBe(200);
    expect(list.body.modules.map((x: { name: string }) => x.name)).toContain('by-token');
    const removed = await request(url, '/api/v1/modules/by-token', {
      method: 'DELETE',
      headers: bearer(tokens.remover),
    });
    expect(removed.status).toBe(200);
    const lines = auditLines(dir);
    expect(lines.find((l) => l.event === 'module.installed')).toMatchObject({
      name: 'by-token',
      by: { kind: 'token', name: 'ci-release', scopes: ['install', 'read'] },
    });
    expect(lines.find((l) => l.event === 'module.removed')).toMatchObject({
      name: 'by-token',
      by: { kind: 'token', name: 'janitor' },
    });
    const text = readFileSync(join(dir, 'audit.log'), 'utf8');
    for (const secret of Object.values(tokens)) expect(text).not.toContain(secret);
    // /healthz stays open for probes.
    const health = await request(url, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.auth).toEqual({ tokens: 3, tls: false, clientCertificates: false });
  });
});

// TLS material minted by the test kit: a CA for the server, one for clients, one stranger.
const validity = {
  notBefore: new Date('2024-01-01T00:00:00Z'),
  notAfter: new Date('2040-01-01T00:00:00Z'),
};
const serverCa = createCertificateAuthority({ seed: 'ctl-tls-server-ca', commonName: 'TLS CA' });
const serverLeaf = createLeafCertificate({
  issuer: serverCa,
  seed: 'ctl-tls-server',
  san: { dns: ['localhost'] },
  oidcIssuer: null,
  github: {},
  extendedKeyUsage: ['serverAuth'],
  ...validity,
});
const clientCa = createCertificateAuthority({ seed: 'ctl-tls-client-ca', commonName: 'Clients' });
const clientLeaf = createLeafCertificate({
  issuer: clientCa,
  seed: 'ctl-tls-client',
  san: { dns: ['ci.acme.test'] },
  oidcIssuer: null,
  github: {},
  extendedKeyUsage: ['clientAuth'],
  ...validity,
});
const strangerCa = createCertificateAuthority({ seed: 'ctl-tls-stranger', commonName: 'Nobody' });
const strangerLeaf = createLeafCertificate({
  issuer: strangerCa,
  seed: 'ctl-tls-stranger-leaf',
  san: { dns: ['stranger.test'] },
  oidcIssuer: null,
  github: {},
  extendedKeyUsage: ['clientAuth'],
  ...validity,
});
const keyPem = (c: { key: { privateKey: { export(o: object): string | Buffer } } }) =>
  c.key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const tlsFiles = {
  'tls/server.pem': serverLeaf.pem,
  'tls/server.key': keyPem(serverLeaf),
  'tls/ca.pem': serverCa.pem,
  'tls/clients-ca.pem': clientCa.pem,
  'tls/client.pem': clientLeaf.pem,
  'tls/client.key': keyPem(clientLeaf),
  'tls/stranger.pem': strangerLeaf.pem,
  'tls/stranger.key': keyPem(strangerLeaf),
};

/** An HTTPS GET with node:https (fetch takes no CA or client certificate). */
function httpsGet(
  url: string,
  path: string,
  options: { ca?: string; cert?: string; key?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, url),
      { servername: 'localhost', headers: options.headers ?? {}, ...options },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS and client certificates', () => {
  it('TLS + tokens: HTTPS with the CA answers; an untrusting client refuses the server; tokens still apply', async () => {
    const dir = setupDir({
      ...tlsFiles,
      'trust.pem': keys.authorA.publicKeyPem,
      'tokens.yml': tokensYaml,
      'controller.yml': `controller:
  listen: {port: 0, tls: {certificate: tls/server.pem, key: tls/server.key}}
  auth: {tokens: tokens.yml}
${signing}`,
    });
    const c = await startInProcess(dir);
    running.push(c);
    expect(c.url).toMatch(/^https:/);
    const ca = serverCa.pem;
    expect((await httpsGet(c.url, '/api/v1/modules', { ca })).status).toBe(401);
    const ok = await httpsGet(c.url, '/api/v1/modules', { ca, headers: bearer(tokens.reader) });
    expect(ok.status).toBe(200);
    await expect(httpsGet(c.url, '/healthz', {})).rejects.toThrow(/certificate/i);
    expect(JSON.parse((await httpsGet(c.url, '/healthz', { ca })).body).auth).toEqual({
      tokens: 3,
      tls: true,
      clientCertificates: false,
    });
  });

  it('mTLS: a client certificate from the client CA gets in (and is audited); none, or a stranger’s, does not', async () => {
    const dir = setupDir({
      ...tlsFiles,
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': `controller:
  listen: {host: 0.0.0.0, port: 0, tls: {certificate: tls/server.pem, key: tls/server.key, clientCa: tls/clients-ca.pem}}
${signing}`,
    });
    const c = await startInProcess(dir);
    running.push(c);
    const url = c.url.replace('0.0.0.0', '127.0.0.1');
    const ca = serverCa.pem;
    const client = { ca, cert: clientLeaf.pem, key: keyPem(clientLeaf) };
    expect((await httpsGet(url, '/api/v1/modules', client)).status).toBe(200);
    await expect(httpsGet(url, '/api/v1/modules', { ca })).rejects.toThrow();
    await expect(
      httpsGet(url, '/api/v1/modules', {
        ca,
        cert: strangerLeaf.pem,
        key: keyPem(strangerLeaf),
      }),
    ).rejects.toThrow();
    // prexorctl with --cacert, --cert and --key installs; the audit log names the certificate.
    const m = jar('over-mtls');
    writeFiles(dir, {
      'over-mtls.jar': m.bytes,
      'over-mtls.jar.cosign.bundle': bundleFor(m).bytes,
    });
    const run = await runBin(PREXORCTL_BIN, [
      '--controller',
      url.replace('127.0.0.1', 'localhost'),
      '--cacert',
      join(dir, 'tls/ca.pem'),
      '--cert',
      join(dir, 'tls/client.pem'),
      '--key',
      join(dir, 'tls/client.key'),
      'module',
      'install',
      join(dir, 'over-mtls.jar'),
    ]);
    expect(run.stderr).not.toMatch(/failed|cannot/);
    expect(run.code).toBe(0);
    const fingerprint = createHash('sha256').update(clientLeaf.der).digest('hex');
    expect(auditLines(dir).find((l) => l.event === 'module.installed')).toMatchObject({
      name: 'over-mtls',
      by: { kind: 'certificate', fingerprint },
    });
    const refused = await runBin(PREXORCTL_BIN, [
      '--controller',
      url.replace('127.0.0.1', 'localhost'),
      '--cacert',
      join(dir, 'tls/ca.pem'),
      'module',
      'list',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot reach the controller/);
  });

  it('TLS_MATERIAL_INVALID: a key that is not the certificate’s, a missing file', async () => {
    for (const tls of [
      '{certificate: tls/server.pem, key: tls/client.key}',
      '{certificate: tls/server.pem, key: tls/missing.key}',
    ]) {
      const dir = setupDir({
        ...tlsFiles,
        'trust.pem': keys.authorA.publicKeyPem,
        'controller.yml': `controller: {listen: {port: 0, tls: ${tls}}}\n${signing}`,
      });
      const error = await createController(loadConfig(join(dir, 'controller.yml'))).catch(
        (e: unknown) => e,
      );
      expect((error as ControllerError).code).toBe('TLS_MATERIAL_INVALID');
    }
  });
});

describe('prexorctl --token and PREXORCTL_TOKEN', () => {
  let url: string;
  let dir: string;
  let minted: { token: string; sha256: string };
  beforeAll(async () => {
    dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': `controller: {listen: {port: 0}, auth: {tokens: tokens.yml}}\n${signing}`,
    });
    // The tokens file is what `prexorctl token create` prints.
    const created = await runBin(PREXORCTL_BIN, [
      '--json',
      'token',
      'create',
      '--name',
      'ops',
      '--scope',
      'install',
      '--scope',
      'read',
    ]);
    expect(created.code).toBe(0);
    minted = JSON.parse(created.stdout) as { token: string; sha256: string };
    writeFiles(dir, {
      'tokens.yml': `tokens:\n  - {name: ops, sha256: ${minted.sha256}, scopes: [install, read]}\n`,
    });
    const c = await startInProcess(dir);
    running.push(c);
    url = c.url;
    const m = jar('cli-mod');
    writeFiles(dir, { 'cli-mod.jar': m.bytes, 'cli-mod.jar.cosign.bundle': bundleFor(m).bytes });
  });

  it('without a token: exit 1, the 401 and a hint', async () => {
    const run = await runBin(PREXORCTL_BIN, ['--controller', url, 'module', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/HTTP 401 AUTH_REQUIRED/);
    expect(run.stderr).toMatch(/--token TOKEN or the environment variable PREXORCTL_TOKEN/);
  });

  it('--token installs; PREXORCTL_TOKEN lists; a wrong one is refused', async () => {
    const install = await runBin(PREXORCTL_BIN, [
      '--controller',
      url,
      '--token',
      minted.token,
      'module',
      'install',
      join(dir, 'cli-mod.jar'),
    ]);
    expect(install.stderr).not.toMatch(/failed/);
    expect(install.code).toBe(0);
    const list = await runBin(PREXORCTL_BIN, ['--controller', url, 'module', 'list'], {
      PREXORCTL_TOKEN: minted.token,
    });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^cli-mod\t/m);
    const wrong = await runBin(PREXORCTL_BIN, ['--controller', url, 'module', 'list'], {
      PREXORCTL_TOKEN: generateToken(),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/HTTP 401 TOKEN_INVALID/);
    const removal = await runBin(PREXORCTL_BIN, [
      '--controller',
      url,
      '--token',
      minted.token,
      'module',
      'remove',
      'cli-mod',
    ]);
    expect(removal.code).toBe(1);
    expect(removal.stderr).toMatch(/HTTP 403 SCOPE_MISSING/);
    expect(auditLines(dir).find((l) => l.event === 'module.installed')).toMatchObject({
      by: { kind: 'token', name: 'ops' },
    });
  });

  it('token create prints the secret once and the file entry with its hash', async () => {
    const run = await runBin(PREXORCTL_BIN, ['token', 'create', '--name', 'ci', '--scope', 'read']);
    expect(run.code).toBe(0);
    const token = /^token: (\S+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(run.stdout).toContain(`sha256: ${hashToken(token)}`);
    expect(run.stdout).toContain('scopes: [read]');
    const bad = await runBin(PREXORCTL_BIN, ['token', 'create', '--name', 'ci', '--scope', 'root']);
    expect(bad.code).toBe(2);
  });
});
