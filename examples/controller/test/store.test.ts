import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControllerError } from '../src/errors.js';
import { type InstallStep, ModuleStore, safeFileName } from '../src/store.js';
import {
  auditLines,
  cleanupDirs,
  controllerYaml,
  install,
  modulesOnDisk,
  request,
  setupDir,
  startInProcess,
} from './support/harness.js';
import { cosignBundle, keys, moduleBytes } from './support/world.js';

afterAll(cleanupDirs);

const module = (name: string) => ({ fileName: `${name}.jar`, bytes: moduleBytes(name) });
const signature = (name: string) => ({ fileName: `${name}.jar.sig`, bytes: Buffer.from('c2ln') });
const STEPS: InstallStep[] = [
  'staging-created',
  'module-written',
  'signature-written',
  'metadata-written',
  'staging-synced',
];

async function failure(promise: Promise<unknown>): Promise<ControllerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ControllerError);
  return error as ControllerError;
}

describe('ModuleStore', () => {
  it('installs a module atomically with its signature and metadata', async () => {
    const dir = setupDir();
    const { store } = await ModuleStore.open(join(dir, 'modules'));
    const record = await store.install('alpha', module('alpha'), signature('alpha'), {
      status: 'verified',
    });
    expect(readdirSync(join(dir, 'modules/alpha')).sort()).toEqual([
      'alpha.jar',
      'alpha.jar.sig',
      'module.json',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'modules/alpha/module.json'), 'utf8'))).toEqual(
      record,
    );
    expect(await store.list()).toEqual([record]);
    expect(await store.get('alpha')).toEqual(record);
    expect(modulesOnDisk(dir)).toEqual(['alpha']);
  });

  it.each(STEPS)(
    'a failure after "%s" leaves nothing installed and no staging directory',
    async (step) => {
      const dir = setupDir();
      const seen: InstallStep[] = [];
      const { store } = await ModuleStore.open(join(dir, 'modules'), {
        afterStep: (s) => {
          seen.push(s);
          if (s === step) throw new Error(`disk full after ${s}`);
        },
      });
      const error = await failure(store.install('beta', module('beta'), signature('beta'), {}));
      expect(error.code).toBe('INSTALL_FAILED');
      expect(error.message).toContain(`disk full after ${step}`);
      expect(seen.at(-1)).toBe(step);
      expect(modulesOnDisk(dir)).toEqual([]);
      expect(await store.list()).toEqual([]);
    },
  );

  it.each(STEPS)(
    'a crash after "%s" leaves no module; the next start removes the staging directory',
    async (step) => {
      const dir = setupDir();
      let reached: (staging: string) => void = () => {};
      const atStep = new Promise<string>((res) => {
        reached = res;
      });
      const { store } = await ModuleStore.open(join(dir, 'modules'), {
        // Stop forever at this step: the disk now looks exactly as after a crash there.
        afterStep: (s, staging) =>
          s === step ? new Promise<void>(() => reached(staging)) : undefined,
      });
      void store.install('gamma', module('gamma'), signature('gamma'), {});
      const staging = await atStep;
      expect(existsSync(staging)).toBe(true);
      expect(await store.list()).toEqual([]);
      expect(modulesOnDisk(dir).filter((e) => !e.startsWith('.staging-'))).toEqual([]);
      // Restart: the "crashed" store lets go of its lock as a dead process would.
      store.close();
      const reopened = await ModuleStore.open(join(dir, 'modules'));
      expect(reopened.cleaned).toEqual([staging.split('/').pop()]);
      expect(modulesOnDisk(dir)).toEqual([]);
      // The name is free again.
      await reopened.store.install('gamma', module('gamma'), undefined, {});
      expect((await reopened.store.list()).map((m) => m.name)).toEqual(['gamma']);
    },
  );

  it('a crash during removal leaves a trash directory that the next start removes', async () => {
    const dir = setupDir();
    const { store } = await ModuleStore.open(join(dir, 'modules'));
    await store.install('delta', module('delta'), undefined, {});
    // What rename-then-crash leaves behind.
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, 'modules/delta'), join(dir, 'modules/.trash-0123'));
    expect(await store.list()).toEqual([]);
    store.close();
    const reopened = await ModuleStore.open(join(dir, 'modules'));
    expect(reopened.cleaned).toEqual(['.trash-0123']);
    expect(modulesOnDisk(dir)).toEqual([]);
  });

  it('MODULE_EXISTS, MODULE_NOT_FOUND and MODULE_NAME_INVALID', async () => {
    const dir = setupDir();
    const { store } = await ModuleStore.open(join(dir, 'modules'));
    await store.install('eps', module('eps'), undefined, {});
    expect((await failure(store.install('eps', module('eps'), undefined, {}))).code).toBe(
      'MODULE_EXISTS',
    );
    expect((await failure(store.get('zeta'))).code).toBe('MODULE_NOT_FOUND');
    expect((await failure(store.remove('zeta'))).code).toBe('MODULE_NOT_FOUND');
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', '.staging-x', '-x', 'a..b']) {
      expect((await failure(store.install(bad, module('x'), undefined, {}))).code).toBe(
        'MODULE_NAME_INVALID',
      );
    }
    await store.remove('eps');
    expect(modulesOnDisk(dir)).toEqual([]);
  });

  it('two concurrent installs of one name: exactly one wins', async () => {
    const dir = setupDir();
    const { store } = await ModuleStore.open(join(dir, 'modules'));
    const results = await Promise.allSettled([
      store.install('race', module('race'), undefined, { n: 1 }),
      store.install('race', module('race'), undefined, { n: 2 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as ControllerError).code).toBe('MODULE_EXISTS');
    expect(modulesOnDisk(dir)).toEqual(['race']);
  });

  it('safeFileName keeps the last segment and safe characters only', () => {
    expect(safeFileName('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFileName('C:\\mods\\my mod.jar', 'x')).toBe('my_mod.jar');
    expect(safeFileName('...', 'fallback')).toBe('fallback');
    expect(safeFileName('module.json', 'fallback')).toBe('fallback');
  });
});

describe('through the API: a failing disk is a 500 and installs nothing', () => {
  it('500 INSTALL_FAILED; the module can be installed once the disk recovers', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'trustRoot: trust.pem'),
    });
    let broken = true;
    const c = await startInProcess(dir, {
      afterStep: (s) => {
        if (broken && s === 'metadata-written') throw new Error('EIO: simulated');
      },
    });
    try {
      const bytes = moduleBytes('omega');
      const part = {
        part: 'bundle' as const,
        name: 'omega.jar.cosign.bundle',
        bytes: cosignBundle(bytes, { key: keys.authorA }),
      };
      const reply = await install(c.url, { name: 'omega.jar', bytes }, part);
      expect([reply.status, reply.body.error.code]).toEqual([500, 'INSTALL_FAILED']);
      expect(modulesOnDisk(dir)).toEqual([]);
      expect(auditLines(dir).some((l) => l.event === 'module.installed')).toBe(false);
      broken = false;
      expect((await install(c.url, { name: 'omega.jar', bytes }, part)).status).toBe(200);
      expect((await request(c.url, '/api/v1/modules')).body.modules).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});
