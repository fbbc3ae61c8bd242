import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/store.js';
import {
  auditLines,
  type ChildController,
  CONTROLLER_BIN,
  cleanupDirs,
  controllerYaml,
  install,
  request,
  runBin,
  setupDir,
  startChild,
} from './support/harness.js';
import { keyedSig, keys, moduleBytes } from './support/world.js';

afterAll(cleanupDirs);

const keyedDir = () =>
  setupDir({
    'trust.pem': keys.authorA.publicKeyPem,
    'controller.yml': controllerYaml('production', 'mode: KEYED\ntrustRoot: trust.pem'),
  });

/**
 * `--check` beside a controller under install load: it must not touch the controller's
 * files. Installs keep going (4 at a time) until `--check` has run CHECKS times; the run is
 * bounded by MAX_INSTALLS and a deadline.
 */
describe('--check beside a running controller', () => {
  it('has no side effects: every 200 has its file, one started event, no 500', async () => {
    const dir = keyedDir();
    const c = await startChild(dir);
    const CHECKS = 5;
    const MAX_INSTALLS = 3000;
    const deadline = Date.now() + 90_000;
    const answered: { name: string; status: number; sha256: string }[] = [];
    let checksDone = 0;
    let next = 0;
    const checkOutputs: { code: number | null; stdout: string; stderr: string }[] = [];
    try {
      const checker = (async () => {
        for (let i = 0; i < CHECKS && Date.now() < deadline; i++) {
          checkOutputs.push(
            await runBin(CONTROLLER_BIN, ['--config', join(dir, 'controller.yml'), '--check']),
          );
          checksDone++;
        }
        checksDone = CHECKS;
      })();
      const worker = async () => {
        while (checksDone < CHECKS && next < MAX_INSTALLS && Date.now() < deadline) {
          const name = `load-${next++}`;
          const bytes = moduleBytes(name);
          const reply = await install(
            c.url,
            { name: `${name}.jar`, bytes },
            { part: 'signature', name: `${name}.jar.sig`, bytes: keyedSig(bytes, keys.authorA) },
          );
          answered.push({
            name,
            status: reply.status,
            sha256: createHash('sha256').update(bytes).digest('hex'),
          });
        }
      };
      await Promise.all([checker, worker(), worker(), worker(), worker()]);
    } finally {
      expect(await c.stop()).toBe(0);
    }
    expect(checkOutputs).toHaveLength(CHECKS);
    for (const out of checkOutputs) {
      expect([out.code, out.stdout]).toEqual([0, 'configuration OK\n']);
    }
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.filter((a) => a.status !== 200)).toEqual([]);
    for (const a of answered) {
      const file = join(dir, 'modules', a.name, `${a.name}.jar`);
      expect(existsSync(file), `${a.name} answered 200 but ${file} is missing`).toBe(true);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(a.sha256);
    }
    const events = auditLines(dir).map((l) => l.event);
    expect(events.filter((e) => e === 'controller.started')).toHaveLength(1);
    expect(events.filter((e) => e === 'module.installed')).toHaveLength(answered.length);
    expect(events.filter((e) => e === 'store.cleaned')).toEqual([]);
  });

  it('writes nothing when nothing exists yet: no audit log, no modules directory', async () => {
    const dir = keyedDir();
    const r = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'controller.yml'), '--check']);
    expect([r.code, r.stdout]).toEqual([0, 'configuration OK\n']);
    expect(readdirSync(dir).sort()).toEqual(['controller.yml', 'trust.pem']);
  });

  it('prints validator warnings and judges the audit log and modules paths', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'required: false\ntrustRoot: trust.pem'),
    });
    const ok = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'controller.yml'), '--check']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('warning PRODUCTION_SIGNING_NOT_REQUIRED');
    const badAudit = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'audit.log/inside': '',
      'controller.yml': controllerYaml('production', 'trustRoot: trust.pem'),
    });
    const a = await runBin(CONTROLLER_BIN, [
      '--config',
      join(badAudit, 'controller.yml'),
      '--check',
    ]);
    expect(a.code).toBe(1);
    expect(JSON.parse(a.stderr.split('\n')[0] ?? '')).toMatchObject({
      code: 'AUDIT_LOG_UNWRITABLE',
    });
    const badModules = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      modules: 'a file, not a directory',
      'controller.yml': controllerYaml('production', 'trustRoot: trust.pem'),
    });
    const m = await runBin(CONTROLLER_BIN, [
      '--config',
      join(badModules, 'controller.yml'),
      '--check',
    ]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('MODULES_DIR_UNUSABLE');
  });
});

describe('one controller per modules directory', () => {
  it('a second controller refuses to start with STORE_LOCKED and appends nothing', async () => {
    const dir = keyedDir();
    const first = await startChild(dir);
    try {
      const before = auditLines(dir).length;
      const second = await runBin(CONTROLLER_BIN, [
        '--config',
        join(dir, 'controller.yml'),
        '--port',
        '0',
      ]);
      expect(second.code).toBe(1);
      const fatal = JSON.parse(second.stderr.split('\n')[0] ?? '');
      expect(fatal).toMatchObject({
        level: 'fatal',
        code: 'STORE_LOCKED',
        detail: { actual: { pid: first.child.pid } },
      });
      expect(second.stderr).toContain(`another controller (pid ${first.child.pid}`);
      expect(auditLines(dir)).toHaveLength(before);
      expect((await request(first.url, '/healthz')).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // A clean stop releases the lock: the next controller starts without a take-over.
    expect(readdirSync(join(dir, 'modules'))).toEqual([]);
    const again = await startChild(dir);
    expect(again.stdout()).not.toContain('took over the lock');
    expect(await again.stop()).toBe(0);
  });

  it('four controllers racing for a stale lock: exactly one wins, the others get STORE_LOCKED', async () => {
    const dir = keyedDir();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(join(dir, 'modules'));
    writeFileSync(
      join(dir, 'modules', LOCK_FILE),
      JSON.stringify({ pid: dead, startTime: '1', hostname: hostname(), acquiredAt: 'then' }),
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => startChild(dir)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(String(r.reason)).toContain('STORE_LOCKED');
    }
    const winner = (winners[0] as PromiseFulfilledResult<ChildController>).value;
    expect(JSON.parse(readFileSync(join(dir, 'modules', LOCK_FILE), 'utf8')).pid).toBe(
      winner.child.pid,
    );
    expect(auditLines(dir).filter((l) => l.event === 'controller.started')).toHaveLength(1);
    expect(await winner.stop()).toBe(0);
  });
});
