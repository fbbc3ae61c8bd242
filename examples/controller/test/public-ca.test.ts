import { join } from 'node:path';
import { certificateToPem, createCertificateAuthority } from '@flareo/testkit';
import { publicGoodTrustRoot } from '@flareo/trust-root';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config.js';
import { createController } from '../src/controller.js';
import { ControllerError } from '../src/errors.js';
import { loadTrust } from '../src/trust.js';
import { type TrustInventory, validateConfig } from '../src/validator.js';
import {
  auditLines,
  CONTROLLER_BIN,
  cleanupDirs,
  controllerYaml,
  runBin,
  setupDir,
} from './support/harness.js';
import { authorCa, keys, rekor } from './support/world.js';

afterAll(cleanupDirs);

/** The Sigstore public-good Fulcio root (and intermediate), as a module-trust.pem holds them. */
const fulcioPem = publicGoodTrustRoot()
  .certificateAuthorities.flatMap((a) => a.certificates)
  .map((c) => certificateToPem(c.der))
  .join('');
/** A CA calling itself sigstore.dev: a staging or older public-good Fulcio. */
const sigstoreLookalike = createCertificateAuthority({
  seed: 'ctl-sigstore-staging',
  commonName: 'sigstore',
  organization: 'sigstore.dev',
});

const inventoryOf = (pemText: string) => {
  const dir = setupDir({
    'trust.pem': pemText,
    'controller.yml': controllerYaml('production', 'trustRoot: trust.pem'),
  });
  return loadTrust(loadConfig(join(dir, 'controller.yml'))).inventory;
};

describe('public CAs in the trust root', () => {
  it('recognises the public-good Fulcio certificates and a sigstore.dev CA; not a private CA', () => {
    expect(inventoryOf(fulcioPem).trustRoot?.publicAuthorities?.length).toBeGreaterThan(0);
    expect(inventoryOf(fulcioPem).trustRoot?.publicAuthorities?.join()).toMatch(/sigstore/);
    expect(inventoryOf(sigstoreLookalike.pem).trustRoot?.publicAuthorities).toEqual([
      expect.stringContaining('sigstore.dev'),
    ]);
    expect(
      inventoryOf(`${authorCa.pem}${keys.authorA.publicKeyPem}`).trustRoot?.publicAuthorities,
    ).toEqual([]);
    // Mixed: a private CA beside the public one still counts as trusting a public CA.
    expect(
      inventoryOf(`${authorCa.pem}${fulcioPem}`).trustRoot?.publicAuthorities?.length,
    ).toBeGreaterThan(0);
  });

  const withPublic: TrustInventory = {
    trustRoot: {
      path: '/security/module-trust.pem',
      publicKeys: 0,
      certificates: 1,
      publicAuthorities: ['CN=sigstore, O=sigstore.dev'],
    },
    rekor: { path: '/security/rekor.pub', keys: 1 },
  };
  const findings = (profile: string, signing: string) => {
    const r = validateConfig(
      parseConfig(
        `runtime: {profile: ${profile}}\nmodules: {signing: {trustRoot: t.pem, rekor: {publicKey: r.pub}${signing ? `, ${signing}` : ''}}}`,
        '/etc/flareo',
      ),
      withPublic,
    );
    return {
      errors: r.errors.map((f) => f.code),
      warnings: r.warnings.map((f) => f.code),
      messages: [...r.errors, ...r.warnings].map((f) => f.message),
    };
  };

  it('production without an identity policy: PUBLIC_CA_WITHOUT_IDENTITY is an error', () => {
    const r = findings('production', '');
    expect(r.errors).toEqual(['PUBLIC_CA_WITHOUT_IDENTITY']);
    expect(r.messages[0]).toMatch(/any Sigstore user could sign a module/);
    expect(r.messages[0]).toMatch(/subjectAlternativeName and the issuer/);
  });

  it('production with only one of SAN and issuer: still refused, naming the missing one', () => {
    const r = findings('production', 'identity: {subjectAlternativeName: release@acme.test}');
    expect(r.errors).toEqual(['PUBLIC_CA_WITHOUT_IDENTITY']);
    expect(r.messages[0]).toMatch(/does not name the issuer:/);
    const i = findings('production', 'identity: {issuer: https://accounts.acme.test}');
    expect(i.messages[0]).toMatch(/does not name the subjectAlternativeName:/);
  });

  it('production with SAN and issuer pinned: no finding', () => {
    expect(
      findings(
        'production',
        'identity: {subjectAlternativeName: {regexp: ".*@acme\\\\.test"}, issuer: https://accounts.acme.test}',
      ),
    ).toEqual({ errors: [], warnings: [], messages: [] });
  });

  it('development: a warning, and KEYED (which never uses certificates) says only that', () => {
    const d = findings('development', '');
    expect(d).toMatchObject({ errors: [], warnings: ['PUBLIC_CA_WITHOUT_IDENTITY'] });
    expect(d.messages[0]).toMatch(/a production controller refuses to start this way/);
    const keyed = findings('development', 'mode: KEYED').warnings;
    expect(keyed).toContain('CERTIFICATES_UNUSED_IN_KEYED_MODE');
    expect(keyed).not.toContain('PUBLIC_CA_WITHOUT_IDENTITY');
  });

  it('a production controller trusting the public-good root without identity refuses to start (audited)', async () => {
    const dir = setupDir({
      'security/module-trust.pem': fulcioPem,
      'security/rekor.pub': rekor.publicKeyPem,
      'controller.yml': controllerYaml(
        'production',
        'trustRoot: security/module-trust.pem\nrekor: {publicKey: security/rekor.pub}',
      ),
    });
    const error = await createController(loadConfig(join(dir, 'controller.yml'))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControllerError);
    expect((error as ControllerError).code).toBe('CONFIG_REJECTED');
    expect((error as ControllerError).message).toMatch(/PUBLIC_CA_WITHOUT_IDENTITY/);
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({ event: 'config.rejected', code: 'PUBLIC_CA_WITHOUT_IDENTITY' }),
    );
    // The built command line says so in one coded line, for --check as for a start.
    for (const args of [['--check'], []]) {
      const run = await runBin(CONTROLLER_BIN, ['--config', join(dir, 'controller.yml'), ...args]);
      expect(run.code).toBe(1);
      const fatal = JSON.parse(run.stderr.split('\n')[0] ?? '');
      expect(fatal).toMatchObject({ level: 'fatal', code: 'CONFIG_REJECTED' });
      expect(fatal.detail.findings[0]).toMatchObject({
        code: 'PUBLIC_CA_WITHOUT_IDENTITY',
        path: '/modules/signing/identity',
      });
    }
  });

  it('a development controller starts with the warning logged and audited', async () => {
    const dir = setupDir({
      'security/module-trust.pem': fulcioPem,
      'controller.yml': controllerYaml('development', 'trustRoot: security/module-trust.pem'),
    });
    const lines: string[] = [];
    const controller = await createController(loadConfig(join(dir, 'controller.yml')), {
      logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } },
    });
    await controller.close();
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({
        event: 'config.warning',
        level: 'warn',
        code: 'PUBLIC_CA_WITHOUT_IDENTITY',
      }),
    );
    expect(
      lines.map((l) => JSON.parse(l)).find((l) => l.finding?.code === 'PUBLIC_CA_WITHOUT_IDENTITY'),
    ).toMatchObject({ level: 40 });
  });
});
