import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseConfig } from '../src/config.js';
import {
  auditLines,
  type ChildController,
  CONTROLLER_BIN,
  cleanupDirs,
  controllerYaml,
  modulesOnDisk,
  PREXORCTL_BIN,
  runBin,
  setupDir,
  startChild,
  writeFiles,
} from './support/harness.js';
import { cosignBundle, keyedSig, keys, moduleBytes, rekor, tamper } from './support/world.js';

afterAll(cleanupDirs);

describe('flareo-controller', () => {
  it('refuses to start on a rejected configuration: exit 1, the rule on stderr', async () => {
    const dir = setupDir({
      'controller.yml': controllerYaml(
        'production',
        'required: true\nrekor: {policy: REQUIRE_SET}',
      ),
    });
    const r = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'controller.yml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('REKOR_POLICY_REQUIRES_PUBLIC_KEY');
    expect(r.stderr).toContain('TRUST_ROOT_MISSING');
    const fatal = JSON.parse(r.stderr.split('\n')[0] ?? '');
    expect(fatal).toMatchObject({ level: 'fatal', code: 'CONFIG_REJECTED' });
  });

  it('reports YAML errors with line and column, schema errors with their path', async () => {
    const dir = setupDir({
      'bad.yml': 'runtime:\n  profile: production\n  profile: development\n',
      'schema.yml': 'modules:\n  signing:\n    mode: SIGNED\n',
    });
    const yaml = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'bad.yml')]);
    expect(yaml.code).toBe(1);
    expect(yaml.stderr).toMatch(/bad\.yml, line 3, column 3/);
    const schema = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'schema.yml')]);
    expect(schema.code).toBe(1);
    expect(schema.stderr).toContain(
      '/modules/signing/mode: must be one of "KEYED", "COSIGN_BUNDLE"',
    );
  });

  it('hostile configurations get coded errors, never a stack trace', async () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]']
      .concat(
        ['b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => {
          const prev = 'abcdef'[i];
          return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]`;
        }),
      )
      .join('\n');
    const dir = setupDir({
      'laughs.yml': laughs,
      'limits.yml': 'controller: {limits: {moduleBytes: 1e20}}\n',
    });
    const fatal = (stderr: string) => JSON.parse(stderr.split('\n')[0] ?? '');
    const run = (file: string) => runBin(CONTROLLER_BIN, ['--config', join(dir, file)]);
    const bomb = await run('laughs.yml');
    expect(bomb.code).toBe(1);
    expect(fatal(bomb.stderr)).toMatchObject({
      code: 'CONFIG_YAML_INVALID',
      detail: { line: 2, column: 8 },
    });
    const limits = await run('limits.yml');
    expect(fatal(limits.stderr)).toMatchObject({ code: 'CONFIG_SCHEMA_INVALID' });
    expect(limits.stderr).toContain('/controller/limits/moduleBytes: must be <= 1073741824');
    const zero = await runBin(CONTROLLER_BIN, ['--config', '/dev/zero']);
    expect([zero.code, fatal(zero.stderr).code]).toEqual([1, 'CONFIG_TOO_LARGE']);
    for (const r of [bomb, limits, zero]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an endless named pipe as --config: the read stops at the size limit', async () => {
    const dir = setupDir();
    const fifo = join(dir, 'controller.yml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(process.execPath, [CONTROLLER_BIN, '--config', fifo], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const closed = new Promise<number | null>((res) => child.once('close', res));
    const writer = createWriteStream(fifo);
    writer.on('error', () => {}); // EPIPE once the controller stops reading
    const chunk = Buffer.from('# padding padding padding padding padding padding\n'.repeat(1000));
    let written = 0;
    const feed = () => {
      // Bounded: 64 MiB at most, far past the 1 MiB limit.
      while (child.exitCode === null && !writer.destroyed && written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!writer.write(chunk)) return void writer.once('drain', feed);
      }
    };
    writer.once('open', feed);
    const code = await closed;
    writer.destroy();
    expect(code).toBe(1);
    expect(JSON.parse(stderr.split('\n')[0] ?? '')).toMatchObject({ code: 'CONFIG_TOO_LARGE' });
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('an audit log that is a directory: exit 1, AUDIT_LOG_UNWRITABLE, no raw EISDIR', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': `runtime: {profile: production}
controller: {listen: {port: 0}, auditLog: logs}
modules: {signing: {trustRoot: trust.pem}}
`,
      'logs/keep': '',
    });
    const r = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'controller.yml')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr.split('\n')[0] ?? '')).toMatchObject({
      code: 'AUDIT_LOG_UNWRITABLE',
      detail: { path: join(dir, 'logs'), actual: 'EISDIR' },
    });
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--check validates and exits 0; usage errors exit 2', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'trustRoot: trust.pem'),
    });
    const ok = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'controller.yml'), '--check']);
    // Pino's JSON lines and this line share stdout; the log line may land after it.
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toContain('configuration OK');
    expect((await runBin(CONTROLLER_BIN, [])).code).toBe(2);
    expect((await runBin(CONTROLLER_BIN, ['--config', 'x', '--port', 'eighty'])).code).toBe(2);
  });

  it('logs JSON lines and shuts down gracefully on SIGTERM and SIGINT', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'trustRoot: trust.pem'),
    });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      // startChild resolves on the readiness line, logged once the handlers are installed;
      // stop(signal) sends only this signal and waits until stdout is drained.
      const c = await startChild(dir);
      expect(await c.stop(signal)).toBe(0);
      const lines = c
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.msg === 'trust material loaded')).toMatchObject({
        level: 30,
        trustedKeys: [keys.authorA.keyId],
        signaturesRequired: true,
      });
      expect(lines).toContainEqual(expect.objectContaining({ msg: 'shutting down', signal }));
    }
    expect(
      auditLines(dir)
        .filter((l) => l.event === 'controller.stopped')
        .map((l) => l.signal),
    ).toEqual(['SIGTERM', 'SIGINT']);
  });
});

describe('prexorctl against a running controller', () => {
  let controller: ChildController;
  let dir: string;
  let work: string;
  const ctl = (args: string[], env: Record<string, string> = {}) =>
    runBin(PREXORCTL_BIN, ['--controller', controller.url, ...args], env);

  beforeAll(async () => {
    dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'rekor.pub': rekor.publicKeyPem,
      'controller.yml': controllerYaml(
        'production',
        `trustRoot: trust.pem\nrekor: {policy: REQUIRE_SET, publicKey: rekor.pub, url: "https://${rekor.hostname}"}`,
      ),
    });
    controller = await startChild(dir);
    const good = moduleBytes('good');
    const other = moduleBytes('other');
    work = setupDir({
      'good.jar': good,
      'good.jar.cosign.bundle': cosignBundle(good, { key: keys.authorA }, { rekor }),
      'tampered.jar': tamper(good),
      'tampered.cosign.bundle': cosignBundle(good, { key: keys.authorA }, { rekor }),
      'other.jar': other,
      'other.jar.sig': keyedSig(other, keys.authorA),
      'noset.jar': other,
      'noset.bundle.json': cosignBundle(other, { key: keys.authorA }),
    });
  });
  afterAll(async () => {
    await controller?.stop();
  });

  it('install with --bundle: exit 0, says what verified', async () => {
    const r = await ctl([
      'module',
      'install',
      join(work, 'good.jar'),
      '--bundle',
      join(work, 'good.jar.cosign.bundle'),
      '--name',
      'explicit',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('installed explicit (good.jar');
    expect(r.stdout).toContain(
      `signature verified (.cosign.bundle): key ${keys.authorA.keyId}; Rekor entry #`,
    );
  });

  it('install finds the .cosign.bundle sidecar by itself, as in "prexorctl module install bundle.jar"', async () => {
    const r = await ctl(['module', 'install', join(work, 'good.jar')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('good.jar.cosign.bundle');
    expect(r.stdout).toContain('installed good ');
  });

  it('a tampered module: exit 1 and why (sidecar found by stem)', async () => {
    const r = await ctl(['module', 'install', join(work, 'tampered.jar')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed (HTTP 422 SIGNATURE_VERIFICATION_FAILED)');
    expect(r.stderr).toContain('reason:   UNTRUSTED_SIGNER at step trust');
    expect(modulesOnDisk(dir)).not.toContain('tampered');
  });

  it('a bundle without SET under REQUIRE_SET: exit 1, reason TLOG_MISSING; --json prints the body', async () => {
    const r = await ctl([
      'module',
      'install',
      join(work, 'noset.jar'),
      '--bundle',
      join(work, 'noset.bundle.json'),
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: {
        code: 'SIGNATURE_VERIFICATION_FAILED',
        detail: { reason: { code: 'TLOG_MISSING', step: 'tlog' } },
      },
    });
  });

  it('--unsigned where signatures are required: exit 1 with SIGNATURE_REQUIRED', async () => {
    const r = await ctl([
      'module',
      'install',
      join(work, 'good.jar'),
      '--unsigned',
      '--name',
      'nosig',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('reason:   SIGNATURE_REQUIRED at step policy');
  });

  it('a .sig sent to a COSIGN_BUNDLE controller is a usage error: exit 2', async () => {
    const r = await ctl([
      'module',
      'install',
      join(work, 'other.jar'),
      '--sig',
      join(work, 'other.jar.sig'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SIGNATURE_KIND_MISMATCH');
  });

  it('list and remove (text and --json), PREXORCTL_CONTROLLER from the environment', async () => {
    const list = await runBin(PREXORCTL_BIN, ['module', 'list'], {
      PREXORCTL_CONTROLLER: controller.url,
    });
    expect(list.code).toBe(0);
    expect(
      list.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t').slice(0, 3)),
    ).toEqual([
      ['explicit', 'good.jar', 'verified'],
      ['good', 'good.jar', 'verified'],
    ]);
    const json = await ctl(['module', 'list', '--json']);
    expect(JSON.parse(json.stdout).modules).toHaveLength(2);
    const removed = await ctl(['module', 'remove', 'explicit']);
    expect([removed.code, removed.stdout]).toEqual([0, 'removed explicit\n']);
    const again = await ctl(['module', 'remove', 'explicit']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('HTTP 404 MODULE_NOT_FOUND');
  });

  it('usage and connection errors exit 2', async () => {
    expect((await ctl([])).code).toBe(2);
    expect((await ctl(['module', 'frobnicate'])).code).toBe(2);
    const both = await ctl([
      'module',
      'install',
      join(work, 'good.jar'),
      '--bundle',
      'a',
      '--sig',
      'b',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be used with/);
    const missing = await ctl(['module', 'install', join(work, 'absent.jar')]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringContaining('cannot read the module'),
    ]);
    const ambiguous = setupDir({ 'x.jar': 'x', 'x.jar.sig': 'y', 'x.jar.cosign.bundle': '{}' });
    const amb = await ctl(['module', 'install', join(ambiguous, 'x.jar')]);
    expect([amb.code, amb.stderr]).toEqual([
      2,
      expect.stringContaining('choose one with --bundle or --sig'),
    ]);
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const { port } = server.address() as AddressInfo;
    await new Promise((res) => server.close(res));
    const down = await runBin(PREXORCTL_BIN, [
      '--controller',
      `http://127.0.0.1:${port}`,
      'module',
      'list',
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(
      `cannot reach the controller at http://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });

  it('without --controller or PREXORCTL_CONTROLLER, prexorctl talks to the default port 8181 (not the catalog’s 8080)', async (ctx) => {
    expect(parseConfig('', '/x').controller.port).toBe(DEFAULT_PORT);
    expect(DEFAULT_PORT).toBe(8181);
    // A stand-in controller on 127.0.0.1:8181 records what reaches it.
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end('{"modules":[]}');
    });
    const listening = await new Promise<boolean>((res) => {
      server.once('error', () => res(false));
      server.listen(DEFAULT_PORT, '127.0.0.1', () => res(true));
    });
    if (!listening) ctx.skip('port 8181 is in use on this machine');
    try {
      const run = await runBin(PREXORCTL_BIN, ['module', 'list']);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('no modules installed\n');
      expect(seen).toEqual(['GET /api/v1/modules']);
    } finally {
      await new Promise((res) => server.close(res));
    }
  });

  it('a KEYED controller takes the .sig sidecar', async () => {
    const keyedDir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'mode: KEYED\ntrustRoot: trust.pem'),
    });
    const keyed = await startChild(keyedDir);
    try {
      const r = await runBin(PREXORCTL_BIN, [
        'module',
        'install',
        join(work, 'other.jar'),
        '--controller',
        keyed.url,
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`signature verified (.sig): key ${keys.authorA.keyId}`);
      writeFiles(work, {
        'other2.jar': tamper(moduleBytes('other')),
        'other2.jar.sig': keyedSig(moduleBytes('other'), keys.authorA),
      });
      const bad = await runBin(PREXORCTL_BIN, [
        'module',
        'install',
        join(work, 'other2.jar'),
        '--controller',
        keyed.url,
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('UNTRUSTED_SIGNER');
    } finally {
      await keyed.stop();
    }
  });
});
