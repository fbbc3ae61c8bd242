import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
 * A real crash: the built controller is killed with SIGKILL as soon as an install's staging
 * directory appears (or whenever the install has got to, if it was faster than the watcher).
 * Wherever it died, the restarted controller must show the module complete or not at all,
 * and no staging directory may survive the restart.
 */
describe('SIGKILL during an install', () => {
  it('leaves the module complete or absent, never half-installed', async () => {
    const dir = setupDir({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml('production', 'mode: KEYED\ntrustRoot: trust.pem'),
    });
    const bytes = new Uint8Array(24 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const sig = keyedSig(bytes, keys.authorA);
    const modules = join(dir, 'modules');

    for (let round = 0; round < 3; round++) {
      const c = await startChild(dir);
      const name = `big-${round}`;
      const upload = install(
        c.url,
        { name: `${name}.jar`, bytes },
        { part: 'signature', name: `${name}.jar.sig`, bytes: sig },
      ).catch(() => undefined);
      // Watch for the staging directory, then kill at once.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && c.child.exitCode === null) {
        const entries = readdirSync(modules);
        if (entries.some((e) => e.startsWith('.staging-') || e === name)) break;
        await new Promise((r) => setImmediate(r));
      }
      c.child.kill('SIGKILL');
      await c.stop();
      await upload;

      const restarted = await startChild(dir);
      try {
        expect(readdirSync(modules).filter((e) => e.startsWith('.'))).toEqual([]);
        const got = await request(restarted.url, `/api/v1/modules/${name}`);
        if (got.status === 200) {
          expect(got.body).toMatchObject({ name, size: bytes.length, sha256 });
          expect(readdirSync(join(modules, name)).sort()).toEqual([
            `${name}.jar`,
            `${name}.jar.sig`,
            'module.json',
          ]);
        } else {
          expect(got.body.code).toBe('MODULE_NOT_FOUND');
          expect(readdirSync(modules)).not.toContain(name);
        }
      } finally {
        await restarted.stop();
      }
    }
    // Every start after a kill that left a staging directory audited its clean-up.
    for (const line of auditLines(dir).filter((l) => l.event === 'store.cleaned')) {
      expect(line.entries).toEqual([expect.stringMatching(/^\.staging-[0-9a-f]{16}$/)]);
    }
  });
});
