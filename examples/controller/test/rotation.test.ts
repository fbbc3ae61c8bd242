import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  auditLines,
  type ChildController,
  cleanupDirs,
  controllerYaml,
  install,
  request,
  setupDir,
  startChild,
  writeFiles,
} from './support/harness.js';
import { cosignBundle, keys, moduleBytes, rekor } from './support/world.js';

// The spec's five-step rotation, against the built controller run as a child process:
// a restart is a new process that reads the trust root again.
let running: ChildController | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(cleanupDirs);

const oldKey = keys.authorA;
const newKey = keys.authorB;
const signing = `required: true
mode: COSIGN_BUNDLE
trustRoot: security/module-trust.pem
rekor:
  policy: REQUIRE_SET
  publicKey: security/rekor.pub
  url: https://${rekor.hostname}`;

const moduleA = moduleBytes('module-a');
const moduleB = moduleBytes('module-b');
const signed = (bytes: Uint8Array, key: typeof oldKey) => cosignBundle(bytes, { key }, { rekor });
const part = (name: string, text: string) => ({
  part: 'bundle' as const,
  name: `${name}.jar.cosign.bundle`,
  bytes: text,
});

async function restart(dir: string): Promise<string> {
  const code = await running?.stop();
  if (running) expect(code).toBe(0);
  running = await startChild(dir);
  return running.url;
}

async function installFresh(url: string, name: string, bytes: Uint8Array, bundle: string) {
  // Each step installs under a fresh name so that earlier installs do not answer 409.
  return install(url, { name: `${name}.jar`, bytes }, part(name, bundle));
}

describe('key rotation: add new key, restart, re-sign, remove old key, restart', () => {
  it('old-key modules fail closed after the old key is removed; new-key modules install throughout', async () => {
    const dir = setupDir({
      'security/module-trust.pem': `# author key, 2026\n${oldKey.publicKeyPem}`,
      'security/rekor.pub': rekor.publicKeyPem,
      'controller.yml': controllerYaml('production', signing),
    });
    const aOld = signed(moduleA, oldKey);
    const bNew = signed(moduleB, newKey);

    // Before: only the old key. A (old) installs, B (new) does not.
    let url = await restart(dir);
    expect((await installFresh(url, 'a-before', moduleA, aOld)).status).toBe(200);
    const bBefore = await installFresh(url, 'b-before', moduleB, bNew);
    expect([bBefore.status, bBefore.body.error.detail.reason?.code]).toEqual([
      422,
      'UNTRUSTED_SIGNER',
    ]);

    // Step 1: add the new key to the trust root. Not yet effective: trust is read at start-up.
    writeFiles(dir, {
      'security/module-trust.pem': `# author key, 2026\n${oldKey.publicKeyPem}# author key, 2027\n${newKey.publicKeyPem}`,
    });
    expect((await installFresh(url, 'b-step1', moduleB, bNew)).status).toBe(422);

    // Step 2: restart. Both A (old) and B (new) install.
    url = await restart(dir);
    expect((await request(url, '/healthz')).body.trust.publicKeys).toBe(2);
    expect((await installFresh(url, 'a-step2', moduleA, aOld)).status).toBe(200);
    expect((await installFresh(url, 'b-step2', moduleB, bNew)).status).toBe(200);

    // Step 3: re-sign A with the new key.
    const aNew = signed(moduleA, newKey);
    const a3 = await installFresh(url, 'a-step3', moduleA, aNew);
    expect(a3.status).toBe(200);
    expect(a3.body.installed.signature.verification.signer.keyId).toBe(newKey.keyId);

    // Step 4: remove the old key from the trust root.
    writeFiles(dir, { 'security/module-trust.pem': `# author key, 2027\n${newKey.publicKeyPem}` });

    // Step 5: restart. A signed only with the old key fails closed; B and re-signed A install.
    url = await restart(dir);
    const aOldAfter = await installFresh(url, 'a-step5-old', moduleA, aOld);
    expect(aOldAfter.status).toBe(422);
    expect(aOldAfter.body).toMatchObject({
      error: {
        code: 'SIGNATURE_VERIFICATION_FAILED',
        detail: {
          reason: {
            code: 'UNTRUSTED_SIGNER',
            step: 'trust',
            actual: oldKey.keyId,
            expected: [newKey.keyId],
          },
        },
      },
    });
    expect((await installFresh(url, 'b-step5', moduleB, bNew)).status).toBe(200);
    expect((await installFresh(url, 'a-step5-new', moduleA, aNew)).status).toBe(200);

    // What was installed survives the restarts; the rejected names never appear.
    const names = (await request(url, '/api/v1/modules')).body.modules.map(
      (m: { name: string }) => m.name,
    );
    expect(names).toEqual(['a-before', 'a-step2', 'a-step3', 'a-step5-new', 'b-step2', 'b-step5']);

    // Each start logged the keys it trusted.
    const starts = auditLines(dir).filter((l) => l.event === 'controller.started');
    expect(starts.map((s) => s.trustedKeys)).toEqual([
      [oldKey.keyId],
      [oldKey.keyId, newKey.keyId],
      [newKey.keyId],
    ]);
  });

  it('the Rekor key rotates the same way: a new rekor.pub plus a restart', async () => {
    const { TestRekorV1 } = await import('@flareo/testkit');
    const newRekor = new TestRekorV1({ seed: 'ctl-rekor-2027', hostname: rekor.hostname });
    const dir = setupDir({
      'security/module-trust.pem': newKey.publicKeyPem,
      'security/rekor.pub': rekor.publicKeyPem,
      'controller.yml': controllerYaml('production', signing),
    });
    const oldLog = cosignBundle(moduleB, { key: newKey }, { rekor });
    const newLog = cosignBundle(moduleB, { key: newKey }, { rekor: newRekor });
    let url = await restart(dir);
    expect((await installFresh(url, 'old-log', moduleB, oldLog)).status).toBe(200);
    expect(
      (await installFresh(url, 'new-log-1', moduleB, newLog)).body.error.detail.reason?.code,
    ).toBe('TLOG_UNTRUSTED');
    writeFiles(dir, { 'security/rekor.pub': `${rekor.publicKeyPem}${newRekor.publicKeyPem}` });
    url = await restart(dir);
    expect((await installFresh(url, 'new-log-2', moduleB, newLog)).status).toBe(200);
    writeFiles(dir, { 'security/rekor.pub': newRekor.publicKeyPem });
    url = await restart(dir);
    expect(
      (await installFresh(url, 'old-log-2', moduleB, oldLog)).body.error.detail.reason?.code,
    ).toBe('TLOG_UNTRUSTED');
    expect((await installFresh(url, 'new-log-3', moduleB, newLog)).status).toBe(200);
  });
});
