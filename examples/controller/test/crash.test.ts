import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/store.js';
import {
  auditLines,
  cleanupDirs,
  controllerYaml,
  install,
  request,
  setupDir,
  startChild,
} from './support/harness.js';
import { keyedSig, keys } from './support/world.js';

afterAll(cleanupDirs);

/**
 * A real crash: the built controller is killed with SIGKILL as soon as the first install's
 * staging directory appears (or whenever the installs have got to, if they were faster than
 * the watcher), with several installs in flight. Wherever it died, the restarted controller
 * must take over the dead controller's lock and show every module complete or not at all,
 * and no staging directory may survive the restart.
 */
describe('SIGKILL during installs', () => {
  it('leaves each module complete or absent, never half-installed', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'mode: KEYED\ntrustRoot: trust.pem'),
    });
    const bytes = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const sig = keyedSig(bytes, keys.authorA);
    const modules = join(dir, 'modules');
    const IN_FLIGHT = 3;

    for (let round = 0; round < 3; round++) {
      const c = await startChild(dir);
      const names = Array.from({ length: IN_FLIGHT }, (_, i) => `big-${round}-${i}`);
      const uploads = names.map((name) =>
        install(
          c.url,
          { name: `${name}.jar`, bytes },
          { part: 'signature', name: `${name}.jar.sig`, bytes: sig },
        ).catch(() => undefined),
      );
      // Watch for a staging directory, then kill at once (bounded: 20 s).
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && c.child.exitCode === null) {
        const entries = readdirSync(modules);
        if (entries.some((e) => e.startsWith('.staging-') || names.includes(e))) break;
        await new Promise((r) => setImmediate(r));
      }
      expect(await c.stop('SIGKILL')).toBeNull();
      await Promise.all(uploads);
      // The killed controller's lock is still there, naming a dead pid.
      expect(JSON.parse(readFileSync(join(modules, LOCK_FILE), 'utf8')).pid).toBe(c.child.pid);

      const restarted = await startChild(dir);
      try {
        expect(JSON.parse(readFileSync(join(modules, LOCK_FILE), 'utf8')).pid).toBe(
          restarted.child.pid,
        );
        expect(readdirSync(modules).filter((e) => e.startsWith('.') && e !== LOCK_FILE)).toEqual(
          [],
        );
        for (const name of names) {
          const got = await request(restarted.url, `/api/v1/modules/${name}`);
          if (got.status === 200) {
            expect(got.body).toMatchObject({ name, size: bytes.length, sha256 });
            expect(readdirSync(join(modules, name)).sort()).toEqual([
              `${name}.jar`,
              `${name}.jar.sig`,
              'module.json',
            ]);
            const onDisk = readFileSync(join(modules, name, `${name}.jar`));
            expect(createHash('sha256').update(onDisk).digest('hex')).toBe(sha256);
          } else {
            expect([got.status, got.body.error.code]).toEqual([404, 'MODULE_NOT_FOUND']);
            expect(readdirSync(modules)).not.toContain(name);
          }
        }
      } finally {
        expect(await restarted.stop()).toBe(0);
      }
    }
    // Every start after a kill that left staging directories audited their clean-up.
    for (const line of auditLines(dir).filter((l) => l.event === 'store.cleaned')) {
      for (const entry of line.entries as string[]) {
        expect(entry).toMatch(/^\.staging-\d+-[0-9a-f]{16}$/);
      }
    }
  });
});
