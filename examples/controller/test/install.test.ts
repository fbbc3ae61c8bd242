import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintSigstoreBundle } from '@flareo/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditLines,
  cleanupDirs,
  controllerYaml,
  type InProcess,
  install,
  modulesOnDisk,
  request,
  setupDir,
  startInProcess,
} from './support/harness.js';
import {
  authorCa,
  cosignBundle,
  foreignLeaf,
  keyedSig,
  keys,
  longLeaf,
  moduleBytes,
  pem,
  rekor,
  rogueRekor,
  shortLeaf,
  sigstoreBundle,
  tamper,
} from './support/world.js';

const running: InProcess[] = [];
afterAll(async () => {
  for (const c of running.splice(0)) await c.close();
  cleanupDirs();
});

async function controller(files: Record<string, string>): Promise<{ url: string; dir: string }> {
  const dir = setupDir(files);
  const c = await startInProcess(dir);
  running.push(c);
  return { url: c.url, dir };
}

const jar = (name: string, bytes = moduleBytes(name)) => ({ name: `${name}.jar`, bytes });
const bundlePart = (name: string, text: string) => ({
  part: 'bundle' as const,
  name: `${name}.jar.cosign.bundle`,
  bytes: text,
});
const sigPart = (name: string, text: string) => ({
  part: 'signature' as const,
  name: `${name}.jar.sig`,
  bytes: text,
});

function expectRejected(
  reply: {
    status: number;
    body: { error: { code: string; detail: { reason: { code: string; step: string } } } };
  },
  code: string,
  step: string,
) {
  expect(reply.status).toBe(422);
  expect(reply.body.error.code).toBe('SIGNATURE_VERIFICATION_FAILED');
  expect({
    code: reply.body.error.detail.reason.code,
    step: reply.body.error.detail.reason.step,
  }).toEqual({ code, step });
}

describe('COSIGN_BUNDLE + REQUIRE_SET (production, required)', () => {
  let url: string;
  let dir: string;
  beforeAll(async () => {
    ({ url, dir } = await controller({
      'security/module-trust.pem': pem(keys.authorA.publicKeyPem, authorCa.pem),
      'security/rekor.pub': rekor.publicKeyPem,
      'controller.yml': controllerYaml(
        'production',
        `required: true
mode: COSIGN_BUNDLE
trustRoot: security/module-trust.pem
rekor:
  policy: REQUIRE_SET
  publicKey: security/rekor.pub
  url: https://${rekor.hostname}`,
      ),
    }));
  });

  it('installs a key-signed module whose SET verifies against rekor.pub (200, listed, on disk)', async () => {
    const m = jar('keyed-set');
    const reply = await install(
      url,
      m,
      bundlePart('keyed-set', cosignBundle(m.bytes, { key: keys.authorA }, { rekor })),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.installed).toMatchObject({
      name: 'keyed-set',
      fileName: 'keyed-set.jar',
      size: m.bytes.length,
    });
    const sig = reply.body.installed.signature;
    expect(sig).toMatchObject({ status: 'verified', kind: 'bundle' });
    expect(sig.verification.signer).toEqual({ kind: 'key', keyId: keys.authorA.keyId });
    expect(sig.verification.tlog.entries).toHaveLength(1);
    expect(sig.verification.tlog.entries[0].checks.set).toBe(true);
    const list = await request(url, '/api/v1/modules');
    expect(list.body.modules.map((x: { name: string }) => x.name)).toContain('keyed-set');
    expect(new Uint8Array(readFileSync(join(dir, 'modules/keyed-set/keyed-set.jar')))).toEqual(
      m.bytes,
    );
    expect(existsSync(join(dir, 'modules/keyed-set/keyed-set.jar.cosign.bundle'))).toBe(true);
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({
        event: 'module.installed',
        name: 'keyed-set',
        signature: 'verified',
      }),
    );
  });

  it('installs a module signed by a short-lived certificate from the author CA, checked at the SET time', async () => {
    const m = jar('cert-set');
    const reply = await install(
      url,
      m,
      bundlePart('cert-set', cosignBundle(m.bytes, { certificate: shortLeaf }, { rekor })),
    );
    expect(reply.status).toBe(200);
    const v = reply.body.installed.signature.verification;
    expect(v.signer).toMatchObject({
      kind: 'certificate',
      subjectAlternativeNames: ['release@acme.test'],
      trustedBy: {
        kind: 'certificate-authority',
        anchor: expect.stringContaining('Acme Module Signing CA'),
      },
    });
    expect(v.times).toEqual([{ source: 'log', time: v.tlog.entries[0].integratedTime }]);
  });

  it('rejects a tampered module: 422 SIGNATURE_VERIFICATION_FAILED and nothing on disk', async () => {
    const m = jar('tampered');
    const bundle = cosignBundle(m.bytes, { key: keys.authorA }, { rekor });
    const before = modulesOnDisk(dir);
    const reply = await install(
      url,
      { name: m.name, bytes: tamper(m.bytes) },
      bundlePart('tampered', bundle),
    );
    // The bundle names a trusted key, but that key does not verify these bytes.
    expectRejected(reply, 'UNTRUSTED_SIGNER', 'trust');
    expect(reply.body.error.detail.reason.message).toMatch(
      /no trusted public key verifies the signature/,
    );
    expect(modulesOnDisk(dir)).toEqual(before);
    expect((await request(url, '/api/v1/modules/tampered')).status).toBe(404);
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({
        event: 'module.rejected',
        name: 'tampered',
        reason: expect.objectContaining({ code: 'UNTRUSTED_SIGNER' }),
      }),
    );
  });

  it('rejects a tampered module signed by a certificate: SIGNATURE_MISMATCH', async () => {
    const m = jar('tampered-cert');
    const bundle = cosignBundle(m.bytes, { certificate: shortLeaf }, { rekor });
    const reply = await install(
      url,
      { name: m.name, bytes: tamper(m.bytes) },
      bundlePart('tampered-cert', bundle),
    );
    expectRejected(reply, 'SIGNATURE_MISMATCH', 'signature');
    expect(modulesOnDisk(dir)).not.toContain('tampered-cert');
  });

  it('rejects a module signed with a key the trust root does not hold', async () => {
    const m = jar('wrong-key');
    const reply = await install(
      url,
      m,
      bundlePart('wrong-key', cosignBundle(m.bytes, { key: keys.intruder }, { rekor })),
    );
    expectRejected(reply, 'UNTRUSTED_SIGNER', 'trust');
    expect(reply.body.error.detail.reason.actual).toBe(keys.intruder.keyId);
    expect(reply.body.error.detail.reason.expected).toContain(keys.authorA.keyId);
    expect(modulesOnDisk(dir)).not.toContain('wrong-key');
  });

  it('rejects a certificate from a CA the trust root does not hold', async () => {
    const m = jar('foreign-ca');
    const reply = await install(
      url,
      m,
      bundlePart('foreign-ca', cosignBundle(m.bytes, { certificate: foreignLeaf }, { rekor })),
    );
    expectRejected(reply, 'UNTRUSTED_SIGNER', 'trust');
  });

  it('rejects a bundle without SET under REQUIRE_SET', async () => {
    const m = jar('no-set');
    const reply = await install(
      url,
      m,
      bundlePart('no-set', cosignBundle(m.bytes, { key: keys.authorA })),
    );
    expectRejected(reply, 'TLOG_MISSING', 'tlog');
    expect(reply.body.error.detail.reason.rekorCode).toBe('EVIDENCE_INSUFFICIENT');
    expect(modulesOnDisk(dir)).not.toContain('no-set');
    // A log entry that carries an inclusion proof but no SET.
    const proofOnly = mintSigstoreBundle({
      version: '0.2',
      content: { kind: 'message', artifact: m.bytes },
      signer: { key: keys.authorA },
      rekor,
      set: false,
    });
    const reply2 = await install(url, m, bundlePart('no-set', JSON.stringify(proofOnly.json)));
    expectRejected(reply2, 'SET_MISSING', 'tlog');
  });

  it('rejects a SET from a log whose key is not rekor.pub', async () => {
    const m = jar('rogue-set');
    const reply = await install(
      url,
      m,
      bundlePart('rogue-set', cosignBundle(m.bytes, { key: keys.authorA }, { rekor: rogueRekor })),
    );
    expectRejected(reply, 'TLOG_UNTRUSTED', 'tlog');
    expect(reply.body.error.detail.reason.missing).toMatch(/transparency log/);
  });

  it('rejects a SET whose signature was altered', async () => {
    const m = jar('bad-set');
    const json = JSON.parse(cosignBundle(m.bytes, { key: keys.authorA }, { rekor }));
    const set = Buffer.from(json.rekorBundle.SignedEntryTimestamp, 'base64');
    set[set.length - 3] = (set[set.length - 3] ?? 0) ^ 0x01;
    json.rekorBundle.SignedEntryTimestamp = set.toString('base64');
    const reply = await install(url, m, bundlePart('bad-set', JSON.stringify(json)));
    expectRejected(reply, 'SET_INVALID', 'tlog');
  });

  it('rejects an unsigned module (SIGNATURE_REQUIRED) and a garbage bundle (BUNDLE_MALFORMED)', async () => {
    expectRejected(await install(url, jar('unsigned')), 'SIGNATURE_REQUIRED', 'policy');
    expectRejected(
      await install(url, jar('garbage'), bundlePart('garbage', '{"not": "a bundle"')),
      'BUNDLE_MALFORMED',
      'parse',
    );
  });

  it('400 for malformed requests', async () => {
    const m = jar('bad-request');
    const bundle = bundlePart(
      'bad-request',
      cosignBundle(m.bytes, { key: keys.authorA }, { rekor }),
    );
    // a .sig for a COSIGN_BUNDLE controller
    const wrongKind = await install(
      url,
      m,
      sigPart('bad-request', keyedSig(m.bytes, keys.authorA)),
    );
    expect([wrongKind.status, wrongKind.body.error.code]).toEqual([400, 'SIGNATURE_KIND_MISMATCH']);
    // no module part
    const form = new FormData();
    form.append('bundle', new Blob([bundle.bytes]), bundle.name);
    const noModule = await request(url, '/api/v1/modules', { method: 'POST', body: form });
    expect([noModule.status, noModule.body.error.code]).toEqual([400, 'REQUEST_INVALID']);
    // not multipart
    const json = await request(url, '/api/v1/modules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([json.status, json.body.error.code]).toEqual([400, 'REQUEST_INVALID']);
    // an unknown part
    const extra = new FormData();
    extra.append('module', new Blob([m.bytes]), m.name);
    extra.append('sbom', new Blob(['{}']), 'sbom.json');
    const unknown = await request(url, '/api/v1/modules', { method: 'POST', body: extra });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'REQUEST_INVALID']);
    expect(unknown.body.error.detail.actual).toBe('sbom');
    // both a bundle and a signature
    const both = new FormData();
    both.append('module', new Blob([m.bytes]), m.name);
    both.append('bundle', new Blob([bundle.bytes]), bundle.name);
    both.append('signature', new Blob(['AAAA']), 'x.sig');
    const twoSigs = await request(url, '/api/v1/modules', { method: 'POST', body: both });
    expect([twoSigs.status, twoSigs.body.error.code]).toEqual([400, 'REQUEST_INVALID']);
    // a module part given twice
    const twice = new FormData();
    twice.append('module', new Blob([m.bytes]), m.name);
    twice.append('module', new Blob([m.bytes]), m.name);
    const dup = await request(url, '/api/v1/modules', { method: 'POST', body: twice });
    expect([dup.status, dup.body.error.code]).toEqual([400, 'REQUEST_INVALID']);
    expect(modulesOnDisk(dir)).not.toContain('bad-request');
  });

  it.each(['../escape', '.hidden', 'a/b', 'x'.repeat(129), '..'])(
    '400 MODULE_NAME_INVALID for name %j',
    async (name) => {
      const m = jar('named');
      const reply = await install(
        url,
        m,
        bundlePart('named', cosignBundle(m.bytes, { key: keys.authorA }, { rekor })),
        { name },
      );
      expect([reply.status, reply.body.error.code]).toEqual([400, 'MODULE_NAME_INVALID']);
      expect(modulesOnDisk(dir).some((e) => e.includes('escape') || e.startsWith('.'))).toBe(false);
    },
  );

  it('409 MODULE_EXISTS for a second install of the same name; GET and DELETE', async () => {
    const m = jar('twice');
    const part = bundlePart('twice', cosignBundle(m.bytes, { key: keys.authorA }, { rekor }));
    expect((await install(url, m, part)).status).toBe(200);
    const again = await install(url, m, part);
    expect([again.status, again.body.error.code]).toEqual([409, 'MODULE_EXISTS']);
    const got = await request(url, '/api/v1/modules/twice');
    expect(got.body).toMatchObject({ name: 'twice', signature: { status: 'verified' } });
    const removed = await request(url, '/api/v1/modules/twice', { method: 'DELETE' });
    expect([removed.status, removed.body.removed.name]).toEqual([200, 'twice']);
    expect(modulesOnDisk(dir)).not.toContain('twice');
    const gone = await request(url, '/api/v1/modules/twice', { method: 'DELETE' });
    expect([gone.status, gone.body.error.code]).toEqual([404, 'MODULE_NOT_FOUND']);
    const badName = await request(url, '/api/v1/modules/..%2Fetc', { method: 'DELETE' });
    expect([badName.status, badName.body.error.code]).toEqual([400, 'MODULE_NAME_INVALID']);
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({ event: 'module.removed', name: 'twice' }),
    );
  });

  it('GET /healthz describes the signing set-up', async () => {
    const health = await request(url, '/healthz');
    expect(health.body).toEqual({
      status: 'ok',
      profile: 'production',
      mode: 'COSIGN_BUNDLE',
      signaturesRequired: true,
      rekorPolicy: 'REQUIRE_SET',
      auth: { tokens: 0, tls: false, clientCertificates: false },
      trust: { publicKeys: 1, certificates: 1, rekorKeys: 1 },
    });
  });
});

describe('REQUIRE_INCLUSION_PROOF', () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await controller({
      'trust.pem': keys.authorA.publicKeyPem,
      'rekor.pub': rekor.publicKeyPem,
      'controller.yml': controllerYaml(
        'production',
        `trustRoot: trust.pem\nrekor: {policy: REQUIRE_INCLUSION_PROOF, publicKey: rekor.pub, url: "https://${rekor.hostname}"}`,
      ),
    }));
  });
  it('installs a Sigstore bundle whose inclusion proof and checkpoint verify', async () => {
    const m = jar('with-proof');
    const reply = await install(
      url,
      m,
      bundlePart('with-proof', sigstoreBundle(m.bytes, keys.authorA)),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.installed.signature.verification.tlog.entries[0].checks).toMatchObject({
      inclusionProof: true,
      checkpoint: true,
    });
  });
  it('rejects a legacy bundle, which carries a SET but no inclusion proof', async () => {
    const m = jar('set-only');
    const reply = await install(
      url,
      m,
      bundlePart('set-only', cosignBundle(m.bytes, { key: keys.authorA }, { rekor })),
    );
    expectRejected(reply, 'INCLUSION_PROOF_INVALID', 'tlog');
  });
});

describe('KEYED .sig files (ECDSA P-256/P-384, Ed25519, RSA)', () => {
  let url: string;
  let dir: string;
  beforeAll(async () => {
    ({ url, dir } = await controller({
      'trust.pem': pem(
        keys.authorA.publicKeyPem,
        keys.p384.publicKeyPem,
        keys.ed25519.publicKeyPem,
        keys.rsa.publicKeyPem,
      ),
      'controller.yml': controllerYaml(
        'production',
        'required: true\nmode: KEYED\ntrustRoot: trust.pem',
      ),
    }));
  });
  it.each([
    ['ecdsa-p256', keys.authorA],
    ['ecdsa-p384', keys.p384],
    ['ed25519', keys.ed25519],
    ['rsa-2048', keys.rsa],
  ] as const)('installs a module signed with %s', async (type, key) => {
    const m = jar(`keyed-${type}`);
    const reply = await install(url, m, sigPart(`keyed-${type}`, keyedSig(m.bytes, key)));
    expect(reply.status).toBe(200);
    expect(reply.body.installed.signature).toMatchObject({
      status: 'verified',
      kind: 'sig',
      verification: { signer: { kind: 'key', keyId: key.keyId }, tlog: { entries: [] } },
    });
    expect(existsSync(join(dir, `modules/keyed-${type}/keyed-${type}.jar.sig`))).toBe(true);
  });
  it('rejects a .sig by another key, a tampered module and a garbage .sig', async () => {
    const m = jar('keyed-bad');
    expectRejected(
      await install(url, m, sigPart('keyed-bad', keyedSig(m.bytes, keys.intruder))),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expectRejected(
      await install(
        url,
        { name: m.name, bytes: tamper(m.bytes) },
        sigPart('keyed-bad', keyedSig(m.bytes, keys.ed25519)),
      ),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    expectRejected(
      await install(url, m, sigPart('keyed-bad', 'not base64 at all!')),
      'BUNDLE_MALFORMED',
      'parse',
    );
    expect(modulesOnDisk(dir).filter((e) => e.startsWith('keyed-bad'))).toEqual([]);
  });
  it('400 SIGNATURE_KIND_MISMATCH for a .cosign.bundle; 422 SIGNATURE_REQUIRED without .sig', async () => {
    const m = jar('keyed-kind');
    const reply = await install(
      url,
      m,
      bundlePart('keyed-kind', cosignBundle(m.bytes, { key: keys.authorA })),
    );
    expect([reply.status, reply.body.error.code]).toEqual([400, 'SIGNATURE_KIND_MISMATCH']);
    expectRejected(await install(url, m), 'SIGNATURE_REQUIRED', 'policy');
  });
});

describe('rekor.policy DISABLED (the default): time sources', () => {
  const files = (extra: string, withRekorKey = false) => ({
    'trust.pem': pem(keys.authorA.publicKeyPem, authorCa.pem),
    ...(withRekorKey ? { 'rekor.pub': rekor.publicKeyPem } : {}),
    'controller.yml': controllerYaml(
      'production',
      `trustRoot: trust.pem\n${withRekorKey ? `rekor: {publicKey: rekor.pub, url: 'https://${rekor.hostname}'}\n` : ''}${extra}`,
    ),
  });
  const sources = (reply: {
    body: { installed: { signature: { verification: { times: { source: string }[] } } } };
  }) => reply.body.installed.signature.verification.times.map((t) => t.source);

  it('a SET the bundle carries is verified and its time trusted: a short-lived certificate installs, with no warning', async () => {
    const { url, dir } = await controller(files('', true));
    const m = jar('short-set');
    const reply = await install(
      url,
      m,
      bundlePart('short-set', cosignBundle(m.bytes, { certificate: shortLeaf }, { rekor })),
    );
    expect(reply.status).toBe(200);
    expect(sources(reply)).toEqual(['log']);
    expect(reply.body.installed.signature.warning).toBeUndefined();
    expect(reply.body.installed.signature.verification.tlog.entries[0].checks.set).toBe(true);
    const event = auditLines(dir).find((l) => l.event === 'module.installed');
    expect(event).toMatchObject({ level: 'info', name: 'short-set' });
    expect(event).not.toHaveProperty('warning');
  });

  it('a SET that is present must verify: altered, or from another log, rejects the module', async () => {
    const { url, dir } = await controller(files('', true));
    const m = jar('bad-set');
    const json = JSON.parse(cosignBundle(m.bytes, { certificate: shortLeaf }, { rekor }));
    const set = Buffer.from(json.rekorBundle.SignedEntryTimestamp, 'base64');
    set[set.length - 3] = (set[set.length - 3] ?? 0) ^ 0x01;
    json.rekorBundle.SignedEntryTimestamp = set.toString('base64');
    expectRejected(
      await install(url, m, bundlePart('bad-set', JSON.stringify(json))),
      'SET_INVALID',
      'tlog',
    );
    expectRejected(
      await install(
        url,
        m,
        bundlePart('bad-set', cosignBundle(m.bytes, { key: keys.authorA }, { rekor: rogueRekor })),
      ),
      'TLOG_UNTRUSTED',
      'tlog',
    );
    expect(modulesOnDisk(dir)).not.toContain('bad-set');
  });

  it('without a SET the current time is used: a long-lived certificate installs with a warning (response, audit)', async () => {
    const { url, dir } = await controller(files('', true));
    const m = jar('no-set');
    const reply = await install(
      url,
      m,
      bundlePart('no-set', cosignBundle(m.bytes, { certificate: longLeaf })),
    );
    expect(reply.status).toBe(200);
    expect(sources(reply)).toEqual(['current']);
    expect(reply.body.installed.signature.warning).toMatchObject({
      code: 'NO_LOG_TIME',
      message: expect.stringContaining('the bundle carries no Rekor entry'),
    });
    const event = auditLines(dir).find((l) => l.event === 'module.installed');
    expect(event).toMatchObject({
      level: 'warn',
      name: 'no-set',
      warning: { code: 'NO_LOG_TIME' },
    });
    // An entry with an inclusion proof but no SET gives no log time either.
    const p = jar('proof-only');
    const proofOnly = mintSigstoreBundle({
      version: '0.2',
      content: { kind: 'message', artifact: p.bytes },
      signer: { certificate: longLeaf },
      rekor,
      set: false,
    });
    const reply2 = await install(url, p, bundlePart('proof-only', JSON.stringify(proofOnly.json)));
    expect(reply2.status).toBe(200);
    expect(reply2.body.installed.signature.warning.message).toContain('the bundle carries no SET');
  });

  it('without a SET a short-lived certificate has expired: CERTIFICATE_EXPIRED', async () => {
    const { url } = await controller(files(''));
    const m = jar('short-no-set');
    expectRejected(
      await install(
        url,
        m,
        bundlePart('short-no-set', cosignBundle(m.bytes, { certificate: shortLeaf })),
      ),
      'CERTIFICATE_EXPIRED',
      'certificate',
    );
  });

  it('without rekor.publicKey a SET cannot be checked: the current time is used, with a warning saying so', async () => {
    const { url } = await controller(files(''));
    const m = jar('unchecked-set');
    const reply = await install(
      url,
      m,
      bundlePart('unchecked-set', cosignBundle(m.bytes, { certificate: longLeaf }, { rekor })),
    );
    expect(reply.status).toBe(200);
    expect(sources(reply)).toEqual(['current']);
    expect(reply.body.installed.signature.warning.message).toContain('no rekor.publicKey');
  });

  it('a key signer needs no time: no warning without a SET', async () => {
    const { url } = await controller(files(''));
    const m = jar('key-no-set');
    const reply = await install(
      url,
      m,
      bundlePart('key-no-set', cosignBundle(m.bytes, { key: keys.authorA })),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.installed.signature.warning).toBeUndefined();
  });

  it('with allowCurrentTime and a SET, the certificate must be valid at both times', async () => {
    const { url } = await controller(files('allowCurrentTime: true', true));
    const l = jar('long-set');
    const ok = await install(
      url,
      l,
      bundlePart('long-set', cosignBundle(l.bytes, { certificate: longLeaf }, { rekor })),
    );
    expect(ok.status).toBe(200);
    expect(sources(ok)).toEqual(['log', 'current']);
    const s = jar('short-set-now');
    expectRejected(
      await install(
        url,
        s,
        bundlePart('short-set-now', cosignBundle(s.bytes, { certificate: shortLeaf }, { rekor })),
      ),
      'CERTIFICATE_EXPIRED',
      'certificate',
    );
  });

  it('an identity policy pins the SAN', async () => {
    const { url } = await controller(
      files('identity: {subjectAlternativeName: release@other.test}'),
    );
    const m = jar('other-san');
    const reply = await install(
      url,
      m,
      bundlePart('other-san', cosignBundle(m.bytes, { certificate: longLeaf })),
    );
    expectRejected(reply, 'IDENTITY_MISMATCH', 'identity');
    expect(reply.body.error.detail.reason.actual).toEqual(['builder@acme.test']);
  });
});

describe('unsigned modules under each profile / required combination', () => {
  const cells = [
    ['development', '', 200],
    ['development', 'required: false', 200],
    ['development', 'required: true', 200],
    ['development', 'required: true\nallowUnsignedDevelopment: false', 422],
    ['production', '', 422],
    ['production', 'required: false', 200],
    ['production', 'required: true', 422],
  ] as const;
  it.each(cells)('%s {%s} → %i', async (profile, signing, status) => {
    const { url, dir } = await controller({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': controllerYaml(profile, `trustRoot: trust.pem\n${signing}`),
    });
    const reply = await install(url, jar('plain'));
    expect(reply.status).toBe(status);
    if (status === 200) {
      expect(reply.body.installed.signature.status).toBe('unsigned');
      expect(modulesOnDisk(dir)).toEqual(['plain']);
    } else {
      expectRejected(reply, 'SIGNATURE_REQUIRED', 'policy');
      expect(modulesOnDisk(dir)).toEqual([]);
    }
    // A signature that is sent is verified even where unsigned modules are allowed.
    const m = jar('bad-sig');
    expectRejected(
      await install(url, m, bundlePart('bad-sig', cosignBundle(m.bytes, { key: keys.intruder }))),
      'UNTRUSTED_SIGNER',
      'trust',
    );
    if (profile === 'production' && status === 200) {
      expect(auditLines(dir)).toContainEqual(
        expect.objectContaining({
          event: 'module.installed',
          level: 'warn',
          name: 'plain',
          signature: 'unsigned',
        }),
      );
    }
  });

  it('development without any trust root installs a signed module as "unverified"', async () => {
    const { url } = await controller({
      'controller.yml': controllerYaml('development', 'required: false'),
    });
    const m = jar('dev-signed');
    const reply = await install(
      url,
      m,
      bundlePart('dev-signed', cosignBundle(m.bytes, { key: keys.authorA })),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.installed.signature).toMatchObject({ status: 'unverified', kind: 'bundle' });
  });
});

describe('size limits', () => {
  it('413 PAYLOAD_TOO_LARGE for a module or a signature over the limit', async () => {
    const { url, dir } = await controller({
      'trust.pem': keys.authorA.publicKeyPem,
      'controller.yml': `runtime: {profile: development}
controller: {listen: {port: 0}, limits: {moduleBytes: 1000, signatureBytes: 100}}
modules: {signing: {trustRoot: trust.pem, mode: KEYED}}
`,
    });
    const big = await install(url, { name: 'big.jar', bytes: new Uint8Array(1001) });
    expect([big.status, big.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const m = jar('small');
    const sig = await install(url, m, sigPart('small', 'A'.repeat(101)));
    expect([sig.status, sig.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(modulesOnDisk(dir)).toEqual([]);
    expect((await install(url, m, sigPart('small', keyedSig(m.bytes, keys.authorA)))).status).toBe(
      200,
    );
  });
});
