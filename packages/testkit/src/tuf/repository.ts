import { createHash } from 'node:crypto';
import { type TestKey, testKey } from '../keys.js';

/** The four top-level TUF roles. */
export type TufRoleName = 'root' | 'timestamp' | 'snapshot' | 'targets';

/** The keys of one role and how many of them must sign. */
export interface TufRoleKeys {
  readonly keys: readonly TestKey[];
  readonly threshold: number;
}

/** Options of {@link TestTufRepository}. */
export interface TestTufRepositoryOptions {
  /**
   * Keys per role. Default: root 2-of-3 (Ed25519, ECDSA P-256, Ed25519), timestamp ECDSA
   * P-256, snapshot Ed25519, targets 1-of-2 (ECDSA P-256, Ed25519), seeded from {@link seed}.
   */
  readonly roles?: Partial<Record<TufRoleName, TufRoleKeys>>;
  /** Targets to publish, by name. Default none (add with {@link TestTufRepository.setTarget}). */
  readonly targets?: Readonly<Record<string, string | Uint8Array>>;
  /** Key seed prefix. Default `'tuf'`. */
  readonly seed?: string;
  /** Lifetime of new metadata. Default 30 days from when it is signed. */
  readonly lifetimeMs?: number;
  /** The root's `consistent_snapshot`. Default `true` (as Sigstore's repository). */
  readonly consistentSnapshot?: boolean;
}

/** Per-publication overrides of {@link TestTufRepository.publish}. */
export interface TufPublishOptions {
  /** Versions to use instead of "previous + 1" (e.g. a fast-forwarded timestamp). */
  readonly versions?: Partial<Record<'timestamp' | 'snapshot' | 'targets', number>>;
  /** `expires` per role instead of now + lifetime (a date in the past mints expired metadata). */
  readonly expires?: Partial<Record<'timestamp' | 'snapshot' | 'targets', Date>>;
}

/** Options of {@link TestTufRepository.rotateRoot}. */
export interface TufRotateOptions {
  /**
   * Keys that sign the new root. Default: every key of the previous root and of the new one,
   * so that the new root meets both thresholds (a legitimate rotation).
   */
  readonly signers?: readonly TestKey[];
  /** `expires` of the new root. Default now + lifetime. */
  readonly expires?: Date;
}

/**
 * The OLPC canonical JSON that TUF signs (sorted keys, no whitespace, only `"` and `\`
 * escaped in strings, integers only). Written here rather than borrowed from the client
 * library, so that the tests check tuf-js against an independent encoder.
 */
export function tufCanonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('canonical JSON holds integers only');
    return String(value);
  }
  if (typeof value === 'string') return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  if (Array.isArray(value)) return `[${value.map(tufCanonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${tufCanonicalJson(k)}:${tufCanonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  throw new Error(`cannot encode ${typeof value} as canonical JSON`);
}

/** The TUF key object of a test key (`ed25519` hex, or `ecdsa` with a PEM public key). */
export function tufKeyJson(key: TestKey): Record<string, unknown> {
  switch (key.type) {
    case 'ed25519':
      return {
        keytype: 'ed25519',
        scheme: 'ed25519',
        keyval: { public: Buffer.from(key.spki.subarray(-32)).toString('hex') },
      };
    case 'ecdsa-p256':
      return {
        keytype: 'ecdsa',
        scheme: 'ecdsa-sha2-nistp256',
        keyval: { public: key.publicKeyPem },
      };
    default:
      throw new Error(`the TUF test repository signs with ed25519 or ecdsa-p256, not ${key.type}`);
  }
}

/** The TUF key id: sha256 of the canonical JSON of the key object. */
export function tufKeyId(key: TestKey): string {
  return createHash('sha256')
    .update(tufCanonicalJson(tufKeyJson(key)))
    .digest('hex');
}

/** Sign a `signed` object with keys: `{ signed, signatures: [{ keyid, sig }] }` as JSON bytes. */
export function signTufMetadata(signed: Record<string, unknown>, keys: readonly TestKey[]) {
  const bytes = Buffer.from(tufCanonicalJson(signed));
  const signatures = keys.map((key) => ({
    keyid: tufKeyId(key),
    sig: Buffer.from(key.sign(bytes)).toString('hex'),
  }));
  return Buffer.from(`${JSON.stringify({ signed, signatures }, null, 1)}\n`);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A TUF repository minted in memory: real keys and signatures, every published file kept by
 * its path (`1.root.json`, `timestamp.json`, `3.snapshot.json`, `targets/<sha256>.<name>`),
 * so old versions stay available to replay. Serve it with `TestTufServer`.
 */
export class TestTufRepository {
  /** Every file ever published, by path relative to the repository's base URL. */
  readonly files = new Map<string, Uint8Array>();
  private roleKeys: Record<TufRoleName, TufRoleKeys>;
  private readonly targetBytes = new Map<string, Uint8Array>();
  private readonly lifetimeMs: number;
  private readonly consistent: boolean;
  rootVersion = 0;
  timestampVersion = 0;
  snapshotVersion = 0;
  targetsVersion = 0;

  constructor(options: TestTufRepositoryOptions = {}) {
    const seed = options.seed ?? 'tuf';
    const k = (type: 'ed25519' | 'ecdsa-p256', name: string) => testKey(type, `${seed}-${name}`);
    this.roleKeys = {
      root: {
        keys: [k('ed25519', 'root-1'), k('ecdsa-p256', 'root-2'), k('ed25519', 'root-3')],
        threshold: 2,
      },
      timestamp: { keys: [k('ecdsa-p256', 'timestamp-1')], threshold: 1 },
      snapshot: { keys: [k('ed25519', 'snapshot-1')], threshold: 1 },
      targets: { keys: [k('ecdsa-p256', 'targets-1'), k('ed25519', 'targets-2')], threshold: 1 },
      ...options.roles,
    };
    this.lifetimeMs = options.lifetimeMs ?? 30 * 24 * 3600_000;
    this.consistent = options.consistentSnapshot ?? true;
    for (const [name, content] of Object.entries(options.targets ?? {})) {
      this.setTarget(name, content);
    }
    this.publishRoot(this.rootSigned(1, this.roleKeys), this.roleKeys.root.keys);
    this.publish();
  }

  /** The keys and threshold of a role in the newest root. */
  role(name: TufRoleName): TufRoleKeys {
    return this.roleKeys[name];
  }

  /** The bytes of `N.root.json` (default the newest): the initial root a client starts from. */
  root(version = this.rootVersion): Uint8Array {
    const bytes = this.files.get(`${version}.root.json`);
    if (!bytes) throw new Error(`no root version ${version}`);
    return bytes;
  }

  /** A published file's bytes (throws when absent). */
  file(path: string): Uint8Array {
    const bytes = this.files.get(path);
    if (!bytes) throw new Error(`no file ${path} in the test TUF repository`);
    return bytes;
  }

  /** A published file parsed as JSON. */
  json(path: string): { signed: Record<string, unknown>; signatures: unknown[] } {
    return JSON.parse(Buffer.from(this.file(path)).toString('utf8'));
  }

  /** The path under which a target's current content is served. */
  targetPath(name: string): string {
    const bytes = this.targetBytes.get(name);
    if (!bytes) throw new Error(`no target ${name}`);
    return this.consistent ? `targets/${sha256(bytes)}.${name}` : `targets/${name}`;
  }

  /** Path of the newest snapshot or targets metadata as the client asks for it. */
  metadataPath(role: 'snapshot' | 'targets'): string {
    const version = role === 'snapshot' ? this.snapshotVersion : this.targetsVersion;
    return this.consistent ? `${version}.${role}.json` : `${role}.json`;
  }

  /** Add or replace a target; takes effect with the next {@link publish}. */
  setTarget(name: string, content: string | Uint8Array): void {
    this.targetBytes.set(name, typeof content === 'string' ? Buffer.from(content) : content);
  }

  private expires(at?: Date): string {
    return rfc3339(at ?? new Date(Date.now() + this.lifetimeMs));
  }

  private rootSigned(
    version: number,
    roles: Record<TufRoleName, TufRoleKeys>,
    expires?: Date,
  ): Record<string, unknown> {
    const keys: Record<string, unknown> = {};
    const roleJson: Record<string, unknown> = {};
    for (const name of ['root', 'timestamp', 'snapshot', 'targets'] as const) {
      for (const key of roles[name].keys) keys[tufKeyId(key)] = tufKeyJson(key);
      roleJson[name] = {
        keyids: roles[name].keys.map(tufKeyId),
        threshold: roles[name].threshold,
      };
    }
    return {
      _type: 'root',
      spec_version: '1.0.31',
      version,
      expires: this.expires(expires),
      consistent_snapshot: this.consistent,
      keys,
      roles: roleJson,
    };
  }

  private publishRoot(signed: Record<string, unknown>, signers: readonly TestKey[]): void {
    const bytes = signTufMetadata(signed, signers);
    this.rootVersion = signed.version as number;
    this.files.set(`${this.rootVersion}.root.json`, bytes);
    this.files.set('root.json', bytes);
  }

  /**
   * Publish root version N+1 with some roles' keys replaced. By default it is signed by the
   * old and the new root keys (a valid rotation); `signers` mints an untrusted one.
   */
  rotateRoot(
    change: Partial<Record<TufRoleName, TufRoleKeys>>,
    options: TufRotateOptions = {},
  ): void {
    const previous = this.roleKeys.root.keys;
    const next = { ...this.roleKeys, ...change };
    const signers =
      options.signers ??
      [...previous, ...next.root.keys].filter(
        (key, i, all) => all.findIndex((o) => tufKeyId(o) === tufKeyId(key)) === i,
      );
    this.publishRoot(this.rootSigned(this.rootVersion + 1, next, options.expires), signers);
    this.roleKeys = next;
  }

  /**
   * Publish new targets, snapshot and timestamp metadata (each version + 1 unless given),
   * with the current targets, signed by the current role keys.
   */
  publish(options: TufPublishOptions = {}): void {
    const v = options.versions ?? {};
    const e = options.expires ?? {};
    this.targetsVersion = v.targets ?? this.targetsVersion + 1;
    this.snapshotVersion = v.snapshot ?? this.snapshotVersion + 1;
    this.timestampVersion = v.timestamp ?? this.timestampVersion + 1;
    const targets: Record<string, unknown> = {};
    for (const [name, bytes] of this.targetBytes) {
      targets[name] = { length: bytes.byteLength, hashes: { sha256: sha256(bytes) } };
      this.files.set(this.targetPath(name), bytes);
    }
    const targetsBytes = this.signRole('targets', {
      _type: 'targets',
      spec_version: '1.0.31',
      version: this.targetsVersion,
      expires: this.expires(e.targets),
      targets,
    });
    this.files.set(this.metadataPath('targets'), targetsBytes);
    const snapshotBytes = this.signRole('snapshot', {
      _type: 'snapshot',
      spec_version: '1.0.31',
      version: this.snapshotVersion,
      expires: this.expires(e.snapshot),
      meta: { 'targets.json': { version: this.targetsVersion } },
    });
    this.files.set(this.metadataPath('snapshot'), snapshotBytes);
    this.files.set(
      'timestamp.json',
      this.signRole('timestamp', {
        _type: 'timestamp',
        spec_version: '1.0.31',
        version: this.timestampVersion,
        expires: this.expires(e.timestamp),
        meta: {
          'snapshot.json': {
            version: this.snapshotVersion,
            length: snapshotBytes.byteLength,
            hashes: { sha256: sha256(snapshotBytes) },
          },
        },
      }),
    );
  }

  /** Sign a role's `signed` object with that role's current keys (or the keys given). */
  signRole(
    role: TufRoleName,
    signed: Record<string, unknown>,
    keys: readonly TestKey[] = this.roleKeys[role].keys,
  ): Uint8Array {
    return signTufMetadata(signed, keys);
  }
}
