import { join } from 'node:path';
import { certificateToPem } from '@flareo/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { type ControllerConfig, loadConfig, parseConfig } from '../src/config.js';
import { createController } from '../src/controller.js';
import { ControllerError } from '../src/errors.js';
import { loadTrust } from '../src/trust.js';
import { type TrustInventory, type ValidatorCode, validateConfig } from '../src/validator.js';
import { auditLines, cleanupDirs, controllerYaml, setupDir } from './support/harness.js';
import { authorCa, keys, rekor } from './support/world.js';

afterAll(cleanupDirs);

const config = (yaml: string): ControllerConfig => parseConfig(yaml, '/etc/flareo');
const keysOnly: TrustInventory = { trustRoot: { path: '/t.pem', publicKeys: 2, certificates: 0 } };
const codes = (yaml: string, trust: TrustInventory = keysOnly) => {
  const r = validateConfig(config(yaml), trust);
  return { errors: r.errors.map((f) => f.code), warnings: r.warnings.map((f) => f.code) };
};

describe('ConfigValidator rules', () => {
  it.each(['REQUIRE_SET', 'REQUIRE_INCLUSION_PROOF'])(
    'REKOR_POLICY_REQUIRES_COSIGN_BUNDLE: %s with mode KEYED',
    (policy) => {
      const r = codes(
        `modules: {signing: {mode: KEYED, trustRoot: t.pem, rekor: {policy: ${policy}, publicKey: r.pub}}}`,
      );
      expect(r.errors).toEqual(['REKOR_POLICY_REQUIRES_COSIGN_BUNDLE']);
    },
  );

  it.each(['REQUIRE_SET', 'REQUIRE_INCLUSION_PROOF'])(
    'REKOR_POLICY_REQUIRES_PUBLIC_KEY: %s without rekor.publicKey',
    (policy) => {
      const r = codes(`modules: {signing: {trustRoot: t.pem, rekor: {policy: ${policy}}}}`);
      expect(r.errors).toEqual(['REKOR_POLICY_REQUIRES_PUBLIC_KEY']);
    },
  );

  it('both REQUIRE_SET rules at once', () => {
    const r = codes(
      'modules: {signing: {mode: KEYED, trustRoot: t.pem, rekor: {policy: REQUIRE_SET}}}',
    );
    expect(r.errors.sort()).toEqual([
      'REKOR_POLICY_REQUIRES_COSIGN_BUNDLE',
      'REKOR_POLICY_REQUIRES_PUBLIC_KEY',
    ]);
  });

  it('REQUIRE_SET with COSIGN_BUNDLE and rekor.publicKey passes', () => {
    const r = codes(
      'modules: {signing: {required: true, trustRoot: t.pem, rekor: {policy: REQUIRE_SET, publicKey: r.pub}}}',
      {
        ...keysOnly,
        rekor: { path: '/r.pub', keys: 1 },
      },
    );
    expect(r).toEqual({ errors: [], warnings: [] });
  });

  // Every profile/required cell that enforces signatures refuses a missing or empty trust root.
  const enforcedCells = [
    ['production', 'required: true'],
    ['production', ''],
    ['development', 'required: true, allowUnsignedDevelopment: false'],
  ] as const;
  it.each(enforcedCells)('TRUST_ROOT_MISSING: %s {%s} without trustRoot', (profile, signing) => {
    expect(
      codes(`runtime: {profile: ${profile}}\nmodules: {signing: {${signing}}}`, {}).errors,
    ).toEqual(['TRUST_ROOT_MISSING']);
  });
  it.each(enforcedCells)(
    'TRUST_ROOT_EMPTY: %s {%s} with a trust root holding nothing',
    (profile, signing) => {
      const empty: TrustInventory = {
        trustRoot: { path: '/t.pem', publicKeys: 0, certificates: 0 },
      };
      expect(
        codes(
          `runtime: {profile: ${profile}}\nmodules: {signing: {${signing}${signing ? ', ' : ''}trustRoot: t.pem}}`,
          empty,
        ).errors,
      ).toEqual(['TRUST_ROOT_EMPTY']);
    },
  );

  it.each([
    ['production', 'required: false'],
    ['development', ''],
    ['development', 'required: false'],
    ['development', 'required: true'],
  ] as const)(
    'no trust root is accepted where unsigned modules are allowed: %s {%s}',
    (profile, signing) => {
      expect(
        codes(`runtime: {profile: ${profile}}\nmodules: {signing: {${signing}}}`, {}).errors,
      ).toEqual([]);
    },
  );

  it('TRUST_ROOT_EMPTY is only a warning where unsigned modules are allowed', () => {
    const empty: TrustInventory = { trustRoot: { path: '/t.pem', publicKeys: 0, certificates: 0 } };
    expect(
      codes('runtime: {profile: development}\nmodules: {signing: {trustRoot: t.pem}}', empty),
    ).toEqual({
      errors: [],
      warnings: ['TRUST_ROOT_EMPTY'],
    });
  });

  it('KEYED_TRUST_ROOT_WITHOUT_KEYS: KEYED enforced with only CERTIFICATE blocks', () => {
    const certsOnly: TrustInventory = {
      trustRoot: { path: '/t.pem', publicKeys: 0, certificates: 1 },
    };
    const r = codes('modules: {signing: {mode: KEYED, trustRoot: t.pem}}', certsOnly);
    expect(r.errors).toEqual(['KEYED_TRUST_ROOT_WITHOUT_KEYS']);
    expect(r.warnings).toEqual(['CERTIFICATES_UNUSED_IN_KEYED_MODE']);
  });

  it('PRODUCTION_SIGNING_NOT_REQUIRED: production with required=false warns', () => {
    expect(codes('modules: {signing: {required: false}}', {})).toEqual({
      errors: [],
      warnings: ['PRODUCTION_SIGNING_NOT_REQUIRED'],
    });
  });

  it.each([
    ['production', 'required: true, trustRoot: t.pem, allowUnsignedDevelopment: true'],
    ['development', 'allowUnsignedDevelopment: false'],
    ['development', 'required: false, allowUnsignedDevelopment: true'],
  ])('ALLOW_UNSIGNED_DEVELOPMENT_IGNORED: %s {%s}', (profile, signing) => {
    expect(
      codes(`runtime: {profile: ${profile}}\nmodules: {signing: {${signing}}}`).warnings,
    ).toEqual(['ALLOW_UNSIGNED_DEVELOPMENT_IGNORED']);
  });

  it('a Rekor key with policy DISABLED is no finding: it verifies the SETs bundles carry', () => {
    expect(codes('modules: {signing: {trustRoot: t.pem, rekor: {publicKey: r.pub}}}')).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('CERTIFICATES_CHECKED_AT_CURRENT_TIME: CA certificates, DISABLED, no Rekor key', () => {
    const withCa: TrustInventory = {
      trustRoot: { path: '/t.pem', publicKeys: 0, certificates: 1 },
    };
    expect(codes('modules: {signing: {trustRoot: t.pem}}', withCa).warnings).toEqual([
      'CERTIFICATES_CHECKED_AT_CURRENT_TIME',
    ]);
    // allowCurrentTime changes nothing here: the current time is the only time either way.
    expect(
      codes('modules: {signing: {trustRoot: t.pem, allowCurrentTime: true}}', withCa).warnings,
    ).toEqual(['CERTIFICATES_CHECKED_AT_CURRENT_TIME']);
    expect(
      codes('modules: {signing: {trustRoot: t.pem, rekor: {publicKey: r.pub}}}', withCa).warnings,
    ).toEqual([]);
    expect(
      codes(
        'modules: {signing: {trustRoot: t.pem, rekor: {policy: REQUIRE_SET, publicKey: r.pub}}}',
        withCa,
      ).warnings,
    ).toEqual([]);
  });

  it('findings carry the JSON path of the setting', () => {
    const r = validateConfig(
      config('modules: {signing: {mode: KEYED, rekor: {policy: REQUIRE_SET}}}'),
      keysOnly,
    );
    expect(r.errors.map((f) => [f.code, f.path])).toEqual([
      ['REKOR_POLICY_REQUIRES_COSIGN_BUNDLE', '/modules/signing/rekor/policy'],
      ['REKOR_POLICY_REQUIRES_PUBLIC_KEY', '/modules/signing/rekor/publicKey'],
    ]);
  });
});

describe('loading trust material', () => {
  const trustError = (files: Record<string, string>, signing: string) => {
    const dir = setupDir({ ...files, 'controller.yml': controllerYaml('production', signing) });
    try {
      loadTrust(loadConfig(join(dir, 'controller.yml')));
    } catch (error) {
      if (error instanceof ControllerError) return error;
      throw error;
    }
    throw new Error('expected a ControllerError');
  };

  it('TRUST_MATERIAL_INVALID: unreadable trust root', () => {
    const e = trustError({}, 'trustRoot: missing.pem');
    expect(e.code).toBe('TRUST_MATERIAL_INVALID');
    expect(e.detail.path).toMatch(/missing\.pem$/);
  });

  it('TRUST_MATERIAL_INVALID: malformed PEM, with the line', () => {
    const e = trustError(
      { 'trust.pem': `${keys.authorA.publicKeyPem}-----BEGIN PUBLIC KEY-----\nMFkw\n` },
      'trustRoot: trust.pem',
    );
    expect(e.code).toBe('TRUST_MATERIAL_INVALID');
    expect(e.detail.line).toBe(5);
  });

  it('TRUST_MATERIAL_INVALID: a private key in the trust root is refused', () => {
    const privatePem = keys.authorA.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(trustError({ 'trust.pem': privatePem }, 'trustRoot: trust.pem').code).toBe(
      'TRUST_MATERIAL_INVALID',
    );
  });

  it('TRUST_MATERIAL_INVALID: an empty Rekor key file, or a certificate in it', () => {
    const signing = 'trustRoot: trust.pem\nrekor: {policy: REQUIRE_SET, publicKey: rekor.pub}';
    expect(
      trustError({ 'trust.pem': keys.authorA.publicKeyPem, 'rekor.pub': '' }, signing).code,
    ).toBe('TRUST_MATERIAL_INVALID');
    const withCert = trustError(
      { 'trust.pem': keys.authorA.publicKeyPem, 'rekor.pub': certificateToPem(authorCa.der) },
      signing,
    );
    expect(withCert.code).toBe('TRUST_MATERIAL_INVALID');
    expect(withCert.detail).toMatchObject({ expected: 'PUBLIC KEY', actual: 'CERTIFICATE' });
  });

  it('counts keys, certificates and Rekor keys; an empty or comment-only file is empty', () => {
    const dir = setupDir({
      'trust.pem': `# authors\n${keys.authorA.publicKeyPem}${keys.authorB.publicKeyPem}${authorCa.pem}`,
      'empty.pem': '# nothing here yet\n',
      'rekor.pub': rekor.publicKeyPem,
      'controller.yml': controllerYaml(
        'production',
        'trustRoot: trust.pem\nrekor: {policy: REQUIRE_SET, publicKey: rekor.pub}',
      ),
      'empty.yml': controllerYaml('development', 'trustRoot: empty.pem'),
    });
    const t = loadTrust(loadConfig(join(dir, 'controller.yml')));
    expect(t.inventory.trustRoot).toMatchObject({ publicKeys: 2, certificates: 1 });
    expect(t.inventory.rekor).toMatchObject({ keys: 1 });
    expect(t.keyIds).toEqual([keys.authorA.keyId, keys.authorB.keyId]);
    expect(t.trustRoot?.tlogs[0]?.logId).toBe(rekor.key.keyId);
    const e = loadTrust(loadConfig(join(dir, 'empty.yml')));
    expect(e.inventory.trustRoot).toMatchObject({ publicKeys: 0, certificates: 0 });
    expect(e.trustRoot).toBeUndefined();
  });
});

describe('start-up: the validator refuses, warns, and writes the audit log', () => {
  async function refused(files: Record<string, string>, code: ValidatorCode) {
    const dir = setupDir(files);
    const error = await createController(loadConfig(join(dir, 'controller.yml'))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControllerError);
    expect((error as ControllerError).code).toBe('CONFIG_REJECTED');
    expect((error as ControllerError).detail.findings).toContainEqual(
      expect.objectContaining({ code }),
    );
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({ event: 'config.rejected', level: 'error', code }),
    );
    return dir;
  }

  it('refuses production + required=true with an empty trust root', async () => {
    const dir = await refused(
      {
        'trust.pem': '',
        'controller.yml': controllerYaml('production', 'required: true\ntrustRoot: trust.pem'),
      },
      'TRUST_ROOT_EMPTY',
    );
    // Nothing else started: no modules directory was created.
    expect(auditLines(dir).map((l) => l.event)).toEqual(['config.rejected']);
  });

  it('refuses production + required=true without a trust root', async () => {
    await refused(
      { 'controller.yml': controllerYaml('production', 'required: true') },
      'TRUST_ROOT_MISSING',
    );
  });

  it('refuses REQUIRE_SET with KEYED, and REQUIRE_SET without rekor.publicKey', async () => {
    await refused(
      {
        'trust.pem': keys.authorA.publicKeyPem,
        'rekor.pub': rekor.publicKeyPem,
        'controller.yml': controllerYaml(
          'production',
          'mode: KEYED\ntrustRoot: trust.pem\nrekor: {policy: REQUIRE_SET, publicKey: rekor.pub}',
        ),
      },
      'REKOR_POLICY_REQUIRES_COSIGN_BUNDLE',
    );
    await refused(
      {
        'trust.pem': keys.authorA.publicKeyPem,
        'controller.yml': controllerYaml(
          'production',
          'trustRoot: trust.pem\nrekor: {policy: REQUIRE_SET}',
        ),
      },
      'REKOR_POLICY_REQUIRES_PUBLIC_KEY',
    );
  });

  it('production + required=false starts, with a WARN kept in the audit log', async () => {
    const dir = setupDir({ 'controller.yml': controllerYaml('production', 'required: false') });
    const lines: string[] = [];
    const controller = await createController(loadConfig(join(dir, 'controller.yml')), {
      logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } },
    });
    await controller.close();
    expect(auditLines(dir)).toContainEqual(
      expect.objectContaining({
        event: 'config.warning',
        level: 'warn',
        code: 'PRODUCTION_SIGNING_NOT_REQUIRED',
      }),
    );
    const warn = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.finding?.code === 'PRODUCTION_SIGNING_NOT_REQUIRED');
    expect(warn).toMatchObject({ level: 40 });
    // Append-only: a second start adds lines after the first ones.
    const first = auditLines(dir);
    await (await createController(loadConfig(join(dir, 'controller.yml')))).close();
    const after = auditLines(dir);
    expect(after.slice(0, first.length)).toEqual(first);
    expect(after.slice(first.length).map((l) => l.event)).toEqual([
      'config.warning',
      'controller.started',
    ]);
  });

  it('an invalid identity regexp stops the start', async () => {
    const dir = setupDir({
      'trust.pem': authorCa.pem,
      'controller.yml': controllerYaml(
        'production',
        'trustRoot: trust.pem\nallowCurrentTime: true\nidentity: {subjectAlternativeName: {regexp: "("}}',
      ),
    });
    const error = await createController(loadConfig(join(dir, 'controller.yml'))).catch(
      (e: unknown) => e,
    );
    expect((error as ControllerError).code).toBe('CONFIG_SCHEMA_INVALID');
  });
});
